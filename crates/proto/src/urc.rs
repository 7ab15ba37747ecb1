//! Unsolicited result codes: the asynchronous reports of manual chapter 3, printed after the
//! `OK` of the command that started them, and `+MATREADY` at start-up.

use crate::codes::ResultCode;
use crate::error::ParseError;
use crate::escape;
use crate::line::{self, int, num, string, text};
use crate::name::Name;
use crate::syntax::{self, Param};
use crate::types::ChannelId;
use alloc::string::String;
use alloc::vec::Vec;

/// The commands whose report is just `+MFTPxxx: <id>,<result_code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimpleOp {
    /// `+MFTPCONN` (§3.2).
    Conn,
    /// `+MFTPDISC` (§3.3).
    Disc,
    /// `+MFTPCWD` (§3.4).
    Cwd,
    /// `+MFTPMKD` (§3.6).
    Mkd,
    /// `+MFTPDEL` (§3.8).
    Del,
    /// `+MFTPRN` (§3.9).
    Rn,
}

impl SimpleOp {
    fn name(self) -> Name {
        match self {
            SimpleOp::Conn => Name::MftpConn,
            SimpleOp::Disc => Name::MftpDisc,
            SimpleOp::Cwd => Name::MftpCwd,
            SimpleOp::Mkd => Name::MftpMkd,
            SimpleOp::Del => Name::MftpDel,
            SimpleOp::Rn => Name::MftpRn,
        }
    }
}

/// `+MFTPSTOR` or `+MFTPAPPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadOp {
    /// Overwrite (§3.12).
    Stor,
    /// Append (§3.11).
    Appe,
}

/// `<modify_time>` of `+MFTPLIST` (§3.7): `YYYYMMDDHHMMSS`, printed unquoted, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Timestamp {
    /// Four-digit year.
    pub year: u16,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-60.
    pub second: u8,
}

impl Timestamp {
    fn to_u64(self) -> u64 {
        let t = self;
        (((((u64::from(t.year) * 100 + u64::from(t.month)) * 100 + u64::from(t.day)) * 100
            + u64::from(t.hour))
            * 100
            + u64::from(t.minute))
            * 100)
            + u64::from(t.second)
    }

    fn from_u64(mut n: u64) -> Option<Timestamp> {
        let mut take = |m: u64| {
            let v = n % m;
            n /= m;
            v as u8
        };
        let second = take(100);
        let minute = take(100);
        let hour = take(100);
        let day = take(100);
        let month = take(100);
        let year = u16::try_from(n)
            .ok()
            .filter(|y| (1000..=9999).contains(y))?;
        let t = Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        };
        ((1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60)
            .then_some(t)
    }
}

/// The line `AT+MREBOOT` prints after its `OK` (ONEMO-RELATED.md §A.6).
const REBOOTING: &[u8] = b"REBOOTING";

/// One unsolicited line, without framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Urc {
    /// `+MATREADY`: the module has started.
    Ready,
    /// `REBOOTING`: a bare line after the `OK` of `AT+MREBOOT`, before the restart
    /// (ONEMO-RELATED.md §A.6, RTU capture).
    Rebooting,
    /// `+CEREG: <stat>[,"<tac>","<ci>",<AcT>]` or `+CGREG: ...`: registration changed
    /// (27.007 §10.1.22, §10.1.20; ONEMO-RELATED.md §A.4), printed as `AT+CEREG=<n>` asks.
    Reg {
        /// `CEREG` or `CGREG`.
        name: Name,
        /// 0 not registered, 1 registered.
        stat: u8,
        /// With n 2 or more, when registered.
        loc: Option<crate::RegLocation>,
    },
    /// `+MFTPCONN|DISC|CWD|MKD|DEL|RN: <id>,<result_code>`.
    Result {
        /// Which command.
        op: SimpleOp,
        /// Channel.
        id: ChannelId,
        /// Outcome.
        code: ResultCode,
    },
    /// `+MFTPPWD: <id>,<result_code>[,"<path>"]` (§3.5).
    Pwd {
        /// Channel.
        id: ChannelId,
        /// Outcome.
        code: ResultCode,
        /// Working directory on success.
        path: Option<String>,
    },
    /// `+MFTPLIST: <id>,0,"<dir>","<perm>"` (§3.7).
    ListDir {
        /// Channel.
        id: ChannelId,
        /// Directory name.
        name: String,
        /// Owner permission triplet.
        perm: String,
    },
    /// `+MFTPLIST: <id>,0,"<file>",<size>,<YYYYMMDDHHMMSS>,"<perm>"` (§3.7).
    ListFile {
        /// Channel.
        id: ChannelId,
        /// File name.
        name: String,
        /// Size in bytes.
        size: u64,
        /// Modification time, UTC.
        modified: Timestamp,
        /// Owner permission triplet.
        perm: String,
    },
    /// `+MFTPLIST: <id>,<result_code>`: a failure, or 14 for an empty directory.
    ListResult {
        /// Channel.
        id: ChannelId,
        /// Outcome.
        code: ResultCode,
    },
    /// `+MFTPRETR: <id>,0,<sum_size>,<recv_size>,<data>` (§3.10, local_fs 0): one chunk.
    RetrData {
        /// Channel.
        id: ChannelId,
        /// Bytes delivered so far, this chunk included.
        sum: u64,
        /// The chunk; `recv_size` is its length.
        data: Vec<u8>,
    },
    /// `+MFTPRETR: <id>,0,<sum_size>,<recv_size>` (§3.10, local_fs 1): saved to a local file.
    RetrSaved {
        /// Channel.
        id: ChannelId,
        /// Total bytes.
        sum: u64,
        /// Bytes received.
        recv: u64,
    },
    /// `+MFTPRETR: <id>,<result_code>`: a failure (19 for a zero-size file).
    RetrResult {
        /// Channel.
        id: ChannelId,
        /// Outcome.
        code: ResultCode,
    },
    /// `+MFTPSTOR|APPE: <id>,<result_code>,<sent_length>` (§3.11, §3.12).
    Upload {
        /// Which command.
        op: UploadOp,
        /// Channel.
        id: ChannelId,
        /// Outcome.
        code: ResultCode,
        /// Bytes of the file sent so far.
        sent: u64,
    },
    /// `+MFTPURC: <id>,"conn",<state>` (§3.14): the channel was disconnected (state 0).
    ConnState {
        /// Channel.
        id: ChannelId,
        /// 0: disconnected.
        state: u8,
    },
    /// `+MIPCALL: <cid>,<state>[,"<ip>"]`: PDP context state change.
    Mipcall {
        /// Context id.
        cid: u8,
        /// Active.
        active: bool,
        /// Local address when active.
        ip: Option<String>,
    },
}

impl Urc {
    /// The channel the report belongs to; hosts route on it.
    pub fn channel(&self) -> Option<ChannelId> {
        match self {
            Urc::Ready | Urc::Rebooting | Urc::Mipcall { .. } | Urc::Reg { .. } => None,
            Urc::Result { id, .. }
            | Urc::Pwd { id, .. }
            | Urc::ListDir { id, .. }
            | Urc::ListFile { id, .. }
            | Urc::ListResult { id, .. }
            | Urc::RetrData { id, .. }
            | Urc::RetrSaved { id, .. }
            | Urc::RetrResult { id, .. }
            | Urc::Upload { id, .. }
            | Urc::ConnState { id, .. } => Some(*id),
        }
    }

    /// Writes the line without framing.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let code = |c: &ResultCode| int(c.code());
        let id = |c: &ChannelId| int(c.get());
        match self {
            Urc::Ready => {
                out.push(b'+');
                out.extend_from_slice(Name::MatReady.as_str().as_bytes());
            }
            Urc::Rebooting => out.extend_from_slice(REBOOTING),
            Urc::Reg { name, stat, loc } => {
                let mut p = alloc::vec![int(*stat)];
                p.extend(loc.iter().flat_map(crate::RegLocation::params));
                line::emit(out, *name, &p);
            }
            Urc::Result { op, id: i, code: c } => line::emit(out, op.name(), &[id(i), code(c)]),
            Urc::Pwd {
                id: i,
                code: c,
                path,
            } => {
                let mut p = alloc::vec![id(i), code(c)];
                p.extend(path.as_deref().map(server_text));
                line::emit(out, Name::MftpPwd, &p);
            }
            Urc::ListDir { id: i, name, perm } => {
                line::emit(
                    out,
                    Name::MftpList,
                    &[id(i), int(0u8), server_text(name), server_text(perm)],
                );
            }
            Urc::ListFile {
                id: i,
                name,
                size,
                modified,
                perm,
            } => line::emit(
                out,
                Name::MftpList,
                &[
                    id(i),
                    int(0u8),
                    server_text(name),
                    int(*size),
                    int(modified.to_u64()),
                    server_text(perm),
                ],
            ),
            Urc::ListResult { id: i, code: c } => {
                line::emit(out, Name::MftpList, &[id(i), code(c)])
            }
            Urc::RetrData { id: i, sum, data } => emit_retr_data(out, *i, *sum, data),
            Urc::RetrSaved { id: i, sum, recv } => {
                line::emit(
                    out,
                    Name::MftpRetr,
                    &[id(i), int(0u8), int(*sum), int(*recv)],
                );
            }
            Urc::RetrResult { id: i, code: c } => {
                line::emit(out, Name::MftpRetr, &[id(i), code(c)])
            }
            Urc::Upload {
                op,
                id: i,
                code: c,
                sent,
            } => {
                let n = match op {
                    UploadOp::Stor => Name::MftpStor,
                    UploadOp::Appe => Name::MftpAppe,
                };
                line::emit(out, n, &[id(i), code(c), int(*sent)]);
            }
            Urc::ConnState { id: i, state } => {
                line::emit(out, Name::MftpUrc, &[id(i), string("conn"), int(*state)]);
            }
            Urc::Mipcall { cid, active, ip } => {
                let mut p = alloc::vec![int(*cid), int(*active)];
                p.extend(ip.as_deref().map(string));
                line::emit(out, Name::Mipcall, &p);
            }
        }
    }

    /// [`Urc::emit`] into a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }

    /// Parses one URC line without framing. A `+MFTPRETR` chunk must be whole: `line` holds
    /// exactly `recv_size` bytes after the fourth comma.
    pub fn parse(l: &[u8]) -> Result<Urc, ParseError> {
        if l == REBOOTING {
            return Ok(Urc::Rebooting);
        }
        let (name, rest) = line::header(l).ok_or(ParseError::Unknown)?;
        if name == Name::MatReady {
            return if rest.is_empty() {
                Ok(Urc::Ready)
            } else {
                Err(ParseError::Param)
            };
        }
        if name == Name::MftpRetr {
            return parse_retr(rest);
        }
        if name == Name::MftpPwd {
            return parse_pwd(rest);
        }
        let p = line::fields(rest)?;
        let ch = || ChannelId::new(num(p.first())?).ok_or(ParseError::Param);
        let rc = || num::<u16>(p.get(1)).map(ResultCode::from_code);
        let simple = |op| -> Result<Urc, ParseError> {
            if p.len() != 2 {
                return Err(ParseError::Param);
            }
            Ok(Urc::Result {
                op,
                id: ch()?,
                code: rc()?,
            })
        };
        match name {
            Name::MftpConn => simple(SimpleOp::Conn),
            Name::MftpDisc => simple(SimpleOp::Disc),
            Name::MftpCwd => simple(SimpleOp::Cwd),
            Name::MftpMkd => simple(SimpleOp::Mkd),
            Name::MftpDel => simple(SimpleOp::Del),
            Name::MftpRn => simple(SimpleOp::Rn),
            Name::MftpList => match p.len() {
                2 => Ok(Urc::ListResult {
                    id: ch()?,
                    code: rc()?,
                }),
                // An entry carries result code 0; any other code would be lost in the value.
                4 | 6 if p.get(1) != Some(&Param::Int(0)) => Err(ParseError::Param),
                4 => Ok(Urc::ListDir {
                    id: ch()?,
                    name: server_text_of(p.get(2))?,
                    perm: server_text_of(p.get(3))?,
                }),
                6 => Ok(Urc::ListFile {
                    id: ch()?,
                    name: server_text_of(p.get(2))?,
                    size: num(p.get(3))?,
                    modified: Timestamp::from_u64(num(p.get(4))?).ok_or(ParseError::Param)?,
                    perm: server_text_of(p.get(5))?,
                }),
                _ => Err(ParseError::Param),
            },
            Name::MftpStor | Name::MftpAppe => Ok(Urc::Upload {
                op: if name == Name::MftpStor {
                    UploadOp::Stor
                } else {
                    UploadOp::Appe
                },
                id: ch()?,
                code: rc()?,
                sent: num(p.get(2))?,
            }),
            Name::MftpUrc => match p.get(1) {
                Some(Param::Str(k)) if k == b"conn" => Ok(Urc::ConnState {
                    id: ch()?,
                    state: num(p.get(2))?,
                }),
                _ => Err(ParseError::Param),
            },
            // One field, or four: the read form has two or five (ONEMO-RELATED.md §A.4).
            Name::Cereg | Name::Cgreg if p.len() == 1 || p.len() == 4 => Ok(Urc::Reg {
                name,
                stat: num(p.first())?,
                loc: crate::RegLocation::from_params(p.get(1..).unwrap_or_default())?,
            }),
            Name::Mipcall => Ok(Urc::Mipcall {
                cid: num(p.first())?,
                active: num::<u8>(p.get(1))? == 1,
                ip: match p.get(2) {
                    None => None,
                    some => Some(text(some)?),
                },
            }),
            _ => Err(ParseError::Unknown),
        }
    }
}

/// `+MFTPPWD: <id>,<code>[,"<path>"]`. Chapter 4 prints the path once unquoted
/// (`+MFTPPWD: 0,0,/home/uftp`); such a path runs to the end of the line, commas included,
/// and is written back quoted (§3.5). A quoted path is escaped (`crate::escape`); an unquoted
/// one cannot hold `"`.
fn parse_pwd(rest: &[u8]) -> Result<Urc, ParseError> {
    let (p, tail) = syntax::split_with_tail(rest, 2).map_err(ParseError::Syntax)?;
    let id = ChannelId::new(num(p.first())?).ok_or(ParseError::Param)?;
    let code = ResultCode::from_code(num(p.get(1))?);
    let path = match tail {
        None => None,
        Some(t) => match syntax::split(t).map_err(ParseError::Syntax)?.as_slice() {
            [Param::Str(s)] => Some(String::from_utf8_lossy(&escape::unescape(s)).into_owned()),
            _ if t.contains(&b'"') => return Err(ParseError::Param),
            _ => {
                let start = t.iter().position(|b| *b != b' ').unwrap_or(t.len());
                let end = t.iter().rposition(|b| *b != b' ').map_or(start, |e| e + 1);
                let bare = t.get(start..end).unwrap_or_default();
                if bare.is_empty() {
                    return Err(ParseError::Param);
                }
                Some(String::from_utf8_lossy(&escape::unescape(bare)).into_owned())
            }
        },
    };
    Ok(Urc::Pwd { id, code, path })
}

/// A quoted field holding text a server chose (a listed name, its permissions, the PWD
/// path), escaped so that it cannot break the line (see [`escape`]).
fn server_text(s: &str) -> Param {
    Param::Str(escape::escape(s.as_bytes()))
}

/// The text of a field written by [`server_text`]; lossy so a hostile name cannot stop a
/// host from reading.
fn server_text_of(p: Option<&Param>) -> Result<String, ParseError> {
    match p {
        Some(Param::Str(s)) => Ok(String::from_utf8_lossy(&escape::unescape(s)).into_owned()),
        _ => Err(ParseError::Param),
    }
}

/// Writes `+MFTPRETR: <id>,0,<sum>,<len>,<data>` (no framing) from borrowed data: what
/// [`Urc::RetrData`] emits, for a device that streams chunks without building a `Urc` each.
pub fn emit_retr_data(out: &mut Vec<u8>, id: ChannelId, sum: u64, data: &[u8]) {
    emit_retr_head(out, id, sum, data.len());
    out.extend_from_slice(data);
}

/// Writes `+MFTPRETR: <id>,0,<sum>,<len>,`: the part of a data chunk before its `len` bytes,
/// for a device that writes the data from where it already lies instead of copying it after.
pub fn emit_retr_head(out: &mut Vec<u8>, id: ChannelId, sum: u64, len: usize) {
    line::emit(
        out,
        Name::MftpRetr,
        &[int(id.get()), int(0u8), int(sum), int(len as u64)],
    );
    out.push(b',');
}

fn parse_retr(rest: &[u8]) -> Result<Urc, ParseError> {
    let (p, tail) = syntax::split_with_tail(rest, 4).map_err(ParseError::Syntax)?;
    let id = ChannelId::new(num(p.first())?).ok_or(ParseError::Param)?;
    let code = ResultCode::from_code(num(p.get(1))?);
    match (p.len(), tail) {
        (2, None) => Ok(Urc::RetrResult { id, code }),
        (4, None) if code == ResultCode::Success => Ok(Urc::RetrSaved {
            id,
            sum: num(p.get(2))?,
            recv: num(p.get(3))?,
        }),
        (4, Some(data)) if code == ResultCode::Success => {
            let recv: u64 = num(p.get(3))?;
            if data.len() as u64 != recv {
                return Err(ParseError::Param);
            }
            Ok(Urc::RetrData {
                id,
                sum: num(p.get(2))?,
                data: data.to_vec(),
            })
        }
        _ => Err(ParseError::Param),
    }
}

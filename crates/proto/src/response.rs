//! Lines the module prints in answer to a command: information lines and the final result.
//! Asynchronous reports are in [`crate::urc`].

use crate::codes::CmeError;
use crate::command::{FileChunk, MfCfgValue, SslKey};
use crate::error::ParseError;
use crate::line::{self, int, num, string, text};
use crate::name::Name;
use crate::syntax::{self, Param};
use crate::types::{
    CfgKey, CfgValue, ChannelId, ChannelState, CmeeMode, DataType, LocalFs, SslMode, TransMode,
};
use alloc::string::String;
use alloc::vec::Vec;

/// Where the module is registered, as `+CEREG`/`+CGREG` print it with n 2 or more:
/// `"<tac>","<ci>",<AcT>` (27.007 §10.1.22). The TAC stays quoted: esp-ml307 would turn an
/// unquoted `1234` into a number (ONEMO-RELATED.md §A.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegLocation {
    /// Tracking area code, 4 hex digits.
    pub tac: String,
    /// Cell identity, 8 hex digits.
    pub ci: String,
    /// Access technology: 7 E-UTRAN.
    pub act: u8,
}

impl RegLocation {
    /// Its three fields.
    pub(crate) fn params(&self) -> [Param; 3] {
        [string(&self.tac), string(&self.ci), int(self.act)]
    }

    /// From the fields after `<stat>`: none, or exactly tac, ci and AcT.
    pub(crate) fn from_params(p: &[Param]) -> Result<Option<RegLocation>, ParseError> {
        match p {
            [] => Ok(None),
            [Param::Str(_), Param::Str(_), _] => Ok(Some(RegLocation {
                tac: text(p.first())?,
                ci: text(p.get(1))?,
                act: num(p.get(2))?,
            })),
            _ => Err(ParseError::Param),
        }
    }
}

/// One response line, without its `\r\n` framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// `OK`: the command was accepted or done.
    Ok,
    /// `ERROR`: unknown command, over-long line, or any error with `AT+CMEE=0`.
    Error,
    /// `CONNECT`: transparent mode begins (§3.11, §3.12).
    Connect,
    /// `+CME ERROR: <n>` (`AT+CMEE=1`).
    CmeError(CmeError),
    /// `+CME ERROR: <text>` (`AT+CMEE=2`).
    CmeErrorText(CmeError),
    /// A line without header: `ATI`, `AT+CGMI`, `AT+CGMM`, `AT+CGMR`.
    Text(String),
    /// A test-form line, `+NAME: (0-5),...`: ranges depend on the model profile.
    Test(Name, Vec<Param>),
    /// `+CMEE: <n>`.
    Cmee(CmeeMode),
    /// `+CSQ: <rssi>,<ber>` (27.007 §8.5): rssi 0-31 or 99, ber 0-7 or 99.
    Csq {
        /// Received signal strength, 0-31, 99 unknown.
        rssi: u8,
        /// Channel bit error rate, 0-7, 99 unknown.
        ber: u8,
    },
    /// `+CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>,<ss_rsrq>,<ss_rsrp>,<ss_sinr>`
    /// (27.007 §8.69): nine numbers, 99 or 255 where the radio does not apply (§A.5).
    Cesq([u8; 9]),
    /// `+CEREG: <n>,<stat>[,"<tac>","<ci>",<AcT>]` or the same for `+CGREG` (read forms).
    Reg {
        /// `CEREG` or `CGREG`.
        name: Name,
        /// URC mode set with `AT+CEREG=<n>`.
        n: u8,
        /// 0 not registered, 1 registered (home), 2 searching, 3 denied, 5 roaming.
        stat: u8,
        /// Printed when n is 2 or more and the module is registered.
        loc: Option<RegLocation>,
    },
    /// `+COPS: 0,0,"<oper>",7` registered (automatic mode, long name, E-UTRAN), `+COPS: 0`
    /// when not (27.007 §7.3; ONEMO-RELATED.md §A.4: esp-ml307 reads the 3rd of ≥4 fields).
    Cops(Option<String>),
    /// `+CGPADDR: <cid>[,"<addr>"]`: the address is left out while the context has none
    /// (27.007 §10.1.14).
    Cgpaddr(u8, Option<String>),
    /// `+<NAME>: <n>`: `+CGATT: <state>`, `+CFUN: <fun>`.
    Number(Name, u8),
    /// Several bare lines with one CRLF between them and none before the closing CRLF, as the
    /// hardware prints `ATI` (ONEMO-RELATED.md §A.2); emitted only, a decoder sees `Text` lines.
    Lines(Vec<String>),
    /// `+<NAME>: <value>` with one unquoted value: `+CGSN: <imei>`, `+MCCID: <iccid>`,
    /// `+ICCID: <iccid>`, `+CPIN: READY` (ONEMO-RELATED.md §A.4-A.5).
    Value(Name, String),
    /// `+MFTPCFG: <id>,"<key>",<value>` (§3.1).
    MftpCfg(ChannelId, CfgValue),
    /// `+MFTPSTATE: <id>,<state>` (§3.13).
    MftpState(ChannelId, ChannelState),
    /// `+MFPUT: <written>`.
    MfPut(u64),
    /// `+MFGET: <size>,<raw bytes>`.
    MfGet(Vec<u8>),
    /// `+MFLIST: "<path>",<size>` for a file, `+MFLIST: "<path>"` for a directory.
    MfList {
        /// Module path.
        path: String,
        /// `None` for a directory.
        size: Option<u64>,
    },
    /// `+MFSIZE: <n>`.
    MfSize(u64),
    /// `+MFSINFO: <total>,<free>`.
    MfSinfo {
        /// Capacity in bytes.
        total: u64,
        /// Free bytes.
        free: u64,
    },
    /// `+MFOPEN: <handle>` (ONEMO-RELATED.md §C.3).
    MfOpen(u16),
    /// One `+MFREAD: <h>,<total>,<cumulative>,<this>,<data>` fragment (§C.3). A read of more
    /// than one fragment is framed by [`crate::frame::encode::mfread`].
    MfRead(FileChunk),
    /// `+MFWRITE: <h>,<written>` (§C.3).
    MfWrite {
        /// The handle written.
        handle: u16,
        /// Bytes written (or received before the data mode's timeout).
        written: u64,
    },
    /// `+MFSEEK: <h>,<pos>` (§C.3).
    MfSeek {
        /// The handle.
        handle: u16,
        /// Its position.
        pos: u64,
    },
    /// `+MFCHECK: <MD5>`: 32 uppercase hex digits (§C.3, docs/PROTOCOL.md for E2).
    MfCheck([u8; 16]),
    /// `+MFCFG: "timeout",<s>` or `+MFCFG: "encoding",<in>,<out>` (§C.3).
    MfCfg(MfCfgValue),
    /// `+MFGET: <size>,<hex>` with HEX output (§C.3): the size counts bytes, the data is
    /// printed as twice as many hex digits.
    MfGetHex(Vec<u8>),
    /// `+CGDCONT: <cid>,"<type>","<apn>"`.
    Cgdcont {
        /// Context id.
        cid: u8,
        /// PDP type.
        pdp_type: String,
        /// APN.
        apn: String,
    },
    /// `+CGACT: <cid>,<state>`.
    Cgact {
        /// Context id.
        cid: u8,
        /// Active.
        active: bool,
    },
    /// `+MSSLCFG: "<key>",<ssl_id>,<values>`.
    MsslCfg {
        /// Key.
        key: SslKey,
        /// TLS context 0-5.
        id: u8,
        /// Values as printed.
        values: Vec<Param>,
    },
    /// `+IPR: <rate>` (V.250 §6.2.10).
    Ipr(u32),
    /// `+MLPMCFG: "<key>",<values>` (ONEMO-RELATED.md §A.6).
    Mlpmcfg(crate::command::LpmValue),
    /// An S-parameter's value, `ATS3?`: three decimal digits with leading zeros (V.250
    /// §5.3.2), e.g. `013`.
    SReg(u8),
}

impl Response {
    /// Writes the line without framing.
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            Response::Ok => out.extend_from_slice(b"OK"),
            Response::Error => out.extend_from_slice(b"ERROR"),
            Response::Connect => out.extend_from_slice(b"CONNECT"),
            Response::CmeError(e) => {
                out.extend_from_slice(b"+CME ERROR: ");
                syntax::push_u64(out, u64::from(e.code()));
            }
            Response::CmeErrorText(e) => {
                out.extend_from_slice(b"+CME ERROR: ");
                match e.text() {
                    Some(t) => out.extend_from_slice(t.as_bytes()),
                    None => syntax::push_u64(out, u64::from(e.code())),
                }
            }
            Response::Text(t) => out.extend_from_slice(t.as_bytes()),
            Response::Lines(ls) => {
                for (i, l) in ls.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b"\r\n");
                    }
                    out.extend_from_slice(l.as_bytes());
                }
            }
            Response::Test(n, p) => line::emit_all(out, *n, p),
            Response::Cmee(m) => line::emit(out, Name::Cmee, &[int(m.as_u8())]),
            Response::Csq { rssi, ber } => line::emit(out, Name::Csq, &[int(*rssi), int(*ber)]),
            Response::Reg { name, n, stat, loc } => {
                let mut p = alloc::vec![int(*n), int(*stat)];
                p.extend(loc.iter().flat_map(RegLocation::params));
                line::emit(out, *name, &p)
            }
            Response::Cops(None) => line::emit(out, Name::Cops, &[int(0u8)]),
            Response::Cops(Some(op)) => {
                line::emit(out, Name::Cops, &[int(0u8), int(0u8), string(op), int(7u8)])
            }
            Response::Number(name, v) => line::emit(out, *name, &[int(*v)]),
            Response::Cgpaddr(cid, addr) => {
                let mut p = alloc::vec![int(*cid)];
                p.extend(addr.as_deref().map(string));
                line::emit(out, Name::Cgpaddr, &p)
            }
            Response::Cesq(v) => {
                let p: Vec<Param> = v.iter().map(|x| int(*x)).collect();
                line::emit(out, Name::Cesq, &p)
            }
            Response::Value(n, v) => line::emit(out, *n, &[Param::Bare(v.as_bytes().to_vec())]),
            Response::MftpCfg(id, v) => {
                let mut p = alloc::vec![int(id.get()), string(v.key().as_str())];
                p.extend(v.params());
                line::emit(out, Name::MftpCfg, &p);
            }
            Response::MftpState(id, s) => {
                line::emit(out, Name::MftpState, &[int(id.get()), int(s.as_u8())])
            }
            Response::MfPut(n) => line::emit(out, Name::MfPut, &[int(*n)]),
            Response::MfGet(data) => {
                line::emit(out, Name::MfGet, &[int(data.len() as u64)]);
                out.push(b',');
                out.extend_from_slice(data);
            }
            Response::MfList { path, size } => {
                let mut p = alloc::vec![string(path)];
                p.extend(size.map(int));
                line::emit(out, Name::MfList, &p);
            }
            Response::MfSize(n) => line::emit(out, Name::MfSize, &[int(*n)]),
            Response::MfOpen(h) => line::emit(out, Name::MfOpen, &[int(*h)]),
            Response::MfRead(chunk) => chunk.emit(out),
            Response::MfWrite { handle, written } => {
                line::emit(out, Name::MfWrite, &[int(*handle), int(*written)])
            }
            Response::MfSeek { handle, pos } => {
                line::emit(out, Name::MfSeek, &[int(*handle), int(*pos)])
            }
            Response::MfCheck(md5) => {
                let mut hex = Vec::with_capacity(32);
                crate::command::hex_upper(md5, &mut hex);
                line::emit(out, Name::MfCheck, &[Param::Bare(hex)]);
            }
            Response::MfCfg(v) => line::emit_all(out, Name::MfCfg, &v.params()),
            Response::MfGetHex(data) => {
                line::emit(out, Name::MfGet, &[int(data.len() as u64)]);
                out.push(b',');
                crate::command::hex_upper(data, out);
            }
            Response::MfSinfo { total, free } => {
                line::emit(out, Name::MfSinfo, &[int(*total), int(*free)])
            }
            Response::Cgdcont { cid, pdp_type, apn } => {
                line::emit(
                    out,
                    Name::Cgdcont,
                    &[int(*cid), string(pdp_type), string(apn)],
                );
            }
            Response::Cgact { cid, active } => {
                line::emit(out, Name::Cgact, &[int(*cid), int(*active)])
            }
            Response::MsslCfg { key, id, values } => {
                let mut p = alloc::vec![string(key.as_str()), int(*id)];
                p.extend(values.iter().cloned());
                // Values are kept as printed, trailing empty fields too, like a test line.
                line::emit_all(out, Name::MsslCfg, &p);
            }
            Response::Ipr(r) => line::emit(out, Name::Ipr, &[int(*r)]),
            Response::Mlpmcfg(v) => line::emit(out, Name::Mlpmcfg, &v.params()),
            Response::SReg(v) => {
                out.extend_from_slice(&[b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10])
            }
        }
    }

    /// [`Response::emit`] into a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }

    /// Parses one response line without framing. `+MFTPCFG: (0-5),...` is a test line, with
    /// a channel number it is a value; a header the module never prints here is an error.
    pub fn parse(l: &[u8]) -> Result<Response, ParseError> {
        match l {
            b"OK" => return Ok(Response::Ok),
            b"ERROR" => return Ok(Response::Error),
            b"CONNECT" => return Ok(Response::Connect),
            _ => {}
        }
        if let Some(rest) = l.strip_prefix(b"+CME ERROR: ") {
            return parse_cme(rest);
        }
        let Some((name, rest)) = line::header(l) else {
            if l.first() == Some(&b'+') {
                return Err(ParseError::Unknown);
            }
            return String::from_utf8(l.to_vec())
                .map(Response::Text)
                .map_err(|_| ParseError::Param);
        };
        // A test line (`+NAME: (...)`) is told by its first field; `+MFGET` data is not split.
        let is_test = rest.iter().find(|b| **b != b' ') == Some(&b'(');
        if name == Name::MfGet && !is_test {
            let (head, tail) = syntax::split_with_tail(rest, 1).map_err(ParseError::Syntax)?;
            let size: usize = num(head.first())?;
            let data = tail.ok_or(ParseError::Param)?;
            if data.len() == size {
                return Ok(Response::MfGet(data.to_vec()));
            }
            // HEX output (§C.3): the size still counts bytes.
            if Some(data.len()) == size.checked_mul(2) && size > 0 {
                let bytes = crate::command::from_hex(data).ok_or(ParseError::Param)?;
                return Ok(Response::MfGetHex(bytes));
            }
            return Err(ParseError::Param);
        }
        if name == Name::MfRead && !is_test {
            return FileChunk::parse(rest).map(Response::MfRead);
        }
        let p = line::fields(rest)?;
        if is_test {
            return Ok(Response::Test(name, p));
        }
        let r = match name {
            Name::Cmee => {
                Response::Cmee(CmeeMode::from_u8(num(p.first())?).ok_or(ParseError::Param)?)
            }
            Name::MftpCfg => {
                let id = channel(p.first())?;
                let key = match p.get(1) {
                    Some(Param::Str(k)) => CfgKey::from_bytes(k).ok_or(ParseError::Param)?,
                    _ => return Err(ParseError::Param),
                };
                let v = |i: usize| num::<u8>(p.get(i));
                let value = match key {
                    CfgKey::DataType => {
                        CfgValue::DataType(DataType::from_u8(v(2)?).ok_or(ParseError::Param)?)
                    }
                    CfgKey::TransMode => {
                        CfgValue::TransMode(TransMode::from_u8(v(2)?).ok_or(ParseError::Param)?)
                    }
                    CfgKey::RspTimeout => CfgValue::RspTimeout(v(2)?),
                    CfgKey::Ssl => {
                        CfgValue::Ssl(SslMode::from_u8(v(2)?).ok_or(ParseError::Param)?, v(3)?)
                    }
                    CfgKey::LocalFs => {
                        CfgValue::LocalFs(LocalFs::from_u8(v(2)?).ok_or(ParseError::Param)?)
                    }
                    CfgKey::Cid => CfgValue::Cid(v(2)?),
                };
                Response::MftpCfg(id, value)
            }
            Name::Cgsn | Name::Mccid | Name::Iccid | Name::Cpin if p.len() == 1 => {
                let v = match p.first() {
                    Some(Param::Int(n)) => n.to_string(),
                    Some(Param::Bare(b)) => {
                        String::from_utf8(b.clone()).map_err(|_| ParseError::Param)?
                    }
                    _ => return Err(ParseError::Param),
                };
                Response::Value(name, v)
            }
            Name::Cereg | Name::Cgreg if p.len() >= 2 => Response::Reg {
                name,
                n: num(p.first())?,
                stat: num(p.get(1))?,
                loc: RegLocation::from_params(p.get(2..).unwrap_or_default())?,
            },
            Name::Cops if p.len() == 1 && num::<u8>(p.first())? == 0 => Response::Cops(None),
            Name::Cops if p.len() == 4 => Response::Cops(Some(text(p.get(2))?)),
            Name::Cgpaddr if p.len() == 1 => Response::Cgpaddr(num(p.first())?, None),
            Name::Cgpaddr if p.len() == 2 => {
                Response::Cgpaddr(num(p.first())?, Some(text(p.get(1))?))
            }
            Name::Cgatt | Name::Cfun if p.len() == 1 => Response::Number(name, num(p.first())?),
            Name::Cesq if p.len() == 9 => {
                let mut v = [0u8; 9];
                for (i, x) in v.iter_mut().enumerate() {
                    *x = num(p.get(i))?;
                }
                Response::Cesq(v)
            }
            Name::Csq if p.len() == 2 => Response::Csq {
                rssi: num(p.first())?,
                ber: num(p.get(1))?,
            },
            Name::MftpState => Response::MftpState(
                channel(p.first())?,
                ChannelState::from_u8(num(p.get(1))?).ok_or(ParseError::Param)?,
            ),
            Name::MfPut => Response::MfPut(num(p.first())?),
            Name::MfList => Response::MfList {
                path: text(p.first())?,
                size: match p.get(1) {
                    None => None,
                    some => Some(num(some)?),
                },
            },
            Name::MfSize => Response::MfSize(num(p.first())?),
            Name::MfOpen if p.len() == 1 => Response::MfOpen(num(p.first())?),
            Name::MfWrite if p.len() == 2 => Response::MfWrite {
                handle: num(p.first())?,
                written: num(p.get(1))?,
            },
            Name::MfSeek if p.len() == 2 => Response::MfSeek {
                handle: num(p.first())?,
                pos: num(p.get(1))?,
            },
            Name::MfCheck => {
                // The raw text: 32 digits that happen to be all decimal would read as a number.
                let md5 = crate::command::from_hex(rest)
                    .and_then(|v| <[u8; 16]>::try_from(v).ok())
                    .ok_or(ParseError::Param)?;
                Response::MfCheck(md5)
            }
            // Its test lines start with the key, not a range: `+MFCFG: "timeout",(1-120)`.
            Name::MfCfg
                if p.iter()
                    .any(|x| matches!(x, Param::Bare(b) if b.first() == Some(&b'('))) =>
            {
                Response::Test(name, p)
            }
            Name::MfCfg => Response::MfCfg(MfCfgValue::from_params(&p)?),
            Name::MfSinfo => Response::MfSinfo {
                total: num(p.first())?,
                free: num(p.get(1))?,
            },
            Name::Cgdcont => Response::Cgdcont {
                cid: num(p.first())?,
                pdp_type: text(p.get(1))?,
                apn: text(p.get(2))?,
            },
            Name::Cgact => Response::Cgact {
                cid: num(p.first())?,
                active: num::<u8>(p.get(1))? == 1,
            },
            Name::MsslCfg => {
                let key = match p.first() {
                    Some(Param::Str(k)) => [
                        SslKey::Auth,
                        SslKey::Cert,
                        SslKey::Sni,
                        SslKey::Version,
                        SslKey::IgnoreVerify,
                    ]
                    .into_iter()
                    .find(|x| x.as_str().as_bytes() == k.as_slice())
                    .ok_or(ParseError::Param)?,
                    _ => return Err(ParseError::Param),
                };
                Response::MsslCfg {
                    key,
                    id: num(p.get(1))?,
                    values: p.get(2..).unwrap_or(&[]).to_vec(),
                }
            }
            Name::Ipr if p.len() == 1 => Response::Ipr(num(p.first())?),
            Name::Mlpmcfg => Response::Mlpmcfg(crate::command::LpmValue::from_params(&p)?),
            _ => return Err(ParseError::Unknown),
        };
        Ok(r)
    }
}

fn channel(p: Option<&Param>) -> Result<ChannelId, ParseError> {
    ChannelId::new(num(p)?).ok_or(ParseError::Param)
}

fn parse_cme(rest: &[u8]) -> Result<Response, ParseError> {
    if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) {
        let n: u16 = num(syntax::split(rest).map_err(ParseError::Syntax)?.first())?;
        return Ok(Response::CmeError(CmeError::from_code(n)));
    }
    let t = core::str::from_utf8(rest).map_err(|_| ParseError::Param)?;
    CmeError::from_text(t)
        .map(Response::CmeErrorText)
        .ok_or(ParseError::Param)
}

//! Commands the host sends and the module executes: [`Command::parse`] on the device side,
//! [`Command::emit`] on the host side, one type for both so they cannot disagree.

mod extended;
mod op;
mod upload;

pub use extended::{CERT_MAX, MFPUT_MAX};
pub use op::FtpOp;
pub use upload::{Upload, UploadBody, INLINE_DATA_MAX, PROMPT_DATA_MAX};

use crate::name::Name;
use crate::syntax::{self, Param};
use crate::types::{CfgKey, CfgValue, ChannelId, CmeeMode};
use crate::ParseError;
use alloc::string::String;
use alloc::vec::Vec;

/// One command line, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `AT`: attention, answers `OK`.
    At,
    /// `ATE0` / `ATE1` (V.25ter §6.2.4): command echo.
    Echo(bool),
    /// `ATI` (V.25ter §6.1.3): identification lines.
    Identify,
    /// `AT&F` (V.25ter §6.1.2): back to factory settings.
    FactoryDefaults,
    /// `AT+<NAME>=?`: the test form, listing supported ranges.
    Test(Name),
    /// `AT+<NAME>?`: the read form (commands that have one: CMEE, CGDCONT, CGACT, MIPCALL).
    Read(Name),
    /// `AT+CGMI`.
    Cgmi,
    /// `AT+CGMM`.
    Cgmm,
    /// `AT+CGMR`.
    Cgmr,
    /// `AT+CMEE=<n>`.
    Cmee(CmeeMode),
    /// `AT+CSQ`: signal quality, `+CSQ: <rssi>,<ber>`.
    Csq,
    /// `AT+MFTPCFG=<id>[,"<key>"[,<value>...]]` (§3.1).
    MftpCfg(CfgRequest),
    /// `AT+MFTPCONN=<id>,<host>[,<user>[,<pass>[,<port>]]]` (§3.2).
    MftpConn(Conn),
    /// `AT+MFTPDISC=<id>` (§3.3).
    MftpDisc(ChannelId),
    /// `AT+MFTPCWD=<id>,<path>` (§3.4).
    MftpCwd(ChannelId, String),
    /// `AT+MFTPPWD=<id>` (§3.5).
    MftpPwd(ChannelId),
    /// `AT+MFTPMKD=<id>,<dir>` (§3.6).
    MftpMkd(ChannelId, String),
    /// `AT+MFTPLIST=<id>,<dir or file>` (§3.7).
    MftpList(ChannelId, String),
    /// `AT+MFTPDEL=<id>,<dir or file>` (§3.8).
    MftpDel(ChannelId, String),
    /// `AT+MFTPRN=<id>,<old>,<new>` (§3.9).
    MftpRn(ChannelId, String, String),
    /// `AT+MFTPRETR=<id>,<file>[,<local>[,<offset>[,<length>]]]` (§3.10).
    MftpRetr(Retr),
    /// `AT+MFTPAPPE=...` (§3.11).
    MftpAppe(Upload),
    /// `AT+MFTPSTOR=...` (§3.12).
    MftpStor(Upload),
    /// `AT+MFTPSTATE=<id>` (§3.13).
    MftpState(ChannelId),
    /// `AT+MFPUT="<file>",<len>[,"<data>"]`: without data a `>` prompt takes `len` bytes.
    MfPut {
        /// Module path.
        path: String,
        /// Bytes to write.
        len: u32,
        /// Inline data; its length equals `len`.
        data: Option<Vec<u8>>,
    },
    /// `AT+MFGET="<file>"`.
    MfGet(String),
    /// `AT+MFLIST` or `AT+MFLIST="<dir>"`.
    MfList(Option<String>),
    /// `AT+MFSIZE="<file>"`.
    MfSize(String),
    /// `AT+MFSINFO`.
    MfSinfo,
    /// `AT+MFDELETE="<path>"`.
    MfDelete(String),
    /// `AT+MFMOVE="<old>","<new>"`.
    MfMove(String, String),
    /// `AT+CGDCONT=<cid>[,"<type>"[,"<apn>"]]`.
    Cgdcont {
        /// 1-15.
        cid: u8,
        /// `"IP"`, `"IPV6"`, `"IPV4V6"`.
        pdp_type: Option<String>,
        /// Access point name; `""` is sent to clear it (27.007), so it may be empty.
        apn: Option<String>,
    },
    /// `AT+CGACT=<state>[,<cid>]`.
    Cgact {
        /// Activate or deactivate.
        active: bool,
        /// One context, or all when omitted.
        cid: Option<u8>,
    },
    /// `AT+MIPCALL=<state>,<cid>`.
    Mipcall {
        /// Activate or deactivate.
        active: bool,
        /// 1-15.
        cid: u8,
    },
    /// `AT+MSSLCFG="<key>",<ssl_id>[,...]`.
    MsslCfg(SslCfg),
    /// `AT+MSSLCERTWR="<file>",<len>`: `>` prompt takes the PEM.
    MsslCertWr {
        /// Module path of the certificate file.
        path: String,
        /// Bytes to read at the prompt.
        len: u32,
    },
    /// `AT+MSSLKEYWR="<file>",<len>`: `>` prompt takes the PEM key.
    MsslKeyWr {
        /// Module path of the key file.
        path: String,
        /// Bytes to read at the prompt.
        len: u32,
    },
}

/// The forms of `AT+MFTPCFG` (§3.1): with only the channel it reads everything, with a key it
/// reads that key, with a value it sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfgRequest {
    /// `AT+MFTPCFG=<id>`.
    ReadAll(ChannelId),
    /// `AT+MFTPCFG=<id>,"<key>"`.
    Read(ChannelId, CfgKey),
    /// `AT+MFTPCFG=<id>,"<key>",<value>`.
    Set(ChannelId, CfgValue),
}

/// `AT+MFTPCONN` parameters as given; defaults (anonymous, empty password, port 21/990) are
/// the engine's business so that `emit` writes back exactly what was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conn {
    /// Channel.
    pub id: ChannelId,
    /// IPv4 or IPv6 literal, or a name.
    pub host: String,
    /// User name.
    pub user: Option<String>,
    /// Password; may be empty.
    pub pass: Option<String>,
    /// Server port, 0-65535.
    pub port: Option<u16>,
}

/// `AT+MFTPRETR` parameters as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retr {
    /// Channel.
    pub id: ChannelId,
    /// Server file name.
    pub file: String,
    /// Local file (only meaningful with local_fs 1).
    pub local: Option<String>,
    /// Start offset (REST).
    pub offset: Option<u64>,
    /// How many bytes to fetch from the offset.
    pub length: Option<u64>,
}

/// `AT+MSSLCFG` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslKey {
    /// `"auth"`: 0 none, 1 verify the server, 2 mutual.
    Auth,
    /// `"cert"`: CA, client certificate and key files.
    Cert,
    /// `"sni"`: server name sent in the handshake.
    Sni,
    /// `"version"`: TLS version choice.
    Version,
    /// `"ignoreverify"`: accept any server certificate.
    IgnoreVerify,
}

impl SslKey {
    const ALL: [SslKey; 5] = [
        SslKey::Auth,
        SslKey::Cert,
        SslKey::Sni,
        SslKey::Version,
        SslKey::IgnoreVerify,
    ];

    /// The key as written, without quotes.
    pub fn as_str(self) -> &'static str {
        match self {
            SslKey::Auth => "auth",
            SslKey::Cert => "cert",
            SslKey::Sni => "sni",
            SslKey::Version => "version",
            SslKey::IgnoreVerify => "ignoreverify",
        }
    }

    fn from_bytes(b: &[u8]) -> Option<SslKey> {
        SslKey::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(b))
    }
}

/// A value of `AT+MSSLCFG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SslValue {
    /// 0 none, 1 server verification, 2 mutual.
    Auth(u8),
    /// CA file, client certificate file, client key file (module paths).
    Cert {
        /// CA certificate file.
        ca: String,
        /// Client certificate file.
        cert: Option<String>,
        /// Client key file.
        key: Option<String>,
    },
    /// Server name indication.
    Sni(String),
    /// 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2, 3 TLS 1.3, 4 any (default).
    Version(u8),
    /// Skip certificate verification.
    IgnoreVerify(bool),
}

impl SslValue {
    /// The key of this value.
    pub fn key(&self) -> SslKey {
        match self {
            SslValue::Auth(_) => SslKey::Auth,
            SslValue::Cert { .. } => SslKey::Cert,
            SslValue::Sni(_) => SslKey::Sni,
            SslValue::Version(_) => SslKey::Version,
            SslValue::IgnoreVerify(_) => SslKey::IgnoreVerify,
        }
    }

    /// Fields after the ssl id.
    pub fn params(&self) -> Vec<Param> {
        let s = |v: &str| Param::Str(v.as_bytes().to_vec());
        let os = |v: &Option<String>| v.as_deref().map_or(Param::Empty, s);
        match self {
            SslValue::Auth(n) | SslValue::Version(n) => alloc::vec![Param::Int(u64::from(*n))],
            SslValue::Cert { ca, cert, key } => alloc::vec![s(ca), os(cert), os(key)],
            SslValue::Sni(n) => alloc::vec![s(n)],
            SslValue::IgnoreVerify(b) => alloc::vec![Param::Int(u64::from(*b))],
        }
    }
}

/// `AT+MSSLCFG` request: read one key of a TLS context or set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SslCfg {
    /// `AT+MSSLCFG="<key>",<ssl_id>`.
    Read(SslKey, u8),
    /// `AT+MSSLCFG="<key>",<ssl_id>,<value...>`.
    Set(u8, SslValue),
}

/// Where the `AT` prefix starts in a received line (V.25ter §5.2.1: characters before it are
/// ignored). Only `AT` and `at` count, as manual §2.1 says.
pub fn find_prefix(line: &[u8]) -> Option<usize> {
    line.windows(2).position(|w| w == b"AT" || w == b"at")
}

/// Highest cid any profile accepts (§3.1 `<pdp_cid>` 1-15); profiles narrow it.
pub const MAX_CID: u8 = 15;

impl Command {
    /// Parses one command line without its CR, starting at the `AT` prefix.
    pub fn parse(line: &[u8]) -> Result<Command, ParseError> {
        let body = match line {
            [b'A', b'T', rest @ ..] | [b'a', b't', rest @ ..] => rest,
            _ => return Err(ParseError::NoPrefix),
        };
        let body = trim_end(body);
        match body.first() {
            None => Ok(Command::At),
            Some(b'+') => extended::parse(&body[1..]),
            Some(_) => parse_basic(body),
        }
    }

    /// Writes the command line without the terminating CR.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"AT");
        match self {
            Command::At => {}
            Command::Echo(on) => out.extend_from_slice(if *on { b"E1" } else { b"E0" }),
            Command::Identify => out.push(b'I'),
            Command::FactoryDefaults => out.extend_from_slice(b"&F"),
            other => extended::emit(other, out),
        }
    }

    /// [`Command::emit`] into a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }

    /// The extended command's name (the test and read forms' too); `None` for the basic
    /// commands `AT`, `ATE`, `ATI`, `AT&F`.
    pub fn name(&self) -> Option<Name> {
        Some(match self {
            Command::At | Command::Echo(_) | Command::Identify | Command::FactoryDefaults => {
                return None
            }
            Command::Test(n) | Command::Read(n) => *n,
            Command::Cgmi => Name::Cgmi,
            Command::Cgmm => Name::Cgmm,
            Command::Cgmr => Name::Cgmr,
            Command::Cmee(_) => Name::Cmee,
            Command::Csq => Name::Csq,
            Command::MftpCfg(_) => Name::MftpCfg,
            Command::MftpConn(_) => Name::MftpConn,
            Command::MftpDisc(_) => Name::MftpDisc,
            Command::MftpCwd(..) => Name::MftpCwd,
            Command::MftpPwd(_) => Name::MftpPwd,
            Command::MftpMkd(..) => Name::MftpMkd,
            Command::MftpList(..) => Name::MftpList,
            Command::MftpDel(..) => Name::MftpDel,
            Command::MftpRn(..) => Name::MftpRn,
            Command::MftpRetr(_) => Name::MftpRetr,
            Command::MftpAppe(_) => Name::MftpAppe,
            Command::MftpStor(_) => Name::MftpStor,
            Command::MftpState(_) => Name::MftpState,
            Command::MfPut { .. } => Name::MfPut,
            Command::MfGet(_) => Name::MfGet,
            Command::MfList(_) => Name::MfList,
            Command::MfSize(_) => Name::MfSize,
            Command::MfSinfo => Name::MfSinfo,
            Command::MfDelete(_) => Name::MfDelete,
            Command::MfMove(..) => Name::MfMove,
            Command::Cgdcont { .. } => Name::Cgdcont,
            Command::Cgact { .. } => Name::Cgact,
            Command::Mipcall { .. } => Name::Mipcall,
            Command::MsslCfg(_) => Name::MsslCfg,
            Command::MsslCertWr { .. } => Name::MsslCertWr,
            Command::MsslKeyWr { .. } => Name::MsslKeyWr,
        })
    }

    /// The channel a `AT+MFTP*` command acts on, if any.
    pub fn channel(&self) -> Option<ChannelId> {
        Some(match self {
            Command::MftpConn(c) => c.id,
            Command::MftpDisc(id)
            | Command::MftpPwd(id)
            | Command::MftpState(id)
            | Command::MftpCwd(id, _)
            | Command::MftpMkd(id, _)
            | Command::MftpList(id, _)
            | Command::MftpDel(id, _)
            | Command::MftpRn(id, _, _) => *id,
            Command::MftpRetr(r) => r.id,
            Command::MftpAppe(u) | Command::MftpStor(u) => u.id,
            Command::MftpCfg(
                CfgRequest::ReadAll(id) | CfgRequest::Read(id, _) | CfgRequest::Set(id, _),
            ) => *id,
            _ => return None,
        })
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|c| *c != b' ').map_or(0, |e| e + 1);
    &b[..end]
}

fn parse_basic(body: &[u8]) -> Result<Command, ParseError> {
    let upper: Vec<u8> = body.iter().map(u8::to_ascii_uppercase).collect();
    match upper.as_slice() {
        b"E" | b"E0" => Ok(Command::Echo(false)),
        b"E1" => Ok(Command::Echo(true)),
        b"I" | b"I0" => Ok(Command::Identify),
        b"&F" | b"&F0" => Ok(Command::FactoryDefaults),
        [b'E', ..] | [b'I', ..] | [b'&', b'F', ..] => Err(ParseError::Param),
        _ => Err(ParseError::Unknown),
    }
}

/// Fields of a set command, with `AT+NAME=` prefix handling shared by all.
pub(crate) fn push_set(out: &mut Vec<u8>, name: Name, params: &[Param]) {
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.push(b'=');
    syntax::emit(params, out);
}

//! What a command line means, typed: [`Command`] and the parameter types of its variants.
//! Parsing and printing them is `extended.rs` (and `mod.rs` for the basic commands).

use super::file::{MfCfgRequest, OpenMode, Whence};
use super::upload::Upload;
use crate::name::Name;
use crate::syntax::Param;
use crate::types::{CfgKey, CfgValue, ChannelId, CmeeMode};
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
    /// `AT+<NAME>?`: the read form (commands that have one: CMEE, CGDCONT, CGACT, MIPCALL, CPIN,
    /// CEREG, CGREG, COPS, CGATT, CFUN).
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
    /// `AT+CESQ`: extended signal quality, nine numbers.
    Cesq,
    /// `AT+CEREG=<n>`: which `+CEREG` URCs to print (0 none, 1 stat, 2+ with location).
    Cereg(u8),
    /// `AT+CGREG=<n>`: the same for `+CGREG`.
    Cgreg(u8),
    /// `AT+CGPADDR[=<cid>[,<cid>...]]`: the addresses of the given contexts, or of every
    /// defined one (empty list).
    Cgpaddr(Vec<u8>),
    /// `AT+CGATT=<0|1>`: detach or attach.
    Cgatt(bool),
    /// `AT+CFUN=<fun>[,<rst>]`: 1 full, 0/4 radio off (the profile says which it accepts).
    Cfun {
        /// Functionality level, 0-127 as 27.007 allows; the engine refuses what the model lacks.
        fun: u8,
        /// Reset before changing: 0 or 1.
        rst: Option<u8>,
    },
    /// `AT+CGSN` (`None`) or `AT+CGSN=<snt>` (27.007 §5.4): 0 serial number (the IMEI, a bare
    /// line), 1 `+CGSN: <imei>`, 2 `+CGSN: <imeisv>`, 3 `+CGSN: <svn>`.
    Cgsn(Option<u8>),
    /// `AT+GSN`: the IMEI as a bare line.
    Gsn,
    /// `AT+CIMI`: the IMSI as a bare line.
    Cimi,
    /// `AT+MCCID`: `+MCCID: <iccid>`.
    Mccid,
    /// `AT+ICCID`: `+ICCID: <iccid>`.
    Iccid,
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
    /// `AT+MFPUT="<file>",<len>[,"<data>"]`: without data a `>` prompt takes `len` bytes (0:
    /// up to Ctrl+Z), ONEMO-RELATED.md §C.3.
    MfPut {
        /// Module path.
        path: String,
        /// Bytes announced; for inline data 0 means "the string's length". Whether it matches
        /// the data depends on `AT+MFCFG="encoding"`: the engine checks it.
        len: u32,
        /// Inline data as typed (ASCII or HEX); `None`: the data mode.
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
    /// `AT+MFOPEN="<file>",<mode>` (ONEMO-RELATED.md §C.3): `+MFOPEN: <handle>`.
    MfOpen {
        /// Module path.
        path: String,
        /// How to open it.
        mode: OpenMode,
    },
    /// `AT+MFREAD=<h>[,<len>]`: up to `len` bytes from the position, or to the end.
    MfRead {
        /// Handle, 0-65535.
        handle: u16,
        /// Bytes wanted; clipped to what remains.
        len: Option<u16>,
    },
    /// `AT+MFWRITE=<h>,<len>[,"<data>"]`: inline data, or a data mode (`len` 0: until Ctrl+Z).
    MfWrite {
        /// Handle, 0-65535.
        handle: u16,
        /// Bytes announced; for inline data 0 means "the string's length" (§C.3).
        len: u32,
        /// Inline data as typed (ASCII or HEX per `AT+MFCFG="encoding"`); `None`: data mode.
        data: Option<Vec<u8>>,
    },
    /// `AT+MFSEEK=<h>` reads the position; `AT+MFSEEK=<h>,<offset>,<whence>` moves it.
    MfSeek {
        /// Handle, 0-65535.
        handle: u16,
        /// Offset (±2^31−1) and whence; `None` reads the position.
        to: Option<(i32, Whence)>,
    },
    /// `AT+MFCLOSE=<h>`.
    MfClose(u16),
    /// `AT+MFTRUNC=<h>,<len>`: truncates or extends, and rewinds to 0.
    MfTrunc {
        /// Handle, 0-65535.
        handle: u16,
        /// New length.
        len: u32,
    },
    /// `AT+MFSYNC=<h>`.
    MfSync(u16),
    /// `AT+MFCHECK="<file>"[,0]`: `+MFCHECK: <MD5, 32 uppercase hex digits>`.
    MfCheck {
        /// Module path.
        path: String,
        /// The algorithm was given (`,0`, MD5, the only one).
        md5: bool,
    },
    /// `AT+MFCFG="timeout"|"encoding"[,...]`.
    MfCfg(MfCfgRequest),
    /// `AT+MFDELETE` without a name: wipes the whole file system (§C.3).
    MfDeleteAll,
    /// `ATV0` / `ATV1` (V.250 §6.2.6): numeric or verbose result codes.
    Verbose(bool),
    /// `ATQ0` / `ATQ1` (V.250 §6.2.5): result codes sent or suppressed.
    Quiet(bool),
    /// `ATZ` (V.250 §6.1.1): back to the profile `AT&W` saved.
    ResetProfile,
    /// `AT&W` (V.25ter §6.1.x style, SSLM §2.1 syntax class `AT&<x><n>`): save the profile.
    SaveProfile,
    /// `ATS<n>?` (V.250 §5.3.2): read an S-parameter.
    SRegRead(u8),
    /// `ATS<n>=<value>` (V.250 §5.3.2): set an S-parameter.
    SRegSet(u8, u8),
    /// `AT+MREBOOT` (`None`) or `AT+MREBOOT=<n>` (ONEMO-RELATED.md §A.6).
    Reboot(Option<u8>),
    /// `AT+IPR=<rate>` (V.250 §6.2.10; ONEMO-RELATED.md §A.3).
    Ipr(u32),
    /// `AT+MLPMCFG="<key>"[,<values>]` (ONEMO-RELATED.md §A.6).
    Mlpmcfg(super::v25::LpmCfg),
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

    pub(crate) fn from_bytes(b: &[u8]) -> Option<SslKey> {
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
        let s = |v: &str| Param::Str(crate::escape::escape_param(v.as_bytes()));
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

/// Highest cid any profile accepts (§3.1 `<pdp_cid>` 1-15); profiles narrow it.
pub const MAX_CID: u8 = 15;

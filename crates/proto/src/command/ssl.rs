//! The SSL command family (ONEMO-RELATED.md §B): `AT+MSSLCFG`, `AT+MSSLCERTWR`,
//! `AT+MSSLKEYWR`, `AT+MSSLCERTRD`, `AT+MSSLLIST`, `AT+MSSLRM`, `AT+MSSLCHECK` and the test
//! form of `AT+MSSLCIPHER`: their types, parsing and printing.
//!
//! Proto only knows the wire: ranges every ML30x accepts are checked here, the rest (the 8192
//! byte limit that has its own error 768, names that are not stored, per-model keys) is the
//! device's, because the module answers those with their own error numbers (§B.4) rather than
//! the parameter error 50 that a parse failure becomes.

use super::def::Command;
use crate::args::Args;
use crate::error::ParseError;
use crate::name::Name;
use crate::syntax::{self, Param};
use alloc::string::String;
use alloc::vec::Vec;

/// Longest certificate or key name (§B.2: ≤64 bytes, a 64-character name is accepted).
pub const SSL_NAME_MAX: usize = 64;
/// Largest `<length>`/`<remain_length>` the parser takes. The module's limit is 8192 bytes per
/// file (§B.2), answered with `+CME ERROR: 768`, so larger numbers must still parse.
pub const SSL_LEN_PARSE_MAX: u32 = 65535;
/// Highest `<ssl_id>` (§B.1: 0..5).
pub const SSL_ID_MAX: u8 = 5;

/// `AT+MSSLCFG` keys (§B.1), in the order of the manual's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslKey {
    /// `"auth"`: 0 none, 1 verify the server, 2 mutual.
    Auth,
    /// `"cert"`: CA, client certificate and client key names.
    Cert,
    /// `"psk"`: PSK identity (not supported on the 4G series; the device refuses it).
    Psk,
    /// `"encoding"`: input encoding of certificate data, only 2 (escape string) on ML30x.
    Encoding,
    /// `"negotime"`: handshake time-out, 10..300 s.
    NegoTime,
    /// `"version"`: 0 SSL3.0, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 255 all.
    Version,
    /// `"ciphersuite"`: one IANA cipher suite number in hex, 0 = all.
    CipherSuite,
    /// `"session"`: TLS session reuse.
    Session,
    /// `"ignorestamp"`: ignore the certificate validity period.
    IgnoreStamp,
    /// `"ignoreverify"`: accept any server certificate.
    IgnoreVerify,
    /// `"sni"`: send the server name indication.
    Sni,
}

impl SslKey {
    /// Every key.
    pub const ALL: [SslKey; 11] = [
        SslKey::Auth,
        SslKey::Cert,
        SslKey::Psk,
        SslKey::Encoding,
        SslKey::NegoTime,
        SslKey::Version,
        SslKey::CipherSuite,
        SslKey::Session,
        SslKey::IgnoreStamp,
        SslKey::IgnoreVerify,
        SslKey::Sni,
    ];

    /// The key as written, without quotes.
    pub fn as_str(self) -> &'static str {
        match self {
            SslKey::Auth => "auth",
            SslKey::Cert => "cert",
            SslKey::Psk => "psk",
            SslKey::Encoding => "encoding",
            SslKey::NegoTime => "negotime",
            SslKey::Version => "version",
            SslKey::CipherSuite => "ciphersuite",
            SslKey::Session => "session",
            SslKey::IgnoreStamp => "ignorestamp",
            SslKey::IgnoreVerify => "ignoreverify",
            SslKey::Sni => "sni",
        }
    }

    /// Case-insensitive lookup.
    pub fn from_bytes(b: &[u8]) -> Option<SslKey> {
        SslKey::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(b))
    }
}

/// `"version"` values (§B.1; EC enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SslVersion {
    /// 0: SSL 3.0.
    Ssl30 = 0,
    /// 1: TLS 1.0.
    Tls10 = 1,
    /// 2: TLS 1.1.
    Tls11 = 2,
    /// 3: TLS 1.2.
    Tls12 = 3,
    /// 255: every version the module has (the default).
    All = 255,
}

impl SslVersion {
    /// The number on the wire.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// From the number on the wire; −1, 4 and 256 are refused (§B.1 X-mssl).
    pub fn from_u8(n: u8) -> Option<SslVersion> {
        Some(match n {
            0 => SslVersion::Ssl30,
            1 => SslVersion::Tls10,
            2 => SslVersion::Tls11,
            3 => SslVersion::Tls12,
            255 => SslVersion::All,
            _ => return None,
        })
    }
}

/// A value of `AT+MSSLCFG` (§B.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SslValue {
    /// 0 none, 1 server verification, 2 mutual.
    Auth(u8),
    /// Certificate and key names; an empty name is "none" (all three empty is accepted).
    Cert {
        /// CA certificate name.
        ca: String,
        /// Client certificate name.
        cert: String,
        /// Client key name.
        key: String,
    },
    /// PSK identity.
    Psk(String),
    /// Input encoding of certificate data: 2 escape string.
    Encoding(u8),
    /// Handshake time-out in seconds, 10..300.
    NegoTime(u16),
    /// Protocol version.
    Version(SslVersion),
    /// IANA cipher suite number, 0 = all; written in hex (`0xC02F`, `C02F`).
    CipherSuite(u16),
    /// Session reuse.
    Session(bool),
    /// Ignore the certificate validity period.
    IgnoreStamp(bool),
    /// Accept any server certificate.
    IgnoreVerify(bool),
    /// Send the server name indication.
    Sni(bool),
}

impl SslValue {
    /// The key of this value.
    pub fn key(&self) -> SslKey {
        match self {
            SslValue::Auth(_) => SslKey::Auth,
            SslValue::Cert { .. } => SslKey::Cert,
            SslValue::Psk(_) => SslKey::Psk,
            SslValue::Encoding(_) => SslKey::Encoding,
            SslValue::NegoTime(_) => SslKey::NegoTime,
            SslValue::Version(_) => SslKey::Version,
            SslValue::CipherSuite(_) => SslKey::CipherSuite,
            SslValue::Session(_) => SslKey::Session,
            SslValue::IgnoreStamp(_) => SslKey::IgnoreStamp,
            SslValue::IgnoreVerify(_) => SslKey::IgnoreVerify,
            SslValue::Sni(_) => SslKey::Sni,
        }
    }

    /// Fields after the ssl id, as both the set command and the read reply print them.
    pub fn params(&self) -> Vec<Param> {
        let s = |v: &str| Param::Str(crate::escape::escape_param(v.as_bytes()));
        let n = |v: u64| alloc::vec![Param::Int(v)];
        match self {
            SslValue::Auth(v) | SslValue::Encoding(v) => n(u64::from(*v)),
            SslValue::Cert { ca, cert, key } => alloc::vec![s(ca), s(cert), s(key)],
            SslValue::Psk(id) => alloc::vec![s(id)],
            SslValue::NegoTime(t) => n(u64::from(*t)),
            SslValue::Version(v) => n(u64::from(v.as_u8())),
            SslValue::CipherSuite(c) => alloc::vec![cipher_param(*c)],
            SslValue::Session(b)
            | SslValue::IgnoreStamp(b)
            | SslValue::IgnoreVerify(b)
            | SslValue::Sni(b) => n(u64::from(*b)),
        }
    }

    /// Reads the value of `key` from the fields after the ssl id (set command or read reply).
    pub fn from_params(key: SslKey, p: &[Param]) -> Result<SslValue, ParseError> {
        let mut a = Args::new(p);
        let v = value(key, &mut a)?;
        a.end()?;
        Ok(v)
    }
}

/// `0x<HEX>`: the read reply's form (§B.1: the default reads `0x0`).
fn cipher_param(c: u16) -> Param {
    Param::Bare(alloc::format!("0x{c:X}").into_bytes())
}

/// A cipher suite as typed: hex digits with or without `0x`, bare or quoted. Digits only
/// (`12`) arrive as a number and are still hex (`0x12`).
fn cipher_suite(p: Option<&Param>) -> Result<u16, ParseError> {
    let digits: Vec<u8> = match p {
        Some(Param::Int(n)) => alloc::format!("{n}").into_bytes(),
        Some(Param::Bare(b) | Param::Str(b)) => b.clone(),
        _ => return Err(ParseError::Param),
    };
    let hex = digits
        .strip_prefix(b"0x")
        .or_else(|| digits.strip_prefix(b"0X"))
        .unwrap_or(&digits);
    if hex.is_empty() || hex.len() > 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err(ParseError::Param);
    }
    let s = core::str::from_utf8(hex).map_err(|_| ParseError::Param)?;
    u16::from_str_radix(s, 16).map_err(|_| ParseError::Param)
}

fn flag(a: &mut Args<'_>) -> Result<bool, ParseError> {
    Ok(a.int(0, 1)? == 1)
}

fn value(key: SslKey, a: &mut Args<'_>) -> Result<SslValue, ParseError> {
    let name = |a: &mut Args<'_>| {
        a.opt_string_allow_empty(SSL_NAME_MAX)
            .map(Option::unwrap_or_default)
    };
    Ok(match key {
        SslKey::Auth => SslValue::Auth(a.u8_in(0, 2)?),
        SslKey::Cert => SslValue::Cert {
            ca: name(a)?,
            cert: name(a)?,
            key: name(a)?,
        },
        SslKey::Psk => SslValue::Psk(a.opt_string_allow_empty(SSL_NAME_MAX)?.unwrap_or_default()),
        SslKey::Encoding => SslValue::Encoding(a.u8_in(0, 2)?),
        SslKey::NegoTime => SslValue::NegoTime(a.int(10, 300)? as u16),
        SslKey::Version => {
            SslValue::Version(SslVersion::from_u8(a.u8_in(0, 255)?).ok_or(ParseError::Param)?)
        }
        SslKey::CipherSuite => SslValue::CipherSuite(cipher_suite(a.raw())?),
        SslKey::Session => SslValue::Session(flag(a)?),
        SslKey::IgnoreStamp => SslValue::IgnoreStamp(flag(a)?),
        SslKey::IgnoreVerify => SslValue::IgnoreVerify(flag(a)?),
        SslKey::Sni => SslValue::Sni(flag(a)?),
    })
}

/// `AT+MSSLCFG` (§B.1): key alone reads every context, key and id reads one, with values sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SslCfg {
    /// `AT+MSSLCFG="<key>"`: one line per ssl_id 0..5.
    ReadAll(SslKey),
    /// `AT+MSSLCFG="<key>",<ssl_id>`.
    Read(SslKey, u8),
    /// `AT+MSSLCFG="<key>",<ssl_id>,<value...>`.
    Set(u8, SslValue),
}

/// `AT+MSSLCERTWR`/`AT+MSSLKEYWR="<name>",<remain_length>,<length>[,"<data>"]` (§B.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredWrite {
    /// Certificate or key name, 1..64 bytes.
    pub name: String,
    /// Bytes still to come in later parts after this one (0: this is the last part).
    pub remain: u32,
    /// Bytes of this part: at the `>` prompt exactly this many raw bytes; inline, the number of
    /// characters as typed (0: no check).
    pub len: u32,
    /// Inline data exactly as typed between the quotes (escape sequences not yet decoded,
    /// since `<length>` counts them as typed); `None` opens the `>` prompt.
    pub data: Option<Vec<u8>>,
}

impl CredWrite {
    fn parse(a: &mut Args<'_>) -> Result<CredWrite, ParseError> {
        let name = a.string(SSL_NAME_MAX)?;
        let remain = a.int(0, u64::from(SSL_LEN_PARSE_MAX))? as u32;
        let len = a.int(0, u64::from(SSL_LEN_PARSE_MAX))? as u32;
        let data = if a.at_end() {
            None
        } else {
            Some(a.bytes(0, SSL_LEN_PARSE_MAX as usize)?)
        };
        Ok(CredWrite {
            name,
            remain,
            len,
            data,
        })
    }

    fn params(&self) -> Vec<Param> {
        let mut p = alloc::vec![
            Param::Str(crate::escape::escape_param(self.name.as_bytes())),
            Param::Int(u64::from(self.remain)),
            Param::Int(u64::from(self.len)),
        ];
        if let Some(d) = &self.data {
            p.push(Param::Str(d.clone()));
        }
        p
    }
}

/// Parses the parameters of an SSL command after `=`; `None` for a name that is not one.
pub(super) fn parse(name: Name, a: &mut Args<'_>) -> Option<Result<Command, ParseError>> {
    let cmd = match name {
        Name::MsslCfg => cfg(a).map(Command::MsslCfg),
        Name::MsslCertWr => CredWrite::parse(a).map(Command::MsslCertWr),
        Name::MsslKeyWr => CredWrite::parse(a).map(Command::MsslKeyWr),
        Name::MsslCertRd => a.string(SSL_NAME_MAX).map(Command::MsslCertRd),
        // §B.3: 1 certificates, 2 private keys, 3 PSK.
        Name::MsslList => a.u8_in(1, 3).map(Command::MsslList),
        Name::MsslRm => a.string(SSL_NAME_MAX).map(Command::MsslRm),
        // §B.3: alg 0 MD5, 1 SHA, 2 SHA256, 3 CRC; the device says which it has.
        Name::MsslCheck => (|| {
            Ok(Command::MsslCheck {
                name: a.string(SSL_NAME_MAX)?,
                alg: a.opt_int(0, 3)?.map(|n| n as u8),
            })
        })(),
        // Only its test form exists.
        Name::MsslCipher => Err(ParseError::Param),
        _ => return None,
    };
    Some(cmd.and_then(|c| a.end().map(|()| c)))
}

fn cfg(a: &mut Args<'_>) -> Result<SslCfg, ParseError> {
    let key = match a.raw() {
        Some(Param::Str(k)) => SslKey::from_bytes(k).ok_or(ParseError::Param)?,
        _ => return Err(ParseError::Param),
    };
    if a.at_end() {
        return Ok(SslCfg::ReadAll(key));
    }
    let id = a.u8_in(0, SSL_ID_MAX)?;
    if a.at_end() {
        return Ok(SslCfg::Read(key, id));
    }
    Ok(SslCfg::Set(id, value(key, a)?))
}

/// Prints an SSL command after `AT`; `false` for a command that is not one.
pub(super) fn emit(cmd: &Command, out: &mut Vec<u8>) -> bool {
    let key = |k: SslKey| Param::Str(k.as_str().as_bytes().to_vec());
    let name = |n: &str| Param::Str(crate::escape::escape_param(n.as_bytes()));
    match cmd {
        Command::MsslCfg(SslCfg::ReadAll(k)) => push_set(out, Name::MsslCfg, &[key(*k)]),
        Command::MsslCfg(SslCfg::Read(k, i)) => {
            push_set(out, Name::MsslCfg, &[key(*k), Param::Int(u64::from(*i))])
        }
        Command::MsslCfg(SslCfg::Set(i, v)) => {
            let mut p = alloc::vec![key(v.key()), Param::Int(u64::from(*i))];
            p.extend(v.params());
            push_set(out, Name::MsslCfg, &p);
        }
        Command::MsslCertWr(w) => push_set(out, Name::MsslCertWr, &w.params()),
        Command::MsslKeyWr(w) => push_set(out, Name::MsslKeyWr, &w.params()),
        Command::MsslCertRd(n) => push_set(out, Name::MsslCertRd, &[name(n)]),
        Command::MsslList(t) => push_set(out, Name::MsslList, &[Param::Int(u64::from(*t))]),
        Command::MsslRm(n) => push_set(out, Name::MsslRm, &[name(n)]),
        Command::MsslCheck { name: n, alg } => {
            let mut p = alloc::vec![name(n)];
            p.extend(alg.map(|a| Param::Int(u64::from(a))));
            push_set(out, Name::MsslCheck, &p);
        }
        _ => return false,
    }
    true
}

fn push_set(out: &mut Vec<u8>, name: Name, params: &[Param]) {
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.push(b'=');
    // Every field is written, an empty cert name (`""`) included.
    syntax::emit_all(params, out);
}

//! Values the typed calls take and return.

use crate::error::{Error, Result};
use ftpmodem_proto::{CfgValue, DataType, LocalFs, SslMode, Timestamp, TransMode, MAX_STRING};
use std::fmt;

/// Where and how to log in (`AT+MFTPCONN`). The password is never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    /// Server name or IPv4/IPv6 literal.
    pub host: String,
    /// Port; the module's default is 21, or 990 with implicit FTPS.
    pub port: Option<u16>,
    /// User; the module logs in as `anonymous` without one.
    pub user: Option<String>,
    /// Password; empty without one.
    pub password: Option<String>,
}

impl Login {
    /// Anonymous login to `host` on the default port.
    pub fn new(host: impl Into<String>) -> Login {
        Login {
            host: host.into(),
            port: None,
            user: None,
            password: None,
        }
    }

    /// With this port.
    pub fn port(mut self, port: u16) -> Login {
        self.port = Some(port);
        self
    }

    /// With this user.
    pub fn user(mut self, user: impl Into<String>) -> Login {
        self.user = Some(user.into());
        self
    }

    /// With this password.
    pub fn password(mut self, password: impl Into<String>) -> Login {
        self.password = Some(password.into());
        self
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The `AT+MFTPCFG` settings of a channel; `Default` is the module's factory setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelConfig {
    /// Binary (TYPE I) or ASCII (TYPE A).
    pub data_type: DataType,
    /// Passive or active data connections.
    pub trans_mode: TransMode,
    /// Seconds the module waits for a server reply, 2-30.
    pub rsp_timeout: u8,
    /// Plain FTP, implicit or explicit FTPS.
    pub ssl_mode: SslMode,
    /// TLS context (`AT+MSSLCFG`) used with FTPS, 0-5.
    pub ssl_id: u8,
    /// File data through the serial line or the module's file system.
    pub local_fs: LocalFs,
    /// PDP context, 1-15.
    pub cid: u8,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            data_type: DataType::Binary,
            trans_mode: TransMode::Passive,
            rsp_timeout: 10,
            ssl_mode: SslMode::Plain,
            ssl_id: 0,
            local_fs: LocalFs::Serial,
            cid: 1,
        }
    }
}

impl ChannelConfig {
    /// The six settings as `AT+MFTPCFG` values, in the module's order.
    pub fn values(&self) -> [CfgValue; 6] {
        [
            CfgValue::DataType(self.data_type),
            CfgValue::TransMode(self.trans_mode),
            CfgValue::RspTimeout(self.rsp_timeout),
            CfgValue::Ssl(self.ssl_mode, self.ssl_id),
            CfgValue::LocalFs(self.local_fs),
            CfgValue::Cid(self.cid),
        ]
    }

    /// Takes one value as the module printed it.
    pub fn apply(&mut self, v: CfgValue) {
        match v {
            CfgValue::DataType(d) => self.data_type = d,
            CfgValue::TransMode(t) => self.trans_mode = t,
            CfgValue::RspTimeout(s) => self.rsp_timeout = s,
            CfgValue::Ssl(m, id) => {
                self.ssl_mode = m;
                self.ssl_id = id;
            }
            CfgValue::LocalFs(l) => self.local_fs = l,
            CfgValue::Cid(c) => self.cid = c,
        }
    }
}

/// One entry of a server listing (`+MFTPLIST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Name as listed.
    pub name: String,
    /// Size in bytes for a file, `None` for a directory.
    pub size: Option<u64>,
    /// Modification time (UTC) for a file.
    pub modified: Option<Timestamp>,
    /// Owner permission triplet (`rwx`).
    pub perm: String,
}

impl ListEntry {
    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.size.is_none()
    }
}

/// Part of a file to download (`<offset>`, `<length>` of `AT+MFTPRETR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    /// Start offset (REST).
    pub offset: u64,
    /// Bytes wanted from the offset; the rest of the file when `None`.
    pub length: Option<u64>,
}

impl Range {
    /// The whole file.
    pub fn all() -> Range {
        Range::default()
    }

    /// From `offset` to the end (resuming a download).
    pub fn from(offset: u64) -> Range {
        Range {
            offset,
            length: None,
        }
    }
}

/// How upload data travels on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadMode {
    /// `>` prompt packets of up to 4096 bytes with an exact length (eof 0 for all but the
    /// last): every byte value is safe, and other channels' commands can run between packets.
    #[default]
    Prompt,
    /// Transparent mode (`CONNECT` ... guarded `+++`): the fastest, but the line is held for
    /// the whole upload and the escape costs twice the guard time.
    Transparent,
}

/// Checks a string argument the way the module reads it: at most 255 bytes, no `"` (strings
/// have no escapes), no CR/LF (they end the command line).
pub(crate) fn arg(what: &str, s: &str) -> Result<String> {
    if s.len() > MAX_STRING {
        return Err(Error::Invalid(format!(
            "{what} longer than {MAX_STRING} bytes"
        )));
    }
    if s.bytes().any(|b| matches!(b, b'"' | b'\r' | b'\n')) {
        return Err(Error::Invalid(format!(
            "{what} cannot contain a double quote, CR or LF"
        )));
    }
    Ok(s.to_string())
}

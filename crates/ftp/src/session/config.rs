//! What a session is opened with: the module's `AT+MFTPCONN` parameters plus its channel
//! configuration (`AT+MFTPCFG`) and TLS context.

use std::net::IpAddr;
use std::time::Duration;

use crate::tls::TlsOptions;

/// How the control connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Security {
    /// Plain FTP.
    None,
    /// Explicit FTPS: `AUTH TLS` on the plain connection (RFC 4217), then PBSZ 0 / PROT P.
    Explicit,
    /// Implicit FTPS: TLS from the first byte (usually port 990), then PBSZ 0 / PROT P.
    Implicit,
}

/// Who opens the data connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataMode {
    /// The client connects (EPSV, or PASV; see [`ConnectConfig::use_epsv`]).
    Passive,
    /// The server connects back to a listener of ours (PORT for IPv4, EPRT for IPv6).
    Active,
}

/// Everything [`Session::connect`](crate::Session::connect) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectConfig {
    /// IPv4 or IPv6 literal (brackets allowed) or a host name.
    pub host: String,
    /// Control port (21 plain/explicit, 990 implicit by convention).
    pub port: u16,
    /// Login name (`anonymous` by the module's default).
    pub user: String,
    /// Password (may be empty).
    pub password: String,
    /// Plain, explicit or implicit TLS.
    pub security: Security,
    /// TLS settings, used when `security` is not `None`.
    pub tls: TlsOptions,
    /// Passive or active data connections.
    pub data_mode: DataMode,
    /// In passive mode over IPv4, try EPSV first (falling back to PASV for good once the
    /// server refuses it). EPSV avoids the wrong addresses that PASV shows behind NAT; set
    /// to `false` to speak only PASV to IPv4 servers. IPv6 always uses EPSV.
    pub use_epsv: bool,
    /// The channel's rsptimeout: the longest wait for any reply, TLS handshake, data
    /// connection or block of data.
    pub reply_timeout: Duration,
    /// The longest wait for name resolution plus the TCP connect (control and data).
    pub connect_timeout: Duration,
    /// Local source address for the control and data sockets (the PDP context's address).
    pub bind: Option<IpAddr>,
}

impl ConnectConfig {
    /// A plain, passive, anonymous configuration with the module's default timeouts
    /// (rsptimeout 10 s) and a 30 s connect timeout.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            user: "anonymous".to_owned(),
            password: String::new(),
            security: Security::None,
            tls: TlsOptions::default(),
            data_mode: DataMode::Passive,
            use_epsv: true,
            reply_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(30),
            bind: None,
        }
    }
}

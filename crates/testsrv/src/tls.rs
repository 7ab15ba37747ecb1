//! The TLS mode shared by all fixtures' options.

use crate::certs::Certs;

/// Whether and how the control connection is protected.
#[derive(Clone, Debug, Default)]
pub enum Tls {
    /// Plain FTP; `AUTH TLS` is refused.
    #[default]
    None,
    /// Explicit FTPS: plain greeting, then `AUTH TLS`.
    Explicit(Certs),
    /// Implicit FTPS: TLS from the first byte (vsftpd only).
    Implicit(Certs),
}

impl Tls {
    /// The certificates, when TLS is on.
    pub fn certs(&self) -> Option<&Certs> {
        match self {
            Tls::None => None,
            Tls::Explicit(c) | Tls::Implicit(c) => Some(c),
        }
    }
}

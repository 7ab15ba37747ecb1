//! What every fixture offers, whichever server runs behind it.

use std::net::SocketAddr;

/// Where a running test server listens, the same for every fixture, so that a test or helper
/// can be written once for all of them (`fn login(server: &impl FtpServer)`).
pub trait FtpServer {
    /// Control connection address: `127.0.0.1:port` or `[::1]:port`.
    fn addr(&self) -> SocketAddr;

    /// Control connection port.
    fn port(&self) -> u16 {
        self.addr().port()
    }

    /// Host as written in a URL or an AT command: `127.0.0.1` or `::1`.
    fn host(&self) -> String {
        self.addr().ip().to_string()
    }

    /// Base URL for curl: `ftp://127.0.0.1:PORT` or `ftp://[::1]:PORT` (curl needs `-g` for
    /// the latter); `ftps://` where the server speaks TLS from the first byte.
    fn url(&self) -> String {
        format!("ftp://{}", self.addr())
    }
}

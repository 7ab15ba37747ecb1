//! The network a session runs over: name resolution, TCP connects and the trust of TLS
//! handshakes, behind one narrow interface.
//!
//! [`SystemNetwork`] (the default) is the host's resolver and sockets. The interface exists so
//! that a test bench can put faults exactly where they happen in the field (a name that does
//! not resolve, a connect that is refused or black-holed, a connection that stalls, resets or
//! is slow) below the FTP client, which then meets them through the very code paths a real
//! network exercises. Every connection is announced with its [`Purpose`] and the host the
//! session was opened for, so an implementation can aim at "the data connection of the next
//! RETR" rather than at every socket.

use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::error::FtpError;

/// What a resolve or connect of a [`Network`] returns.
pub type NetFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, FtpError>> + Send + 'a>>;

/// The transfer command a data connection is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataVerb {
    /// A directory listing (LIST, MLSD or NLST).
    List,
    /// A download.
    Retr,
    /// An upload that replaces the file.
    Stor,
    /// An upload that appends.
    Appe,
}

/// Why a connection is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// The control connection (one per session, opened by `Session::connect`).
    Control,
    /// A data connection for this transfer command.
    Data(DataVerb),
}

/// A connect request: the addresses to try in order, the local source address, the deadline
/// and what the connection is for.
#[derive(Debug, Clone, Copy)]
pub struct ConnectTo<'a> {
    /// The host the session was opened for (a name or a literal), as the user gave it.
    pub host: &'a str,
    /// Resolved addresses, tried in order.
    pub addrs: &'a [SocketAddr],
    /// Local source address (the PDP context's), when bound.
    pub bind: Option<IpAddr>,
    /// Give up at this instant ([`FtpError::ConnectTimeout`]).
    pub deadline: Instant,
    /// Control or data, and for which command.
    pub purpose: Purpose,
}

/// Whom the next TLS handshake trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsTrust {
    /// The session's own TLS configuration.
    #[default]
    Configured,
    /// No trust anchor at all, and no resumption: a full handshake whose certificate check
    /// fails for any server, as with a certificate the module's CA does not sign.
    Nothing,
}

/// A connected byte stream: what a session reads and writes, plain or under TLS.
pub trait NetStream: AsyncRead + AsyncWrite + Send + Sync + Unpin + Debug {
    /// The local address of the underlying socket.
    fn local_addr(&self) -> io::Result<SocketAddr>;
    /// The remote address of the underlying socket.
    fn peer_addr(&self) -> io::Result<SocketAddr>;
}

impl NetStream for TcpStream {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpStream::local_addr(self)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        TcpStream::peer_addr(self)
    }
}

/// A boxed [`NetStream`].
pub type BoxStream = Box<dyn NetStream>;

/// Resolution, connects and TLS trust for a session.
pub trait Network: Send + Sync + Debug {
    /// Resolves `host` (a name or a literal) within `limit`.
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        limit: Duration,
    ) -> NetFuture<'a, Vec<SocketAddr>>;

    /// Opens a TCP connection.
    fn connect<'a>(&'a self, to: ConnectTo<'a>) -> NetFuture<'a, BoxStream>;

    /// Takes a data connection the server opened to our listener (active mode).
    fn accepted(&self, tcp: TcpStream, host: &str, purpose: Purpose) -> BoxStream {
        let _ = (host, purpose);
        Box::new(tcp)
    }

    /// Whom the TLS handshake about to start on a `purpose` connection trusts.
    fn tls_trust(&self, host: &str, purpose: Purpose) -> TlsTrust {
        let _ = (host, purpose);
        TlsTrust::Configured
    }
}

/// The host's resolver and sockets.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNetwork;

impl Network for SystemNetwork {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        limit: Duration,
    ) -> NetFuture<'a, Vec<SocketAddr>> {
        Box::pin(resolve(host, port, limit))
    }

    fn connect<'a>(&'a self, to: ConnectTo<'a>) -> NetFuture<'a, BoxStream> {
        Box::pin(async move {
            let s = connect_tcp(to.addrs, to.bind, to.deadline).await?;
            Ok(Box::new(s) as BoxStream)
        })
    }
}

/// Resolves `host` (literal or name) within `limit`. A literal never touches the resolver.
pub async fn resolve(host: &str, port: u16, limit: Duration) -> Result<Vec<SocketAddr>, FtpError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let fail = |reason: String| FtpError::Resolve {
        host: host.to_owned(),
        reason,
    };
    match tokio::time::timeout(limit, tokio::net::lookup_host((bare, port))).await {
        Err(_) => Err(fail(format!("no answer within {limit:?}"))),
        Ok(Err(e)) => Err(fail(e.to_string())),
        Ok(Ok(addrs)) => {
            let v: Vec<SocketAddr> = addrs.collect();
            if v.is_empty() {
                Err(fail("no addresses".to_owned()))
            } else {
                Ok(v)
            }
        }
    }
}

/// Whether `host` is an address literal (which is never looked up).
pub fn is_literal(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok()
}

/// Connects to the first reachable address before `deadline`, from `bind` if given
/// (addresses of the other family are skipped then). A timeout on every attempt is
/// [`FtpError::ConnectTimeout`]; anything else is [`FtpError::Connection`]. The socket has
/// Nagle off: commands are small and latency-bound.
pub async fn connect_tcp(
    addrs: &[SocketAddr],
    bind: Option<IpAddr>,
    deadline: Instant,
) -> Result<TcpStream, FtpError> {
    let mut last: Option<FtpError> = None;
    for &addr in addrs {
        if bind.is_some_and(|b| b.is_ipv4() != addr.is_ipv4()) {
            continue;
        }
        let attempt = async {
            let sock = if addr.is_ipv4() {
                tokio::net::TcpSocket::new_v4()
            } else {
                tokio::net::TcpSocket::new_v6()
            }?;
            if let Some(ip) = bind {
                sock.bind(SocketAddr::new(ip, 0))?;
            }
            sock.connect(addr).await
        };
        match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = Some(FtpError::Connection(e)),
            Err(_) => {
                last = Some(FtpError::ConnectTimeout(addr.to_string()));
                break;
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        FtpError::Connection(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            "no address of the bound address's family",
        ))
    }))
}

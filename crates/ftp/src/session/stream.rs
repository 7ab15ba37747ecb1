//! A TCP stream that may carry TLS, and the TCP connect with resolution, source binding and
//! timeout shared by control and data connections.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{timeout, Instant};
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::error::FtpError;
use crate::tls::{handshake_error, TlsContext};

/// Plain TCP or TLS over TCP.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => s.get_ref().0,
        }
    }

    /// Whether the TLS handshake resumed an earlier session (`None` for plain TCP).
    pub(crate) fn tls_resumed(&self) -> Option<bool> {
        match self {
            Self::Plain(_) => None,
            Self::Tls(s) => Some(matches!(
                s.get_ref().1.handshake_kind(),
                Some(rustls::HandshakeKind::Resumed)
            )),
        }
    }

    /// The negotiated TLS version (`None` for plain TCP).
    pub(crate) fn tls_version(&self) -> Option<crate::tls::TlsVersion> {
        match self {
            Self::Plain(_) => None,
            Self::Tls(s) => match s.get_ref().1.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => Some(crate::tls::TlsVersion::Tls13),
                Some(_) => Some(crate::tls::TlsVersion::Tls12),
                None => None,
            },
        }
    }

    /// Runs the TLS client handshake over `tcp` within `limit`, or within the context's own
    /// handshake time-out when it has one.
    pub(crate) async fn tls_handshake(
        tcp: TcpStream,
        tls: &TlsContext,
        limit: Duration,
    ) -> Result<Self, FtpError> {
        let limit = tls.handshake_timeout.unwrap_or(limit);
        let connector = TlsConnector::from(tls.config.clone());
        match timeout(limit, connector.connect(tls.server_name.clone(), tcp)).await {
            Err(_) => Err(FtpError::Timeout(limit, "TLS handshake")),
            Ok(Err(e)) => Err(handshake_error(e)),
            Ok(Ok(s)) => Ok(Self::Tls(Box::new(s))),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Resolves `host` (literal or name) within `limit`. A literal never touches the resolver.
pub(crate) async fn resolve(
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<Vec<SocketAddr>, FtpError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let fail = |reason: String| FtpError::Resolve {
        host: host.to_owned(),
        reason,
    };
    match timeout(limit, tokio::net::lookup_host((bare, port))).await {
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

/// Connects to the first reachable address before `deadline`, from `bind` if given
/// (addresses of the other family are skipped then). A timeout on every attempt is
/// [`FtpError::ConnectTimeout`]; anything else is [`FtpError::Connection`].
pub(crate) async fn connect_tcp(
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
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }?;
            if let Some(ip) = bind {
                sock.bind(SocketAddr::new(ip, 0))?;
            }
            sock.connect(addr).await
        };
        match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(s)) => {
                // Commands are small and latency-bound; Nagle only delays them.
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

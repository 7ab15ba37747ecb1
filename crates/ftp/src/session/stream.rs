//! A connection of the session's [`Network`](super::net::Network) that may carry TLS.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::net::{BoxStream, NetStream, TlsTrust};
use crate::error::FtpError;
use crate::tls::{handshake_error, TlsContext};

/// A plain connection or TLS over one.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(BoxStream),
    Tls(Box<TlsStream<BoxStream>>),
}

impl Stream {
    /// The connection under any TLS (for its addresses).
    pub(crate) fn tcp(&self) -> &dyn NetStream {
        match self {
            Self::Plain(s) => s.as_ref(),
            Self::Tls(s) => s.get_ref().0.as_ref(),
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

    /// Runs the TLS client handshake over `tcp` within `limit` (or the context's own
    /// handshake time-out when it has one), trusting what `trust` says (the network decides:
    /// a test bench may take every trust anchor away).
    pub(crate) async fn tls_handshake(
        tcp: BoxStream,
        tls: &TlsContext,
        limit: Duration,
        trust: TlsTrust,
    ) -> Result<Self, FtpError> {
        let limit = tls.handshake_timeout.unwrap_or(limit);
        let config = match trust {
            TlsTrust::Configured => tls.config.clone(),
            TlsTrust::Nothing => trust_nothing()?,
        };
        let connector = TlsConnector::from(config);
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

/// A client configuration with an empty root store and no session cache: its handshake
/// always runs in full and always fails the certificate check (rustls `UnknownIssuer`).
fn trust_nothing() -> Result<Arc<ClientConfig>, FtpError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FtpError::TlsConfig(e.to_string()))?
        .with_root_certificates(RootCertStore::empty())
        .with_no_client_auth();
    Ok(Arc::new(config))
}

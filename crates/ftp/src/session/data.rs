//! Data connections: PASV/EPSV (we connect) or PORT/EPRT (the server connects to our
//! listener), then TLS when the session is protected (PROT P).
//!
//! Opening is split in two because the order on the wire is: negotiate the address, send the
//! transfer command, read its `1xx`, and only then (for active mode) accept and (for both)
//! start TLS, since servers begin their side of the TLS handshake after the `150`.

use std::net::{IpAddr, SocketAddr, SocketAddrV4};

use tokio::net::{TcpListener, TcpSocket};
use tokio::time::{timeout, Instant};

use crate::command::Command;
use crate::decode::{parse_epsv, parse_pasv};
use crate::error::{FtpError, ProtocolError};
use crate::reply::{Reply, ReplyCode};

use super::config::DataMode;
use super::control::check;
use super::net::{BoxStream, ConnectTo, DataVerb, Purpose};
use super::stream::Stream;
use super::Session;

/// A data connection negotiated but not yet usable, and the command it is for.
#[derive(Debug)]
pub(crate) enum PendingData {
    /// Passive: already connected to the server's port.
    Connected(BoxStream, DataVerb),
    /// Active: waiting for the server to connect.
    Listening(TcpListener, DataVerb),
}

/// Where to connect for a PASV reply: always the control connection's peer, at the port the
/// server announced. The announced address is used for nothing else: following it would let a
/// server send the module's data connection to any other host and port (an "FTP bounce" of
/// the client), and servers behind NAT or on `[::]` often announce an address the client
/// cannot reach anyway (`0.0.0.0`, a private address). curl and libcurl do the same by
/// default (`--ftp-skip-pasv-ip`), as EPSV does by design (RFC 2428 carries no address).
pub(crate) fn pasv_target(announced: SocketAddrV4, peer: IpAddr) -> SocketAddr {
    if IpAddr::V4(*announced.ip()) != peer {
        tracing::debug!(
            announced = %announced.ip(),
            %peer,
            "PASV address ignored, connecting to the control connection's peer"
        );
    }
    SocketAddr::new(peer, announced.port())
}

/// Whether a refusal means "command not known" rather than "failed": the cue to fall back
/// to an older command.
pub(crate) fn is_unsupported(reply: &Reply) -> bool {
    matches!(reply.code.as_u16(), 500 | 501 | 502 | 504)
}

/// Whether a refusal says the command does not exist (`500`, `502`), as opposed to a
/// refusal of its argument (`501 not a directory`, `550`).
pub(crate) fn is_unimplemented(reply: &Reply) -> bool {
    matches!(reply.code.as_u16(), 500 | 502)
}

impl Session {
    /// Negotiates a data connection for `verb` in the configured mode.
    pub(crate) async fn open_data(&mut self, verb: DataVerb) -> Result<PendingData, FtpError> {
        match self.cfg.data_mode {
            DataMode::Passive => self.open_passive(verb).await,
            DataMode::Active => self.open_active(verb).await,
        }
    }

    async fn open_passive(&mut self, verb: DataVerb) -> Result<PendingData, FtpError> {
        let peer = self.peer.ip();
        let try_epsv = peer.is_ipv6() || (self.cfg.use_epsv && !self.epsv_refused);
        let target = if try_epsv {
            let reply = self.ctrl.command(&Command::Epsv).await?;
            if reply.code == ReplyCode::EXTENDED_PASSIVE {
                let port = parse_epsv(&reply).ok_or(ProtocolError::Undecodable {
                    command: "EPSV",
                    reply,
                })?;
                Some(SocketAddr::new(peer, port))
            } else if peer.is_ipv4() && is_unsupported(&reply) {
                self.epsv_refused = true;
                None
            } else {
                check("EPSV", reply, |_| false)?;
                None
            }
        } else {
            None
        };
        let target = match target {
            Some(t) => t,
            None => {
                let reply = self.ctrl.command(&Command::Pasv).await?;
                let reply = check("PASV", reply, |r| r.code == ReplyCode::PASSIVE)?;
                let announced = parse_pasv(&reply).ok_or(ProtocolError::Undecodable {
                    command: "PASV",
                    reply,
                })?;
                pasv_target(announced, peer)
            }
        };
        let deadline = Instant::now() + self.cfg.connect_timeout;
        let stream = self
            .net
            .connect(ConnectTo {
                host: &self.cfg.host,
                addrs: &[target],
                bind: self.cfg.bind,
                deadline,
                purpose: Purpose::Data(verb),
            })
            .await?;
        Ok(PendingData::Connected(stream, verb))
    }

    async fn open_active(&mut self, verb: DataVerb) -> Result<PendingData, FtpError> {
        let local = self
            .ctrl
            .stream
            .tcp()
            .local_addr()
            .map_err(FtpError::Connection)?;
        let sock = if local.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .map_err(FtpError::Connection)?;
        sock.bind(SocketAddr::new(local.ip(), 0))
            .map_err(FtpError::Connection)?;
        let listener = sock.listen(1).map_err(FtpError::Connection)?;
        let addr = listener.local_addr().map_err(FtpError::Connection)?;
        let use_eprt = match addr {
            SocketAddr::V6(_) => true,
            SocketAddr::V4(_) => self.port_refused,
        };
        if !use_eprt {
            if let SocketAddr::V4(v4) = addr {
                let reply = self.ctrl.command(&Command::Port(v4)).await?;
                if reply.code.is_positive_completion() {
                    return Ok(PendingData::Listening(listener, verb));
                }
                if !is_unsupported(&reply) {
                    check("PORT", reply, |_| false)?;
                }
                self.port_refused = true;
            }
        }
        self.ctrl.expect_2xx(&Command::Eprt(addr)).await?;
        Ok(PendingData::Listening(listener, verb))
    }

    /// Completes a data connection after the transfer command's `1xx`: accepts the server's
    /// connection (active mode; only from the control connection's peer, so nobody else can
    /// slip data in) and runs the TLS handshake when PROT P is on.
    pub(crate) async fn complete_data(&mut self, pending: PendingData) -> Result<Stream, FtpError> {
        let limit = self.cfg.reply_timeout;
        let (tcp, verb) = match pending {
            PendingData::Connected(s, verb) => (s, verb),
            PendingData::Listening(listener, verb) => {
                let peer = self.peer.ip();
                let accept = async {
                    loop {
                        let (s, from) = listener.accept().await?;
                        if from.ip() == peer {
                            return Ok::<_, std::io::Error>(s);
                        }
                        tracing::warn!(%from, "refused data connection from a foreign address");
                    }
                };
                match timeout(limit, accept).await {
                    Err(_) => {
                        return Err(FtpError::ConnectTimeout(format!(
                            "data connection from {peer}"
                        )))
                    }
                    Ok(Err(e)) => return Err(FtpError::Connection(e)),
                    Ok(Ok(s)) => {
                        let _ = s.set_nodelay(true);
                        let s = self.net.accepted(s, &self.cfg.host, Purpose::Data(verb));
                        (s, verb)
                    }
                }
            }
        };
        match &self.tls {
            Some(tls) if self.prot_p => {
                let tls = tls.clone();
                let trust = self.net.tls_trust(&self.cfg.host, Purpose::Data(verb));
                let s = Stream::tls_handshake(tcp, &tls, limit, trust).await?;
                match s.tls_resumed() {
                    Some(true) => self.data_tls.resumed += 1,
                    _ => self.data_tls.full += 1,
                }
                Ok(s)
            }
            _ => Ok(Stream::Plain(tcp)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasv_targets_are_always_the_control_peer() {
        let a = |s: &str| s.parse::<SocketAddrV4>().unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let public: IpAddr = "203.0.113.5".parse().unwrap();
        let cases = [
            ("0.0.0.0:2000", lo, "127.0.0.1:2000"),
            ("127.0.0.2:2000", lo, "127.0.0.1:2000"),
            ("10.0.0.7:2000", public, "203.0.113.5:2000"),
            ("198.51.100.1:2000", public, "203.0.113.5:2000"),
            ("255.255.255.255:21", public, "203.0.113.5:21"),
            ("127.0.0.1:2000", lo, "127.0.0.1:2000"),
        ];
        for (announced, peer, want) in cases {
            let want: SocketAddr = want.parse().unwrap();
            assert_eq!(pasv_target(a(announced), peer), want, "{announced}");
        }
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(
            pasv_target(a("127.0.0.1:2000"), v6),
            "[::1]:2000".parse::<SocketAddr>().unwrap()
        );
    }
}

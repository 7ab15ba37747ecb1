//! One channel's [`Network`]: the system's resolver and sockets, with the armed faults put
//! where each happens in the field.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ftpmodem_ftp::net::{
    self as ftpnet, BoxStream, ConnectTo, NetFuture, Network, Purpose, TlsTrust,
};
use ftpmodem_ftp::FtpError;
use tokio::net::TcpStream;

use super::fault::NetFaultKind;
use super::registry::{ConnInfo, NetFaults};
use super::stream::FaultyStream;

/// The network of one channel of a module.
#[derive(Debug)]
pub(super) struct FaultyNetwork {
    faults: NetFaults,
    channel: u8,
}

impl FaultyNetwork {
    pub(super) fn new(faults: NetFaults, channel: u8) -> Self {
        FaultyNetwork { faults, channel }
    }

    fn info(&self, host: &str, purpose: Purpose) -> ConnInfo {
        ConnInfo {
            channel: self.channel,
            purpose,
            host: host.to_owned(),
        }
    }

    fn wrap(&self, tcp: TcpStream, info: ConnInfo) -> BoxStream {
        Box::new(FaultyStream::new(tcp, self.faults.clone(), info))
    }
}

impl Network for FaultyNetwork {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        limit: Duration,
    ) -> NetFuture<'a, Vec<SocketAddr>> {
        Box::pin(async move {
            // A literal is never looked up, on the module as here: nothing to fail.
            if !ftpnet::is_literal(host) {
                let info = self.info(host, Purpose::Control);
                if let Some((id, _)) = self.faults.strike(&info, |k| *k == NetFaultKind::Dns) {
                    return Err(FtpError::Resolve {
                        host: host.to_owned(),
                        reason: format!("no answer from the name server (network fault {id})"),
                    });
                }
            }
            ftpnet::resolve(host, port, limit).await
        })
    }

    fn connect<'a>(&'a self, to: ConnectTo<'a>) -> NetFuture<'a, BoxStream> {
        Box::pin(async move {
            let info = self.info(to.host, to.purpose);
            let hit = self.faults.strike(&info, |k| {
                matches!(k, NetFaultKind::Refused | NetFaultKind::BlackHole)
            });
            match hit {
                Some((_, NetFaultKind::Refused)) => Err(refused(to).await),
                Some((_, _)) => {
                    // The SYN is lost, every retransmission too: nothing answers before the
                    // caller's deadline.
                    tokio::time::sleep_until(to.deadline).await;
                    let addr = to.addrs.first().map(ToString::to_string);
                    Err(FtpError::ConnectTimeout(addr.unwrap_or_default()))
                }
                None => {
                    let tcp = ftpnet::connect_tcp(to.addrs, to.bind, to.deadline).await?;
                    Ok(self.wrap(tcp, info))
                }
            }
        })
    }

    fn accepted(&self, tcp: TcpStream, host: &str, purpose: Purpose) -> BoxStream {
        self.wrap(tcp, self.info(host, purpose))
    }

    fn tls_trust(&self, host: &str, purpose: Purpose) -> TlsTrust {
        let info = self.info(host, purpose);
        match self.faults.strike(&info, |k| *k == NetFaultKind::TlsVerify) {
            Some(_) => TlsTrust::Nothing,
            None => TlsTrust::Configured,
        }
    }
}

/// A real refused connect: to a loopback port that was listening a moment ago and is closed
/// now, so the kernel answers the SYN with an RST (`ECONNREFUSED`).
async fn refused(to: ConnectTo<'_>) -> FtpError {
    let closed =
        match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
            Ok(addr) => addr,
            Err(e) => return FtpError::Connection(e),
        };
    match ftpnet::connect_tcp(&[closed], None, to.deadline).await {
        Err(e) => e,
        // Someone took the port in between: still refuse, as armed.
        Ok(_) => FtpError::Connection(std::io::ErrorKind::ConnectionRefused.into()),
    }
}

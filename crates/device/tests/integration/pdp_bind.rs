//! PDP contexts on the real module: a cid bound to a local source address (configuration
//! file) makes the channel's sockets use it; an inactive cid gives result 20; dropping the cid
//! disconnects its channels with the URC.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::engine::{Engine, EngineConfig, PdpBinding};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, LineEnds};
use ftpmodem_device::{channel, runtime};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

const TIMEOUT: Duration = Duration::from_secs(10);

struct Line {
    ends: LineEnds,
    seen: Vec<u8>,
}

impl Line {
    async fn send(&mut self, s: &str) {
        self.ends
            .to_module
            .send(format!("{s}\r").into_bytes())
            .await
            .unwrap();
    }
    /// Waits until `want` has arrived and returns everything up to it.
    async fn until(&mut self, want: &str) -> String {
        loop {
            if let Some(p) = self
                .seen
                .windows(want.len())
                .position(|w| w == want.as_bytes())
            {
                let got: Vec<u8> = self.seen.drain(..p + want.len()).collect();
                return String::from_utf8_lossy(&got).into_owned();
            }
            let more = tokio::time::timeout(TIMEOUT, self.ends.from_module.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no {want:?}; have {:?}",
                        String::from_utf8_lossy(&self.seen)
                    )
                })
                .unwrap();
            self.seen.extend(more.into_vec());
        }
    }
}

/// A minimal FTP server: records each client's source address, accepts any login.
async fn fake_server() -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::Receiver<std::net::IpAddr>,
) {
    let l = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        loop {
            let (s, peer) = l.accept().await.unwrap();
            tx.send(peer.ip()).await.unwrap();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 hi\r\n").await.unwrap();
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let reply: &[u8] = match line.get(..4) {
                        Some("USER") => b"331 pass\r\n",
                        Some("PASS") => b"230 in\r\n",
                        Some("FEAT") => b"211 end\r\n",
                        Some("QUIT") => b"221 bye\r\n",
                        _ => b"200 ok\r\n",
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn cid_binding_inactive_cid_and_context_drop() {
    let dir = tempfile::TempDir::new().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), 1 << 20).unwrap();
    let pdp = vec![PdpBinding {
        cid: 2,
        bind: Some("127.0.0.2".parse().unwrap()),
        apn: "test".into(),
        active: false,
    }];
    let engine = Engine::new(
        EngineConfig {
            pdp,
            ..EngineConfig::default()
        },
        fs.clone(),
        std::time::Instant::now(),
    );
    let (ends, module) = line_channel(runtime::LINE_QUEUE);
    let shutdown = CancellationToken::new();
    tokio::spawn(runtime::run(
        engine,
        module,
        move |id, ev| channel::spawn(id, fs.clone(), ev),
        shutdown.clone(),
    ));
    let mut line = Line {
        ends,
        seen: Vec::new(),
    };
    line.until("+MATREADY\r\n").await;
    let (addr, mut peers) = fake_server().await;
    let conn = format!("AT+MFTPCONN=0,\"127.0.0.1\",\"u\",\"p\",{}", addr.port());

    line.send("ATE0").await;
    line.until("OK\r\n").await;
    line.send("AT+MFTPCFG=0,\"cid\",2").await;
    line.until("OK\r\n").await;
    // cid 2 is defined by the configuration but not active: result 20, nothing on the network.
    line.send(&conn).await;
    assert_eq!(
        line.until("+MFTPCONN: 0,20\r\n").await,
        "\r\nOK\r\n\r\n+MFTPCONN: 0,20\r\n"
    );
    assert!(peers.try_recv().is_err());
    line.send("AT+MIPCALL=1,2").await;
    assert_eq!(
        line.until("\"127.0.0.2\"\r\n").await,
        "\r\nOK\r\n\r\n+MIPCALL: 2,1,\"127.0.0.2\"\r\n"
    );
    line.send("AT+CGDCONT?").await;
    assert_eq!(
        line.until("OK\r\n").await,
        "\r\n+CGDCONT: 1,\"IP\",\"\"\r\n\r\n+CGDCONT: 2,\"IP\",\"test\"\r\n\r\nOK\r\n"
    );
    line.send(&conn).await;
    assert_eq!(
        line.until("+MFTPCONN: 0,0\r\n").await,
        "\r\nOK\r\n\r\n+MFTPCONN: 0,0\r\n"
    );
    let peer = tokio::time::timeout(TIMEOUT, peers.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        peer,
        "127.0.0.2".parse::<std::net::IpAddr>().unwrap(),
        "source address of cid 2"
    );
    // Channel 1 on cid 1 (unbound) stays up when cid 2 goes down.
    let conn1 = conn.replace("CONN=0", "CONN=1");
    line.send(&conn1).await;
    line.until("+MFTPCONN: 1,0\r\n").await;
    line.send("AT+CGACT=0,2").await;
    assert_eq!(
        line.until("+MFTPURC: 0,\"conn\",0\r\n").await,
        "\r\nOK\r\n\r\n+MFTPURC: 0,\"conn\",0\r\n"
    );
    line.send("AT+MFTPSTATE=0").await;
    assert_eq!(
        line.until("OK\r\n").await,
        "\r\n+MFTPSTATE: 0,0\r\n\r\nOK\r\n"
    );
    line.send("AT+MFTPSTATE=1").await;
    assert_eq!(
        line.until("OK\r\n").await,
        "\r\n+MFTPSTATE: 1,1\r\n\r\nOK\r\n"
    );
    shutdown.cancel();
}

//! A plain-FTP control-connection relay that records the client's commands (so a test can
//! check which data connection command was used against a server without a protocol log) and
//! can refuse `EPSV` itself (502), so the module's FTP client falls back to PASV against a
//! server that implements EPSV.
//!
//! The AT command set has no switch between PASV and EPSV (the client tries EPSV first over
//! IPv4 and drops to PASV for good when a server says it does not know it), and vsftpd,
//! pure-ftpd and libunftp all implement EPSV; `cmds_denied=EPSV` in vsftpd answers 550, which is
//! a refusal of the argument, not "unknown command". This relay is the server-side way to make
//! a PASV cell with plain FTP. It cannot see inside TLS, so FTPS PASV cells are out of its reach.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A running relay; stops accepting when dropped.
pub struct ControlRelay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    refuse_epsv: bool,
    refused: AtomicUsize,
    commands: std::sync::Mutex<Vec<String>>,
}

impl ControlRelay {
    /// Listens on the loopback address of `upstream`'s family and relays to `upstream`,
    /// answering EPSV itself when `refuse_epsv`.
    pub async fn start(upstream: SocketAddr, refuse_epsv: bool) -> Self {
        let ip = upstream.ip();
        let listener = TcpListener::bind(SocketAddr::new(ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            refuse_epsv,
            refused: AtomicUsize::new(0),
            commands: std::sync::Mutex::new(Vec::new()),
        });
        let sh = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let sh = sh.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, sh).await;
                    }
                });
            }
        });
        ControlRelay { addr, shared, task }
    }

    /// Whether the client sent a command starting with `prefix` (case as sent).
    pub fn saw(&self, prefix: &str) -> bool {
        self.shared
            .commands
            .lock()
            .unwrap()
            .iter()
            .any(|c| c.starts_with(prefix))
    }

    /// Where the module connects.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many EPSV commands it answered itself.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }
}

impl Drop for ControlRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(client: TcpStream, server: TcpStream, sh: Arc<Shared>) {
    let (cr, cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let cw = Arc::new(Mutex::new(cw));
    let down_w = cw.clone();
    let down = tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok(n) = sr.read(&mut buf).await {
            if n == 0 || down_w.lock().await.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = down_w.lock().await.shutdown().await;
    });
    let mut cr = BufReader::new(cr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut cr).take(4096).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let cmd = String::from_utf8_lossy(line.trim_ascii()).into_owned();
        sh.commands.lock().unwrap().push(cmd.clone());
        if sh.refuse_epsv && cmd.eq_ignore_ascii_case("EPSV") {
            sh.refused.fetch_add(1, Ordering::SeqCst);
            let reply = b"502 EPSV refused by the test relay\r\n";
            if cw.lock().await.write_all(reply).await.is_err() {
                break;
            }
        } else if sw.write_all(&line).await.is_err() {
            break;
        }
    }
    let _ = sw.shutdown().await;
    let _ = down.await;
}

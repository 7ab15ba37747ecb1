//! A scripted FTP server for the failures no real server produces on demand: a reply that
//! never comes (result 5), bytes that are not a reply (12), a data connection reset under an
//! upload and hangs up (13). It speaks just enough FTP for the module's client to log in.

use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// What the fake does with one command.
pub enum Step {
    /// Send this reply line (CRLF added).
    Reply(String),
    /// Send these bytes as they are.
    Raw(Vec<u8>),
    /// Never answer (the connection stays open).
    Hang,
    /// `150`, accept the data connection, read until some bytes came, reset it (RST), close
    /// the control connection without a word (a server that crashed), and tell the test
    /// through [`FakeFtp::reset_done`].
    StorThenCrash,
}

/// A scripted server: `script(command_line)` decides each answer; login and the commands
/// the client sends after it get standard answers unless the script takes them.
pub struct FakeFtp {
    addr: SocketAddr,
    reset: Arc<Notify>,
    task: JoinHandle<()>,
}

type Script = Arc<dyn Fn(&str) -> Option<Step> + Send + Sync>;

impl FakeFtp {
    /// Listens on 127.0.0.1 (port 0); `greeting` is its first line.
    pub async fn start(
        greeting: &'static [u8],
        script: impl Fn(&str) -> Option<Step> + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reset = Arc::new(Notify::new());
        let script: Script = Arc::new(script);
        let r = reset.clone();
        let task = tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(session(s, greeting, script.clone(), r.clone()));
            }
        });
        FakeFtp { addr, reset, task }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Resolves once a [`Step::StorThenCrash`] has reset its data connection.
    pub async fn reset_done(&self) {
        self.reset.notified().await;
    }
}

impl Drop for FakeFtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn standard(cmd: &str) -> Step {
    let verb = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
    let r = match verb.as_str() {
        "USER" => "331 password please",
        "PASS" => "230 logged in",
        "FEAT" => "211 no features",
        "TYPE" => "200 type set",
        "PWD" => "257 \"/\" is the directory",
        "CWD" => "250 ok",
        "QUIT" => "221 bye",
        _ => "502 not implemented by the fake",
    };
    Step::Reply(r.to_string())
}

async fn session(s: TcpStream, greeting: &'static [u8], script: Script, reset: Arc<Notify>) {
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    if w.write_all(greeting).await.is_err() {
        return;
    }
    let mut data: Option<TcpListener> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut r).take(4096).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let cmd = String::from_utf8_lossy(line.trim_ascii()).into_owned();
        let step = match script(&cmd) {
            Some(s) => s,
            None if cmd.eq_ignore_ascii_case("EPSV") => {
                let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let port = l.local_addr().unwrap().port();
                data = Some(l);
                Step::Reply(format!("229 Entering Extended Passive Mode (|||{port}|)"))
            }
            None => standard(&cmd),
        };
        let out = match step {
            Step::Reply(l) => format!("{l}\r\n").into_bytes(),
            Step::Raw(b) => b,
            Step::Hang => {
                // Keep reading (and ignoring) until the client goes away.
                let mut sink = Vec::new();
                let _ = r.read_to_end(&mut sink).await;
                return;
            }
            Step::StorThenCrash => {
                if w.write_all(b"150 go ahead\r\n").await.is_err() {
                    return;
                }
                let Some(l) = data.take() else { return };
                let Ok((mut d, _)) = l.accept().await else {
                    return;
                };
                let mut buf = [0u8; 64];
                let _ = d.read(&mut buf).await;
                reset_close(d);
                drop(w);
                drop(r);
                reset.notify_one();
                return;
            }
        };
        if w.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// Closes with RST (SO_LINGER 0), so the peer's next write fails instead of being buffered.
fn reset_close(s: TcpStream) {
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let _ = nix::sys::socket::setsockopt(&s.as_fd(), nix::sys::socket::sockopt::Linger, &linger);
    drop(s);
}

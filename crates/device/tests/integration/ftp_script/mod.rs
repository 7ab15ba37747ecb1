//! A scripted FTP server for the AT-line tests of what no real server does on demand (a
//! listing of a million entries that waits for the test, a session dropped after a ranged
//! download): a real TCP listener on 127.0.0.1 (port 0) whose one control connection the test
//! drives. Login and the commands the module's client sends around the scripted part get
//! standard answers ([`Peer::until`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::os::fd::AsFd;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// `FEAT`: MLSD (so listings are machine-readable), EPSV and restarts.
const FEAT: &str =
    "211-Features:\r\n MLST type*;size*;modify*;perm*;\r\n EPSV\r\n REST STREAM\r\n211 End\r\n";

/// The scripted server's control connection.
pub struct Peer {
    r: BufReader<OwnedReadHalf>,
    w: OwnedWriteHalf,
    /// The listener of the last `EPSV`.
    data: Option<TcpListener>,
}

/// Starts a server whose single control connection (greeted `220`) is handed to `script`.
pub async fn serve<F, Fut>(script: F) -> (SocketAddr, JoinHandle<()>)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let (r, w) = s.into_split();
        let mut p = Peer {
            r: BufReader::new(r),
            w,
            data: None,
        };
        p.send("220 scripted server\r\n").await;
        script(p).await;
    });
    (addr, h)
}

impl Peer {
    /// Writes `s` as it is (replies carry their own CRLF).
    pub async fn send(&mut self, s: &str) {
        // The module may have gone (a test that failed elsewhere): nothing to report here.
        let _ = self.w.write_all(s.as_bytes()).await;
    }

    /// The next command line without its CRLF; `None` when the client closed.
    pub async fn command(&mut self) -> Option<String> {
        let mut line = Vec::new();
        match (&mut self.r).take(4096).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(String::from_utf8_lossy(line.trim_ascii()).into_owned()),
        }
    }

    /// Answers commands the standard way until one with `verb` comes, and returns it
    /// unanswered; `None` when the client closed first (or quit).
    pub async fn until(&mut self, verb: &str) -> Option<String> {
        loop {
            let cmd = self.command().await?;
            let v = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
            if v == verb {
                return Some(cmd);
            }
            let reply = match v.as_str() {
                "USER" => "331 password please\r\n".to_string(),
                "PASS" => "230 logged in\r\n".into(),
                "FEAT" => FEAT.into(),
                "TYPE" => "200 type set\r\n".into(),
                "PWD" => "257 \"/\" is the directory\r\n".into(),
                "CWD" => "250 ok\r\n".into(),
                "OPTS" | "NOOP" => "200 ok\r\n".into(),
                "EPSV" => {
                    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let port = l.local_addr().unwrap().port();
                    self.data = Some(l);
                    format!("229 Entering Extended Passive Mode (|||{port}|)\r\n")
                }
                "QUIT" => {
                    self.send("221 bye\r\n").await;
                    return None;
                }
                _ => "502 not implemented here\r\n".into(),
            };
            self.send(&reply).await;
        }
    }

    /// The data connection of the last `EPSV`.
    pub async fn accept_data(&mut self) -> TcpStream {
        let l = self.data.take().expect("EPSV before the transfer");
        l.accept().await.unwrap().0
    }
}

/// Closes with RST (SO_LINGER 0): the peer's next read fails instead of seeing an end.
pub fn reset_close(s: TcpStream) {
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let _ = nix::sys::socket::setsockopt(&s.as_fd(), nix::sys::socket::sockopt::Linger, &linger);
    drop(s);
}

//! Failures and hostile servers: every error class the device maps to a result code, the
//! bounds on what a server can make us buffer, idle-close detection, and the fallbacks
//! (EPSV to PASV, PORT to EPRT, MLSD to LIST, PASV 0.0.0.0) against scripted fake servers on
//! loopback. Each fake server is a real TCP listener driven by the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use ftpmodem_ftp::{
    ConnectConfig, ErrorClass, FtpError, ProtocolError, RootCerts, Security, Session,
};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// One accepted control connection of a fake server.
struct Peer {
    r: BufReader<tokio::io::ReadHalf<TcpStream>>,
    w: tokio::io::WriteHalf<TcpStream>,
    local: SocketAddr,
    remote: SocketAddr,
}

impl Peer {
    async fn send(&mut self, s: &str) {
        self.w.write_all(s.as_bytes()).await.unwrap();
    }

    /// Reads one command line and checks its start.
    async fn expect(&mut self, prefix: &str) -> String {
        let mut line = String::new();
        timeout(Duration::from_secs(10), self.r.read_line(&mut line))
            .await
            .expect("client command")
            .unwrap();
        assert!(
            line.starts_with(prefix),
            "expected {prefix:?}, got {line:?}"
        );
        line.trim_end().to_owned()
    }

    /// Greets and answers the login sequence up to TYPE I (FEAT with `feat` lines).
    async fn login(&mut self, feat: &[&str]) {
        self.send("220 fake ready\r\n").await;
        self.expect("USER").await;
        self.send("331 pw\r\n").await;
        self.expect("PASS").await;
        self.send("230 in\r\n").await;
        self.expect("FEAT").await;
        if feat.is_empty() {
            self.send("502 no FEAT\r\n").await;
        } else {
            let mut s = "211-Features:\r\n".to_owned();
            for f in feat {
                s.push_str(&format!(" {f}\r\n"));
            }
            s.push_str("211 End\r\n");
            self.send(&s).await;
        }
        self.expect("TYPE I").await;
        self.send("200 binary\r\n").await;
    }
}

/// Starts a fake server on 127.0.0.1 whose single connection is handled by `script`.
async fn fake<F, Fut>(script: F) -> (SocketAddr, tokio::task::JoinHandle<()>)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let (s, remote) = l.accept().await.unwrap();
        let local = s.local_addr().unwrap();
        let (r, w) = tokio::io::split(s);
        script(Peer {
            r: BufReader::new(r),
            w,
            local,
            remote,
        })
        .await;
    });
    (addr, h)
}

fn cfg(addr: SocketAddr) -> ConnectConfig {
    let mut c = config(addr, Security::None, None);
    c.reply_timeout = Duration::from_secs(3);
    c.connect_timeout = Duration::from_secs(3);
    c
}

async fn connect_err(c: &ConnectConfig) -> FtpError {
    match Session::connect(c).await {
        Ok(_) => panic!("connect succeeded"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn closed_port_is_a_connection_error() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let e = connect_err(&cfg(addr)).await;
    assert_eq!(e.result_class(), ErrorClass::Connection, "{e}");
}

#[tokio::test]
async fn unresolvable_name() {
    let mut c = cfg("127.0.0.1:21".parse().unwrap());
    c.host = "nonexistent.invalid".into();
    let e = connect_err(&c).await;
    assert_eq!(e.result_class(), ErrorClass::Resolve, "{e}");
}

/// A listener whose accept queue is full drops further SYNs (Linux, tcp_abort_on_overflow=0),
/// so a connect to it hangs like one to a black hole: the connect timeout must fire.
#[tokio::test]
async fn connect_timeout_against_a_full_backlog() {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = sock.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the queue: connects that complete without being accepted.
    let mut held = Vec::new();
    let mut filled = false;
    for _ in 0..16 {
        match timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => held.push(s),
            _ => {
                filled = true;
                break;
            }
        }
    }
    assert!(filled, "the backlog never filled");
    let mut c = cfg(addr);
    c.connect_timeout = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let e = connect_err(&c).await;
    assert_eq!(e.result_class(), ErrorClass::ConnectTimeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let (addr, _h) = fake(|mut p| async move {
        // Accept, say nothing, keep the connection open until the client gives up.
        let mut b = [0u8; 1];
        let _ = p.r.read(&mut b).await;
    })
    .await;
    let mut c = cfg(addr);
    c.reply_timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let e = connect_err(&c).await;
    assert_eq!(e.result_class(), ErrorClass::Timeout, "{e}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn silence_after_a_command_times_out_and_breaks_the_session() {
    let (addr, _h) = fake(|mut p| async move {
        p.login(&[]).await;
        p.expect("PWD").await;
        let mut b = [0u8; 64];
        let _ = p.r.read(&mut b).await;
    })
    .await;
    let mut c = cfg(addr);
    c.reply_timeout = Duration::from_millis(300);
    let mut s = Session::connect(&c).await.unwrap();
    let e = s.pwd().await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::Timeout);
    assert!(!s.is_usable());
    assert!(matches!(s.pwd().await, Err(FtpError::Broken)));
}

#[tokio::test]
async fn garbage_banner_is_unparseable() {
    let (addr, _h) = fake(|mut p| async move {
        p.send("HTTP/1.1 400 Bad Request\r\n\r\n").await;
    })
    .await;
    let e = connect_err(&cfg(addr)).await;
    assert_eq!(e.result_class(), ErrorClass::Unparseable, "{e}");
}

#[tokio::test]
async fn endless_line_is_bounded() {
    let (addr, h) = fake(|mut p| async move {
        let chunk = vec![b'2'; 64 * 1024];
        // 64 MiB without a line end; the client must give up long before.
        for _ in 0..1024 {
            if p.w.write_all(&chunk).await.is_err() {
                return;
            }
        }
        panic!("client kept reading an endless line");
    })
    .await;
    let e = connect_err(&cfg(addr)).await;
    assert_eq!(e.result_class(), ErrorClass::Unparseable, "{e}");
    assert!(matches!(
        e,
        FtpError::Protocol(ProtocolError::Reply(
            ftpmodem_ftp::reply::ReplyError::LineTooLong { .. }
        ))
    ));
    h.await.unwrap();
}

#[tokio::test]
async fn endless_multi_line_reply_is_bounded() {
    let (addr, h) = fake(|mut p| async move {
        p.send("220-welcome\r\n").await;
        for i in 0..1_000_000u32 {
            if p.w
                .write_all(format!(" line {i}\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
        panic!("client kept reading an endless reply");
    })
    .await;
    let e = connect_err(&cfg(addr)).await;
    assert!(
        matches!(
            e,
            FtpError::Protocol(ProtocolError::Reply(
                ftpmodem_ftp::reply::ReplyError::TooManyLines { .. }
            ))
        ),
        "{e}"
    );
    h.await.unwrap();
}

#[tokio::test]
async fn plaintext_injected_after_auth_tls_is_refused() {
    let (addr, _h) = fake(|mut p| async move {
        p.send("220 hi\r\n").await;
        p.expect("AUTH TLS").await;
        p.send("234 go ahead\r\n230 injected before the handshake\r\n")
            .await;
        let mut b = [0u8; 64];
        let _ = p.r.read(&mut b).await;
    })
    .await;
    let mut c = cfg(addr);
    c.security = Security::Explicit;
    let e = connect_err(&c).await;
    assert!(
        matches!(e, FtpError::Protocol(ProtocolError::DataBeforeTls)),
        "{e}"
    );
}

#[tokio::test]
async fn account_request_is_refused() {
    let (addr, _h) = fake(|mut p| async move {
        p.send("220 hi\r\n").await;
        p.expect("USER").await;
        p.send("331 pw\r\n").await;
        p.expect("PASS").await;
        p.send("332 need account\r\n").await;
        let mut b = [0u8; 64];
        let _ = p.r.read(&mut b).await;
    })
    .await;
    let e = connect_err(&cfg(addr)).await;
    assert_eq!(e.result_class(), ErrorClass::ServerReply);
    assert_eq!(e.reply().unwrap().code.as_u16(), 332);
}

#[tokio::test]
async fn idle_421_is_noticed_at_once() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, _h) = fake(|mut p| async move {
        p.login(&[]).await;
        p.expect("NOOP").await;
        p.send("200 ok\r\n").await;
        rx.await.unwrap();
        // Split in two writes: closed() must keep the first half across a cancellation.
        p.send("421 Timeout").await;
        tokio::task::yield_now().await;
        p.send(".\r\n").await;
        let _ = p.w.shutdown().await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    // The channel task's pattern: select! between the command queue and closed(). Nothing
    // is pending yet, so the timer branch wins and closed() is cancelled.
    tokio::select! {
        e = s.closed() => panic!("closed() resolved on an idle connection: {e}"),
        _ = tokio::time::sleep(Duration::from_millis(50)) => {}
    }
    assert!(s.is_usable());
    s.noop().await.expect("a command after the cancelled wait");
    tx.send(()).unwrap();
    let e = timeout(Duration::from_secs(3), s.closed())
        .await
        .expect("closed() resolves");
    match e {
        FtpError::Closed(Some(r)) => {
            assert_eq!(r.code.as_u16(), 421);
            assert_eq!(r.lines, vec!["Timeout."]);
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        FtpError::Closed(None).result_class(),
        ErrorClass::Connection
    );
    assert!(!s.is_usable());
}

#[tokio::test]
async fn idle_eof_is_noticed() {
    let (addr, _h) = fake(|mut p| async move {
        p.login(&[]).await;
        let _ = p.w.shutdown().await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let e = timeout(Duration::from_secs(3), s.closed()).await.unwrap();
    assert!(matches!(e, FtpError::Closed(None)), "{e}");
    assert_eq!(e.result_class(), ErrorClass::Connection);
}

#[tokio::test]
async fn unsolicited_non_421_reply_is_skipped_by_closed() {
    let (addr, _h) = fake(|mut p| async move {
        p.login(&[]).await;
        p.send("200 just chatting\r\n421 bye\r\n").await;
        let mut b = [0u8; 16];
        let _ = p.r.read(&mut b).await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let e = timeout(Duration::from_secs(3), s.closed()).await.unwrap();
    assert_eq!(e.reply().map(|r| r.code.as_u16()), Some(421), "{e}");
}

#[tokio::test]
async fn crlf_in_a_path_is_refused_before_sending() {
    let (addr, _h) = fake(|mut p| async move {
        p.login(&[]).await;
        // The next command must be the PWD, not a smuggled DELE.
        p.expect("PWD").await;
        p.send("257 \"/\"\r\n").await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let e = s.cwd("a\r\nDELE b").await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::InvalidInput);
    assert!(s.is_usable());
    assert_eq!(s.pwd().await.unwrap(), "/");
}

/// Serves one passive data connection: accepts on `data`, sends `payload`, closes.
async fn serve_data(data: TcpListener, payload: Vec<u8>) {
    let (mut d, _) = data.accept().await.unwrap();
    d.write_all(&payload).await.unwrap();
    d.shutdown().await.unwrap();
}

fn pasv_text(ip: [u8; 4], port: u16) -> String {
    format!(
        "227 Entering Passive Mode ({},{},{},{},{},{})\r\n",
        ip[0],
        ip[1],
        ip[2],
        ip[3],
        port >> 8,
        port & 0xff
    )
}

#[tokio::test]
async fn epsv_refused_falls_back_to_pasv_and_unroutable_pasv_uses_the_peer() {
    let (addr, h) = fake(|mut p| async move {
        p.login(&["MLST type*;size*;modify*;perm*;"]).await;
        for round in 0..2 {
            if round == 0 {
                p.expect("EPSV").await;
                p.send("500 EPSV unknown\r\n").await;
            }
            // Remembered: the second listing goes straight to PASV.
            p.expect("PASV").await;
            let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = data.local_addr().unwrap().port();
            p.send(&pasv_text([0, 0, 0, 0], port)).await;
            p.expect("MLSD").await;
            p.send("150 here\r\n").await;
            serve_data(
                data,
                b"type=cdir;modify=20240101000000;perm=el; .\r\ntype=file;size=7;modify=20240102030405;perm=r; seven.txt\r\n".to_vec(),
            )
            .await;
            p.send("226 done\r\n").await;
        }
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    for _ in 0..2 {
        let v = s.list("").await.expect("list");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].name, "seven.txt");
        assert_eq!(v[0].size, Some(7));
        assert_eq!(v[0].perm, "r--");
        assert_eq!(v[0].modified.unwrap().to_compact(), "20240102030405");
    }
    h.await.unwrap();
}

/// Issue 13.1 (FTP bounce): a server announcing another address in its 227 does not get the
/// module's data connection there; only the port is taken, the address is the control
/// connection's peer. A listener on the announced address (127.0.0.2, same port) must see
/// nothing.
#[tokio::test]
async fn pasv_announcing_another_host_connects_to_the_control_peer_only() {
    let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = data.local_addr().unwrap().port();
    let bounce = TcpListener::bind(("127.0.0.2", port))
        .await
        .expect("a listener on 127.0.0.2 (loopback /8)");
    let (addr, h) = fake(move |mut p| async move {
        p.login(&["MLST type*;size*;modify*;perm*;"]).await;
        p.expect("EPSV").await;
        p.send("500 EPSV unknown\r\n").await;
        p.expect("PASV").await;
        p.send(&pasv_text([127, 0, 0, 2], port)).await;
        p.expect("MLSD").await;
        p.send("150 here\r\n").await;
        let (mut d, from) = timeout(Duration::from_secs(10), data.accept())
            .await
            .expect("the data connection at the control peer")
            .unwrap();
        assert_eq!(from.ip(), p.remote.ip());
        d.write_all(b"type=file;size=3;modify=20240102030405;perm=r; three\r\n")
            .await
            .unwrap();
        d.shutdown().await.unwrap();
        p.send("226 done\r\n").await;
        // Nothing ever connected to the announced address: a connection would be in the
        // accept queue by now (the client connected once, before the listing).
        assert!(
            timeout(Duration::ZERO, bounce.accept()).await.is_err(),
            "the client connected to the address announced in 227"
        );
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let v = s.list("").await.expect("list");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].name, "three");
    h.await.unwrap();
}

#[tokio::test]
async fn mlsd_unsupported_falls_back_to_list_and_garbage_listing_is_unparseable() {
    let (addr, h) = fake(|mut p| async move {
        p.login(&["MLST type*;size*;"]).await;
        p.expect("EPSV").await;
        p.send("502 no\r\n").await;
        p.expect("PASV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        p.send(&pasv_text([127, 0, 0, 1], data.local_addr().unwrap().port())).await;
        p.expect("MLSD").await;
        p.send("500 MLSD not understood\r\n").await;
        drop(data);
        p.expect("PASV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        p.send(&pasv_text([127, 0, 0, 1], data.local_addr().unwrap().port())).await;
        p.expect("LIST").await;
        p.send("150 here\r\n").await;
        serve_data(
            data,
            b"total 8\r\n-rw-r-----   1 owner    42 Jan 05  2021 no group.txt\r\n01-05-21  10:00AM       <DIR>          Win Dir\r\n".to_vec(),
        )
        .await;
        p.send("226 done\r\n").await;
        // Second listing: garbage only.
        p.expect("PASV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        p.send(&pasv_text([127, 0, 0, 1], data.local_addr().unwrap().port())).await;
        p.expect("LIST").await;
        p.send("150 here\r\n").await;
        serve_data(data, b"<html>\r\nnot a listing\r\n".to_vec()).await;
        p.send("226 done\r\n").await;
        // Third: empty.
        p.expect("PASV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        p.send(&pasv_text([127, 0, 0, 1], data.local_addr().unwrap().port())).await;
        p.expect("LIST").await;
        p.send("150 here\r\n").await;
        serve_data(data, b"total 0\r\n".to_vec()).await;
        p.send("226 done\r\n").await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let v = s.list("").await.expect("list");
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0].name.as_str(), v[0].size, v[0].perm.as_str()),
        ("no group.txt", Some(42), "rw-")
    );
    assert_eq!(
        (v[1].name.as_str(), v[1].kind),
        ("Win Dir", ftpmodem_ftp::EntryKind::Dir)
    );
    let e = s.list("").await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::Unparseable, "{e}");
    // The listing was garbage but complete (226 read): the session goes on.
    assert!(s.is_usable());
    assert_eq!(s.list("").await.unwrap(), vec![]);
    h.await.unwrap();
}

#[tokio::test]
async fn retr_refused_after_rest_is_retried_from_the_start_and_discarded() {
    let (addr, h) = fake(|mut p| async move {
        p.login(&["EPSV"]).await;
        p.expect("EPSV").await;
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = first.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("REST 5").await;
        p.send("350 Restarting at 5\r\n").await;
        p.expect("RETR f").await;
        p.send("451 f: Restart not permitted, try again\r\n").await;
        drop(first);
        // The retry: a new data connection and no REST.
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("RETR f").await;
        p.send("150 here (10 bytes)\r\n").await;
        serve_data(data, b"0123456789".to_vec()).await;
        p.send("226 done\r\n").await;
        // A missing file is refused again after the retry, and reported.
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("REST 5").await;
        p.send("350 Restarting at 5\r\n").await;
        p.expect("RETR gone").await;
        p.send("550 gone: No such file\r\n").await;
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("RETR gone").await;
        p.send("550 gone: No such file\r\n").await;
        p.expect("NOOP").await;
        p.send("200 ok\r\n").await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    assert_eq!(download(&mut s, "f", 5, None, false).await, b"56789");
    let err = match s.retrieve("gone", 5, None, false).await {
        Ok(_) => panic!("a missing file was retrieved"),
        Err(e) => e,
    };
    assert!(matches!(err, FtpError::Refused { .. }), "{err:?}");
    s.noop().await.expect("the session is still usable");
    h.await.unwrap();
}

/// How a scripted server treats the end of a ranged download (issue 13.6).
#[derive(Clone, Copy, PartialEq, Debug)]
enum OnAbor {
    /// Like aioftp: ABOR stops the transfer (426, then 226), but a data connection closed
    /// under it before an ABOR ends the whole session.
    Answer,
    /// ABOR arrives and the server hangs up without a reply.
    HangUp,
}

/// Serves `RETR huge.bin` from offset 1,000,000 of an endless stream (`payload` repeated)
/// until ABOR or a broken data connection, handled as `mode` says; then answers `PWD`.
async fn ranged_server(mode: OnAbor) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    fake(move |mut p| async move {
        p.login(&["EPSV", "REST STREAM"]).await;
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("REST 1000000").await;
        p.send("350 Restarting at 1000000\r\n").await;
        p.expect("RETR huge.bin").await;
        p.send("150 Opening BINARY mode data connection\r\n").await;
        let (mut d, _) = data.accept().await.unwrap();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (broken_tx, broken_rx) = tokio::sync::oneshot::channel::<()>();
        let writer = tokio::spawn(async move {
            let block = payload(2_000_000)[1_000_000..].to_vec();
            loop {
                tokio::select! {
                    _ = &mut stop_rx => return,
                    r = d.write_all(&block) => if r.is_err() {
                        let _ = broken_tx.send(());
                        return;
                    },
                }
            }
        });
        tokio::select! {
            biased;
            _ = broken_rx => {
                // The data connection was closed without an ABOR first: drop the session.
                return;
            }
            _ = p.expect("ABOR") => {}
        }
        let _ = stop_tx.send(());
        writer.await.unwrap();
        match mode {
            OnAbor::HangUp => {}
            OnAbor::Answer => {
                p.send("426 Transfer aborted\r\n").await;
                p.send("226 ABOR successful\r\n").await;
                p.expect("PWD").await;
                p.send("257 \"/\" is the current directory\r\n").await;
            }
        }
    })
    .await
}

/// Issue 13.6: a ranged download against a server that ends the session on a bare data
/// close: ABOR comes first, every requested byte arrives, and the session is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranged_download_sends_abor_and_keeps_an_aioftp_like_session() {
    let (addr, h) = ranged_server(OnAbor::Answer).await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let got = download(&mut s, "huge.bin", 1_000_000, Some(70_000), false).await;
    same_bytes(&got, &payload(2_000_000)[1_000_000..1_070_000]);
    assert!(s.is_usable());
    assert_eq!(s.pwd().await.expect("pwd after the ranged download"), "/");
    h.await.unwrap();
}

/// Issue 13.6: a server that drops the session after the requested bytes: the download still
/// ends with every byte and `Ok(0)` (result 0); only the session is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranged_download_completes_when_the_server_then_drops_the_session() {
    let (addr, h) = ranged_server(OnAbor::HangUp).await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let got = download(&mut s, "huge.bin", 1_000_000, Some(70_000), false).await;
    same_bytes(&got, &payload(2_000_000)[1_000_000..1_070_000]);
    assert!(!s.is_usable(), "the session was dropped by the server");
    h.await.unwrap();
}

/// Writes MLSD lines `first..end` on `d`, a batch at a time (the server holds no listing
/// either). `false` when the client closed the connection.
async fn send_mlsd(d: &mut TcpStream, first: u64, end: u64) -> bool {
    let mut batch = String::new();
    for i in first..end {
        batch.push_str(&format!(
            "type=file;size={i};modify=20240102030405;perm=r; f{i}\r\n"
        ));
        if batch.len() > 60_000 || i + 1 == end {
            if d.write_all(batch.as_bytes()).await.is_err() {
                return false;
            }
            batch.clear();
        }
    }
    true
}

/// Issue 13.7: a listing of 1,000,000 entries streams: the first entry reaches the caller
/// while the server still holds back the rest (a client that buffered the whole listing
/// would wait forever here), and every entry arrives, in order. `Session::list`, which
/// collects, stops at its cap with a clear error instead of growing without bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn million_entry_listing_streams() {
    const N: u64 = 1_000_000;
    let (first_seen_tx, first_seen_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, h) = fake(move |mut p| async move {
        p.login(&["EPSV", "MLST type*;size*;modify*;perm*;"]).await;
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("MLSD").await;
        p.send("150 here\r\n").await;
        let (mut d, _) = data.accept().await.unwrap();
        assert!(send_mlsd(&mut d, 0, 1000).await);
        timeout(Duration::from_secs(20), first_seen_rx)
            .await
            .expect("the first entry reached the client before the listing ended")
            .unwrap();
        assert!(send_mlsd(&mut d, 1000, N).await);
        d.shutdown().await.unwrap();
        drop(d);
        p.send("226 done\r\n").await;
        // The collecting API: more than its cap.
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("MLSD").await;
        p.send("150 here\r\n").await;
        let (mut d, _) = data.accept().await.unwrap();
        let cap = ftpmodem_ftp::MAX_COLLECTED as u64;
        // The client stops reading at its cap and closes: the write may fail, that is fine.
        let _ = send_mlsd(&mut d, 0, cap + 10).await;
    })
    .await;
    let mut c = cfg(addr);
    c.reply_timeout = Duration::from_secs(20);
    let mut s = Session::connect(&c).await.unwrap();
    let mut listing = s.list_stream("").await.expect("listing starts");
    let first = listing.next().await.unwrap().expect("a first entry");
    assert_eq!((first.name.as_str(), first.size), ("f0", Some(0)));
    first_seen_tx.send(()).unwrap();
    let mut n = 1u64;
    while let Some(e) = listing.next().await.expect("entry") {
        if n % 99_991 == 0 {
            assert_eq!(e.name, format!("f{n}"));
            assert_eq!(e.size, Some(n));
        }
        n += 1;
    }
    assert_eq!(n, N);
    assert_eq!(listing.count(), N);
    drop(listing);
    assert!(s.is_usable(), "the 226 was read, the session is free");
    let e = s.list("").await.unwrap_err();
    assert!(
        matches!(
            e,
            FtpError::Protocol(ProtocolError::ListingLimit(
                ftpmodem_ftp::list::ListingLimitError::TooManyEntries(_)
            ))
        ),
        "{e:?}"
    );
    assert_eq!(e.result_class(), ErrorClass::Unparseable);
    assert!(!s.is_usable());
    h.await.unwrap();
}

/// Checks that `name`, printed in a `+MFTPLIST` line, keeps the line's framing and reads back.
fn assert_framed(name: &str) {
    use ftpmodem_proto::{ChannelId, Timestamp, Urc};
    let urc = Urc::ListFile {
        id: ChannelId::new(0).unwrap(),
        name: name.to_owned(),
        size: 1,
        modified: Timestamp {
            year: 2024,
            month: 1,
            day: 2,
            hour: 3,
            minute: 4,
            second: 5,
        },
        perm: "r--".to_owned(),
    };
    let line = urc.to_bytes();
    assert!(!line.iter().any(u8::is_ascii_control), "{line:?}");
    assert_eq!(line.iter().filter(|b| **b == b',').count(), 5, "{line:?}");
    assert_eq!(line.iter().filter(|b| **b == b'"').count(), 4, "{line:?}");
    assert_eq!(Urc::parse(&line), Ok(urc));
}

/// Issue 13.2: names with `"`, `,`, CR, NUL, BEL and bytes that are not UTF-8, in MLSD and
/// LIST, and a PWD path with a CR, come out of the client as text (invalid UTF-8 as U+FFFD)
/// and are printed on the AT line without breaking it.
#[tokio::test]
async fn hostile_names_in_mlsd_list_and_pwd_keep_the_at_line_framed() {
    let names: Vec<&[u8]> = vec![
        b"q\"uote.txt",
        b"x\",9999,20200101000000,\"rwx",
        b"cr\rname",
        b"nul\0name",
        b"bel\x07name",
        b"bad\xffname",
    ];
    let want: Vec<String> = names
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let (addr, h) = fake({
        let names: Vec<Vec<u8>> = names.iter().map(|n| n.to_vec()).collect();
        move |mut p| async move {
            p.login(&["EPSV", "MLST type*;size*;modify*;perm*;"]).await;
            for mlsd in [true, false] {
                if !mlsd {
                    // The second listing is LIST: MLSD is refused as unknown this time.
                    p.expect("EPSV").await;
                    let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let port = data.local_addr().unwrap().port();
                    p.send(&format!("229 ok (|||{port}|)\r\n")).await;
                    p.expect("MLSD").await;
                    p.send("500 MLSD not understood\r\n").await;
                }
                p.expect("EPSV").await;
                let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let port = data.local_addr().unwrap().port();
                p.send(&format!("229 ok (|||{port}|)\r\n")).await;
                if mlsd {
                    p.expect("MLSD").await;
                } else {
                    p.expect("LIST").await;
                }
                p.send("150 here\r\n").await;
                let mut body = Vec::new();
                for n in &names {
                    body.extend_from_slice(if mlsd {
                        b"type=file;size=1;modify=20240102030405;perm=r; "
                    } else {
                        b"-r--r--r--   1 u  g    1 Jan 02  2024 "
                    });
                    body.extend_from_slice(n);
                    body.extend_from_slice(b"\r\n");
                }
                serve_data(data, body).await;
                p.send("226 done\r\n").await;
                if mlsd {
                    p.expect("PWD").await;
                    p.w.write_all(b"257 \"/cr\rinj\x07\xff\"\r\n")
                        .await
                        .unwrap();
                }
            }
        }
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let got: Vec<String> = s
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(got, want);
    let pwd = s.pwd().await.unwrap();
    assert_eq!(pwd, "/cr\rinj\u{7}\u{FFFD}");
    // LIST this time.
    let got: Vec<String> = s
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(got, want);
    for n in got.iter().chain([&pwd]) {
        assert_framed(n);
    }
    let line = ftpmodem_proto::Urc::Pwd {
        id: ftpmodem_proto::ChannelId::new(0).unwrap(),
        code: ftpmodem_proto::ResultCode::Success,
        path: Some(pwd),
    }
    .to_bytes();
    assert_eq!(line, "+MFTPPWD: 0,0,\"/cr\\0Dinj\\07\u{FFFD}\"".as_bytes());
    h.await.unwrap();
}

#[tokio::test]
async fn empty_listing_is_an_empty_vec() {
    let (addr, h) = fake(|mut p| async move {
        // A FEAT without MLST: the client goes straight to LIST.
        p.login(&["EPSV"]).await;
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("LIST").await;
        p.send("150 here\r\n").await;
        serve_data(data, b"total 0\r\n".to_vec()).await;
        p.send("226 done\r\n").await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    assert_eq!(s.list("").await.unwrap(), vec![]);
    h.await.unwrap();
}

#[tokio::test]
async fn port_refused_falls_back_to_eprt() {
    let (addr, h) = fake(|mut p| async move {
        p.login(&[]).await;
        let port_cmd = p.expect("PORT 127,0,0,1,").await;
        p.send("502 PORT disabled\r\n").await;
        let eprt = p.expect("EPRT |1|127.0.0.1|").await;
        let port: u16 = eprt
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(port_cmd.len() > 5);
        p.send("200 EPRT ok\r\n").await;
        p.expect("RETR f").await;
        p.send("150 opening (5 bytes)\r\n").await;
        let mut d = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        d.write_all(b"hello").await.unwrap();
        d.shutdown().await.unwrap();
        drop(d);
        p.send("226 ok\r\n").await;
        // Remembered: the next transfer goes straight to EPRT.
        p.expect("EPRT").await;
        p.send("500 no more\r\n").await;
    })
    .await;
    let mut s = Session::connect(&active(cfg(addr))).await.unwrap();
    let mut dl = s.retrieve("f", 0, None, false).await.unwrap();
    assert_eq!(dl.announced_size(), Some(5));
    let mut buf = [0u8; 16];
    let n = dl.next_chunk(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(dl.next_chunk(&mut buf).await.unwrap(), 0);
    drop(dl);
    let e = s.retrieve("g", 0, None, false).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::ServerReply);
    assert!(s.is_usable());
    h.await.unwrap();
}

#[tokio::test]
async fn bound_source_address_is_used_for_control_and_data() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (addr, h) = fake(|mut p| async move {
        let control_peer = p.remote;
        p.login(&["EPSV"]).await;
        p.expect("EPSV").await;
        let data = TcpListener::bind((p.local.ip(), 0)).await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("LIST").await;
        p.send("150 here\r\n").await;
        let (mut d, data_peer) = data.accept().await.unwrap();
        d.shutdown().await.unwrap();
        p.send("226 done\r\n").await;
        tx.send((control_peer, data_peer)).unwrap();
    })
    .await;
    let mut c = cfg(addr);
    // Any 127/8 address is local; 127.0.0.2 differs from what the OS would pick.
    c.bind = Some("127.0.0.2".parse().unwrap());
    let mut s = Session::connect(&c).await.unwrap();
    assert_eq!(s.local_addr().unwrap().ip(), c.bind.unwrap());
    assert_eq!(s.list("").await.unwrap(), vec![]);
    let (control_peer, data_peer) = rx.await.unwrap();
    assert_eq!(control_peer.ip(), c.bind.unwrap());
    assert_eq!(data_peer.ip(), c.bind.unwrap());
    h.await.unwrap();
}

#[tokio::test]
async fn bind_of_the_other_family_fails() {
    let (addr, _h) = fake(|_p| async move {}).await;
    let mut c = cfg(addr);
    c.bind = Some("::1".parse().unwrap());
    let e = connect_err(&c).await;
    assert_eq!(e.result_class(), ErrorClass::Connection, "{e}");
}

async fn vsftpd(opts: VsftpdOptions) -> Vsftpd {
    tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .expect("vsftpd")
}

#[tokio::test]
async fn wrong_password_missing_file_and_refusals_keep_the_session() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let mut c = as_uftp(cfg(server.addr()));
    c.password = "wrong".into();
    // vsftpd and PAM delay a failed login by a few seconds.
    c.reply_timeout = Duration::from_secs(15);
    let e = connect_err(&c).await;
    assert_eq!(e.result_class(), ErrorClass::ServerReply, "{e}");
    assert_eq!(e.reply().unwrap().code.as_u16(), 530);

    let dir = server.fresh_user_dir().unwrap();
    let mut s = Session::connect(&as_uftp(cfg(server.addr())))
        .await
        .unwrap();
    s.cwd(dir.to_str().unwrap()).await.unwrap();
    let e = s.retrieve("missing.bin", 0, None, false).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::ServerReply, "{e}");
    assert_eq!(e.reply().unwrap().code.as_u16(), 550);
    assert!(s.is_usable());
    for e in [
        s.cwd("no such dir").await.unwrap_err(),
        s.delete_any("no such file").await.unwrap_err(),
        s.rename("no such file", "x").await.unwrap_err(),
        s.size("no such file").await.unwrap_err(),
    ] {
        assert_eq!(e.result_class(), ErrorClass::ServerReply, "{e}");
    }
    assert_eq!(s.list("").await.unwrap(), vec![]);
    // Dropping a transfer half way leaves the control connection out of step: the session
    // says so instead of mis-reading replies.
    std::fs::write(dir.join("f.bin"), payload(1 << 20)).unwrap();
    {
        let mut dl = s.retrieve("f.bin", 0, None, false).await.unwrap();
        let mut buf = [0u8; 100];
        assert!(dl.next_chunk(&mut buf).await.unwrap() > 0);
    }
    assert!(!s.is_usable());
    assert!(matches!(s.pwd().await, Err(FtpError::Broken)));
    // An explicit abort keeps it usable.
    let mut s = Session::connect(&as_uftp(cfg(server.addr())))
        .await
        .unwrap();
    s.cwd(dir.to_str().unwrap()).await.unwrap();
    let mut dl = s.retrieve("f.bin", 0, None, false).await.unwrap();
    let mut buf = [0u8; 100];
    assert!(dl.next_chunk(&mut buf).await.unwrap() > 0);
    dl.abort().await.unwrap();
    assert!(s.is_usable());
    assert_eq!(s.size("f.bin").await.unwrap(), 1 << 20);
    s.quit().await.unwrap();
}

#[tokio::test]
async fn server_killed_mid_transfer() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("big.bin"), payload(32 << 20)).unwrap();
    let mut s = Session::connect(&as_uftp(cfg(server.addr())))
        .await
        .unwrap();
    s.cwd(dir.to_str().unwrap()).await.unwrap();
    let mut dl = s.retrieve("big.bin", 0, None, false).await.unwrap();
    let mut buf = vec![0u8; 4096];
    assert!(dl.next_chunk(&mut buf).await.unwrap() > 0);
    server.kill();
    let e = loop {
        match dl.next_chunk(&mut buf).await {
            Ok(0) => panic!("download completed although the server was killed"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    drop(dl);
    assert!(
        matches!(
            e.result_class(),
            ErrorClass::Connection | ErrorClass::Timeout
        ),
        "{e}"
    );
    assert!(!s.is_usable());
}

#[tokio::test]
async fn tls_with_the_wrong_ca_is_a_certificate_error() {
    let certs = Certs::generate().unwrap();
    for opts in [
        VsftpdOptions::explicit_tls(&certs),
        VsftpdOptions::implicit_tls(&certs),
    ] {
        let security = if matches!(opts.tls, ftpmodem_testsrv::Tls::Implicit(_)) {
            Security::Implicit
        } else {
            Security::Explicit
        };
        let server = vsftpd(opts).await;
        let mut c = as_uftp(config(server.addr(), security, Some(&certs)));
        c.tls.roots = RootCerts::Pem(certs.other_ca().cert_pem().as_bytes().to_vec());
        let e = connect_err(&c).await;
        assert_eq!(e.result_class(), ErrorClass::Certificate, "{e}");
        // The right CA, but a name the certificate does not carry.
        let mut c = as_uftp(config(server.addr(), security, Some(&certs)));
        c.tls.sni = Some("wrong.example".into());
        let e = connect_err(&c).await;
        assert_eq!(e.result_class(), ErrorClass::Certificate, "{e}");
        // ignoreverify: the wrong CA is accepted.
        let mut c = as_uftp(config(server.addr(), security, Some(&certs)));
        c.tls.roots = RootCerts::Pem(certs.other_ca().cert_pem().as_bytes().to_vec());
        c.tls.verify = false;
        let mut s = Session::connect(&c).await.expect("ignoreverify");
        assert!(s.list("").await.is_ok());
        s.quit().await.unwrap();
    }
}

#[tokio::test]
async fn mutual_tls_without_a_client_certificate_fails() {
    let certs = Certs::generate().unwrap();
    let mut opts = VsftpdOptions::explicit_tls(&certs);
    opts.require_client_cert = true;
    let server = vsftpd(opts).await;
    let c = as_uftp(config(server.addr(), Security::Explicit, Some(&certs)));
    let e = connect_err(&c).await;
    assert!(
        matches!(
            e.result_class(),
            ErrorClass::Certificate | ErrorClass::Connection
        ),
        "{e}"
    );
}

/// `Upload::closed`: quiet while the server takes the upload, resolved when it gives up
/// (here `552` and the data connection closed), after which `finish` returns the refusal and
/// the session stays usable.
#[tokio::test]
async fn upload_closed_resolves_when_the_server_gives_up() {
    let (go, gone) = tokio::sync::oneshot::channel::<()>();
    let (addr, h) = fake(|mut p| async move {
        p.login(&[]).await;
        p.expect("EPSV").await;
        let data = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = data.local_addr().unwrap().port();
        p.send(&format!("229 ok (|||{port}|)\r\n")).await;
        p.expect("STOR").await;
        p.send("150 go\r\n").await;
        let (mut d, _) = data.accept().await.unwrap();
        let mut got = [0u8; 1000];
        d.read_exact(&mut got).await.unwrap();
        gone.await.unwrap();
        p.send("552 quota exceeded\r\n").await;
        drop(d);
        p.expect("PWD").await;
        p.send("257 \"/\"\r\n").await;
    })
    .await;
    let mut s = Session::connect(&cfg(addr)).await.unwrap();
    let mut up = s.store("f.bin", false, false).await.unwrap();
    up.write_all(&[7u8; 1000]).await.unwrap();
    assert!(
        timeout(Duration::from_millis(300), up.closed())
            .await
            .is_err(),
        "closed() resolved while the server was taking the upload"
    );
    go.send(()).unwrap();
    timeout(Duration::from_secs(10), up.closed())
        .await
        .expect("closed() never saw the server give up");
    let e = up.finish().await.unwrap_err();
    assert!(
        matches!(&e, FtpError::Refused { reply, .. } if reply.code.as_u16() == 552),
        "{e}"
    );
    assert!(s.is_usable());
    assert_eq!(s.pwd().await.unwrap(), "/");
    h.await.unwrap();
}

#[tokio::test]
async fn upload_closed_resolves_when_the_server_is_killed() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let mut s = Session::connect(&as_uftp(cfg(server.addr())))
        .await
        .unwrap();
    s.cwd(dir.to_str().unwrap()).await.unwrap();
    let mut up = s.store("up.bin", false, false).await.unwrap();
    up.write_all(&payload(64 * 1024)).await.unwrap();
    assert!(timeout(Duration::from_millis(300), up.closed())
        .await
        .is_err());
    server.kill();
    timeout(Duration::from_secs(10), up.closed())
        .await
        .expect("closed() never saw the server die");
    let e = up.finish().await.unwrap_err();
    assert!(
        matches!(e.result_class(), ErrorClass::Connection | ErrorClass::Send),
        "{e}"
    );
    assert!(!s.is_usable());
}

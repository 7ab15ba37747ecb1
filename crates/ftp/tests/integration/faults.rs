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

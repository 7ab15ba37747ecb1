//! Every failure class of manual table 5 (and the CME errors 50, 801, 802) produced for real
//! over the AT line, each followed by `AT+MFTPSTATE` and a successful command on the same
//! channel: the module must be usable again after any failure.
//!
//! How each is produced (spec NOTES.md "Errors"):
//! - 4 busy: a command while the fake server sits on the previous one.
//! - 5 timeout: the fake server never answers CWD (rsptimeout 2).
//! - 7 certificate: vsftpd's certificate checked against an unrelated CA (auth 1).
//! - 8 name resolution: `no-such-host.invalid` (RFC 2606: never resolves).
//! - 9 connect timeout: a loopback listener with backlog 0 whose accept queue is full, so the
//!   kernel drops the SYN and the connect hangs until the channel's rsptimeout (2 s).
//! - 10 server error: a wrong password (530), a missing directory and file (550).
//! - 11 connection error: a closed port (refused), and vsftpd killed mid-download.
//! - 12 unparseable reply: the fake server greets with, or answers PWD with, garbage.
//! - 13 send error: the fake server resets the data connection under an upload and hangs up;
//!   vsftpd killed under a `>` prompt upload and under a transparent-mode upload (whose
//!   payload is full of command lines that must not run after the failure).
//! - 14 empty directory, 19 zero-size file: vsftpd.
//! - 16 local storage: a download into a module file system too small for it.
//! - 18 local file: an upload of a local file that does not exist.
//! - 20 PDP inactive: a channel on an undefined cid, and cid 1 taken down under a session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::fake::{FakeFtp, Step};
use at_common::{start, At, ModuleOptions};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::time::{Duration, Instant};

/// Starts a plain vsftpd (blocking start, off the runtime's threads).
async fn vsftpd(opts: VsftpdOptions) -> Vsftpd {
    tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .unwrap()
}

async fn module(label: &str) -> (at_common::Module, At) {
    start(ModuleOptions {
        label: label.into(),
        ..ModuleOptions::default()
    })
    .await
}

fn conn_line(host: &str, port: u16) -> String {
    format!(r#"AT+MFTPCONN=0,"{host}","{USER}","{PASSWORD}",{port}"#)
}

/// The channel works: connected or not (`state` is what `AT+MFTPSTATE` must say now), it
/// ends up logged in to `good`, answers PWD with `pwd`, and disconnects cleanly.
async fn usable_again(at: &mut At, state: u8, good: &Vsftpd, pwd: &str) {
    at.state(0, state).await;
    if state == 0 {
        at.request(&conn_line(&good.host(), good.port()), &["+MFTPCONN: 0,0"])
            .await;
    }
    at.request("AT+MFTPPWD=0", &[&format!("+MFTPPWD: 0,0,\"{pwd}\"")])
        .await;
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.state(0, 0).await;
}

/// Fake-server answers for the usual login; `None` for the commands the test scripts.
fn login_only(_: &str) -> Option<Step> {
    None
}

#[tokio::test]
async fn code_04_busy_then_disc_cancels() {
    let fake = FakeFtp::start(b"220 fake\r\n", |c| {
        c.starts_with("CWD").then_some(Step::Hang)
    })
    .await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("busy").await;
    at.request(
        &conn_line("127.0.0.1", fake.addr().port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    // CWD hangs on the server; the next command is refused at once with result 4.
    at.ok(r#"AT+MFTPCWD=0,"/x""#).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,4"]).await;
    at.request(r#"AT+MFTPMKD=0,"d""#, &["+MFTPMKD: 0,4"]).await;
    at.request(r#"AT+MFTPRETR=0,"f""#, &["+MFTPRETR: 0,4"])
        .await;
    at.request(r#"AT+MFTPSTOR=0,"f",1,2,"ab""#, &["+MFTPSTOR: 0,4,0"])
        .await;
    at.state(0, 1).await;
    // DISC ends the hung command (docs/PROTOCOL.md deviation §3.3).
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_05_reply_timeout() {
    let fake = FakeFtp::start(b"220 fake\r\n", |c| {
        c.starts_with("CWD").then_some(Step::Hang)
    })
    .await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("timeout").await;
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",2"#).await;
    at.request(
        &conn_line("127.0.0.1", fake.addr().port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    let t0 = Instant::now();
    at.request(
        r#"AT+MFTPCWD=0,"/x""#,
        &["+MFTPCWD: 0,5", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(6),
        "timed out after {waited:?}, rsptimeout is 2 s"
    );
    // A PAM login on a loaded machine may take longer than 2 s.
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",10"#).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_07_certificate_does_not_verify() {
    let certs = Certs::generate().unwrap();
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let (_m, mut at) = module("certificate").await;
    at.cert_write("other.pem", certs.other_ca().cert_pem().as_bytes())
        .await;
    at.cert_write("ca.pem", certs.ca().cert_pem().as_bytes())
        .await;
    at.ok(r#"AT+MSSLCFG="cert",0,"other.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,7"],
    )
    .await;
    at.state(0, 0).await;
    // The same channel with the right CA logs in.
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    usable_again(&mut at, 0, &server, "/home/uftp").await;
}

#[tokio::test]
async fn code_08_name_does_not_resolve() {
    let good = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("resolve").await;
    at.request(&conn_line("no-such-host.invalid", 21), &["+MFTPCONN: 0,8"])
        .await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_09_connect_timeout() {
    let good = vsftpd(VsftpdOptions::plain()).await;
    // A listener nobody accepts from, with an accept queue of one: once it holds a
    // connection, the kernel drops further SYNs and connects hang.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = sock.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    let mut full = false;
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(e)) => panic!("filling the accept queue: {e}"),
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    assert!(
        full,
        "the accept queue never filled; cannot produce a connect timeout"
    );
    let (_m, mut at) = module("connect timeout").await;
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",2"#).await;
    let t0 = Instant::now();
    at.request(&conn_line("127.0.0.1", addr.port()), &["+MFTPCONN: 0,9"])
        .await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(6),
        "gave up after {waited:?}, rsptimeout is 2 s"
    );
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",10"#).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
    drop(listener);
}

#[tokio::test]
async fn code_10_server_refuses() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("server error").await;
    at.request(
        &format!(
            r#"AT+MFTPCONN=0,"{}","{USER}","wrong",{}"#,
            server.host(),
            server.port()
        ),
        &["+MFTPCONN: 0,10"],
    )
    .await;
    at.state(0, 0).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    // Refusals keep the session: each is followed by a working command.
    at.request(r#"AT+MFTPCWD=0,"/no/such/dir""#, &["+MFTPCWD: 0,10"])
        .await;
    at.state(0, 1).await;
    at.request(r#"AT+MFTPRETR=0,"/no/such/file""#, &["+MFTPRETR: 0,10"])
        .await;
    at.state(0, 1).await;
    at.request(r#"AT+MFTPDEL=0,"/no/such/file""#, &["+MFTPDEL: 0,10"])
        .await;
    usable_again(&mut at, 1, &server, "/home/uftp").await;
}

#[tokio::test]
async fn code_11_closed_port() {
    let good = vsftpd(VsftpdOptions::plain()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_m, mut at) = module("closed port").await;
    at.request(&conn_line("127.0.0.1", closed), &["+MFTPCONN: 0,11"])
        .await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_11_server_killed_mid_download() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let big = at_common::payload::binary(8 << 20, 11);
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let (_m, mut at) = module("killed").await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    let line = format!(r#"AT+MFTPRETR=0,"{}/big.bin""#, dir.display());
    at.cmd(&line, "\r\nOK\r\n").await;
    // The first chunk proves the transfer runs; then the server dies under it.
    at.expect(b"\r\n+MFTPRETR: 0,0,1024,1024,").await;
    let first = at.read_n(1024).await;
    at.expect(b"\r\n").await;
    assert_eq!(first, big[..1024]);
    server.kill();
    let (got, code) = at.retr_until_result(0, first).await;
    assert_eq!(code, 11, "after {} bytes", got.len());
    assert!(
        got.len() < big.len(),
        "the whole file came although the server died"
    );
    assert_eq!(
        got,
        big[..got.len()],
        "bytes before the failure are the file's"
    );
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_12_unparseable_reply() {
    let good = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("garbage").await;
    // A greeting that is not an FTP reply.
    let http = FakeFtp::start(b"HTTP/1.1 400 Bad Request\r\n\r\n", login_only).await;
    at.request(
        &conn_line("127.0.0.1", http.addr().port()),
        &["+MFTPCONN: 0,12"],
    )
    .await;
    at.state(0, 0).await;
    // A good login, then a reply that is not one.
    let fake = FakeFtp::start(b"220 fake\r\n", |c| {
        c.starts_with("PWD")
            .then(|| Step::Raw(b"\x00\xff garbage without a code\r\n".to_vec()))
    })
    .await;
    at.request(
        &conn_line("127.0.0.1", fake.addr().port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(
        "AT+MFTPPWD=0",
        &["+MFTPPWD: 0,12", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_13_send_error_data_connection_reset() {
    let fake = FakeFtp::start(b"220 fake\r\n", |c| {
        c.starts_with("STOR").then_some(Step::StorThenCrash)
    })
    .await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("send error").await;
    at.request(
        &conn_line("127.0.0.1", fake.addr().port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    // The first packet (eof 0) goes out and is reported; the server then resets the data
    // connection and hangs up, and writing the second packet fails.
    let p1 = at_common::payload::binary(100, 13);
    at.stor_prompt(r#"AT+MFTPSTOR=0,"x.bin",0,100"#, &p1, "+MFTPSTOR: 0,0,100")
        .await;
    tokio::time::timeout(at_common::TIMEOUT, fake.reset_done())
        .await
        .expect("the fake never reset the data connection");
    at.stor_prompt(r#"AT+MFTPSTOR=0,"x.bin",1,100"#, &p1, "+MFTPSTOR: 0,13,100")
        .await;
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_13_send_error_server_killed_mid_upload() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let (_m, mut at) = module("killed upload").await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    let file = format!("{}/up.bin", dir.display());
    let p = at_common::payload::binary(4096, 14);
    at.stor_prompt(
        &format!(r#"AT+MFTPSTOR=0,"{file}",0,4096"#),
        &p,
        "+MFTPSTOR: 0,0,4096",
    )
    .await;
    server.kill();
    // A write into a connection whose peer just died may still be taken by the kernel; the
    // next one meets the reset. Each packet before the failure is reported as sent.
    let mut sent = 4096;
    let report = loop {
        at.cmd(&format!(r#"AT+MFTPSTOR=0,"{file}",0,4096"#), "\r\n>")
            .await;
        at.send(&p).await;
        at.expect(b"\r\nOK\r\n").await;
        let l = at.line().await;
        if l != format!("+MFTPSTOR: 0,0,{}", sent + 4096).as_bytes() {
            break String::from_utf8(l).unwrap();
        }
        sent += 4096;
        assert!(sent < 64 * 4096, "writes to a dead server keep succeeding");
    };
    assert_eq!(report, format!("+MFTPSTOR: 0,13,{sent}"));
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

/// A payload in which every KiB holds command lines a firmware might have in its data (issue
/// 13, finding 5): should any byte of it be read as a command after a failure, `ATI` or
/// `AT+MFPUT` would answer on the line.
fn hostile_payload(n: usize) -> Vec<u8> {
    let lines: &[u8] = b"\rATI\r\rAT+MFPUT=\"/usr/pwned.txt\",5,\"owned\"\r\rAT\r";
    let mut block = lines.to_vec();
    block.extend((0..1024 - lines.len()).map(|i| b'a' + (i % 26) as u8));
    block.iter().copied().cycle().take(n).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_13_transparent_upload_server_killed() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let guard = Duration::from_millis(200);
    let (_m, mut at) = start(ModuleOptions {
        label: "killed transparent".into(),
        engine: ftpmodem_device::engine::EngineConfig {
            guard_time: guard,
            ..Default::default()
        },
        ..ModuleOptions::default()
    })
    .await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    let file = format!("{}/t.bin", dir.display());
    at.cmd(&format!(r#"AT+MFTPSTOR=0,"{file}""#), "\r\nCONNECT\r\n")
        .await;
    let p = hostile_payload(256 * 1024);
    let (first, rest) = p.split_at(p.len() / 2);
    for piece in first.chunks(4096) {
        at.send(piece).await;
    }
    // The transfer runs once the server has the first half on disk (there is no event to
    // wait on: the file's size is polled, within a bound).
    let t0 = Instant::now();
    while std::fs::metadata(&file).map_or(0, |m| m.len()) < first.len() as u64 {
        assert!(
            t0.elapsed() < at_common::TIMEOUT,
            "the upload never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    // Nothing more is written: the failure must be reported because the server died, not
    // because of the next bytes (`line` waits at most at_common::TIMEOUT).
    let report = String::from_utf8(at.line().await).unwrap();
    let (code, sent) = report
        .strip_prefix("+MFTPSTOR: 0,")
        .and_then(|r| r.split_once(','))
        .unwrap_or_else(|| panic!("module sent \"{report}\""));
    assert!(code == "13" || code == "11", "{report}");
    let sent: usize = sent.parse().unwrap();
    assert_eq!(sent, first.len(), "{report}");
    assert_eq!(std::fs::read(&file).unwrap(), first);
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    // The rest of the stream is still transparent-mode data, dropped: had any of its command
    // lines run, their answers would come before the escape's OK.
    for piece in rest.chunks(4096) {
        at.send(piece).await;
    }
    tokio::time::sleep(guard + guard / 2).await;
    at.send(b"+++").await;
    at.expect(b"\r\nOK\r\n").await;
    at.idle().await;
    at.cmd(r#"AT+MFGET="/usr/pwned.txt""#, "\r\n+CME ERROR: 1055\r\n")
        .await;
    let good = vsftpd(VsftpdOptions::plain()).await;
    usable_again(&mut at, 0, &good, "/home/uftp").await;
}

#[tokio::test]
async fn code_14_empty_directory_and_19_zero_size_file() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    std::fs::create_dir(dir.join("empty")).unwrap();
    std::fs::write(dir.join("zero.bin"), b"").unwrap();
    let (_m, mut at) = module("empty").await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, dir.display()),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(r#"AT+MFTPLIST=0,"empty""#, &["+MFTPLIST: 0,14"])
        .await;
    at.state(0, 1).await;
    at.request(r#"AT+MFTPRETR=0,"zero.bin""#, &["+MFTPRETR: 0,19"])
        .await;
    at.await_state(0, 1).await;
    // Into the local file system: also 19, and no file is made.
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(
        &format!(r#"AT+MFTPRETR=0,"{}/zero.bin","/z.bin""#, dir.display()),
        &["+MFTPRETR: 0,19"],
    )
    .await;
    at.await_state(0, 1).await;
    at.cmd(r#"AT+MFGET="/z.bin""#, "\r\n+CME ERROR: 1055\r\n")
        .await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",0"#).await;
    usable_again(&mut at, 0, &server, "/home/uftp").await;
}

#[tokio::test]
async fn code_16_local_fs_full() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let big = at_common::payload::binary(40_000, 16);
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    std::fs::write(dir.join("small.bin"), &big[..1000]).unwrap();
    let (_m, mut at) = start(ModuleOptions {
        label: "fs full".into(),
        capacity: 16 * 1024,
        ..ModuleOptions::default()
    })
    .await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(
        &format!(r#"AT+MFTPRETR=0,"{}/big.bin","/big.bin""#, dir.display()),
        &["+MFTPRETR: 0,16"],
    )
    .await;
    at.await_state(0, 1).await;
    // Nothing half-written is left, and a file that fits still downloads on the session.
    at.cmd(r#"AT+MFGET="/big.bin""#, "\r\n+CME ERROR: 1055\r\n")
        .await;
    at.request(
        &format!(
            r#"AT+MFTPRETR=0,"{}/small.bin","/small.bin""#,
            dir.display()
        ),
        &["+MFTPRETR: 0,0,1000,1000"],
    )
    .await;
    at.await_state(0, 1).await;
    assert_eq!(at.mfget("/small.bin", 1000).await, big[..1000]);
    usable_again(&mut at, 1, &server, "/home/uftp").await;
}

#[tokio::test]
async fn code_18_missing_local_file() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let (_m, mut at) = module("missing local").await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, dir.display()),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(
        r#"AT+MFTPSTOR=0,"a.bin","/nope.bin""#,
        &["+MFTPSTOR: 0,18,0"],
    )
    .await;
    at.state(0, 1).await;
    at.request(
        r#"AT+MFTPAPPE=0,"a.bin","/nope.bin""#,
        &["+MFTPAPPE: 0,18,0"],
    )
    .await;
    at.state(0, 1).await;
    assert!(
        !dir.join("a.bin").exists(),
        "a failed upload reached the server"
    );
    // The same command with a file that exists.
    at.mfput("/yes.bin", b"\x00\x1a\xffdata").await;
    at.request(r#"AT+MFTPSTOR=0,"a.bin","/yes.bin""#, &["+MFTPSTOR: 0,0,7"])
        .await;
    at.await_state(0, 1).await;
    assert_eq!(
        std::fs::read(dir.join("a.bin")).unwrap(),
        b"\x00\x1a\xffdata"
    );
    usable_again(&mut at, 1, &server, &dir.display().to_string()).await;
}

#[tokio::test]
async fn code_20_pdp_context_inactive() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("pdp").await;
    // cid 2 is not active at start.
    at.ok(r#"AT+MFTPCFG=0,"cid",2"#).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,20"],
    )
    .await;
    at.state(0, 0).await;
    at.ok("AT+CGACT=1,2").await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    // Taking the context down drops the session.
    at.request("AT+CGACT=0,2", &["+MFTPURC: 0,\"conn\",0"])
        .await;
    at.state(0, 0).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,20"],
    )
    .await;
    at.ok("AT+CGACT=1,2").await;
    usable_again(&mut at, 0, &server, "/home/uftp").await;
}

#[tokio::test]
async fn cme_50_801_802() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let (_m, mut at) = module("cme").await;
    let e50 = "\r\n+CME ERROR: 50\r\n";
    at.cmd(r#"AT+MFTPCFG=0,"rsptimeout",31"#, e50).await;
    at.cmd(r#"AT+MFTPCWD=6,"/""#, e50).await;
    at.cmd(&format!(r#"AT+MFTPCWD=0,"{}""#, "x".repeat(256)), e50)
        .await;
    at.state(0, 0).await;
    at.cmd(r#"AT+MFTPCWD=0,"/""#, "\r\n+CME ERROR: 801\r\n")
        .await;
    at.cmd("AT+MFTPDISC=0", "\r\n+CME ERROR: 801\r\n").await;
    at.state(0, 0).await;
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.cmd(
        &conn_line(&server.host(), server.port()),
        "\r\n+CME ERROR: 802\r\n",
    )
    .await;
    at.cmd(r#"AT+MFTPCFG=0,"transmode",0"#, "\r\n+CME ERROR: 802\r\n")
        .await;
    at.state(0, 1).await;
    // Still connected and working after each refusal.
    usable_again(&mut at, 1, &server, "/home/uftp").await;
    // And the settings can be changed again once disconnected.
    at.ok(r#"AT+MFTPCFG=0,"transmode",0"#).await;
    usable_again(&mut at, 0, &server, "/home/uftp").await;
}

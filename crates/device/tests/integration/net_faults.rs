//! Issue 12's network faults on the AT line: each armed through the shared handle
//! ([`NetFaults`]) of a whole module (engine, runtime, channel tasks) talking to a real
//! vsftpd, each giving the result code of manual table 5 that the field gives, and each
//! cleared (or spent) after which the same channel works again.
//!
//! How each is made (crates/device/src/net): a DNS failure at the name lookup (8), a real
//! connect to a closed port (11), a connect that never completes (9 at the rsptimeout), a
//! connection whose bytes stop both ways (5), a real RST after N bytes of a download (11
//! and the URC; the server's socket sees ECONNRESET), a TLS handshake that trusts no root (7),
//! and a token bucket plus delay line per direction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::{start, At, ModuleOptions};
use ftpmodem_device::channel::ChannelOptions;
use ftpmodem_device::net::{FaultState, NetFault, NetFaultKind, NetFaults, Trigger, When};
use ftpmodem_ftp::net::{ConnectTo, DataVerb, Purpose};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn vsftpd(opts: VsftpdOptions) -> Vsftpd {
    tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .unwrap()
}

async fn module(label: &str, faults: &NetFaults) -> (at_common::Module, At) {
    start(ModuleOptions {
        label: label.into(),
        channel: ChannelOptions {
            net_faults: Some(faults.clone()),
            ..ChannelOptions::default()
        },
        ..ModuleOptions::default()
    })
    .await
}

fn conn_line(host: &str, port: u16) -> String {
    format!(r#"AT+MFTPCONN=0,"{host}","{USER}","{PASSWORD}",{port}"#)
}

fn fault(kind: NetFaultKind, when: When) -> NetFault {
    NetFault {
        kind,
        trigger: Trigger {
            when,
            ..Trigger::default()
        },
    }
}

fn state_of(f: &NetFaults, id: ftpmodem_device::net::FaultId) -> FaultState {
    f.armed().iter().find(|a| a.id == id).unwrap().state
}

async fn connect(at: &mut At, host: &str, port: u16) {
    at.request(&conn_line(host, port), &["+MFTPCONN: 0,0"])
        .await;
}

/// Logged in, PWD answers, DISC is clean: the channel is usable.
async fn usable(at: &mut At, host: &str, port: u16) {
    connect(at, host, port).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.state(0, 0).await;
}

#[tokio::test]
async fn dns_failure_is_8_once() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("dns", &faults).await;
    let id = faults
        .arm(fault(NetFaultKind::Dns, When::NextConn))
        .unwrap();
    // A literal is never looked up: the fault waits for a name.
    usable(&mut at, "127.0.0.1", server.port()).await;
    assert_eq!(state_of(&faults, id), FaultState::Waiting);
    at.request(&conn_line("localhost", server.port()), &["+MFTPCONN: 0,8"])
        .await;
    at.state(0, 0).await;
    assert_eq!(state_of(&faults, id), FaultState::Spent);
    usable(&mut at, "localhost", server.port()).await;
}

#[tokio::test]
async fn refused_is_11_until_cleared() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("refused", &faults).await;
    let id = faults.arm(fault(NetFaultKind::Refused, When::Now)).unwrap();
    for _ in 0..2 {
        at.request(
            &conn_line(&server.host(), server.port()),
            &["+MFTPCONN: 0,11"],
        )
        .await;
        at.state(0, 0).await;
    }
    assert_eq!(faults.armed()[0].hits, 2);
    assert!(faults.clear(id));
    usable(&mut at, &server.host(), server.port()).await;
}

#[tokio::test]
async fn black_hole_is_9_at_the_rsptimeout() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("black hole", &faults).await;
    faults
        .arm(fault(NetFaultKind::BlackHole, When::NextConn))
        .unwrap();
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",2"#).await;
    let t0 = Instant::now();
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,9"],
    )
    .await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(8),
        "gave up after {waited:?}, rsptimeout is 2 s"
    );
    usable(&mut at, &server.host(), server.port()).await;
}

#[tokio::test]
async fn stalled_server_is_5_and_clearing_restores() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("stall", &faults).await;
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",2"#).await;
    connect(&mut at, &server.host(), server.port()).await;
    // Armed under an open session: its control connection stops at its next byte.
    let id = faults.arm(fault(NetFaultKind::Stall, When::Now)).unwrap();
    let t0 = Instant::now();
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,5", "+MFTPURC: 0,\"conn\",0"])
        .await;
    assert!(t0.elapsed() >= Duration::from_millis(1900));
    at.state(0, 0).await;
    // While the stall lasts, a new session cannot log in either.
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,5"],
    )
    .await;
    assert!(faults.clear(id));
    usable(&mut at, &server.host(), server.port()).await;
}

#[tokio::test]
async fn stall_with_a_duration_lifts_by_itself() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("stall 1s", &faults).await;
    connect(&mut at, &server.host(), server.port()).await;
    let mut f = fault(NetFaultKind::Stall, When::Now);
    f.trigger.duration_ms = Some(1000);
    let id = faults.arm(f).unwrap();
    let t0 = Instant::now();
    // rsptimeout 10 s outlasts the stall: PWD is answered late, not failed.
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(950),
        "answered after {waited:?}"
    );
    assert_eq!(state_of(&faults, id), FaultState::Spent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_stalled_half_way_is_5() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let file = at_common::payload::binary(256 * 1024, 5);
    std::fs::write(dir.join("f.bin"), &file).unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("stall retr", &faults).await;
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",2"#).await;
    connect(&mut at, &server.host(), server.port()).await;
    let mut f = fault(NetFaultKind::Stall, When::NextRetr);
    f.trigger.after_bytes = Some(100_000);
    f.trigger.channel = Some(0);
    faults.arm(f).unwrap();
    let line = format!(r#"AT+MFTPRETR=0,"{}/f.bin""#, dir.display());
    at.cmd(&line, "\r\nOK\r\n").await;
    let (got, code) = at.retr_until_result(0, Vec::new()).await;
    assert_eq!(code, 5, "after {} bytes", got.len());
    assert!(got.len() <= 100_000, "{} bytes passed the stall", got.len());
    assert_eq!(got, file[..got.len()]);
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    // One-shot: the next download runs through.
    connect(&mut at, &server.host(), server.port()).await;
    let whole = at.retr(0, &line, file.len(), 1024).await;
    assert!(whole == file);
    at.await_state(0, 1).await;
}

/// The OTA case: the link is lost at 60 % of the image, the firmware reconnects and resumes
/// from the offset it has, and the image ends up whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_mid_download_is_11_and_resumes_bit_exact() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let image = at_common::payload::binary(500_000, 12);
    std::fs::write(dir.join("fw.bin"), &image).unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("reset", &faults).await;
    connect(&mut at, &server.host(), server.port()).await;
    let cut = image.len() as u64 * 6 / 10;
    let mut f = fault(NetFaultKind::ResetAfter { bytes: cut }, When::NextRetr);
    f.trigger.channel = Some(0);
    let id = faults.arm(f).unwrap();
    let line = format!(r#"AT+MFTPRETR=0,"{}/fw.bin""#, dir.display());
    at.cmd(&line, "\r\nOK\r\n").await;
    let (mut got, code) = at.retr_until_result(0, Vec::new()).await;
    assert_eq!(code, 11, "after {} bytes", got.len());
    assert!(got.len() as u64 <= cut);
    assert!(
        got.len() as u64 > cut / 2,
        "only {} bytes before the reset",
        got.len()
    );
    assert_eq!(got, image[..got.len()]);
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.state(0, 0).await;
    assert_eq!(state_of(&faults, id), FaultState::Spent);
    connect(&mut at, &server.host(), server.port()).await;
    let rest = image.len() - got.len();
    let resume = format!(r#"AT+MFTPRETR=0,"{}/fw.bin",,{}"#, dir.display(), got.len());
    let tail = at.retr(0, &resume, rest, 1024).await;
    at.await_state(0, 1).await;
    got.extend(tail);
    assert!(got == image, "the resumed image differs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_verification_failure_is_7_once() {
    let certs = Certs::generate().unwrap();
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let faults = NetFaults::new();
    let (_m, mut at) = module("tls verify", &faults).await;
    at.cert_write("ca.pem", certs.ca().cert_pem().as_bytes())
        .await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    let id = faults
        .arm(fault(NetFaultKind::TlsVerify, When::NextConn))
        .unwrap();
    at.request(
        &conn_line(&server.host(), server.port()),
        &["+MFTPCONN: 0,7"],
    )
    .await;
    at.state(0, 0).await;
    assert_eq!(state_of(&faults, id), FaultState::Spent);
    // The same CA, the next handshake: verified.
    usable(&mut at, &server.host(), server.port()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shaped_link_is_slow_then_fast_again() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let file = at_common::payload::binary(200_000, 3);
    std::fs::write(dir.join("s.bin"), &file).unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("shape", &faults).await;
    // 800 kbit/s = 100 kB/s down, 100 ms each way.
    let id = faults
        .arm(fault(
            NetFaultKind::Shape {
                down_bps: Some(800_000),
                up_bps: Some(800_000),
                latency_ms: Some(100),
            },
            When::Now,
        ))
        .unwrap();
    connect(&mut at, &server.host(), server.port()).await;
    let t0 = Instant::now();
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    let rtt = t0.elapsed();
    assert!(rtt >= Duration::from_millis(195), "PWD round trip {rtt:?}");
    let line = format!(r#"AT+MFTPRETR=0,"{}/s.bin""#, dir.display());
    let t0 = Instant::now();
    let got = at.retr(0, &line, file.len(), 1024).await;
    at.await_state(0, 1).await;
    let took = t0.elapsed();
    assert!(got == file);
    // 200 kB at 100 kB/s, less the bucket's 20 ms burst: at least 1.9 s.
    assert!(took >= Duration::from_millis(1900), "200 kB in {took:?}");
    assert!(faults.clear(id));
    let t0 = Instant::now();
    let got = at.retr(0, &line, file.len(), 1024).await;
    at.await_state(0, 1).await;
    assert!(got == file);
    let fast = t0.elapsed();
    assert!(fast < took, "unshaped {fast:?}, shaped {took:?}");
}

/// The reset is a real RST: the server's socket sees ECONNRESET, not an orderly close.
#[tokio::test]
async fn reset_reaches_the_server_as_rst() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let faults = NetFaults::new();
    let mut f = fault(NetFaultKind::ResetAfter { bytes: 1000 }, When::NextRetr);
    f.trigger.channel = Some(3);
    faults.arm(f).unwrap();
    let net = faults.network(3);
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        s.write_all(&[7u8; 4000]).await.unwrap();
        let mut buf = [0u8; 16];
        tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
            .await
            .unwrap()
    });
    let mut conn = net
        .connect(ConnectTo {
            host: "127.0.0.1",
            addrs: &[addr],
            bind: None,
            deadline: tokio::time::Instant::now() + Duration::from_secs(10),
            purpose: Purpose::Data(DataVerb::Retr),
        })
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    let err = loop {
        match conn.read(&mut buf).await {
            Ok(0) => panic!("EOF instead of a reset after {}", got.len()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    assert_eq!(got.len(), 1000);
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    let seen = server.await.unwrap();
    assert_eq!(
        seen.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionReset),
        "the server saw an orderly close, not an RST"
    );
}

/// A reset under an upload: the data connection dies under the writer, vsftpd answers the
/// STOR with `426` on the control connection, and the module reports that reply (10, the
/// server's refusal) with the bytes it had sent; the session survives it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_under_an_upload_reports_the_servers_426() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("reset stor", &faults).await;
    connect(&mut at, &server.host(), server.port()).await;
    faults
        .arm(fault(
            NetFaultKind::ResetAfter { bytes: 10_000 },
            When::NextStor,
        ))
        .unwrap();
    let file = format!("{}/up.bin", dir.display());
    let p = at_common::payload::binary(4096, 14);
    let line = format!(r#"AT+MFTPSTOR=0,"{file}",0,4096"#);
    at.stor_prompt(&line, &p, "+MFTPSTOR: 0,0,4096").await;
    at.stor_prompt(&line, &p, "+MFTPSTOR: 0,0,8192").await;
    at.stor_prompt(&line, &p, "+MFTPSTOR: 0,10,8192").await;
    at.state(0, 1).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    // The next upload is not reset: the fault was one-shot.
    at.stor_prompt(&line, &p, "+MFTPSTOR: 0,0,4096").await;
}

/// In active mode the server opens the data connection to the module's listener: the fault
/// layer takes that connection too, so a reset after N bytes is the same 11 and URC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_of_an_active_mode_data_connection_is_11() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let file = at_common::payload::binary(100_000, 21);
    std::fs::write(dir.join("a.bin"), &file).unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("active reset", &faults).await;
    at.ok(r#"AT+MFTPCFG=0,"transmode",0"#).await;
    connect(&mut at, &server.host(), server.port()).await;
    faults
        .arm(fault(
            NetFaultKind::ResetAfter { bytes: 30_000 },
            When::NextRetr,
        ))
        .unwrap();
    let line = format!(r#"AT+MFTPRETR=0,"{}/a.bin""#, dir.display());
    at.cmd(&line, "\r\nOK\r\n").await;
    let (got, code) = at.retr_until_result(0, Vec::new()).await;
    assert_eq!(code, 11, "after {} bytes", got.len());
    assert!(got.len() <= 30_000 && got == file[..got.len()]);
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    connect(&mut at, &server.host(), server.port()).await;
    let whole = at.retr(0, &line, file.len(), 1024).await;
    assert!(whole == file);
}

/// The data connection's TLS handshake (PROT P) meets the fault: 7 and the session lost,
/// though the control connection's certificate verified against the same CA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_verification_failure_on_a_data_connection_is_7() {
    let certs = Certs::generate().unwrap();
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("t.bin"), b"0123456789").unwrap();
    let faults = NetFaults::new();
    let (_m, mut at) = module("tls data", &faults).await;
    at.cert_write("ca.pem", certs.ca().cert_pem().as_bytes())
        .await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    connect(&mut at, &server.host(), server.port()).await;
    let id = faults
        .arm(fault(NetFaultKind::TlsVerify, When::NextRetr))
        .unwrap();
    let line = format!(r#"AT+MFTPRETR=0,"{}/t.bin""#, dir.display());
    at.cmd(&line, "\r\nOK\r\n").await;
    let (got, code) = at.retr_until_result(0, Vec::new()).await;
    assert_eq!((got.len(), code), (0, 7));
    assert_eq!(state_of(&faults, id), FaultState::Spent);
    // A failed handshake leaves the control connection out of step: the session is lost.
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.state(0, 0).await;
    connect(&mut at, &server.host(), server.port()).await;
    assert_eq!(at.retr(0, &line, 10, 1024).await, b"0123456789");
}

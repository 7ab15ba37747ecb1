//! `AT+MREBOOT` on a whole module against a real vsftpd: the reply is `OK`, `REBOOTING`,
//! `+MATREADY`; every session is closed, an idle one with QUIT (the server logs it), one in
//! the middle of a download with QUIT or a close (the kernel's socket table shows no control
//! connection left established); nothing of the old sessions follows `+MATREADY`, and the
//! restarted module serves new sessions (ONEMO-RELATED.md §A.6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;
use crate::channel_common::vsftpd;

use at_common::{start, At, LineKind, ModuleOptions, TIMEOUT};
use ftpmodem_proto::frame::decode::Frame;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::time::Duration;

fn conn_line(id: u8, server: &Vsftpd) -> String {
    format!(
        r#"AT+MFTPCONN={id},"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    )
}

/// Waits until the server's protocol log holds `n` QUITs (the log is the server's own record,
/// written as the commands arrive).
async fn await_quits(server: &Vsftpd, n: usize) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let log = server.log_text();
        if log.matches("\"QUIT\"").count() >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server saw fewer than {n} QUITs:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Established TCP connections (IPv4) with `port` at either end, from the kernel's table.
fn established(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let port_of = |addr: &str| {
        addr.rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok())
    };
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3
                && f[3] == "01"
                && (port_of(f[1]) == Some(port) || port_of(f[2]) == Some(port))
        })
        .count()
}

/// Waits until no connection to the server's control port is established any more.
async fn await_all_closed(port: u16) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while established(port) > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} connections to port {port} are still established",
            established(port)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads past download chunks up to the reboot's `OK` and `REBOOTING`, then `+MATREADY`.
async fn through_the_reboot(at: &mut At) {
    let mut ok = false;
    loop {
        match at.frame().await {
            Frame::Data { .. } => assert!(!ok, "a chunk after the reboot's OK"),
            Frame::Line(l) if l == b"OK" && !ok => ok = true,
            Frame::Line(l) if l == b"REBOOTING" && ok => break,
            f => panic!("unexpected {f:?} before REBOOTING"),
        }
    }
    at.expect(b"\r\n+MATREADY\r\n").await;
}

async fn reboot_closes_every_session(line: LineKind, command: &str) {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let big = at_common::payload::binary(8 << 20, 7);
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let (_m, mut at) = start(ModuleOptions {
        line,
        label: "reboot".into(),
        ..ModuleOptions::default()
    })
    .await;
    // Channel 0 idle and logged in, channel 1 downloading.
    at.request(&conn_line(0, &server), &["+MFTPCONN: 0,0"])
        .await;
    at.request(&conn_line(1, &server), &["+MFTPCONN: 1,0"])
        .await;
    let retr = format!(r#"AT+MFTPRETR=1,"{}/big.bin""#, dir.display());
    at.cmd(&retr, "\r\nOK\r\n").await;
    at.expect(b"\r\n+MFTPRETR: 1,0,1024,1024,").await;
    assert_eq!(at.read_n(1024).await, big[..1024]);
    at.expect(b"\r\n").await;
    assert_eq!(
        established(server.port()),
        4,
        "two sessions, both ends each"
    );

    at.send(format!("{command}\r").as_bytes()).await;
    through_the_reboot(&mut at).await;
    await_quits(&server, 1).await;
    await_all_closed(server.port()).await;

    // Power-on state: echo on, both channels free, nothing of the old sessions on the line.
    at.expect_echoed("ATE0").await;
    at.state(0, 0).await;
    at.state(1, 0).await;
    // A new session on the same channel works against the same server.
    at.request(&conn_line(1, &server), &["+MFTPCONN: 1,0"])
        .await;
    at.request("AT+MFTPPWD=1", &["+MFTPPWD: 1,0,\"/home/uftp\""])
        .await;
    at.request(
        "AT+MFTPDISC=1",
        &["+MFTPDISC: 1,0", "+MFTPURC: 1,\"conn\",0"],
    )
    .await;
    await_quits(&server, 2).await;
    at.idle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mreboot_closes_every_session_on_a_pty() {
    reboot_closes_every_session(LineKind::Pty, "AT+MREBOOT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mreboot_0_closes_every_session_on_a_stream() {
    reboot_closes_every_session(LineKind::Memory, "AT+MREBOOT=0").await;
}

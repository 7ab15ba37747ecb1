//! Issue 13.6 on the AT line: `AT+MFTPRETR=0,"huge.bin",,1000000,70000` (offset and length)
//! prints exactly the 70,000 requested bytes in 1024-byte chunks with running sums, and ends
//! with result 0, against vsftpd and against scripted servers that treat the end of a ranged
//! download as aioftp does (a data connection closed without ABOR ends the session) or drop
//! the session after it (then `+MFTPURC: 0,"conn",0` follows, docs/PROTOCOL.md "Hostile
//! servers").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::cell::{configure, connect, disconnect, CHUNK};
use crate::at_common::payload::binary;
use crate::at_common::target::{Data, Ssl, Target};
use crate::at_common::{start, At, ModuleOptions, TIMEOUT};
use crate::ftp_script::{self, Peer};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;

const OFFSET: usize = 1_000_000;
const LENGTH: usize = 70_000;
const COMMAND: &str = r#"AT+MFTPRETR=0,"huge.bin",,1000000,70000"#;

/// The file: more than the range, so the download stops before its end.
fn huge() -> Vec<u8> {
    binary(OFFSET + 2 * LENGTH, 13)
}

/// Reads the ranged download: `OK`, then 1024-byte chunks (running sums checked) until the
/// 70,000 bytes came, compared with the file's bytes at the offset.
async fn ranged(at: &mut At) {
    let got = at.retr(0, COMMAND, LENGTH, CHUNK).await;
    let want = &huge()[OFFSET..OFFSET + LENGTH];
    assert!(got == want, "the 70,000 bytes at offset 1,000,000 differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranged_download_from_vsftpd_is_exactly_the_range() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("huge.bin"), huge()).unwrap();
    let t = Target::uftp("vsftpd".into(), server.addr(), dir, Ssl::Plain, Data::Epsv);
    let (_module, mut at) = start(ModuleOptions::default()).await;
    configure(&mut at, &t).await;
    connect(&mut at, &t).await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    ranged(&mut at).await;
    // Result 0: no result line, the state back to 1, the session usable.
    at.await_state(0, 1).await;
    at.idle().await;
    at.request(
        "AT+MFTPPWD=0",
        &[&format!(r#"+MFTPPWD: 0,0,"{}""#, t.work_dir)],
    )
    .await;
    disconnect(&mut at).await;
    let log = server.log_text();
    assert!(
        log.contains("REST 1000000") && log.contains("ABOR"),
        "the server saw no REST or no ABOR:\n{log}"
    );
}

/// How the scripted server takes the end of the range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OnAbor {
    /// As aioftp: ABOR is answered (426, then 226) and the session goes on; a data connection
    /// closed before an ABOR would have ended the session.
    Answer,
    /// ABOR arrives and the server hangs up without a word.
    HangUp,
}

/// Serves `RETR huge.bin` from the offset as an endless stream of the file's bytes until ABOR
/// or a broken data connection, then as `mode` says.
async fn ranged_server(mode: OnAbor) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    ftp_script::serve(move |mut p: Peer| async move {
        let rest = p.until("REST").await.expect("REST");
        assert_eq!(rest, "REST 1000000");
        p.send("350 Restarting at 1000000\r\n").await;
        let retr = p.until("RETR").await.expect("RETR");
        assert_eq!(retr, "RETR huge.bin");
        p.send("150 Opening BINARY mode data connection\r\n").await;
        let mut d = p.accept_data().await;
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (broken_tx, broken_rx) = tokio::sync::oneshot::channel::<()>();
        let writer = tokio::spawn(async move {
            let block = huge()[OFFSET..].to_vec();
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
            // A data connection closed without an ABOR first: the session ends (aioftp).
            _ = broken_rx => return,
            cmd = p.command() => assert_eq!(cmd.as_deref(), Some("ABOR")),
        }
        let _ = stop_tx.send(());
        writer.await.unwrap();
        if mode == OnAbor::HangUp {
            return;
        }
        p.send("426 Transfer aborted\r\n").await;
        p.send("226 ABOR successful\r\n").await;
        let _ = p.until("NONE").await;
    })
    .await
}

async fn connect_scripted(at: &mut At, addr: SocketAddr) {
    at.request(
        &format!(r#"AT+MFTPCONN=0,"127.0.0.1","u","p",{}"#, addr.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranged_download_keeps_an_aioftp_like_session() {
    let (addr, server) = ranged_server(OnAbor::Answer).await;
    let (_module, mut at) = start(ModuleOptions::default()).await;
    connect_scripted(&mut at, addr).await;
    ranged(&mut at).await;
    at.await_state(0, 1).await;
    at.idle().await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/\""]).await;
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranged_download_then_a_dropped_session_is_result_0_then_the_urc() {
    let (addr, server) = ranged_server(OnAbor::HangUp).await;
    let (_module, mut at) = start(ModuleOptions::default()).await;
    connect_scripted(&mut at, addr).await;
    ranged(&mut at).await;
    // All bytes and no result line (result 0), then the session's end.
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.state(0, 0).await;
    at.idle().await;
    tokio::time::timeout(TIMEOUT, server)
        .await
        .expect("the server's script ended")
        .unwrap();
}

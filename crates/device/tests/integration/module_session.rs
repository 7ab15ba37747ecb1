//! The whole module (engine, runtime, channel tasks, transport) driven over TCP and over a PTY
//! by a scripted session of a few hundred commands, malformed ones mixed in, compared byte for
//! byte with the answers the manual and docs/PROTOCOL.md prescribe.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, run_tcp, PtyLine};
use ftpmodem_device::{channel, runtime};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const TIMEOUT: Duration = Duration::from_secs(20);

/// (what the host sends, what the module must answer). Echo is off (first entry).
fn table() -> Vec<(Vec<u8>, Vec<u8>)> {
    let ok = b"\r\nOK\r\n".to_vec();
    let e50 = b"\r\n+CME ERROR: 50\r\n".to_vec();
    let e801 = b"\r\n+CME ERROR: 801\r\n".to_vec();
    let err = b"\r\nERROR\r\n".to_vec();
    let t = |s: &str| s.as_bytes().to_vec();
    vec![
        (t("AT\r"), ok.clone()),
        (t("at\r"), ok.clone()),
        (t("AT+MFTPCFG=0,\"ssl\",0,0\r"), ok.clone()),
        (
            t("AT+MFTPCFG=0,\"ssl\"\r"),
            t("\r\n+MFTPCFG: 0,\"ssl\",0,0\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFTPCFG=1,\"data_type\"\r"),
            t("\r\n+MFTPCFG: 1,\"data_type\",0\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFTPCFG=5,\"cid\"\r"),
            t("\r\n+MFTPCFG: 5,\"cid\",1\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFTPDISC=?\r"),
            t("\r\n+MFTPDISC: (0-5)\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFTPSTATE=3\r"),
            t("\r\n+MFTPSTATE: 3,0\r\n\r\nOK\r\n"),
        ),
        (t("AT+MFTPCWD=0,\"/home/uftp/test\"\r"), e801.clone()),
        (t("AT+MFTPRETR=0,\"test1.txt\",,5\r"), e801.clone()),
        (t("AT+MFTPCFG=6\r"), e50.clone()),
        (t("AT+MFTPCFG=0,\"rsptimeout\",31\r"), e50.clone()),
        (t("AT+MFTPCFG=0,\"nokey\",1\r"), e50.clone()),
        (t("AT+MFTPCWD=0,\"unterminated\r"), e50.clone()),
        (
            format!("AT+MFTPCWD=0,\"{}\"\r", "x".repeat(256)).into_bytes(),
            e50.clone(),
        ),
        (t("AT+MFTPSTOR=0,\"f\",1,5,\"1234\"\r"), e50.clone()),
        (t("AT+NOSUCH\r"), err.clone()),
        (
            format!("AT{}\r", "A".repeat(10_000)).into_bytes(),
            err.clone(),
        ),
        (b"\x00\x01\xfe\xff random noise \x1b\r".to_vec(), Vec::new()),
        (b"\r\n".to_vec(), Vec::new()),
        (
            t("AT+MFPUT=\"/usr/s.txt\",3,\"abc\"\r"),
            t("\r\n+MFPUT: 3\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFGET=\"/usr/s.txt\"\r"),
            t("\r\n+MFGET: 3,abc\r\n\r\nOK\r\n"),
        ),
        (
            t("AT+MFSIZE=\"/usr/nope\"\r"),
            t("\r\n+CME ERROR: 1050\r\n"),
        ),
        (t("AT+CMEE?\r"), t("\r\n+CMEE: 1\r\n\r\nOK\r\n")),
        (t("AT+CGACT?\r"), t("\r\n+CGACT: 1,1\r\n\r\nOK\r\n")),
    ]
}

/// A deterministic mix of the table: echo off, then 300 commands, each with its answer.
fn script() -> Vec<(Vec<u8>, Vec<u8>)> {
    let table = table();
    let mut steps = vec![(b"ATE0\r".to_vec(), b"ATE0\r\r\nOK\r\n".to_vec())];
    let mut x: u32 = 12345;
    for _ in 0..300 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        steps.push(table[(x >> 16) as usize % table.len()].clone());
    }
    steps
}

struct Module {
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Module {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn start_module() -> (Module, ftpmodem_device::transport::LineEnds) {
    let dir = tempfile::TempDir::new().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), 1 << 20).unwrap();
    let engine = Engine::new(
        EngineConfig::default(),
        fs.clone(),
        std::time::Instant::now(),
    );
    let (line, module_ends) = line_channel(runtime::LINE_QUEUE);
    let shutdown = CancellationToken::new();
    let spawner = move |id, events| channel::spawn(id, fs.clone(), events);
    tokio::spawn(runtime::run(engine, module_ends, spawner, shutdown.clone()));
    (
        Module {
            shutdown,
            _dir: dir,
        },
        line,
    )
}

async fn read_exact_bytes<R: AsyncRead + Unpin>(r: &mut R, n: usize) -> Vec<u8> {
    let mut got = vec![0u8; n];
    tokio::time::timeout(TIMEOUT, r.read_exact(&mut got))
        .await
        .expect("module too slow")
        .unwrap();
    got
}

/// The line shows `+MATREADY` first (a PTY keeps what the module wrote before anyone opened
/// it; the first TCP client reads the power-up batch the transport kept for it).
async fn run_script<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) {
    let got = read_exact_bytes(&mut s, b"\r\n+MATREADY\r\n".len()).await;
    assert_eq!(got, b"\r\n+MATREADY\r\n");
    // One command at a time, as firmware does: send, read its whole answer, compare.
    for (n, (send, want)) in script().iter().enumerate() {
        s.write_all(send).await.unwrap();
        let got = read_exact_bytes(&mut s, want.len()).await;
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "step {n}: {:?}",
            String::from_utf8_lossy(&send[..send.len().min(60)])
        );
    }
    // Nothing more than prescribed was sent: a final AT gets exactly OK next.
    s.write_all(b"AT\r").await.unwrap();
    assert_eq!(read_exact_bytes(&mut s, 6).await, b"\r\nOK\r\n");
}

#[tokio::test]
async fn scripted_session_over_tcp_is_byte_exact() {
    let (_module, line) = start_module();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    tokio::spawn(run_tcp(listener, line, shutdown.clone()));
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    run_script(stream).await;
    shutdown.cancel();
}

#[tokio::test]
async fn scripted_session_over_a_pty_is_byte_exact() {
    let (_module, line) = start_module();
    let dir = tempfile::TempDir::new().unwrap();
    let link = dir.path().join("ttyML");
    let pty = PtyLine::create(&link).unwrap();
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(pty.serve(line, shutdown.clone()));
    let tty = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&link)
        .await
        .unwrap();
    run_script(tty).await;
    shutdown.cancel();
    tokio::time::timeout(TIMEOUT, serving)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!link.exists());
}

//! Issue 13: `AT+MFTPLIST` streams its entries to the AT line as the server sends them. A
//! scripted server ([`crate::ftp_script`]) sends 1,000,000 MLSD lines: the first entry reaches
//! the line while the server still holds back the rest, a line nobody reads stops the server
//! (the module holds no whole listing: what it can hold is bounded by its queues and the
//! sockets' buffers), and all the entries arrive in order. A listing cut after some entries
//! ends with its result code after them (docs/PROTOCOL.md, §3.7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::{start, At, Module, ModuleOptions, TIMEOUT};
use crate::ftp_script::{self, reset_close, Peer};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// How the scripted listing ends once the test lets it go on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// Every line, then `226`.
    Complete,
    /// The data connection closed, then `451` (a refusal in the final reply).
    Refused,
    /// The data connection reset (RST) under the listing.
    Reset,
}

/// One MLSD line of the scripted listing.
fn mlsd_line(i: u64) -> String {
    format!("type=file;size={i};modify=20240102030405;perm=r; f{i}\r\n")
}

/// The `+MFTPLIST` line the module prints for it.
fn entry(i: u64) -> Vec<u8> {
    format!("+MFTPLIST: 0,0,\"f{i}\",{i},20240102030405,\"r--\"").into_bytes()
}

/// Writes lines `first..end` in batches of about 60 KB; adds the bytes to `sent` after each
/// write. `false` when the client closed.
async fn send_lines(d: &mut TcpStream, first: u64, end: u64, sent: &AtomicU64) -> bool {
    let mut batch = String::new();
    for i in first..end {
        batch.push_str(&mlsd_line(i));
        if batch.len() > 60_000 || i + 1 == end {
            if d.write_all(batch.as_bytes()).await.is_err() {
                return false;
            }
            sent.fetch_add(batch.len() as u64, Ordering::SeqCst);
            batch.clear();
        }
    }
    true
}

/// The scripted server of a listing of `n` entries: it sends the first `hold` lines, waits
/// for the test's go, sends the rest and ends as `end` says; then serves on (PWD) until QUIT.
struct ListServer {
    addr: SocketAddr,
    /// Bytes of listing written to the data connection so far.
    sent: Arc<AtomicU64>,
    go: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl ListServer {
    async fn start(n: u64, hold: u64, end: End) -> ListServer {
        let sent = Arc::new(AtomicU64::new(0));
        let (go, go_rx) = oneshot::channel::<()>();
        let counter = sent.clone();
        let (addr, task) = ftp_script::serve(move |mut p: Peer| async move {
            p.until("MLSD").await.expect("MLSD");
            p.send("150 here it comes\r\n").await;
            let mut d = p.accept_data().await;
            assert!(send_lines(&mut d, 0, hold, &counter).await);
            tokio::time::timeout(2 * TIMEOUT, go_rx)
                .await
                .expect("the test's go")
                .unwrap();
            assert!(send_lines(&mut d, hold, n, &counter).await);
            match end {
                End::Complete => {
                    d.shutdown().await.unwrap();
                    drop(d);
                    p.send("226 done\r\n").await;
                }
                End::Refused => {
                    d.shutdown().await.unwrap();
                    drop(d);
                    p.send("451 local error in processing\r\n").await;
                }
                End::Reset => reset_close(d),
            }
            // PWD and QUIT get their standard answers.
            let _ = p.until("NONE").await;
        })
        .await;
        ListServer {
            addr,
            sent,
            go: Some(go),
            task,
        }
    }

    fn go(&mut self) {
        self.go.take().unwrap().send(()).unwrap();
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

impl Drop for ListServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn connect(at: &mut At, addr: SocketAddr) {
    at.request(
        &format!(r#"AT+MFTPCONN=0,"127.0.0.1","u","p",{}"#, addr.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
}

/// The next line must be `want`.
async fn expect_line(at: &mut At, want: &[u8], what: &str) {
    let got = at.line().await;
    assert!(
        got == want,
        "{what}: got \"{}\", expected \"{}\"",
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(want)
    );
}

/// The session is still there and free: `AT+MFTPPWD` is answered by the server.
async fn session_usable(at: &mut At) {
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/\""]).await;
    at.state(0, 1).await;
}

/// Waits until `sent` stops growing (1.5 s without progress) and returns it; fails if it
/// reaches `total`, the whole listing written while nobody read the line.
async fn stalled_at(server: &ListServer, total: u64) -> u64 {
    let deadline = tokio::time::Instant::now() + 4 * TIMEOUT;
    let mut last = server.sent();
    let mut since = tokio::time::Instant::now();
    loop {
        // Polling a counter: the event waited for is the absence of progress.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = server.sent();
        assert!(
            now < total,
            "the server wrote the whole listing ({total} bytes) while nobody read the AT line"
        );
        if now != last {
            last = now;
            since = tokio::time::Instant::now();
        } else if since.elapsed() >= Duration::from_millis(1500) {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never stopped"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_entries_stream_to_the_at_line_in_order_with_bounded_memory() {
    const N: u64 = 1_000_000;
    const HOLD: u64 = 1000;
    let total: u64 = (0..N).map(|i| mlsd_line(i).len() as u64).sum();
    let mut server = ListServer::start(N, HOLD, End::Complete).await;
    let (_module, mut at) = start(ModuleOptions::default()).await;
    connect(&mut at, server.addr).await;
    at.cmd(r#"AT+MFTPLIST=0,"/big""#, "\r\nOK\r\n").await;

    // The first entry arrives while the server holds back all but its first lines.
    expect_line(&mut at, &entry(0), "entry 0").await;
    let before = server.sent();
    assert!(
        before < total / 100,
        "the server had sent {before} of {total} bytes"
    );
    server.go();

    // Nobody reads the line: the module stops taking the listing, so the server stops.
    let stalled = stalled_at(&server, total).await;
    // What can be held: the sockets' buffers, the module's queues and the test's own line
    // buffers, a few MiB (about 4 MB measured on loopback), far less than the listing.
    assert!(
        stalled < total / 2,
        "{stalled} of {total} bytes of the listing left the server while the line was not read"
    );
    eprintln!(
        "listing: {total} bytes; the server stalled at {stalled} while the line was not read"
    );

    // Reading again: every entry, in order, then nothing else.
    for i in 1..N {
        let got = at.line().await;
        if got != entry(i) {
            panic!(
                "entry {i}: got \"{}\", expected \"{}\"",
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&entry(i))
            );
        }
    }
    assert_eq!(server.sent(), total);
    at.await_state(0, 1).await;
    at.idle().await;
    session_usable(&mut at).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_listing_is_14() {
    let mut server = ListServer::start(0, 0, End::Complete).await;
    let (_module, mut at) = start(ModuleOptions::default()).await;
    connect(&mut at, server.addr).await;
    at.cmd(r#"AT+MFTPLIST=0,"/empty""#, "\r\nOK\r\n").await;
    server.go();
    at.urcs(&["+MFTPLIST: 0,14"]).await;
    at.await_state(0, 1).await;
    session_usable(&mut at).await;
}

/// Three entries, then the listing fails as `end` says: the three are printed (the last one
/// only once the failure came), then the failure's result code.
async fn cut_after_three(end: End) -> (Module, At, ListServer) {
    let mut server = ListServer::start(3, 3, end).await;
    let (module, mut at) = start(ModuleOptions::default()).await;
    connect(&mut at, server.addr).await;
    at.cmd(r#"AT+MFTPLIST=0,"/cut""#, "\r\nOK\r\n").await;
    // Entry 1 is printed once entry 2 arrived: the module has all three lines now.
    expect_line(&mut at, &entry(0), "entry 0").await;
    expect_line(&mut at, &entry(1), "entry 1").await;
    server.go();
    expect_line(&mut at, &entry(2), "entry 2").await;
    (module, at, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_refused_after_entries_ends_with_10_and_keeps_the_session() {
    let (_module, mut at, _server) = cut_after_three(End::Refused).await;
    at.urcs(&["+MFTPLIST: 0,10"]).await;
    at.await_state(0, 1).await;
    session_usable(&mut at).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_reset_after_entries_ends_with_11_and_the_session() {
    let (_module, mut at, _server) = cut_after_three(End::Reset).await;
    at.urcs(&["+MFTPLIST: 0,11", "+MFTPURC: 0,\"conn\",0"])
        .await;
    at.state(0, 0).await;
    at.idle().await;
}

//! A host that dies in the middle of a command (a program killed, a Ctrl+C without clean-up)
//! leaves the module busy: a download still printing `+MFTPRETR` chunks, a listing still
//! printing entries. The next host on the same line must get its commands through within their
//! time-outs, whatever the line holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{ch, payload, Module, Tap};
use ftpmodem_host::{Login, Modem, Options, Range, UploadMode};
use ftpmodem_proto::ChannelState;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::AsyncWrite;
use tokio::sync::oneshot;
use tokio::time::timeout;

/// What the next host may take for one call: a command's and a report's time-out, with room.
const NEXT: Duration = Duration::from_secs(20);

fn login(server: &Vsftpd) -> Login {
    Login::new(server.host())
        .port(server.port())
        .user("uftp")
        .password("12341")
}

/// Short time-outs, so that a wait without a deadline shows as a hang, not as a slow test.
fn opts() -> Options {
    Options {
        command_timeout: Duration::from_secs(5),
        report_timeout: Duration::from_secs(10),
        ..Options::default()
    }
}

/// Starts a download of `file` on channel 0 of a fresh host and abandons the host (the call,
/// the driver and the line) once `at` bytes have arrived.
async fn abandon_download(m: &Module, server: &Vsftpd, dir: &str, file: &str, at: usize) {
    let modem = m.host_with(opts()).await;
    let c = modem.channel(ch(0));
    c.connect(&login(server)).await.unwrap();
    c.cwd(dir).await.unwrap();
    let (fire, fired) = oneshot::channel();
    let call = {
        let c = c.clone();
        let file = file.to_string();
        tokio::spawn(async move {
            let mut tap = Tap {
                seen: 0,
                at,
                fire: Some(fire),
            };
            let _ = c.retrieve(&file, &mut tap, Range::all()).await;
        })
    };
    timeout(NEXT, fired).await.unwrap().unwrap();
    call.abort();
    let _ = call.await;
    drop(c);
    drop(modem);
}

/// The next host: the channel found busy is disconnected, then works again.
async fn next_host_works(m: &Module, server: &Vsftpd, dir: &str) -> Modem {
    let modem = m.host_with(opts()).await;
    let c = modem.channel(ch(0));
    let st = timeout(NEXT, c.state()).await.expect("AT+MFTPSTATE hung");
    eprintln!("channel 0 found {st:?}");
    timeout(NEXT, c.disconnect())
        .await
        .expect("AT+MFTPDISC hung")
        .unwrap();
    assert_eq!(
        timeout(NEXT, c.state()).await.unwrap().unwrap(),
        ChannelState::Disconnected
    );
    timeout(NEXT, c.connect(&login(server)))
        .await
        .expect("AT+MFTPCONN hung")
        .unwrap();
    timeout(NEXT, c.cwd(dir)).await.unwrap().unwrap();
    let names: Vec<String> = timeout(NEXT, c.list("."))
        .await
        .expect("AT+MFTPLIST hung")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(names.iter().any(|n| n == "big.bin"), "{names:?}");
    modem
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_abandoning_a_download_leaves_a_line_the_next_host_can_use() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let big = payload(16 << 20, 11);
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let m = Module::start();
    let d = dir.to_str().unwrap();
    for at in [1, 64 << 10, 1 << 20] {
        abandon_download(&m, &server, d, "big.bin", at).await;
        let modem = next_host_works(&m, &server, d).await;
        // And a whole download is right after all that.
        let c = modem.channel(ch(0));
        let mut back = Vec::new();
        timeout(
            Duration::from_secs(120),
            c.retrieve("big.bin", &mut back, Range::all()),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(back == big, "download after the abandoned one differs");
        c.disconnect().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftover_reports_do_not_stall_a_call_that_waits_for_its_command() {
    // A download abandoned while its chunks keep coming; the next host's first channel call
    // is one whose own command is answered only after many leftover chunks.
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("big.bin"), payload(16 << 20, 12)).unwrap();
    std::fs::write(dir.join("small.bin"), payload(1000, 13)).unwrap();
    let m = Module::start();
    let d = dir.to_str().unwrap();
    abandon_download(&m, &server, d, "big.bin", 1).await;
    // No AT+MFTPSTATE first: straight to the disconnect.
    let modem = m.host_with(opts()).await;
    let c = modem.channel(ch(0));
    timeout(NEXT, c.disconnect())
        .await
        .expect("AT+MFTPDISC hung")
        .unwrap();
    c.connect(&login(&server)).await.unwrap();
    c.cwd(d).await.unwrap();
    let mut src: &[u8] = &payload(5000, 14);
    timeout(NEXT, c.store("up.bin", &mut src, UploadMode::Prompt))
        .await
        .unwrap()
        .unwrap();
    c.disconnect().await.unwrap();
}

/// A writer that never takes anything: a caller stuck on its own output. It says when it is
/// first asked to write.
struct Stuck(Option<oneshot::Sender<()>>);

impl AsyncWrite for Stuck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(f) = self.0.take() {
            let _ = f.send(());
        }
        Poll::Pending
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Pending
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Pending
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_takes_no_reports_holds_the_line_only_until_its_deadline() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("big.bin"), payload(16 << 20, 15)).unwrap();
    let m = Module::start();
    let d = dir.to_str().unwrap();
    let stall = Duration::from_secs(2);
    let modem = m
        .host_with(Options {
            report_timeout: stall,
            route_queue: 4,
            ..opts()
        })
        .await;
    let c = modem.channel(ch(0));
    c.connect(&login(&server)).await.unwrap();
    c.cwd(d).await.unwrap();
    let (fire, stuck) = oneshot::channel();
    let call = {
        let c = c.clone();
        tokio::spawn(async move {
            c.retrieve("big.bin", &mut Stuck(Some(fire)), Range::all())
                .await
        })
    };
    // Once the call is stuck on its first chunk, the download fills the call's queue and the
    // driver holds the next chunk, reading no further; a command is answered once the driver
    // has given up on the call.
    timeout(NEXT, stuck).await.unwrap().unwrap();
    let t = std::time::Instant::now();
    timeout(NEXT, modem.ping())
        .await
        .expect("AT hung behind a stuck call")
        .unwrap();
    eprintln!("AT answered after {:?}", t.elapsed());
    assert!(t.elapsed() >= stall / 2, "the call's queue never filled");
    assert!(!call.is_finished(), "the stuck call ended by itself");
    call.abort();
    let _ = call.await;
    timeout(NEXT, c.disconnect()).await.unwrap().unwrap();
    c.connect(&login(&server)).await.unwrap();
    c.cwd(d).await.unwrap();
    let n = timeout(NEXT, c.list(".")).await.unwrap().unwrap().len();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_caller_gets_every_byte() {
    // Flow control, not loss: a caller slower than the line, with a queue of one report.
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let data = payload(2 << 20, 16);
    std::fs::write(dir.join("big.bin"), &data).unwrap();
    let m = Module::start();
    let modem = m
        .host_with(Options {
            route_queue: 1,
            ..opts()
        })
        .await;
    let c = modem.channel(ch(1));
    c.connect(&login(&server)).await.unwrap();
    c.cwd(dir.to_str().unwrap()).await.unwrap();
    let mut w = Slow {
        inner: Vec::new(),
        tick: None,
    };
    timeout(
        Duration::from_secs(120),
        c.retrieve("big.bin", &mut w, Range::all()),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(w.inner == data, "slow download differs");
    timeout(NEXT, modem.ping()).await.unwrap().unwrap();
}

/// A writer that takes each write only after a millisecond.
struct Slow {
    inner: Vec<u8>,
    tick: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AsyncWrite for Slow {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        b: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let tick = self
            .tick
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(1))));
        if tick.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.tick = None;
        self.inner.extend_from_slice(b);
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

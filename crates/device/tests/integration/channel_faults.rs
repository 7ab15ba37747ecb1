//! Channel tasks when things go wrong: the server dies mid-transfer, closes an idle session,
//! AT+MFTPDISC or a PDP context going down while a download is stalled by a slow line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::channel_common;

use channel_common::*;
use ftpmodem_device::engine::{ChannelEvent, ChannelRequest};
use ftpmodem_proto::{ChannelState, ResultCode, SimpleOp, Urc};
use ftpmodem_testsrv::{FtpServer, Unftp, UnftpOptions, VsftpdOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// Big enough that loopback socket buffers cannot hold it all.
const BIG: usize = 32 << 20;

fn big_file(path: &Path) {
    let block = payload(1 << 20);
    let mut data = Vec::with_capacity(BIG);
    while data.len() < BIG {
        data.extend_from_slice(&block);
    }
    put(path, &data);
}

/// Reads chunk reports (checking that their sums run on from `sum`) until another event
/// comes; returns it.
async fn skip_chunks(h: &mut Harness, mut sum: u64) -> ChannelEvent {
    loop {
        match h.next().await {
            ChannelEvent::Report {
                urc: Urc::RetrData { sum: s, data, .. },
                done: false,
            } => {
                assert_eq!(s, sum + data.len() as u64);
                sum = s;
            }
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_download_is_11_then_disconnect() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    big_file(&dir.join("big.bin"));
    let mut h = Harness::with(1 << 20, 8);
    h.connect(uftp(server.addr())).await;
    h.send(retr(&s(&dir.join("big.bin")), 0, None, 65536)).await;
    h.expect_state(ChannelState::Downloading).await;
    // The transfer is under way (and stalled by the full event queue) when the server dies.
    let ChannelEvent::Report {
        urc: Urc::RetrData { sum, .. },
        done: false,
    } = h.next().await
    else {
        panic!("no chunk");
    };
    assert_eq!(sum, 65536);
    tokio::task::block_in_place(|| server.kill());
    let ev = skip_chunks(&mut h, sum).await;
    assert_eq!(
        ev,
        ChannelEvent::Report {
            urc: retr_result(ResultCode::NetworkError),
            done: false
        }
    );
    h.expect_lost().await;
    // The next command finds no session.
    h.simple(
        ChannelRequest::Pwd,
        Urc::Pwd {
            id: id(),
            code: ResultCode::NetworkError,
            path: None,
        },
    )
    .await;
}

#[tokio::test]
async fn idle_timeout_421_is_reported_at_once() {
    let mut opts = VsftpdOptions::plain();
    opts.extra_config
        .push(("idle_session_timeout".into(), "1".into()));
    let server = vsftpd(opts).await;
    let mut h = Harness::new();
    let t0 = Instant::now();
    h.connect(uftp(server.addr())).await;
    // No request is sent: the task notices the 421 by itself.
    h.expect_lost().await;
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert!(server.log_text().contains("421"), "{}", server.log_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_closing_an_idle_session_is_reported() {
    let mut server = Unftp::start(UnftpOptions::plain()).await.expect("unftp");
    let mut h = Harness::new();
    h.connect(request(server.addr())).await;
    h.simple(
        ChannelRequest::Mkd("d".into()),
        ftpmodem_proto::Urc::Result {
            op: SimpleOp::Mkd,
            id: id(),
            code: ResultCode::Success,
        },
    )
    .await;
    server.kill();
    h.expect_lost().await;
}

/// A download stalled by a line that does not read (the event queue is full) is stopped by
/// `stop`: the chunks already queued come out, then what the stop reports, promptly.
async fn stop_stalled_download(stop: ChannelRequest) -> (Harness, ftpmodem_testsrv::Vsftpd) {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    big_file(&dir.join("big.bin"));
    let mut h = Harness::with(1 << 20, 4);
    h.connect(uftp(server.addr())).await;
    h.send(retr(&s(&dir.join("big.bin")), 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    let t0 = Instant::now();
    h.send(stop).await;
    let first = skip_chunks(&mut h, 0).await;
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    h.rx_put_back(first);
    (h, server)
}

#[tokio::test]
async fn disconnect_cancels_a_stalled_download() {
    let (mut h, _server) = stop_stalled_download(ChannelRequest::Disconnect).await;
    h.expect_disconnect_sequence().await;
    h.expect_quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn pdp_down_cancels_a_stalled_download() {
    let (mut h, server) = stop_stalled_download(ChannelRequest::PdpDown).await;
    h.expect_lost().await;
    h.expect_quiet(Duration::from_millis(200)).await;
    // No QUIT was sent: the network is gone.
    assert!(!server.log_text().contains("\"QUIT\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_stream_upload_reports_at_once() {
    let mut server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    let mut h = Harness::new();
    h.connect(uftp(server.addr())).await;
    h.send(ChannelRequest::UploadStreamBegin {
        op: ftpmodem_proto::UploadOp::Stor,
        file: s(&dir.join("up.bin")),
    })
    .await;
    h.expect_state(ChannelState::Uploading).await;
    let piece = payload(64 * 1024);
    h.send(ChannelRequest::UploadStreamData(piece.clone()))
        .await;
    tokio::task::block_in_place(|| server.kill());
    // Keep streaming until the task notices; what it reports comes at once, before End.
    let mut total = piece.len() as u64;
    let report = loop {
        assert!(total < 1 << 30, "the dead server was never noticed");
        tokio::select! {
            ev = h.rx.recv() => break ev.unwrap().1,
            r = h.tx.send(ChannelRequest::UploadStreamData(piece.clone())) => {
                r.unwrap();
                total += piece.len() as u64;
            }
        }
    };
    let ChannelEvent::Report {
        urc: Urc::Upload { code, sent, .. },
        done: false,
    } = report
    else {
        panic!("unexpected {report:?}");
    };
    assert!(
        code == ResultCode::SendError || code == ResultCode::NetworkError,
        "{code:?}"
    );
    // The task watches the server while it waits for data, so the failure may come before
    // any write fails: every byte handed over may have been accepted.
    assert!(sent <= total, "{sent} of {total}");
    h.expect_lost().await;
    // The rest of the stream is dropped without a word.
    h.send(ChannelRequest::UploadStreamData(piece)).await;
    h.send(ChannelRequest::UploadStreamEnd).await;
    h.expect_quiet(Duration::from_millis(200)).await;
}

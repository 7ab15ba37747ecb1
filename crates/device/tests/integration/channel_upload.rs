//! AT+MFTPSTOR / AT+MFTPAPPE through a channel task against vsftpd: packets (eof 0, 0, 1),
//! a packet for another file while one is open, transparent-mode streams (and one that fails),
//! uploads from the module's file system (and a missing local file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::channel_common;

use channel_common::*;
use ftpmodem_device::engine::ChannelRequest;
use ftpmodem_proto::{ChannelState, ResultCode, SimpleOp, UploadOp};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::path::PathBuf;

async fn setup(h: &mut Harness) -> (Vsftpd, PathBuf) {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    h.connect(uftp(server.addr())).await;
    (server, dir)
}

fn packet(file: &str, append: bool, data: &[u8], eof: bool) -> ChannelRequest {
    ChannelRequest::UploadPacket {
        op: if append {
            UploadOp::Appe
        } else {
            UploadOp::Stor
        },
        file: file.into(),
        data: data.to_vec(),
        eof: eof.into(),
    }
}

#[tokio::test]
async fn packets_keep_the_file_open_until_eof() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let f = s(&dir.join("p.bin"));
    let data = payload(3000);

    h.send(packet(&f, false, &data[..1000], false)).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 1000), true).await;
    h.send(packet(&f, false, &data[1000..2000], false)).await;
    h.expect_report(stor(ResultCode::Success, 2000), true).await;
    h.send(packet(&f, false, &data[2000..], true)).await;
    h.expect_report(stor(ResultCode::Success, 3000), true).await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(std::fs::read(dir.join("p.bin")).unwrap(), data);

    // APPE of one packet.
    h.send(packet(&f, true, b"tail", true)).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(appe(ResultCode::Success, 4), true).await;
    h.expect_state(ChannelState::Connected).await;
    let mut want = data.clone();
    want.extend_from_slice(b"tail");
    assert_eq!(std::fs::read(dir.join("p.bin")).unwrap(), want);
}

#[tokio::test]
async fn another_request_finishes_the_open_file_first() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let a = s(&dir.join("a.bin"));
    let b = s(&dir.join("b.bin"));

    h.send(packet(&a, false, b"first", false)).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 5), true).await;
    // A packet for another file: a.bin is closed silently, b.bin starts.
    h.send(packet(&b, false, b"second", true)).await;
    h.expect_state(ChannelState::Connected).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 6), true).await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(std::fs::read(dir.join("a.bin")).unwrap(), b"first");
    assert_eq!(std::fs::read(dir.join("b.bin")).unwrap(), b"second");

    // Any command does the same.
    h.send(packet(&a, false, b"again", false)).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 5), true).await;
    h.send(ChannelRequest::Mkd(s(&dir.join("d")))).await;
    h.expect_state(ChannelState::Connected).await;
    h.expect_report(result(SimpleOp::Mkd, ResultCode::Success), true)
        .await;
    assert_eq!(std::fs::read(dir.join("a.bin")).unwrap(), b"again");

    // And AT+MFTPDISC finishes it, then QUITs.
    h.send(packet(&a, false, b"last", false)).await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 4), true).await;
    h.send(ChannelRequest::Disconnect).await;
    h.expect_state(ChannelState::Connected).await;
    h.expect_disconnect_sequence().await;
    assert_eq!(std::fs::read(dir.join("a.bin")).unwrap(), b"last");
}

#[tokio::test]
async fn transparent_stream() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let f = s(&dir.join("s.bin"));
    let data = payload(50_000);

    h.send(ChannelRequest::UploadStreamBegin {
        op: UploadOp::Stor,
        file: f.clone(),
    })
    .await;
    h.expect_state(ChannelState::Uploading).await;
    for piece in data.chunks(7_000) {
        h.send(ChannelRequest::UploadStreamData(piece.to_vec()))
            .await;
    }
    h.send(ChannelRequest::UploadStreamEnd).await;
    h.expect_report(stor(ResultCode::Success, 50_000), true)
        .await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(std::fs::read(dir.join("s.bin")).unwrap(), data);

    // A stream the server refuses (no such directory): reported at once, the rest of the
    // stream is dropped, and the channel goes on.
    h.send(ChannelRequest::UploadStreamBegin {
        op: UploadOp::Appe,
        file: s(&dir.join("no/such/dir")),
    })
    .await;
    h.expect_report(appe(ResultCode::ServerError, 0), true)
        .await;
    h.send(ChannelRequest::UploadStreamData(b"ignored".to_vec()))
        .await;
    h.send(ChannelRequest::UploadStreamEnd).await;
    h.simple(
        ChannelRequest::Mkd(s(&dir.join("after"))),
        result(SimpleOp::Mkd, ResultCode::Success),
    )
    .await;
}

#[tokio::test]
async fn from_local_file_system() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let data = payload(70_000);
    h.fs.write("/usr/up.bin", &data).unwrap();

    h.send(ChannelRequest::UploadLocal {
        op: UploadOp::Stor,
        file: s(&dir.join("up.bin")),
        local: "/usr/up.bin".into(),
    })
    .await;
    h.expect_state(ChannelState::Uploading).await;
    h.expect_report(stor(ResultCode::Success, 70_000), true)
        .await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(std::fs::read(dir.join("up.bin")).unwrap(), data);

    h.send(ChannelRequest::UploadLocal {
        op: UploadOp::Appe,
        file: s(&dir.join("up.bin")),
        local: "/usr/missing.bin".into(),
    })
    .await;
    h.expect_report(appe(ResultCode::FileError, 0), true).await;
    assert_eq!(std::fs::read(dir.join("up.bin")).unwrap(), data);
}

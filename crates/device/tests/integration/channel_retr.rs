//! AT+MFTPRETR through a channel task against vsftpd: chunking, sums and `done`, REST offset
//! and length, zero-size and missing files, downloads into the module's file system (and a
//! full one), TYPE A.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::channel_common;

use channel_common::*;
use ftpmodem_device::engine::{ChannelRequest, ChannelSettings, ConnectRequest};
use ftpmodem_proto::{ChannelState, DataType, ResultCode, Urc};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::path::PathBuf;

async fn setup(h: &mut Harness) -> (Vsftpd, PathBuf) {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    h.connect(uftp(server.addr())).await;
    (server, dir)
}

#[tokio::test]
async fn whole_file_in_chunks_then_offset_and_length() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let data = payload(3000);
    put(&dir.join("f.bin"), &data);
    let f = s(&dir.join("f.bin"));

    h.send(retr(&f, 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_data(1024, &data[..1024]), false).await;
    h.expect_report(retr_data(2048, &data[1024..2048]), false)
        .await;
    h.expect_report(retr_data(3000, &data[2048..]), true).await;
    h.expect_state(ChannelState::Connected).await;

    // The manual's example: offset 5, length 7 (REST, then ABOR after 7 bytes).
    h.send(retr(&f, 5, Some(7), 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_data(7, &data[5..12]), true).await;
    h.expect_state(ChannelState::Connected).await;

    // The control connection is still in step.
    h.simple(
        ChannelRequest::Pwd,
        Urc::Pwd {
            id: id(),
            code: ResultCode::Success,
            path: Some("/home/uftp".into()),
        },
    )
    .await;

    // An exact multiple of the chunk: the second chunk is the last.
    put(&dir.join("g.bin"), &data[..2048]);
    h.send(retr(&s(&dir.join("g.bin")), 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_data(1024, &data[..1024]), false).await;
    h.expect_report(retr_data(2048, &data[1024..2048]), true)
        .await;
    h.expect_state(ChannelState::Connected).await;

    // Offset and length reaching past the end: what there is.
    h.send(retr(&f, 2990, Some(100), 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_data(10, &data[2990..]), true).await;
    h.expect_state(ChannelState::Connected).await;
    h.disconnect().await;
}

#[tokio::test]
async fn zero_size_is_19_and_missing_is_10() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    put(&dir.join("empty"), b"");
    h.send(retr(&s(&dir.join("empty")), 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_result(ResultCode::ZeroSizeFile), true)
        .await;
    h.expect_state(ChannelState::Connected).await;

    h.send(retr(&s(&dir.join("nope")), 0, None, 1024)).await;
    h.expect_report(retr_result(ResultCode::ServerError), true)
        .await;

    // Still usable.
    h.send(retr(&s(&dir.join("empty")), 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_result(ResultCode::ZeroSizeFile), true)
        .await;
    h.expect_state(ChannelState::Connected).await;
}

fn retr_local(file: &str, local: &str, offset: u64, length: Option<u64>) -> ChannelRequest {
    ChannelRequest::Retr {
        file: file.into(),
        local: Some(local.into()),
        offset,
        length,
        chunk: 1024,
    }
}

#[tokio::test]
async fn into_local_file_system() {
    let mut h = Harness::new();
    let (_server, dir) = setup(&mut h).await;
    let data = payload(100_000);
    put(&dir.join("big.bin"), &data);
    let f = s(&dir.join("big.bin"));

    h.send(retr_local(&f, "/usr/big.bin", 0, None)).await;
    h.expect_state(ChannelState::Downloading).await;
    // One report per 1024-byte block (ONEMO-RELATED.md §D), the last one ends the command.
    expect_blocks(&mut h, 100_000).await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(h.fs.read("/usr/big.bin", 1 << 20).unwrap(), data);

    // The manual's `+MFTPRETR: 0,0,7,7` for offset 5, length 7; an existing file is replaced.
    h.send(retr_local(&f, "/usr/big.bin", 5, Some(7))).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(
        Urc::RetrSaved {
            id: id(),
            sum: 7,
            recv: 7,
        },
        true,
    )
    .await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(h.fs.read("/usr/big.bin", 1 << 20).unwrap(), &data[5..12]);

    // A local name that cannot be a file: 18 with the local failure's two trailing fields,
    // before anything is asked of the server.
    h.send(retr_local(&f, "/usr", 0, None)).await;
    h.expect_report(local_failed(ResultCode::FileError), true)
        .await;
    // A server error leaves the local file empty: it is emptied first, as on the hardware.
    h.send(retr_local(&s(&dir.join("nope")), "/usr/nope", 0, None))
        .await;
    h.expect_report(retr_result(ResultCode::ServerError), true)
        .await;
    assert_eq!(h.fs.read("/usr/nope", 10).unwrap(), b"");
    // An offset at or past the end is 3, and the local file is empty (ONEMO-RELATED.md §D).
    h.send(retr_local(&f, "/usr/big.bin", 100_000, None)).await;
    h.expect_report(retr_result(ResultCode::ParameterError), true)
        .await;
    assert_eq!(h.fs.read("/usr/big.bin", 10).unwrap(), b"");
    // Offset and length past the end are clipped; a length of 0 is the rest.
    h.send(retr_local(&f, "/usr/big.bin", 99_000, Some(5000)))
        .await;
    h.expect_state(ChannelState::Downloading).await;
    expect_blocks(&mut h, 1000).await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(h.fs.read("/usr/big.bin", 1 << 20).unwrap(), &data[99_000..]);
}

/// The block reports of a local download of `total` bytes, as the engine prints them.
async fn expect_blocks(h: &mut Harness, total: u64) {
    let mut sum = 0;
    while sum < total {
        let recv = (total - sum).min(1024);
        sum += recv;
        h.expect_report(
            Urc::RetrSaved {
                id: id(),
                sum,
                recv,
            },
            sum == total,
        )
        .await;
    }
}

fn local_failed(code: ResultCode) -> Urc {
    Urc::RetrLocalFailed {
        id: id(),
        code,
        sum: 0,
        recv: 0,
    }
}

#[tokio::test]
async fn full_local_file_system_is_18_and_leaves_the_file_empty() {
    let mut h = Harness::with(50_000, 64);
    let (_server, dir) = setup(&mut h).await;
    put(&dir.join("big.bin"), &payload(100_000));
    h.send(retr_local(
        &s(&dir.join("big.bin")),
        "/usr/big.bin",
        0,
        None,
    ))
    .await;
    h.expect_state(ChannelState::Downloading).await;
    // `+MFTPRETR: 0,18,0,0` and an empty local file (ONEMO-RELATED.md §D).
    h.expect_report(local_failed(ResultCode::FileError), true)
        .await;
    h.expect_state(ChannelState::Connected).await;
    assert_eq!(h.fs.read("/usr/big.bin", 10).unwrap(), b"");
    assert_eq!(h.fs.info().unwrap().free, 50_000);
    // The transfer was aborted and the session is in step.
    put(&dir.join("small.bin"), b"0123456789");
    h.send(retr_local(
        &s(&dir.join("small.bin")),
        "/usr/s.bin",
        0,
        None,
    ))
    .await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(
        Urc::RetrSaved {
            id: id(),
            sum: 10,
            recv: 10,
        },
        true,
    )
    .await;
    h.expect_state(ChannelState::Connected).await;
}

#[tokio::test]
async fn ascii_type_converts_line_ends() {
    let mut h = Harness::new();
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    put(&dir.join("t.txt"), b"one\r\ntwo\r\n");
    let req = ConnectRequest {
        settings: ChannelSettings {
            data_type: DataType::Ascii,
            ..ChannelSettings::default()
        },
        ..uftp(server.addr())
    };
    h.connect(req).await;
    h.send(retr(&s(&dir.join("t.txt")), 0, None, 1024)).await;
    h.expect_state(ChannelState::Downloading).await;
    h.expect_report(retr_data(8, b"one\ntwo\n"), true).await;
    h.expect_state(ChannelState::Connected).await;
    assert!(server.log_text().contains("\"TYPE A\""));
}

#[tokio::test]
async fn active_mode_and_ipv6() {
    for opts in [VsftpdOptions::plain(), VsftpdOptions::plain().ipv6()] {
        let server = vsftpd(opts).await;
        let dir = server.fresh_user_dir().unwrap();
        put(&dir.join("f.bin"), &payload(1500));
        for mode in [
            ftpmodem_proto::TransMode::Active,
            ftpmodem_proto::TransMode::Passive,
        ] {
            let mut h = Harness::new();
            let req = ConnectRequest {
                settings: ChannelSettings {
                    trans_mode: mode,
                    ..ChannelSettings::default()
                },
                ..uftp(server.addr())
            };
            h.connect(req).await;
            h.send(retr(&s(&dir.join("f.bin")), 0, None, 1024)).await;
            h.expect_state(ChannelState::Downloading).await;
            h.expect_report(retr_data(1024, &payload(1500)[..1024]), false)
                .await;
            h.expect_report(retr_data(1500, &payload(1500)[1024..]), true)
                .await;
            h.expect_state(ChannelState::Connected).await;
            h.disconnect().await;
        }
        let log = server.log_text();
        assert!(log.contains("\"PORT ") || log.contains("\"EPRT "), "{log}");
    }
}

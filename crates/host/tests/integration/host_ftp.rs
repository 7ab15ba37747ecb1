//! The host driver against the in-process virtual module over a real PTY, and the module
//! against a real vsftpd: every upload mode and both download targets, bit for bit, with
//! files holding every byte the line cares about.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{ch, payload, Module, TIMEOUT};
use ftpmodem_host::{Channel, Error, Login, Modem, Range, UploadMode};
use ftpmodem_proto::{CfgValue, ChannelState, LocalFs, ResultCode};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::path::PathBuf;
use tokio::time::timeout;

const SIZES: [usize; 6] = [0, 1, 4095, 4096, 4097, 10 << 20];

struct Setup {
    server: Vsftpd,
    dir: PathBuf,
    module: Module,
    modem: Modem,
}

async fn setup() -> Setup {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let module = Module::start();
    let modem = module.host().await;
    Setup {
        server,
        dir,
        module,
        modem,
    }
}

fn login(server: &Vsftpd) -> Login {
    Login::new(server.host())
        .port(server.port())
        .user("uftp")
        .password("12341")
}

async fn connect(s: &Setup, n: u8) -> Channel {
    let c = s.modem.channel(ch(n));
    timeout(TIMEOUT, c.connect(&login(&s.server)))
        .await
        .unwrap()
        .unwrap();
    c.cwd(s.dir.to_str().unwrap()).await.unwrap();
    c
}

/// Uploads every size in `mode` (STOR, then APPE of the same data onto it), checks the
/// server's files on disk, and downloads them back to the serial line.
async fn upload_matrix(mode: UploadMode) {
    let s = setup().await;
    let c = connect(&s, 0).await;
    for (i, &len) in SIZES.iter().enumerate() {
        let data = payload(len, 7 + i as u64);
        let name = format!("s{len}.bin");
        let sent = timeout(TIMEOUT, c.store(&name, &mut data.as_slice(), mode))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent, len as u64, "{mode:?} STOR {len}");
        assert!(
            std::fs::read(s.dir.join(&name)).unwrap() == data,
            "{mode:?} STOR {len} differs on the server"
        );
        let mut back = Vec::new();
        let got = timeout(TIMEOUT, c.retrieve(&name, &mut back, Range::all()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, len as u64);
        assert!(back == data, "{mode:?} RETR {len} differs");
        // APPE onto it: the file is the data twice.
        timeout(TIMEOUT, c.append(&name, &mut data.as_slice(), mode))
            .await
            .unwrap()
            .unwrap();
        let on_disk = std::fs::read(s.dir.join(&name)).unwrap();
        assert!(
            on_disk.len() == 2 * len && on_disk[..len] == data[..] && on_disk[len..] == data[..],
            "{mode:?} APPE {len} differs"
        );
    }
    assert_eq!(c.state().await.unwrap(), ChannelState::Connected);
    c.disconnect().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompt_uploads_and_serial_downloads_are_bit_exact() {
    upload_matrix(UploadMode::Prompt).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transparent_uploads_are_bit_exact() {
    upload_matrix(UploadMode::Transparent).await;
}

/// local_fs 1: uploads from the module's files and downloads into them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_file_uploads_and_downloads_are_bit_exact() {
    let s = setup().await;
    let c = s.modem.channel(ch(1));
    c.set(CfgValue::LocalFs(LocalFs::File)).await.unwrap();
    timeout(TIMEOUT, c.connect(&login(&s.server)))
        .await
        .unwrap()
        .unwrap();
    c.cwd(s.dir.to_str().unwrap()).await.unwrap();
    for (i, &len) in SIZES.iter().enumerate() {
        let data = payload(len, 11 + i as u64);
        let local = format!("up{len}.bin");
        if (1..=65536).contains(&len) {
            s.modem.fs_put(&local, &data).await.unwrap();
        } else {
            // Past AT+MFPUT's limit (and for an empty file, below it) the file is put into
            // the module's file system directly.
            std::fs::write(s.module.fs_root.join(&local), &data).unwrap();
        }
        let name = format!("m{len}.bin");
        let sent = timeout(TIMEOUT, c.store_local(&name, &local))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent, len as u64);
        assert!(
            std::fs::read(s.dir.join(&name)).unwrap() == data,
            "local STOR {len} differs"
        );
        let down = format!("down{len}.bin");
        let got = timeout(TIMEOUT, c.retrieve_local(&name, &down, Range::all()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, len as u64);
        if len == 0 {
            // Result 19: the local file is emptied first and stays empty, as the hardware
            // leaves it (docs/PROTOCOL.md, ONEMO-RELATED.md §D).
            assert!(s.modem.fs_get(&down).await.unwrap().is_empty());
        } else {
            let back = timeout(TIMEOUT, s.modem.fs_get(&down))
                .await
                .unwrap()
                .unwrap();
            assert!(back == data, "local RETR {len} differs");
        }
    }
    // Offset and length on both targets.
    let data = payload(10_000, 99);
    std::fs::write(s.dir.join("part.bin"), &data).unwrap();
    let r = Range {
        offset: 4097,
        length: Some(3000),
    };
    c.retrieve_local("part.bin", "part.bin", r).await.unwrap();
    assert_eq!(s.modem.fs_get("part.bin").await.unwrap(), &data[4097..7097]);
    let c0 = connect(&s, 0).await;
    let mut back = Vec::new();
    c0.retrieve("part.bin", &mut back, r).await.unwrap();
    assert_eq!(back, &data[4097..7097]);
    back.clear();
    c0.retrieve("part.bin", &mut back, Range::from(9000))
        .await
        .unwrap();
    assert_eq!(back, &data[9000..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_commands_and_typed_listing() {
    let s = setup().await;
    let c = connect(&s, 4).await;
    let here = s.dir.to_str().unwrap().to_string();
    assert_eq!(c.pwd().await.unwrap(), here);
    assert!(
        c.list(".").await.unwrap().is_empty(),
        "fresh directory lists empty"
    );
    c.mkdir("sub").await.unwrap();
    let files: Vec<(String, usize)> = (0..40).map(|i| (format!("f{i:02}.bin"), i * 100)).collect();
    for (name, len) in &files {
        std::fs::write(s.dir.join(name), payload(*len, 3)).unwrap();
    }
    let mut list = c.list(".").await.unwrap();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(list.len(), files.len() + 1, "{list:?}");
    for ((name, len), e) in files.iter().zip(&list) {
        assert_eq!((&e.name, e.size), (name, Some(*len as u64)));
        assert!(e.modified.is_some_and(|t| t.year >= 2024), "{e:?}");
    }
    let sub = list.last().unwrap();
    assert!(sub.name == "sub" && sub.is_dir(), "{sub:?}");
    c.rename("f00.bin", "sub/moved.bin").await.unwrap();
    assert!(s.dir.join("sub/moved.bin").is_file());
    c.cwd("sub").await.unwrap();
    assert_eq!(c.pwd().await.unwrap(), format!("{here}/sub"));
    let one = c.list("moved.bin").await.unwrap();
    assert_eq!(one.len(), 1, "{one:?}");
    c.delete("moved.bin").await.unwrap();
    c.cwd("..").await.unwrap();
    c.delete("sub").await.unwrap();
    assert!(!s.dir.join("sub").exists());
    // The server refuses: a typed error with the module's result code, and the channel is
    // still connected.
    let e = c.delete("no-such-file").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Result {
                code: ResultCode::ServerError,
                ..
            }
        ),
        "{e:?}"
    );
    let e = c.cwd("no-such-dir").await.unwrap_err();
    assert_eq!(e.result_code(), Some(ResultCode::ServerError));
    assert_eq!(c.state().await.unwrap(), ChannelState::Connected);
    let mut back = Vec::new();
    let e = c
        .retrieve("no-such-file", &mut back, Range::all())
        .await
        .unwrap_err();
    assert_eq!(e.result_code(), Some(ResultCode::ServerError), "{e:?}");
    c.disconnect().await.unwrap();
    assert_eq!(c.state().await.unwrap(), ChannelState::Disconnected);
}

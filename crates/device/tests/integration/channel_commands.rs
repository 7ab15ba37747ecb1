//! Channel tasks against real servers: CWD, PWD, MKD, LIST (LIST on vsftpd, MLSD on
//! pure-ftpd), DELE/RMD and RNFR/RNTO, with the exact reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::channel_common;

use channel_common::*;
use ftpmodem_device::engine::{ChannelEvent, ChannelRequest};
use ftpmodem_proto::{ResultCode, SimpleOp, Timestamp, Urc};
use ftpmodem_testsrv::{FtpServer, PureFtpd, PureFtpdOptions, VsftpdOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// 2020-03-04 05:06:07 UTC.
const MTIME: u64 = 1_583_298_367;

/// A directory with `a.txt` (1234 bytes, 0640, MTIME) and the empty `sub/` (0755).
fn populate(dir: &Path) {
    let f = dir.join("a.txt");
    put(&f, &payload(1234));
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(MTIME);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(t)
        .unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Collects a listing's reports up to the one with `done`, checking none before it has it.
async fn listing(h: &mut Harness, path: &str) -> Vec<Urc> {
    h.send(ChannelRequest::List(path.into())).await;
    let mut out = Vec::new();
    loop {
        match h.next().await {
            ChannelEvent::Report { urc, done } => {
                out.push(urc);
                if done {
                    return out;
                }
            }
            ev => panic!("unexpected {ev:?}"),
        }
    }
}

fn file_entry(name: &str, size: u64, modified: Timestamp, perm: &str) -> Urc {
    Urc::ListFile {
        id: id(),
        name: name.into(),
        size,
        modified,
        perm: perm.into(),
    }
}

fn dir_entry(name: &str, perm: &str) -> Urc {
    Urc::ListDir {
        id: id(),
        name: name.into(),
        perm: perm.into(),
    }
}

fn date(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Timestamp {
    Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
    }
}

#[tokio::test]
async fn directory_commands_on_vsftpd() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let dir = server.fresh_user_dir().unwrap();
    populate(&dir);
    let mut h = Harness::new();
    h.connect(uftp(server.addr())).await;

    h.simple(
        ChannelRequest::Cwd(s(&dir)),
        result(SimpleOp::Cwd, ResultCode::Success),
    )
    .await;
    h.simple(
        ChannelRequest::Pwd,
        Urc::Pwd {
            id: id(),
            code: ResultCode::Success,
            path: Some(s(&dir)),
        },
    )
    .await;
    h.simple(
        ChannelRequest::Cwd("no-such-dir".into()),
        result(SimpleOp::Cwd, ResultCode::ServerError),
    )
    .await;

    // LIST of the current directory: vsftpd shows old dates without the time of day.
    let mut got = listing(&mut h, "").await;
    got.sort_by_key(|u| format!("{u:?}"));
    let want = vec![
        dir_entry("sub", "rwx"),
        file_entry("a.txt", 1234, date(2020, 3, 4, 0, 0, 0), "rw-"),
    ];
    let mut want_sorted = want.clone();
    want_sorted.sort_by_key(|u| format!("{u:?}"));
    assert_eq!(got, want_sorted);

    // A path that names a file lists that file.
    assert_eq!(
        listing(&mut h, "a.txt").await,
        vec![file_entry("a.txt", 1234, date(2020, 3, 4, 0, 0, 0), "rw-")]
    );
    // An empty directory, and one that does not exist.
    assert_eq!(
        listing(&mut h, "sub").await,
        vec![Urc::ListResult {
            id: id(),
            code: ResultCode::EmptyDirectory
        }]
    );

    h.simple(
        ChannelRequest::Mkd("made".into()),
        result(SimpleOp::Mkd, ResultCode::Success),
    )
    .await;
    assert!(dir.join("made").is_dir());
    h.simple(
        ChannelRequest::Mkd("made".into()),
        result(SimpleOp::Mkd, ResultCode::ServerError),
    )
    .await;

    h.simple(
        ChannelRequest::Rename {
            from: "a.txt".into(),
            to: "made/b.txt".into(),
        },
        result(SimpleOp::Rn, ResultCode::Success),
    )
    .await;
    assert!(!dir.join("a.txt").exists());
    assert_eq!(
        std::fs::read(dir.join("made/b.txt")).unwrap(),
        payload(1234)
    );
    h.simple(
        ChannelRequest::Rename {
            from: "a.txt".into(),
            to: "c.txt".into(),
        },
        result(SimpleOp::Rn, ResultCode::ServerError),
    )
    .await;

    // DELE for a file, RMD for a directory, 10 for a name that is neither.
    h.simple(
        ChannelRequest::Delete("made/b.txt".into()),
        result(SimpleOp::Del, ResultCode::Success),
    )
    .await;
    h.simple(
        ChannelRequest::Delete("made".into()),
        result(SimpleOp::Del, ResultCode::Success),
    )
    .await;
    assert!(!dir.join("made").exists());
    h.simple(
        ChannelRequest::Delete("made".into()),
        result(SimpleOp::Del, ResultCode::ServerError),
    )
    .await;
    // vsftpd answers LIST of a missing path with an empty listing (150, 226), so the module
    // can only call it empty; pure-ftpd refuses it, and the module answers 14 too (below).
    assert_eq!(
        listing(&mut h, "missing").await,
        vec![Urc::ListResult {
            id: id(),
            code: ResultCode::EmptyDirectory
        }]
    );
    h.disconnect().await;
}

#[tokio::test]
async fn mlsd_listing_on_pureftpd_has_exact_times() {
    let server = tokio::task::spawn_blocking(|| PureFtpd::start(PureFtpdOptions::plain()))
        .await
        .unwrap()
        .expect("pure-ftpd");
    let dir = server.fresh_user_dir().unwrap();
    populate(&dir);
    let mut h = Harness::new();
    h.connect(uftp(server.addr())).await;
    let mut got = listing(&mut h, &s(&dir)).await;
    got.sort_by_key(|u| format!("{u:?}"));
    let mut want = vec![
        dir_entry("sub", "rwx"),
        file_entry("a.txt", 1234, date(2020, 3, 4, 5, 6, 7), "rw-"),
    ];
    want.sort_by_key(|u| format!("{u:?}"));
    assert_eq!(got, want);
    // pure-ftpd refuses a missing name; it is not in its directory either, so 14 as the
    // hardware answers (ONEMO-RELATED.md §D `+MFTPLIST: 0,14`). A missing directory above it
    // fails the lookup too: the refusal stays 10.
    assert_eq!(
        listing(&mut h, &s(&dir.join("missing"))).await,
        vec![Urc::ListResult {
            id: id(),
            code: ResultCode::EmptyDirectory
        }]
    );
    assert_eq!(
        listing(&mut h, &s(&dir.join("nodir/missing"))).await,
        vec![Urc::ListResult {
            id: id(),
            code: ResultCode::ServerError
        }]
    );
    h.disconnect().await;
}

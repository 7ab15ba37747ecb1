//! The PTY transport on real pseudo-terminals, opened through the link as a user's program would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use std::fs;
use std::path::PathBuf;

use ftpmodem_device::transport::{line_channel, run_pty, ModuleEnds, PtyLine};
use nix::sys::termios::{
    cfmakeraw, tcgetattr, tcsetattr, ControlFlags, InputFlags, LocalFlags, OutputFlags, SetArg,
    SpecialCharacterIndices,
};
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use transport_common::{all_bytes, open_tty, read_n, recv_n, tty_halves, WAIT};

struct Served {
    link: PathBuf,
    slave: PathBuf,
    module: ModuleEnds,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyML307");
    let (line, module) = line_channel(8);
    let shutdown = CancellationToken::new();
    let (ready_tx, ready_rx) = oneshot::channel();
    let task = {
        let link = link.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move { run_pty(&link, line, shutdown, Some(ready_tx)).await })
    };
    let slave = tokio::time::timeout(WAIT, ready_rx).await.unwrap().unwrap();
    Served {
        link,
        slave,
        module,
        shutdown,
        task,
        _dir: dir,
    }
}

/// One client session: every byte value to the module and back, each direction checked on
/// its own so an echo could not hide a translation.
async fn exchange_all_bytes(s: &mut Served) {
    let (mut rd, mut wr) = tty_halves(open_tty(&s.link));
    wr.write_all(&all_bytes()).await.unwrap();
    assert_eq!(recv_n(&mut s.module.from_line, 256).await, all_bytes());
    let reversed: Vec<u8> = all_bytes().into_iter().rev().collect();
    s.module
        .to_line
        .send(reversed.clone().into())
        .await
        .unwrap();
    assert_eq!(read_n(&mut rd, 256).await, reversed);
    // Lone control bytes, as the engine sends and receives them one by one.
    for b in [0x1a, 0x1b, 0x03, 0x11, 0x13, 0x7f, b'\r', b'\n', 0x00] {
        wr.write_all(&[b]).await.unwrap();
        assert_eq!(recv_n(&mut s.module.from_line, 1).await, [b]);
        s.module.to_line.send(vec![b].into()).await.unwrap();
        assert_eq!(read_n(&mut rd, 1).await, [b]);
    }
}

#[tokio::test]
async fn every_byte_value_passes_unchanged_both_ways() {
    let mut s = serve().await;
    assert_eq!(fs::read_link(&s.link).unwrap(), s.slave);
    exchange_all_bytes(&mut s).await;
    s.shutdown.cancel();
    tokio::time::timeout(WAIT, s.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_slave_is_raw_when_a_client_opens_it() {
    let s = serve().await;
    let client = open_tty(&s.link);
    let t = tcgetattr(&client).unwrap();
    for flag in [
        LocalFlags::ECHO,
        LocalFlags::ICANON,
        LocalFlags::ISIG,
        LocalFlags::IEXTEN,
    ] {
        assert!(!t.local_flags.contains(flag), "{flag:?} set");
    }
    for flag in [
        InputFlags::ICRNL,
        InputFlags::INLCR,
        InputFlags::IGNCR,
        InputFlags::IXON,
        InputFlags::ISTRIP,
    ] {
        assert!(!t.input_flags.contains(flag), "{flag:?} set");
    }
    assert!(!t.output_flags.contains(OutputFlags::OPOST));
    assert!(t.control_flags.contains(ControlFlags::CS8));
    assert!(!t.control_flags.contains(ControlFlags::PARENB));
    assert_eq!(t.control_chars[SpecialCharacterIndices::VMIN as usize], 1);
    assert_eq!(t.control_chars[SpecialCharacterIndices::VTIME as usize], 0);
    s.shutdown.cancel();
}

#[tokio::test]
async fn clients_may_close_and_reopen_the_line() {
    let mut s = serve().await;
    exchange_all_bytes(&mut s).await; // client dropped at the end
                                      // A terminal program setting its own raw mode, as picocom or pyserial does.
    {
        let client = open_tty(&s.link);
        let mut t = tcgetattr(&client).unwrap();
        cfmakeraw(&mut t);
        tcsetattr(&client, SetArg::TCSANOW, &t).unwrap();
    }
    exchange_all_bytes(&mut s).await;
    exchange_all_bytes(&mut s).await;
    assert!(!s.task.is_finished());
    s.shutdown.cancel();
    tokio::time::timeout(WAIT, s.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_removes_the_link() {
    let s = serve().await;
    assert!(fs::symlink_metadata(&s.link).is_ok());
    s.shutdown.cancel();
    tokio::time::timeout(WAIT, s.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(fs::symlink_metadata(&s.link).is_err(), "link left behind");
}

#[tokio::test]
async fn module_ending_ends_the_transport_and_removes_the_link() {
    let s = serve().await;
    drop(s.module);
    tokio::time::timeout(WAIT, s.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(fs::symlink_metadata(&s.link).is_err(), "link left behind");
}

#[tokio::test]
async fn dropping_the_transport_removes_the_link() {
    let s = serve().await;
    s.task.abort();
    assert!(tokio::time::timeout(WAIT, s.task)
        .await
        .unwrap()
        .unwrap_err()
        .is_cancelled());
    assert!(fs::symlink_metadata(&s.link).is_err(), "link left behind");

    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let line = PtyLine::create(&link).unwrap();
    assert_eq!(line.link_path(), link);
    assert_eq!(fs::read_link(&link).unwrap(), line.slave_path());
    drop(line);
    assert!(fs::symlink_metadata(&link).is_err(), "link left behind");
}

#[tokio::test]
async fn a_stale_symlink_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    std::os::unix::fs::symlink("/dev/pts/does-not-exist", &link).unwrap();
    let line = PtyLine::create(&link).unwrap();
    assert_eq!(fs::read_link(&link).unwrap(), line.slave_path());
    // No temporary link is left beside it: only the link and its lock file.
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["tty", "tty.lock"]);
    drop(line);
    assert!(fs::symlink_metadata(&link).is_err());
}

#[tokio::test]
async fn a_link_in_use_is_refused_with_the_holders_pid() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let line = PtyLine::create(&link).unwrap();
    let err = PtyLine::create(&link).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    let want = format!("{} is in use by pid {}", link.display(), std::process::id());
    assert_eq!(err.to_string(), want);
    // The holder's link is untouched; once it is gone the link is free again.
    assert_eq!(fs::read_link(&link).unwrap(), line.slave_path());
    drop(line);
    assert!(fs::symlink_metadata(dir.path().join("tty.lock")).is_err());
    let again = PtyLine::create(&link).unwrap();
    drop(again);
}

#[tokio::test]
async fn a_regular_file_at_the_link_path_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    fs::write(&link, b"precious").unwrap();
    let err = PtyLine::create(&link).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("not a symlink"), "{err}");
    assert_eq!(fs::read(&link).unwrap(), b"precious");
}

#[tokio::test]
async fn a_link_replaced_by_someone_else_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let line = PtyLine::create(&link).unwrap();
    fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    drop(line);
    assert_eq!(fs::read_link(&link).unwrap(), PathBuf::from("/dev/null"));
}

#[tokio::test]
async fn a_missing_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("no/such/dir/tty");
    let err = PtyLine::create(&link).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains("no/such/dir/tty"), "{err}");
}

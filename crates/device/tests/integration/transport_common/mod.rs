//! Helpers shared by the transport tests: stand-in modules and a tty client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

use ftpmodem_device::transport::ModuleEnds;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::unix::pipe;
use tokio::task::JoinHandle;

/// Upper bound for any single wait; a test waits for an event, never for time to pass.
pub const WAIT: Duration = Duration::from_secs(10);

/// Every byte value once, including NUL, Ctrl+Z, ESC, Ctrl+C, XON/XOFF, DEL, CR and LF.
pub fn all_bytes() -> Vec<u8> {
    (0..=255u8).collect()
}

/// A stand-in module that echoes every chunk back and ends when its input ends.
pub fn spawn_echo(ends: ModuleEnds) -> JoinHandle<()> {
    let ModuleEnds {
        to_line,
        mut from_line,
    } = ends;
    tokio::spawn(async move {
        while let Some(chunk) = from_line.recv().await {
            if to_line.send(chunk.into()).await.is_err() {
                break;
            }
        }
    })
}

/// Reads exactly `n` bytes or fails the test after [`WAIT`].
pub async fn read_n<R: AsyncRead + Unpin>(reader: &mut R, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(WAIT, reader.read_exact(&mut buf))
        .await
        .expect("timed out waiting for bytes")
        .expect("read failed");
    buf
}

/// Collects exactly `n` bytes from the module's input channel or fails after [`WAIT`].
pub async fn recv_n(from_line: &mut tokio::sync::mpsc::Receiver<Vec<u8>>, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < n {
        let chunk = tokio::time::timeout(WAIT, from_line.recv())
            .await
            .expect("timed out waiting for the module's input")
            .expect("line closed early");
        got.extend_from_slice(&chunk);
    }
    assert_eq!(got.len(), n, "more bytes than expected: {got:?}");
    got
}

/// Opens a tty as a user's program would (read+write, not as controlling terminal).
pub fn open_tty(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path)
        .expect("open tty")
}

/// Async halves over a tty opened by [`open_tty`], for a client that must not block the test.
pub fn tty_halves(file: File) -> (pipe::Receiver, pipe::Sender) {
    let write = file.try_clone().expect("dup tty");
    (
        pipe::Receiver::from_file_unchecked(file).expect("reader"),
        pipe::Sender::from_file_unchecked(write).expect("writer"),
    )
}

//! The binary as a user runs it: `ftpmodem serve --pty LINK`, a program opening the link and
//! talking AT, SIGTERM ending it with the link removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let link = dir.path().join("ttyML307");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .arg("serve")
        .arg("--pty")
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.path().join("fs"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server announces the link on stderr once it exists: wait for that line.
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + TIMEOUT;
    while !String::from_utf8_lossy(&seen).contains('\n') {
        assert!(Instant::now() < deadline, "no start-up line");
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "server exited: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(
        link.exists(),
        "link missing after: {}",
        String::from_utf8_lossy(&seen)
    );
    Server { child }
}

/// Opens the PTY as a terminal program would, non-blocking so reads can time out.
fn open(link: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc_nonblock())
        .open(link)
        .unwrap()
}

fn libc_nonblock() -> i32 {
    nix::fcntl::OFlag::O_NONBLOCK.bits() | nix::fcntl::OFlag::O_NOCTTY.bits()
}

/// Reads until `want` has arrived; fails after the timeout with what came.
fn read_until(f: &mut File, want: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    let mut buf = [0u8; 4096];
    loop {
        if got.windows(want.len()).any(|w| w == want) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {:?}; got {:?}",
            String::from_utf8_lossy(want),
            String::from_utf8_lossy(&got)
        );
        match f.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                // Wait for readability instead of spinning.
                let fd = std::os::fd::AsFd::as_fd(f);
                let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
                let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(100u16));
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

#[test]
fn a_terminal_program_talks_at_over_the_pty_and_sigterm_removes_the_link() {
    let dir = tempfile::TempDir::new().unwrap();
    let link = dir.path().join("ttyML307");
    let mut server = start(&dir, &["--model", "ML307R"]);
    let mut tty = open(&link);
    tty.write_all(b"ATE0\r").unwrap();
    read_until(&mut tty, b"OK\r\n");
    tty.write_all(b"ATI\r").unwrap();
    let out = read_until(&mut tty, b"OK\r\n");
    assert!(
        out.ends_with(b"\r\nCMCC\r\nML307R\r\nML307R-DC-MBRH0S00\r\n\r\nOK\r\n"),
        "{out:?}"
    );
    tty.write_all(b"AT+MFTPCFG=0,\"transmode\",0\r").unwrap();
    assert_eq!(
        read_until(&mut tty, b"\r\n+CME ERROR: 50\r\n"),
        b"\r\n+CME ERROR: 50\r\n"
    );
    tty.write_all(b"AT+MFPUT=\"/usr/a.bin\",5\r").unwrap();
    read_until(&mut tty, b"\r\n>");
    tty.write_all(b"\x00\x1a\r\n\xff").unwrap();
    read_until(&mut tty, b"+MFPUT: 5\r\n\r\nOK\r\n");
    tty.write_all(b"AT+MFGET=\"/usr/a.bin\"\r").unwrap();
    let got = read_until(&mut tty, b"\r\nOK\r\n");
    assert!(
        got.ends_with(b"\r\n+MFGET: 5,\x00\x1a\r\n\xff\r\n\r\nOK\r\n"),
        "{got:?}"
    );
    assert!(dir.path().join("fs/usr/a.bin").exists());
    // Close and reopen, as a user quitting picocom and starting it again.
    drop(tty);
    let mut tty = open(&link);
    tty.write_all(b"AT\r").unwrap();
    read_until(&mut tty, b"\r\nOK\r\n");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not exit on SIGTERM");
        std::thread::park_timeout(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(!link.exists(), "link left behind");
}

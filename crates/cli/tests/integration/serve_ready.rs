//! `ftpmodem serve --stdio` as a process: `+MATREADY` at start and after `AT+MREBOOT`, and a
//! profile saved with `AT&W` in force when the next process starts on the same `--fs-root`
//! (docs/PROTOCOL.md "Reboot, V.25ter basics, baud rate").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Runs `serve --stdio` on `fs`, writes `input`, closes stdin, returns all it printed.
fn session(fs: &Path, input: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--stdio", "--fs-root"])
        .arg(fs)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = rx
        .recv_timeout(LIMIT)
        .expect("serve --stdio did not end after its input closed")
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn matready_at_start_and_after_a_reboot_and_the_saved_profile_survives_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let fs = dir.path().join("fs");
    assert_eq!(
        session(&fs, b"ATE0\rAT+MREBOOT\rAT\r"),
        "\r\n+MATREADY\r\nATE0\r\r\nOK\r\n\r\nOK\r\n\r\nREBOOTING\r\n\r\n+MATREADY\r\n\
         AT\r\r\nOK\r\n"
    );
    // Echo off and numeric result codes saved: the next process starts with them.
    assert_eq!(
        session(&fs, b"ATE0V0&W\r"),
        "\r\n+MATREADY\r\nATE0V0&W\r0\r"
    );
    assert_eq!(session(&fs, b"AT\rATX\r"), "+MATREADY\r\n0\r4\r");
    // AT&F and a new AT&W bring the factory profile back for good.
    assert_eq!(session(&fs, b"AT&F&W\r"), "+MATREADY\r\n\r\nOK\r\n");
    assert_eq!(session(&fs, b"AT\r"), "\r\n+MATREADY\r\nAT\r\r\nOK\r\n");
}

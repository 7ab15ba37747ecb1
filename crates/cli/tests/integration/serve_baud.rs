//! `ftpmodem serve --stdio --baud N`: the line is paced as a UART at N baud would be, N/10
//! bytes per second (the rate itself is measured in BENCHMARKS.md, "Line timing"; here only
//! that the flag reaches the line and that what is paced stays byte for byte the same).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `ATI` on a `serve --stdio` with `extra` flags; returns the bytes after the command
/// and how long they took from the first to the last.
fn ati(extra: &[&str]) -> (Vec<u8>, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--stdio", "--model", "ML307R", "--fs-root"])
        .arg(dir.path().join("fs"))
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    let read_until = |want: &[u8], got: &mut Vec<u8>, first: &mut Option<Instant>| -> Instant {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (t, b) = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {want:?} in {:?}", String::from_utf8_lossy(got)));
            first.get_or_insert(t);
            got.extend(b);
            if got.ends_with(want) {
                return t;
            }
        }
    };
    let mut boot = Vec::new();
    read_until(b"+MATREADY\r\n", &mut boot, &mut None);
    child.stdin.as_mut().unwrap().write_all(b"ATI\r").unwrap();
    let mut got = Vec::new();
    let mut first = None;
    let last = read_until(b"OK\r\n", &mut got, &mut first);
    let _ = child.kill();
    let _ = child.wait();
    (got, last - first.unwrap())
}

#[test]
fn baud_paces_a_stdio_line_and_keeps_its_bytes() {
    let (fast, _) = ati(&[]);
    let (slow, took) = ati(&["--baud", "1200"]);
    assert_eq!(slow, fast, "pacing changed the bytes");
    assert!(fast.starts_with(b"ATI\r\r\nCMCC\r\nML307R\r\n"), "{fast:?}");
    // 120 bytes per second; the first byte opens the clock and a 20 ms burst (2 bytes) may
    // come at once.
    let least = Duration::from_secs_f64((slow.len() - 3) as f64 / 120.0);
    assert!(
        took >= least,
        "{} bytes in {took:?}, at least {least:?}",
        slow.len()
    );
}

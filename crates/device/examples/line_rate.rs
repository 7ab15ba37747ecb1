//! Measures the paced line's byte rate against a real PTY, both directions, at 115200 and
//! 921600 baud (BENCHMARKS.md, "Line timing"). Not a test: it prints figures.
//!
//! ```sh
//! cargo run -p ftpmodem-device --example line_rate            # 10 s per measurement
//! cargo run -p ftpmodem-device --example line_rate -- 3       # 3 s, for a quick look
//! ```
//!
//! Module to line: a task floods the module's end with 4 KiB batches; a plain thread reads the
//! PTY's slave (as a firmware's UART driver would) and counts the bytes that arrive in the
//! window that starts with the first byte. Line to module: a thread writes to the slave as
//! fast as the PTY takes it; the module's end counts what the pacer lets through. The rate is
//! bytes / window; the nominal rate is baud / 10 (8N1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::transport::{line_channel, paced, LineOut, LineRate, PtyLine};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let window = Duration::from_secs(secs);
    println!("window {secs} s, 8N1 (baud / 10 bytes per second)");
    println!("| baud | direction | nominal B/s | measured B/s | error |");
    println!("|---:|---|---:|---:|---:|");
    for baud in [115_200u32, 921_600] {
        let nominal = f64::from(baud / 10);
        let out = module_to_line(baud, window).await;
        println!(
            "| {baud} | module -> line | {nominal:.0} | {out:.0} | {:+.2} % |",
            (out / nominal - 1.0) * 100.0
        );
        let inb = line_to_module(baud, window).await;
        println!(
            "| {baud} | line -> module | {nominal:.0} | {inb:.0} | {:+.2} % |",
            (inb / nominal - 1.0) * 100.0
        );
    }
}

async fn module_to_line(baud: u32, window: Duration) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let pty = PtyLine::create(&link).unwrap();
    let (line, module) = line_channel(16);
    let shutdown = CancellationToken::new();
    let line = paced(line, LineRate::new(baud), shutdown.clone());
    tokio::spawn(pty.serve(line, shutdown.clone()));
    let mut tty = std::fs::File::open(&link).unwrap();
    let stop = shutdown.clone();
    let flood = tokio::spawn(async move {
        let batch = vec![0x55u8; 4096];
        loop {
            tokio::select! {
                r = module.to_line.send(LineOut::from(batch.clone())) => if r.is_err() { break },
                _ = stop.cancelled() => break,
            }
        }
    });
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let n = tty.read(&mut buf).unwrap();
        let t0 = Instant::now();
        let mut total = 0usize;
        let _ = n; // the first read starts the clock; its bytes came before it
        while t0.elapsed() < window {
            total += tty.read(&mut buf).unwrap();
        }
        total as f64 / t0.elapsed().as_secs_f64()
    });
    let rate = tokio::task::spawn_blocking(move || reader.join().unwrap())
        .await
        .unwrap();
    shutdown.cancel();
    let _ = flood.await;
    rate
}

async fn line_to_module(baud: u32, window: Duration) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let pty = PtyLine::create(&link).unwrap();
    let (line, mut module) = line_channel(16);
    let shutdown = CancellationToken::new();
    let line = paced(line, LineRate::new(baud), shutdown.clone());
    tokio::spawn(pty.serve(line, shutdown.clone()));
    let mut tty = std::fs::OpenOptions::new().write(true).open(&link).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let writer_done = done.clone();
    let writer = std::thread::spawn(move || {
        let batch = vec![0x55u8; 4096];
        while !writer_done.load(Ordering::Relaxed) {
            if tty.write_all(&batch).is_err() {
                break;
            }
        }
    });
    let first = module.from_line.recv().await.unwrap();
    let _ = first; // starts the clock
    let t0 = Instant::now();
    let mut total = 0usize;
    while t0.elapsed() < window {
        match tokio::time::timeout(Duration::from_secs(1), module.from_line.recv()).await {
            Ok(Some(c)) => total += c.len(),
            _ => break,
        }
    }
    let rate = total as f64 / t0.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    shutdown.cancel();
    // The writer may sit in a full PTY; closing the line's master ends it.
    drop(module);
    let _ = tokio::task::spawn_blocking(move || writer.join()).await;
    rate
}

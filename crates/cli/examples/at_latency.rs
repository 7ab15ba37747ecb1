//! Round-trip time of `AT` → `OK` over a real PTY to `ftpmodem serve` (method and figures in
//! BENCHMARKS.md "AT round trip"). esp-ml307 probes each baud rate for 20 ms
//! (ONEMO-RELATED.md §A.3), so the answer must come well within that.
//!
//! `cargo run --release -p ftpmodem --example at_latency -- --count 2000`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use anyhow::{bail, Context, Result};
use clap::Parser;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Round trips measured (after 20 unmeasured ones).
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// The ftpmodem binary (default: the one built next to this example).
    #[arg(long)]
    bin: Option<PathBuf>,
}

/// The module's process, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sibling_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join(name), dir.parent()?.join(name)]
        .into_iter()
        .find(|p| p.is_file())
}

/// Reads until `want` has arrived; fails after 5 s.
fn read_until(tty: &mut File, pending: &mut Vec<u8>, want: &[u8]) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = [0u8; 4096];
    loop {
        if let Some(pos) = pending.windows(want.len()).position(|w| w == want) {
            pending.drain(..pos + want.len());
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("no {:?} within 5 s", String::from_utf8_lossy(want));
        }
        let n = tty.read(&mut buf)?;
        if n == 0 {
            bail!("the line closed");
        }
        pending.extend_from_slice(&buf[..n]);
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let bin = match args.bin {
        Some(b) => b,
        None => sibling_binary("ftpmodem").context("ftpmodem not found; pass --bin")?,
    };
    let dir = tempfile::tempdir()?;
    let link = dir.path().join("ttyML307");
    let mut child = Command::new(&bin)
        .arg("serve")
        .arg("--pty")
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.path().join("fs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stderr = child.stderr.take().context("no stderr")?;
    let _serve = Serve(child);
    let mut lines = BufReader::new(stderr).lines();
    loop {
        match lines.next() {
            Some(line) => {
                if line?.contains(" module on ") {
                    break;
                }
            }
            None => bail!("ftpmodem serve ended before announcing its PTY"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY)
        .open(&link)?;
    let mut pending = Vec::new();
    read_until(&mut tty, &mut pending, b"+MATREADY\r\n")?;
    tty.write_all(b"ATE0\r")?;
    read_until(&mut tty, &mut pending, b"OK\r\n")?;
    let mut times = Vec::with_capacity(args.count);
    for i in 0..args.count + 20 {
        let t = Instant::now();
        tty.write_all(b"AT\r")?;
        read_until(&mut tty, &mut pending, b"\r\nOK\r\n")?;
        if i >= 20 {
            times.push(t.elapsed());
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let over = times
        .iter()
        .filter(|t| **t >= Duration::from_millis(20))
        .count();
    println!(
        "AT round trip over a PTY, {} runs: p50 {:?}, p99 {:?}, max {:?}; {} at or over 20 ms",
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1],
        over
    );
    Ok(())
}

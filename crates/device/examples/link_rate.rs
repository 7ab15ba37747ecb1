//! Measures the shaped FTP link (`serve --network cat1`: 10 Mbit/s down, 5 Mbit/s up, 25 ms
//! each way) against a real vsftpd on loopback (BENCHMARKS.md, "Shaped link"). Not a test.
//!
//! ```sh
//! cargo run -p ftpmodem-device --example link_rate          # 10 s windows
//! ```
//!
//! A session is opened through the module's fault layer (`NetFaults::network`) with the Cat.1
//! shape armed, as `serve --network cat1` arms it. Down: RETR of a file larger than the window
//! holds; bytes handed to the reader are counted over a window that starts at the first byte.
//! Up: STOR of data written as fast as the shaped stream takes it; bytes taken are counted
//! over the window, and the server's copy is checked against the bytes sent. The round trip is
//! the median of 20 NOOPs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::net::{NetFault, NetFaultKind, NetFaults, Trigger};
use ftpmodem_ftp::{ConnectConfig, Session};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::time::{Duration, Instant};

const DOWN_BPS: u64 = 10_000_000;
const UP_BPS: u64 = 5_000_000;
const LATENCY_MS: u64 = 25;

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let window = Duration::from_secs(secs);
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let size = (DOWN_BPS / 8 * (secs + 4)) as usize;
    let data: Vec<u8> = (0..size)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("down.bin"), &data).unwrap();

    let faults = NetFaults::new();
    faults
        .arm(NetFault {
            kind: NetFaultKind::Shape {
                down_bps: Some(DOWN_BPS),
                up_bps: Some(UP_BPS),
                latency_ms: Some(LATENCY_MS),
            },
            trigger: Trigger::default(),
        })
        .unwrap();
    let mut cfg = ConnectConfig::new(server.host(), server.port());
    cfg.user = USER.into();
    cfg.password = PASSWORD.into();
    let mut s = Session::connect_via(&cfg, faults.network(0)).await.unwrap();

    let mut rtts = Vec::new();
    for _ in 0..20 {
        let t0 = Instant::now();
        s.noop().await.unwrap();
        rtts.push(t0.elapsed());
    }
    rtts.sort();
    let rtt = rtts[rtts.len() / 2];

    let path = format!("{}/down.bin", dir.display());
    let mut dl = s.retrieve(&path, 0, None, false).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = dl.next_chunk(&mut buf).await.unwrap();
    let t0 = Instant::now();
    let mut counted = 0usize;
    while t0.elapsed() < window {
        let n = dl.next_chunk(&mut buf).await.unwrap();
        assert!(n > 0, "the file ended inside the window");
        assert!(buf[..n] == data[got..got + n], "download differs at {got}");
        got += n;
        counted += n;
    }
    let down = counted as f64 * 8.0 / t0.elapsed().as_secs_f64();
    dl.abort().await.unwrap();

    let mut s = Session::connect_via(&cfg, faults.network(0)).await.unwrap();
    let up_path = format!("{}/up.bin", dir.display());
    let mut ul = s.store(&up_path, false, false).await.unwrap();
    ul.write_all(&data[..16 * 1024]).await.unwrap();
    let mut sent = 16 * 1024;
    let t0 = Instant::now();
    let mut counted = 0usize;
    while t0.elapsed() < window {
        let piece = &data[sent..sent + 16 * 1024];
        ul.write_all(piece).await.unwrap();
        sent += piece.len();
        counted += piece.len();
    }
    let up = counted as f64 * 8.0 / t0.elapsed().as_secs_f64();
    ul.finish().await.unwrap();
    let stored = std::fs::read(dir.join("up.bin")).unwrap();
    assert!(stored == data[..sent], "the server's copy differs");

    println!("window {secs} s, vsftpd on loopback, plain FTP, passive");
    println!("| direction | nominal bit/s | measured bit/s | error |");
    println!("|---|---:|---:|---:|");
    println!(
        "| down (RETR) | {DOWN_BPS} | {down:.0} | {:+.2} % |",
        (down / DOWN_BPS as f64 - 1.0) * 100.0
    );
    println!(
        "| up (STOR) | {UP_BPS} | {up:.0} | {:+.2} % |",
        (up / UP_BPS as f64 - 1.0) * 100.0
    );
    println!(
        "round trip (median of 20 NOOPs): {:.1} ms (nominal {} ms)",
        rtt.as_secs_f64() * 1000.0,
        2 * LATENCY_MS
    );
}

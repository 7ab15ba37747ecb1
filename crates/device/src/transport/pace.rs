//! Hardware timing for lines that have none: a UART at N baud moves N/10 bytes per second
//! each way (8N1: a start bit, 8 data bits, a stop bit), so a 2 MiB image takes three minutes
//! at 115200. A PTY, TCP or stdio line moves bytes as fast as the machine does; the pacer
//! sits between such a transport and the module and lets each direction's bytes through at
//! the UART's rate, so a firmware's timeouts meet the times they will meet in the field.
//!
//! A real serial device is not paced here: its UART already is.
//!
//! The rate is a shared [`LineRate`], so `AT+IPR` (or anyone holding the handle) changes it
//! under a running line; the new rate applies from the next slice of bytes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ends::{line_channel, LineEnds};
use super::line_out::LineOut;
use crate::net::Bucket;

/// Bits on the wire per byte (8N1).
pub const BITS_PER_BYTE: u32 = 10;

/// The baud rate of a paced line; 0 means unpaced. Clones share the rate.
#[derive(Debug, Clone, Default)]
pub struct LineRate(Arc<AtomicU32>);

impl LineRate {
    /// A line at `baud` (0: unpaced).
    pub fn new(baud: u32) -> Self {
        LineRate(Arc::new(AtomicU32::new(baud)))
    }

    /// The current baud rate.
    pub fn baud(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// Changes the rate (`AT+IPR=<rate>`); 0 unpaces the line.
    pub fn set_baud(&self, baud: u32) {
        self.0.store(baud, Ordering::Relaxed);
    }

    /// Bytes per second at the current rate (`None`: unpaced).
    fn bytes_per_sec(&self) -> Option<u64> {
        match self.baud() {
            0 => None,
            b => Some(u64::from((b / BITS_PER_BYTE).max(1))),
        }
    }
}

/// Puts a pacer at `rate` between a transport and the module: give the transport the
/// returned ends instead of `line`. The two relay tasks end with the line (either side
/// dropping its end) or on `shutdown`.
pub fn paced(line: LineEnds, rate: LineRate, shutdown: CancellationToken) -> LineEnds {
    let (outer, inner) = line_channel(crate::runtime::LINE_QUEUE);
    let LineEnds {
        from_module,
        to_module,
    } = line;
    tokio::spawn(pace_out(
        from_module,
        inner.to_line,
        rate.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(pace_in(inner.from_line, to_module, rate, shutdown));
    outer
}

/// Waits until `bucket` lets bytes through at `rate`; returns how many (at most `want`), or
/// `want` at once when unpaced.
async fn admit(bucket: &mut Bucket, rate: &LineRate, want: usize) -> usize {
    loop {
        let Some(bps) = rate.bytes_per_sec() else {
            return want;
        };
        let now = Instant::now();
        let n = bucket.available(now, bps).min(want);
        if n > 0 {
            bucket.take(n);
            return n;
        }
        let at = bucket.ready_at(now, bps, want);
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }
}

/// Module to line: each piece is cut into slices the bucket admits.
async fn pace_out(
    mut from_module: mpsc::Receiver<LineOut>,
    to_line: mpsc::Sender<LineOut>,
    rate: LineRate,
    shutdown: CancellationToken,
) {
    let mut bucket = Bucket::new();
    let run = async {
        while let Some(out) = from_module.recv().await {
            for piece in out.pieces() {
                let mut rest: Bytes = piece.clone();
                while !rest.is_empty() {
                    let n = admit(&mut bucket, &rate, rest.len()).await;
                    let slice = rest.split_to(n);
                    if to_line.send(LineOut::from(slice)).await.is_err() {
                        return;
                    }
                }
            }
            // AT+IPR: the new rate holds from the byte after its OK (docs/PROTOCOL.md).
            if let Some(r) = out.rate_after() {
                rate.set_baud(r);
            }
        }
    };
    tokio::select! {
        _ = run => {}
        _ = shutdown.cancelled() => {}
    }
}

/// Line to module: the same, chunk by chunk; an empty chunk (the far end detached) passes
/// as it is, after the bytes before it.
async fn pace_in(
    mut from_line: mpsc::Receiver<Vec<u8>>,
    to_module: mpsc::Sender<Vec<u8>>,
    rate: LineRate,
    shutdown: CancellationToken,
) {
    let mut bucket = Bucket::new();
    let run = async {
        while let Some(chunk) = from_line.recv().await {
            if chunk.is_empty() {
                if to_module.send(chunk).await.is_err() {
                    return;
                }
                continue;
            }
            let mut rest = &chunk[..];
            while !rest.is_empty() {
                let n = admit(&mut bucket, &rate, rest.len()).await;
                let (now, later) = rest.split_at(n);
                if to_module.send(now.to_vec()).await.is_err() {
                    return;
                }
                rest = later;
            }
        }
    };
    tokio::select! {
        _ = run => {}
        _ = shutdown.cancelled() => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Duration;

    /// The pacer's own timing, without a real line (the rate against a PTY is measured by
    /// `examples/line_rate.rs`, see BENCHMARKS.md): bytes in order, whole, and no faster than
    /// the rate.
    #[tokio::test]
    async fn both_directions_in_order_at_the_rate() {
        let (line, mut module) = line_channel(4);
        let rate = LineRate::new(115_200);
        let mut outer = paced(line, rate.clone(), CancellationToken::new());
        let data: Vec<u8> = (0..5_760u32).map(|i| (i % 251) as u8).collect();
        let t0 = Instant::now();
        module
            .to_line
            .send(LineOut::from(data.clone()))
            .await
            .unwrap();
        let mut got = Vec::new();
        while got.len() < data.len() {
            got.extend(outer.from_module.recv().await.unwrap().into_vec());
        }
        assert_eq!(got, data);
        let took = t0.elapsed();
        // 5760 bytes at 11520 B/s is 0.5 s, less a 20 ms burst.
        assert!(took >= Duration::from_millis(470), "{took:?}");

        rate.set_baud(0);
        let t0 = Instant::now();
        outer.to_module.send(data.clone()).await.unwrap();
        outer.to_module.send(Vec::new()).await.unwrap();
        let mut got = Vec::new();
        loop {
            let c = module.from_line.recv().await.unwrap();
            if c.is_empty() {
                break;
            }
            got.extend(c);
        }
        assert_eq!(got, data);
        assert!(
            t0.elapsed() < Duration::from_millis(400),
            "unpaced is not paced"
        );
    }
}

//! How far a download to the serial line may run ahead of the line.
//!
//! Everything a download has read and not yet written to the line sits in front of any answer
//! the module gives meanwhile: an `AT+MFTPSTATE` or the `OK` of an `AT+MFTPDISC` is written
//! after it. A fixed budget has to choose between two users:
//! - a small one starves a fast line (small reads cost twice the CPU on loopback, BENCHMARKS.md);
//! - a large one (2 MiB) is three minutes of data on a UART at 115 200 baud, so every AT
//!   command sent during a download would wait that long for its answer.
//!
//! So the budget follows the line. It is the bytes the line drains in [`LATENCY`], measured
//! while the download runs, never below a floor of a few chunks and never above
//! [`Pacer::new`]'s ceiling. A new download starts at the floor and reaches the ceiling within
//! a few [`WINDOW`]s on a fast line. The measuring is pure ([`DrainRate`], time passed in).

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

/// How much of the line's time a download may queue ahead of an answer.
pub(super) const LATENCY: Duration = Duration::from_millis(50);
/// How often the drain rate is measured.
pub(super) const WINDOW: Duration = Duration::from_millis(10);
/// The smallest budget, whatever the rate: a few chunks of the generic profile.
pub(super) const FLOOR: usize = 16 * 1024;

/// The line's drain rate, from the bytes it has written so far and the time.
#[derive(Debug)]
pub(super) struct DrainRate {
    window_start: Instant,
    written_at_start: u64,
    /// Bytes per second; `None` until the first window has passed.
    rate: Option<f64>,
}

impl DrainRate {
    pub(super) fn new(now: Instant) -> DrainRate {
        DrainRate {
            window_start: now,
            written_at_start: 0,
            rate: None,
        }
    }

    /// Takes the line's total written bytes at `now`. A faster window counts at once; a slower
    /// one halves the estimate at most, so one window in which the writer was not scheduled
    /// does not throttle a fast line.
    pub(super) fn observe(&mut self, now: Instant, written: u64) {
        let dt = now.saturating_duration_since(self.window_start);
        if dt < WINDOW {
            return;
        }
        let measured = written.saturating_sub(self.written_at_start) as f64 / dt.as_secs_f64();
        self.rate = Some(match self.rate {
            Some(old) => measured.max(old / 2.0),
            None => measured,
        });
        self.window_start = now;
        self.written_at_start = written;
    }

    /// The bytes that may be in flight: [`LATENCY`] of the line, within `floor..=ceiling`.
    pub(super) fn budget(&self, floor: usize, ceiling: usize) -> usize {
        let want = self.rate.map_or(0.0, |r| r * LATENCY.as_secs_f64());
        // `as` saturates: an absurd rate is just the ceiling.
        (want as usize).clamp(floor, ceiling.max(floor))
    }
}

/// A block's share of its download's in-flight budget: the bytes it counts stay "in flight"
/// until this is dropped, which happens when the transport has written the block's last byte
/// (the block's buffer holds it; see `retr.rs`).
#[derive(Debug)]
pub(super) struct InFlight {
    _share: OwnedSemaphorePermit,
}

#[cfg(test)]
impl InFlight {
    /// Bytes this share counts.
    pub(super) fn bytes(&self) -> usize {
        self._share.num_permits()
    }
}

/// One download's budget: read blocks are admitted while the bytes in flight stay within what
/// [`DrainRate`] allows; each block carries its share until the transport has written it.
pub(super) struct Pacer {
    shares: Arc<Semaphore>,
    ceiling: usize,
    floor: usize,
    admitted: u64,
    rate: DrainRate,
}

impl Pacer {
    /// A budget of at most `ceiling` bytes, never less than `floor` (raised to [`FLOOR`]).
    pub(super) fn new(floor: usize, ceiling: usize, now: Instant) -> Pacer {
        let floor = floor.max(FLOOR).min(ceiling);
        Pacer {
            shares: Arc::new(Semaphore::new(ceiling)),
            ceiling,
            floor,
            admitted: 0,
            rate: DrainRate::new(now),
        }
    }

    /// Bytes admitted and not yet written by the line.
    pub(super) fn in_flight(&self) -> usize {
        self.ceiling.saturating_sub(self.shares.available_permits())
    }

    /// The budget now: how much the next read may take.
    pub(super) fn budget(&mut self, now: Instant) -> usize {
        let written = self.admitted.saturating_sub(self.in_flight() as u64);
        self.rate.observe(now, written);
        self.rate.budget(self.floor, self.ceiling)
    }

    /// Waits until a block of `n` bytes fits in the budget, and returns the share it carries.
    /// A block larger than the budget waits until nothing else is in flight.
    pub(super) async fn admit(&mut self, n: usize) -> Result<InFlight, AcquireError> {
        let n = n.min(self.ceiling);
        let budget = self.budget(Instant::now()).max(n);
        // Taking the share together with the part of the ceiling outside the budget waits
        // until the bytes in flight are at most `budget - n`; that part is handed back at once.
        let outside = self.ceiling - budget;
        let mut share = Arc::clone(&self.shares)
            .acquire_many_owned(u32::try_from(n + outside).unwrap_or(u32::MAX))
            .await?;
        if outside > 0 {
            drop(share.split(outside));
        }
        self.admitted = self.admitted.saturating_add(n as u64);
        Ok(InFlight { _share: share })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    #[test]
    fn the_budget_starts_at_the_floor() {
        let t0 = Instant::now();
        let r = DrainRate::new(t0);
        assert_eq!(r.budget(FLOOR, 2 * MIB), FLOOR);
    }

    #[test]
    fn a_fast_line_reaches_the_ceiling_in_one_window() {
        let t0 = Instant::now();
        let mut r = DrainRate::new(t0);
        // 1 GB/s for one window.
        r.observe(t0 + WINDOW, 10_000_000);
        assert_eq!(r.budget(FLOOR, 2 * MIB), 2 * MIB);
    }

    #[test]
    fn a_uart_keeps_the_floor() {
        let t0 = Instant::now();
        let mut r = DrainRate::new(t0);
        // 115 200 baud: about 11.5 KB/s, one window after another.
        let mut written = 0;
        for k in 1..=200u32 {
            written += 115;
            r.observe(t0 + WINDOW * k, written);
        }
        assert_eq!(r.budget(FLOOR, 2 * MIB), FLOOR);
    }

    #[test]
    fn the_budget_is_latency_worth_of_the_line() {
        let t0 = Instant::now();
        let mut r = DrainRate::new(t0);
        // 10 MB/s: 100 KB per 10 ms; 50 ms of it is 500 KB.
        r.observe(t0 + WINDOW, 100_000);
        let b = r.budget(FLOOR, 2 * MIB);
        assert!((490_000..=510_000).contains(&b), "{b}");
    }

    #[test]
    fn a_slower_window_at_most_halves_the_estimate() {
        let t0 = Instant::now();
        let mut r = DrainRate::new(t0);
        r.observe(t0 + WINDOW, 100_000); // 10 MB/s
        r.observe(t0 + WINDOW * 2, 100_000); // nothing written
        let b = r.budget(FLOOR, 2 * MIB);
        assert!((245_000..=255_000).contains(&b), "{b}");
        // A line that stays stalled comes down to the floor.
        for k in 3..20u32 {
            r.observe(t0 + WINDOW * k, 100_000);
        }
        assert_eq!(r.budget(FLOOR, 2 * MIB), FLOOR);
    }

    #[test]
    fn windows_shorter_than_the_window_are_not_measured() {
        let t0 = Instant::now();
        let mut r = DrainRate::new(t0);
        r.observe(t0 + WINDOW / 2, 10_000_000);
        assert_eq!(r.budget(FLOOR, 2 * MIB), FLOOR);
    }

    #[test]
    fn a_time_going_backwards_is_ignored() {
        let t0 = Instant::now() + Duration::from_secs(1);
        let mut r = DrainRate::new(t0);
        r.observe(t0 - Duration::from_millis(500), 10_000_000);
        assert_eq!(r.budget(FLOOR, 2 * MIB), FLOOR);
    }

    #[tokio::test]
    async fn admission_waits_until_the_line_has_written_enough() {
        let t0 = Instant::now();
        let mut p = Pacer::new(0, 2 * MIB, t0);
        // The rate is unknown: the budget is the floor, and a first block of it fits.
        let first = p.admit(FLOOR).await.unwrap();
        assert_eq!(p.in_flight(), FLOOR);
        // A second one waits for the first to be written.
        let mut second = Box::pin(p.admit(FLOOR));
        assert!(futures_poll_once(&mut second).await.is_none());
        drop(first);
        let second = second.await.unwrap();
        assert_eq!(second.bytes(), FLOOR);
        drop(second);
        assert_eq!(p.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_block_larger_than_the_budget_goes_alone() {
        let mut p = Pacer::new(0, 2 * MIB, Instant::now());
        let big = p.admit(MIB).await.unwrap();
        assert_eq!(big.bytes(), MIB);
        assert_eq!(p.in_flight(), MIB);
    }

    /// Polls a future once: `Some` if it is ready.
    async fn futures_poll_once<F: std::future::Future + Unpin>(f: &mut F) -> Option<F::Output> {
        use std::task::Poll;
        std::future::poll_fn(|cx| match std::pin::Pin::new(&mut *f).poll(cx) {
            Poll::Ready(v) => Poll::Ready(Some(v)),
            Poll::Pending => Poll::Ready(None),
        })
        .await
    }
}

//! A token bucket: the rate limiter of shaped connections and of the paced serial line.

use std::time::{Duration, Instant};

/// Burst allowed on top of the rate by default: this much time's worth of bytes (at least
/// one byte). Small, so that a UART's bytes come as a trickle rather than in bursts.
const BURST: Duration = Duration::from_millis(20);

/// The longest lateness of a waiter that is made up for (see [`Bucket::ready_at`]).
const CATCH_UP: Duration = Duration::from_millis(250);

/// Tokens are bytes; the rate is given at each call, so it can change under a running
/// stream (`AT+IPR`).
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    last: Option<Instant>,
    burst: Duration,
    /// Someone waits for tokens (set by [`Bucket::ready_at`]).
    starved: bool,
}

impl Default for Bucket {
    fn default() -> Self {
        Self::with_burst(BURST)
    }
}

impl Bucket {
    /// A bucket of 20 ms worth of bytes that starts full at the first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A bucket holding `burst`'s worth of bytes. A waiter that wakes later than half of it
    /// loses tokens (see [`Bucket::ready_at`]), so a link served by a busy scheduler wants
    /// more than a UART does.
    pub fn with_burst(burst: Duration) -> Self {
        Bucket {
            tokens: 0.0,
            last: None,
            burst,
            starved: false,
        }
    }

    fn cap(&self, rate: u64) -> f64 {
        (rate as f64 * self.burst.as_secs_f64()).max(1.0)
    }

    fn refill(&mut self, now: Instant, rate: u64) {
        // A waiter woken late (a busy machine) gets the tokens of its lateness: the time was
        // not idle, and the long-run rate must stay the nominal one. Idle time (nobody
        // waiting) fills the bucket to its burst only.
        let cap = if self.starved {
            self.cap(rate).max(rate as f64 * CATCH_UP.as_secs_f64())
        } else {
            self.cap(rate)
        };
        self.starved = false;
        self.tokens = match self.last {
            None => cap,
            Some(t) => (self.tokens + now.saturating_duration_since(t).as_secs_f64() * rate as f64)
                .min(cap),
        };
        self.last = Some(now);
    }

    /// Whole bytes that may pass now at `rate` bytes per second.
    pub fn available(&mut self, now: Instant, rate: u64) -> usize {
        self.refill(now, rate);
        self.tokens.max(0.0) as usize
    }

    /// Spends `n` bytes (after [`Bucket::available`] allowed them).
    pub fn take(&mut self, n: usize) {
        self.tokens -= n as f64;
    }

    /// When `want` bytes will be available at `rate` (`want` taken as at most half a
    /// bucket), for a caller that is going to wait: the wait's lateness, up to
    /// a quarter of a second, is made up at the next refill.
    pub fn ready_at(&mut self, now: Instant, rate: u64, want: usize) -> Instant {
        self.starved = true;
        let want = (want as f64).min(self.cap(rate) / 2.0).max(1.0);
        let missing = (want - self.tokens).max(0.0);
        now + Duration::from_secs_f64(missing / rate.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_over_time() {
        let mut b = Bucket::new();
        let t0 = Instant::now();
        let rate = 11_520;
        let first = b.available(t0, rate);
        assert_eq!(first, 230, "a full bucket is 20 ms of bytes");
        b.take(first);
        assert_eq!(b.available(t0, rate), 0);
        let mut sent = 0;
        for ms in 1..=1000u64 {
            let n = b.available(t0 + Duration::from_millis(ms), rate);
            b.take(n);
            sent += n;
        }
        assert!((11_500..=11_521).contains(&sent), "{sent}");
        let at = b.ready_at(t0 + Duration::from_secs(1), rate, 100);
        assert!(at > t0 + Duration::from_secs(1));
        assert!(at <= t0 + Duration::from_secs(1) + Duration::from_millis(10));
    }

    #[test]
    fn a_late_waiter_is_made_up_for_an_idle_one_is_not() {
        let rate = 10_000;
        let t0 = Instant::now();
        let mut b = Bucket::new();
        let n = b.available(t0, rate);
        b.take(n);
        // Idle for 100 ms: one burst (20 ms) only.
        assert_eq!(b.available(t0 + Duration::from_millis(100), rate), 200);
        b.take(200);
        // Waiting, woken 100 ms late: the whole 100 ms.
        let t1 = t0 + Duration::from_millis(100);
        let _ = b.ready_at(t1, rate, 50);
        assert_eq!(b.available(t1 + Duration::from_millis(100), rate), 1000);
        b.take(1000);
        // Lateness beyond a quarter second is not made up.
        let t2 = t1 + Duration::from_millis(100);
        let _ = b.ready_at(t2, rate, 50);
        assert_eq!(b.available(t2 + Duration::from_secs(5), rate), 2500);
    }
}

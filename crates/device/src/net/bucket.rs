//! A token bucket: the rate limiter of shaped connections and of the paced serial line.

use std::time::{Duration, Instant};

/// Burst allowed on top of the rate by default: this much time's worth of bytes (at least
/// one byte). Small, so that a UART's bytes come as a trickle rather than in bursts.
pub const BURST: Duration = Duration::from_millis(20);

/// Tokens are bytes; the rate is given at each call, so it can change under a running
/// stream (`AT+IPR`).
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    last: Option<Instant>,
    burst: Duration,
}

impl Default for Bucket {
    fn default() -> Self {
        Self::with_burst(BURST)
    }
}

impl Bucket {
    /// A bucket of [`BURST`] that starts full at the first use.
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
        }
    }

    fn cap(&self, rate: u64) -> f64 {
        (rate as f64 * self.burst.as_secs_f64()).max(1.0)
    }

    fn refill(&mut self, now: Instant, rate: u64) {
        let cap = self.cap(rate);
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

    /// When `want` bytes will be available at `rate`, `want` taken as at most half a
    /// bucket: a waiter woken late (timers round up) then still finds room below the cap,
    /// so no token is lost to the lateness and the long-run rate stays the nominal one.
    pub fn ready_at(&self, now: Instant, rate: u64, want: usize) -> Instant {
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
}

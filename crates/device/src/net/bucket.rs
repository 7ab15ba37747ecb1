//! A token bucket: the rate limiter of shaped connections and of the paced serial line.

use std::time::{Duration, Instant};

/// Burst allowed on top of the rate: this much time's worth of bytes (at least one byte).
/// Small, so that a rate measured over seconds is the nominal one, and a UART's bytes come
/// as a trickle rather than in bursts.
const BURST: Duration = Duration::from_millis(20);

/// Tokens are bytes; the rate is given at each call, so it can change under a running
/// stream (`AT+IPR`).
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    tokens: f64,
    last: Option<Instant>,
}

impl Bucket {
    /// A bucket that starts full at the first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn cap(rate: u64) -> f64 {
        (rate as f64 * BURST.as_secs_f64()).max(1.0)
    }

    fn refill(&mut self, now: Instant, rate: u64) {
        let cap = Self::cap(rate);
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

    /// When `want` bytes (at most a full bucket) will be available at `rate`.
    pub fn ready_at(&self, now: Instant, rate: u64, want: usize) -> Instant {
        let want = (want as f64).min(Self::cap(rate)).max(1.0);
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

//! The module's real-time clock (`AT+CCLK`). The engine reads no clock: the runtime says
//! what the UTC time was at the instant the engine was made ([`ClockConfig`]), and the
//! instants passed in since then advance it. `AT+CCLK=<time>` moves it, as on a module whose
//! clock the host sets.

use std::time::Instant;

/// Where the module's clock starts. The default counts from the Unix epoch in zone +32 (UTC+8,
/// the zone of the CMCC network the default IMSI belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockConfig {
    /// UTC seconds since the Unix epoch at the instant given to
    /// [`Engine::new`](super::Engine::new); `None`: the clock starts at the epoch, as a module
    /// that never received network time.
    pub utc_at_start: Option<i64>,
    /// Zone printed by `AT+CCLK?`, in quarter hours (-96..=96).
    pub zone: i8,
}

/// Zone +32: UTC+8.
pub const DEFAULT_ZONE: i8 = 32;

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig {
            utc_at_start: None,
            zone: DEFAULT_ZONE,
        }
    }
}

/// The running clock: at `at` it read `utc` (UTC seconds). `origin` is where the host's clock
/// put it at start-up, kept for a restart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    at: Instant,
    utc: i64,
    pub(crate) zone: i8,
    origin: (Instant, i64, i8),
}

impl Clock {
    pub(crate) fn new(cfg: &ClockConfig, now: Instant) -> Clock {
        let utc = cfg.utc_at_start.unwrap_or(0);
        Clock {
            at: now,
            utc,
            zone: cfg.zone,
            origin: (now, utc, cfg.zone),
        }
    }

    /// UTC seconds at `now`.
    pub(crate) fn utc(&self, now: Instant) -> i64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs();
        self.utc
            .saturating_add(i64::try_from(elapsed).unwrap_or(i64::MAX))
    }

    /// From `now` on the clock reads `utc` in `zone`.
    pub(crate) fn set(&mut self, now: Instant, utc: i64, zone: i8) {
        self.at = now;
        self.utc = utc;
        self.zone = zone;
    }

    /// A restart: the time set with `AT+CCLK` is gone, the host's clock (the network's time)
    /// and the configured zone are back.
    pub(crate) fn restart(&mut self) {
        (self.at, self.utc, self.zone) = self.origin;
    }
}

//! [`EngineConfig`]: the limits and options an engine is made with.

use super::contexts::PdpBinding;
use ftpmodem_proto::Profile;
use std::time::Duration;

/// Limits and options of one engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Which model to be.
    pub profile: Profile,
    /// Longest command line; a longer one gives `ERROR` (NOTES "Framing").
    pub max_line: usize,
    /// Silence required before and after `+++` (V.25ter S12, 1 s).
    pub guard_time: Duration,
    /// A `>` prompt with no byte for this long is abandoned with an error.
    pub prompt_timeout: Duration,
    /// Largest file `AT+MFGET` prints in one response.
    pub mfget_max: u64,
    /// Queued URC bytes above which [`Engine::wants_events`](super::Engine::wants_events) says stop.
    pub urc_queue_max: usize,
    /// PDP context bindings from the configuration file.
    pub pdp: Vec<PdpBinding>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            profile: Profile::default(),
            max_line: 2048,
            guard_time: ftpmodem_proto::data_mode::GUARD_TIME,
            prompt_timeout: Duration::from_secs(60),
            mfget_max: 1 << 20,
            urc_queue_max: 256 * 1024,
            pdp: Vec::new(),
        }
    }
}

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
    /// Identity values that replace the model profile's (configuration file `[identity]`).
    pub identity: IdentityOverrides,
    /// Where `AT+CCLK?` takes its time from (configuration file `[clock]`).
    pub clock: super::clock::ClockConfig,
    /// The UART rate of a module fresh from the factory (`--baud`): what `AT+IPR?` reports
    /// until `AT+IPR` changes it, and what a restart returns to unless `AT&W` saved another.
    pub line_rate: u32,
}

/// What the configuration file may set instead of the model profile's identity. `None` keeps
/// the profile's value. Check with [`IdentityOverrides::check`] before serving: a value the
/// hardware could not print would break a host's parser (ONEMO-RELATED.md §A.1).
/// It is also the `[identity]` table of `ftpmodem serve`'s configuration file, read as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityOverrides {
    /// `AT+CGMI` and `ATI`'s first line.
    pub manufacturer: Option<String>,
    /// `AT+CGMR` and `ATI`'s revision line.
    pub revision: Option<String>,
    /// 15 digits with a valid Luhn check digit (`AT+CGSN`, `AT+GSN`).
    pub imei: Option<String>,
    /// 6-15 digits (`AT+CIMI`).
    pub imsi: Option<String>,
    /// 19 or 20 digits (`AT+MCCID`, `AT+ICCID`).
    pub iccid: Option<String>,
    /// Operator name of `AT+COPS?`.
    pub operator: Option<String>,
    /// `<rssi>` of `AT+CSQ`: 0-31 or 99.
    pub rssi: Option<u8>,
    /// `<ber>` of `AT+CSQ`: 0-7 or 99.
    pub ber: Option<u8>,
    /// `<rsrq>` of `AT+CESQ`: 0-34 or 255.
    pub rsrq: Option<u8>,
    /// `<rsrp>` of `AT+CESQ`: 0-97 or 255.
    pub rsrp: Option<u8>,
    /// Address `+MIPCALL` and `+CGPADDR` report for an active context without a `bind`
    /// address (default `0.0.0.0`: the host chooses the source).
    pub address: Option<std::net::IpAddr>,
}

/// An identity override the module could not print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Not 15 digits, or the Luhn check digit is wrong.
    #[error("imei {0:?} is not 15 digits with a valid Luhn check digit")]
    Imei(String),
    /// Not 6-15 digits.
    #[error("imsi {0:?} is not 6-15 digits")]
    Imsi(String),
    /// Not 19-20 digits.
    #[error("iccid {0:?} is not 19-20 digits")]
    Iccid(String),
    /// Empty, over 64 bytes, or holding a comma, quote or control byte, which would split or
    /// end the response line (ONEMO-RELATED.md §A.1).
    #[error("{0} {1:?} must be 1-64 printable characters without a comma or quote")]
    Text(&'static str, String),
    /// Outside 0-31 and not 99 (27.007 §8.5).
    #[error("rssi {0} is not 0-31 or 99")]
    Rssi(u8),
    /// Outside 0-7 and not 99 (27.007 §8.5).
    #[error("ber {0} is not 0-7 or 99")]
    Ber(u8),
    /// Outside 0-34 and not 255 (27.007 §8.69).
    #[error("rsrq {0} is not 0-34 or 255")]
    Rsrq(u8),
    /// Outside 0-97 and not 255 (27.007 §8.69).
    #[error("rsrp {0} is not 0-97 or 255")]
    Rsrp(u8),
}

/// Whether the last digit of `digits` is the Luhn check digit of the others.
pub(crate) fn luhn_valid(digits: &str) -> bool {
    let Some((body, check)) = digits.len().checked_sub(1).map(|n| digits.split_at(n)) else {
        return false;
    };
    digits.bytes().all(|b| b.is_ascii_digit()) && luhn_digit(body) == Some(check.as_bytes()[0])
}

/// The Luhn check digit (ASCII) that completes `body`; `None` if it is not all digits.
pub(crate) fn luhn_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        let d = u32::from(b.checked_sub(b'0').filter(|d| *d <= 9)?);
        sum += if i % 2 == 0 {
            let x = d * 2;
            x / 10 + x % 10
        } else {
            d
        };
    }
    Some(b'0' + ((10 - sum % 10) % 10) as u8)
}

impl IdentityOverrides {
    /// Refuses a value the hardware could not print.
    pub fn check(&self) -> Result<(), IdentityError> {
        let digits = |s: &str, lo: usize, hi: usize| {
            (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        let text = |s: &str| {
            (1..=64).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                && !s.contains([',', '"'])
        };
        if let Some(v) = &self.imei {
            if !(v.len() == 15 && luhn_valid(v)) {
                return Err(IdentityError::Imei(v.clone()));
            }
        }
        if let Some(v) = self.imsi.as_ref().filter(|v| !digits(v, 6, 15)) {
            return Err(IdentityError::Imsi(v.clone()));
        }
        if let Some(v) = self.iccid.as_ref().filter(|v| !digits(v, 19, 20)) {
            return Err(IdentityError::Iccid(v.clone()));
        }
        if let Some(v) = self.manufacturer.as_ref().filter(|v| !text(v)) {
            return Err(IdentityError::Text("manufacturer", v.clone()));
        }
        if let Some(v) = self.operator.as_ref().filter(|v| !text(v)) {
            return Err(IdentityError::Text("operator", v.clone()));
        }
        if let Some(v) = self.revision.as_ref().filter(|v| !text(v)) {
            return Err(IdentityError::Text("revision", v.clone()));
        }
        if let Some(v) = self.rssi.filter(|v| *v > 31 && *v != 99) {
            return Err(IdentityError::Rssi(v));
        }
        if let Some(v) = self.ber.filter(|v| *v > 7 && *v != 99) {
            return Err(IdentityError::Ber(v));
        }
        if let Some(v) = self.rsrq.filter(|v| *v > 34 && *v != 255) {
            return Err(IdentityError::Rsrq(v));
        }
        if let Some(v) = self.rsrp.filter(|v| *v > 97 && *v != 255) {
            return Err(IdentityError::Rsrp(v));
        }
        Ok(())
    }
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
            identity: IdentityOverrides::default(),
            clock: super::clock::ClockConfig::default(),
            line_rate: ftpmodem_proto::command::IPR_DEFAULT,
        }
    }
}

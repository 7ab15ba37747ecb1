//! The module's own settings around the command line: the V.25ter profile (`ATE`, `ATV`,
//! `ATQ`, S3/S4/S5, `AT+CMEE`, `AT+IPR`), the low-power keys of `AT+MLPMCFG`, and what
//! `AT&W` saved. Echo lives in the engine, the error form and the framing in [`Reply`] (they
//! act on every byte out); this file says what a profile is and moves it in and out of them.
//!
//! [`Reply`]: super::reply::Reply

use ftpmodem_proto::command::{LpmValue, IPR_DEFAULT};
use ftpmodem_proto::frame::encode::Framing;
use ftpmodem_proto::CmeeMode;

/// What `AT&W` saves and `ATZ`, a restart or power-on load (docs/PROTOCOL.md "V.25ter
/// basics"): the settings V.250 calls the profile, plus `AT+CMEE` (27.007 §9.1 keeps it with
/// them) and the UART rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Profile {
    /// `ATE`.
    pub(crate) echo: bool,
    /// `ATV`, `ATQ`, S3, S4.
    pub(crate) framing: Framing,
    /// S5.
    pub(crate) bs: u8,
    /// `AT+CMEE`.
    pub(crate) cmee: CmeeMode,
    /// `AT+IPR`.
    pub(crate) rate: u32,
}

impl Profile {
    /// The factory profile: echo on, V1, Q0, S3 13, S4 10, S5 8 (V.250 defaults), numeric
    /// errors (ONEMO-RELATED.md §A.3, the ML307H captures), the UART at `rate`.
    pub(crate) fn factory(rate: u32) -> Profile {
        Profile {
            echo: true,
            framing: Framing::default(),
            bs: 8,
            cmee: CmeeMode::Numeric,
            rate,
        }
    }
}

/// `AT+MLPMCFG`'s keys (ONEMO-RELATED.md §A.6). There is no radio and no sleep: the values are
/// kept and read back; nothing sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lpm {
    /// `"sleepind"` 0-2.
    pub(crate) sleepind: u8,
    /// `"sleepmode"` 0-2.
    pub(crate) sleepmode: u8,
    /// The permanent flag of the last `"sleepmode"` set.
    pub(crate) permanent: bool,
    /// `"delaysleep"` 0-300 s.
    pub(crate) delaysleep: u16,
}

impl Default for Lpm {
    /// Power-on values: no indications, sleep forbidden, no delay (docs/PROTOCOL.md).
    fn default() -> Self {
        Lpm {
            sleepind: 0,
            sleepmode: 0,
            permanent: false,
            delaysleep: 0,
        }
    }
}

impl Lpm {
    /// The value of `key` as `+MLPMCFG:` prints it.
    pub(crate) fn get(&self, key: ftpmodem_proto::command::LpmKey) -> LpmValue {
        use ftpmodem_proto::command::LpmKey;
        match key {
            LpmKey::SleepInd => LpmValue::SleepInd(self.sleepind),
            LpmKey::SleepMode => LpmValue::SleepMode {
                mode: self.sleepmode,
                permanent: self.permanent,
            },
            LpmKey::DelaySleep => LpmValue::DelaySleep(self.delaysleep),
        }
    }

    /// After a restart only a `"sleepmode"` set with the permanent flag survives.
    pub(crate) fn power_on(&mut self) {
        let kept = *self;
        *self = Lpm::default();
        if kept.permanent {
            self.sleepmode = kept.sleepmode;
            self.permanent = true;
        }
    }

    pub(crate) fn set(&mut self, v: LpmValue) {
        match v {
            LpmValue::SleepInd(n) => self.sleepind = n,
            LpmValue::SleepMode { mode, permanent } => {
                self.sleepmode = mode;
                self.permanent = permanent;
            }
            LpmValue::DelaySleep(s) => self.delaysleep = s,
        }
    }
}

/// The settings the engine keeps beside echo and the reply's.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// S5, the backspace character.
    pub(crate) bs: u8,
    /// `AT+IPR`: the rate the module runs at once the current command line has been answered.
    pub(crate) rate: u32,
    /// The rate the line runs at now (the transport's), which follows `rate` after the answer.
    pub(crate) wire_rate: u32,
    /// `AT+MLPMCFG`.
    pub(crate) lpm: Lpm,
    /// The profile `AT&W` saved; the factory one until then.
    pub(crate) saved: Profile,
    /// `AT+MLPMCFG` set something since the last store: a permanent `"sleepmode"` is written
    /// to the module's storage.
    pub(crate) lpm_changed: bool,
}

impl Settings {
    /// `AT&W`: `p` is the profile from now on, in the module's storage too.
    pub(crate) fn save(&mut self, _fs: &crate::fs::Sandbox, p: Profile) -> Result<(), String> {
        self.saved = p;
        Ok(())
    }

    /// At power-on: the saved profile's rate is what the line runs at.
    pub(crate) fn new(factory_rate: u32, saved: Option<Profile>, lpm: Option<Lpm>) -> Settings {
        let factory_rate = if factory_rate == 0 {
            IPR_DEFAULT
        } else {
            factory_rate
        };
        let saved = saved.unwrap_or_else(|| Profile::factory(factory_rate));
        Settings {
            bs: saved.bs,
            rate: saved.rate,
            wire_rate: saved.rate,
            lpm: lpm.unwrap_or_default(),
            saved,
            lpm_changed: false,
        }
    }
}

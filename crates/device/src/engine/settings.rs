//! The module's own settings around the command line: the V.25ter profile (`ATE`, `ATV`,
//! `ATQ`, S3/S4/S5, `AT+CMEE`, `AT+IPR`), the low-power keys of `AT+MLPMCFG`, and what
//! `AT&W` saved. Echo lives in the engine, the error form and the framing in [`Reply`] (they
//! act on every byte out); this file says what a profile is and moves it in and out of them.
//!
//! [`Reply`]: super::reply::Reply

use crate::fs::{FsError, Sandbox};
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

/// Names of the records in the module's storage (`fs/nv.rs`).
const PROFILE_RECORD: &str = "profile";
const LPM_RECORD: &str = "lpm";

impl Profile {
    /// The record `AT&W` writes: one `KEY=value` per line, so an operator can read it.
    fn to_record(self) -> Vec<u8> {
        let f = self.framing;
        format!(
            "E={}\nV={}\nQ={}\nS3={}\nS4={}\nS5={}\nCMEE={}\nIPR={}\n",
            u8::from(self.echo),
            u8::from(f.verbose),
            u8::from(f.quiet),
            f.cr,
            f.lf,
            self.bs,
            self.cmee.as_u8(),
            self.rate
        )
        .into_bytes()
    }

    /// Reads a record back; `None` if a key is missing or a value is not one the commands
    /// could have set (a file damaged or edited by hand).
    fn from_record(data: &[u8]) -> Option<Profile> {
        let text = std::str::from_utf8(data).ok()?;
        let get = |key: &str| -> Option<u32> {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.trim().parse().ok())
        };
        let flag = |key: &str| match get(key)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        };
        let s_reg = |key: &str| get(key).filter(|v| *v <= 127).map(|v| v as u8);
        let rate = get("IPR").filter(|r| *r > 0)?;
        Some(Profile {
            echo: flag("E")?,
            framing: Framing {
                verbose: flag("V")?,
                quiet: flag("Q")?,
                cr: s_reg("S3")?,
                lf: s_reg("S4")?,
            },
            bs: s_reg("S5")?,
            cmee: CmeeMode::from_u8(u8::try_from(get("CMEE")?).ok()?)?,
            rate,
        })
    }

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
    /// The record of a permanent `"sleepmode"`; empty when there is none.
    fn to_record(self) -> Vec<u8> {
        if self.permanent {
            format!("SLEEPMODE={}\n", self.sleepmode).into_bytes()
        } else {
            Vec::new()
        }
    }

    /// Power-on values with the stored permanent `"sleepmode"`, if any (a bad record: none).
    fn from_record(data: &[u8]) -> Lpm {
        let mode = std::str::from_utf8(data)
            .ok()
            .and_then(|t| t.trim().strip_prefix("SLEEPMODE="))
            .and_then(|v| v.parse::<u8>().ok())
            .filter(|m| *m <= 2);
        match mode {
            Some(m) => Lpm {
                sleepmode: m,
                permanent: true,
                ..Lpm::default()
            },
            None => Lpm::default(),
        }
    }

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
}

impl Settings {
    /// What the module's storage holds, for power-on: the saved profile (factory if none or
    /// unreadable) and the permanent `"sleepmode"`. A record that cannot be read is logged and
    /// ignored: the module starts with factory values, as after a storage reset.
    pub(crate) fn load(fs: &Sandbox, factory_rate: u32) -> Settings {
        let read = |name: &str| match fs.nv_read(name) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("saved settings {name:?} unreadable, factory values used: {e}");
                None
            }
        };
        let profile = read(PROFILE_RECORD).and_then(|r| {
            let p = Profile::from_record(&r);
            if p.is_none() {
                tracing::warn!("saved profile malformed, factory values used");
            }
            p
        });
        let lpm = read(LPM_RECORD).map(|r| Lpm::from_record(&r));
        Settings::new(factory_rate, profile, lpm)
    }

    /// `AT&W`: `p` is the profile from now on, in the module's storage too. On a storage
    /// error the saved profile stays as it was.
    pub(crate) fn save(&mut self, fs: &Sandbox, p: Profile) -> Result<(), FsError> {
        fs.nv_write(PROFILE_RECORD, &p.to_record())?;
        self.saved = p;
        Ok(())
    }

    /// Stores the permanent `"sleepmode"` (or its absence) after an `AT+MLPMCFG` set.
    pub(crate) fn store_lpm(&self, fs: &Sandbox) -> Result<(), FsError> {
        fs.nv_write(LPM_RECORD, &self.lpm.to_record())
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
        }
    }
}

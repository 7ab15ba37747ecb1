//! The module's own faults, as the test bench's control channel applies them
//! (docs/CONTROL.md): the SIM pulled, the cell lost, a PDP context dropped by the network, the
//! signal changed, a line injected. Each goes through the same paths a command takes (the
//! registration change of `AT+CFUN`, the context drop of `AT+CGACT`), so what the host sees is
//! what those paths print: `+CEREG`/`+CGREG` URCs per the current `<n>`, `+MFTPURC: <id>,
//! "conn",0` for every channel on a context that went down. Nothing here fakes a result: the
//! channel tasks are told the context is down and close their sockets.
//!
//! A hang is not here: a hung module does not run its engine at all, which is the runtime's
//! business (`crate::control`).

use super::handlers::{network, pdp};
use super::Engine;
use super::{IdentityError, IdentityOverrides};

/// Signal values printed by `AT+CSQ` (`rssi`, `ber`) and `AT+CESQ` (`rsrq`, `rsrp`); `None`
/// keeps the model profile's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Signal {
    /// 0-31 or 99 (unknown).
    pub rssi: Option<u8>,
    /// 0-7 or 99.
    pub ber: Option<u8>,
    /// 0-34 or 255.
    pub rsrq: Option<u8>,
    /// 0-97 or 255.
    pub rsrp: Option<u8>,
}

/// A fault the engine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// A signal value `AT+CSQ`/`AT+CESQ` could not print.
    #[error(
        "signal out of range: rssi 0-31 or 99, ber 0-7 or 99, rsrq 0-34 or 255, rsrp 0-97 or 255"
    )]
    Signal,
    /// A cid outside 1..=the model's maximum.
    #[error("cid {0} is not a context of this model")]
    Cid(u8),
    /// An injected line holding CR or LF would break the line's framing; over 1024 bytes it
    /// is not a line a module prints.
    #[error("an injected line must be 1-1024 bytes without CR or LF")]
    Line,
}

/// Whether `AT+CSQ`/`AT+CESQ` could print `s`: the ranges the configuration file's
/// `[identity]` values are held to.
pub fn check_signal(s: Signal) -> Result<(), FaultError> {
    let probe = IdentityOverrides {
        rssi: s.rssi,
        ber: s.ber,
        rsrq: s.rsrq,
        rsrp: s.rsrp,
        ..IdentityOverrides::default()
    };
    probe.check().map_err(|e: IdentityError| {
        tracing::debug!("signal refused: {e}");
        FaultError::Signal
    })
}

/// Longest line [`Engine::inject_line`] takes.
pub const MAX_INJECTED_LINE: usize = 1024;

impl Engine {
    /// Takes the SIM out (`false`) or puts it back. Out: `AT+CPIN?` is `+CME ERROR: 10`, the
    /// module deregisters (URCs per `AT+CEREG`/`AT+CGREG`), every context goes down and the
    /// channels on them drop. Back: it registers again and cid 1 comes up, as after
    /// `AT+CFUN=1`.
    pub fn set_sim(&mut self, present: bool) {
        network::change(&mut self.ctx(), |n| n.sim = present);
    }

    /// Loses the cell (`false`: `<stat>` 2, searching) or finds it again; otherwise as
    /// [`Engine::set_sim`].
    pub fn set_coverage(&mut self, present: bool) {
        network::change(&mut self.ctx(), |n| n.coverage = present);
    }

    /// The network deactivates context `cid`: its channels drop with `+MFTPURC: <id>,"conn",0`
    /// as after `AT+CGACT=0,<cid>`. No `+MIPCALL` URC: the ML30x prints that for its own
    /// `AT+MIPCALL`, and no source documents a URC for a network-side deactivation.
    pub fn drop_pdp(&mut self, cid: u8) -> Result<(), FaultError> {
        if cid == 0 || cid > self.cfg.profile.cid_max {
            return Err(FaultError::Cid(cid));
        }
        pdp::set_pdp(&mut self.ctx(), cid, false, false);
        Ok(())
    }

    /// The signal values `AT+CSQ`/`AT+CESQ` print now (profile, configuration, fault).
    pub fn signal(&self) -> Signal {
        let i = super::handlers::identity::Identity::of(&self.cfg);
        Signal {
            rssi: Some(i.rssi),
            ber: Some(i.ber),
            rsrq: Some(i.rsrq),
            rsrp: Some(i.rsrp),
        }
    }

    /// Replaces the signal values `AT+CSQ` and `AT+CESQ` print; checked as the configuration
    /// file's `[identity]` values are.
    pub fn set_signal(&mut self, s: Signal) -> Result<(), FaultError> {
        check_signal(s)?;
        let i = &mut self.cfg.identity;
        i.rssi = s.rssi;
        i.ber = s.ber;
        i.rsrq = s.rsrq;
        i.rsrp = s.rsrp;
        Ok(())
    }

    /// Fills the local file system (`true`: its capacity drops to what is stored, so every
    /// write that needs room fails with 1063) or gives `restore` bytes back. Returns the
    /// capacity in force before. Files stored stay readable.
    pub fn set_fs_full(&mut self, full: bool, restore: u64) -> u64 {
        let before = self.fs.capacity();
        if full {
            let used = self
                .fs
                .info()
                .map_or(before, |i| i.total.saturating_sub(i.free));
            self.fs.set_capacity(used);
        } else {
            self.fs.set_capacity(restore);
        }
        before
    }

    /// Switches the local file system read-only (every change fails with 1059) or back.
    pub fn set_fs_read_only(&mut self, read_only: bool) {
        self.fs.set_read_only(read_only);
    }

    /// Prints `content` framed as a URC line (`\r\n<content>\r\n`), at once or after the data
    /// mode that holds the line, as any URC.
    pub fn inject_line(&mut self, content: &[u8]) -> Result<(), FaultError> {
        if content.is_empty()
            || content.len() > MAX_INJECTED_LINE
            || content.iter().any(|b| matches!(b, b'\r' | b'\n'))
        {
            return Err(FaultError::Line);
        }
        self.reply.injected_line(content);
        Ok(())
    }
}

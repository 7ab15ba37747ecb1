//! The module faults the test bench can arm, and when they fire.

use crate::engine::{ChannelRequest, Signal};
use std::fmt;
use std::time::Duration;

/// A fault's number, unique for the module's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(pub u32);

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A fault of the module itself (network faults are the socket's, not these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleFault {
    /// The module restarts as after `AT+MREBOOT` ([`crate::engine::Engine::reboot`]):
    /// `REBOOTING`, every session and context gone, `+MATREADY`. One-shot.
    Reboot,
    /// The firmware stops: nothing is answered, nothing printed, and what the host sends in
    /// the meantime is lost (a stalled firmware does not drain its UART; the FIFO overruns).
    /// Channel events wait and are printed once the hang ends. Lasts for the trigger's
    /// duration, or until cleared.
    Hang,
    /// The SIM is pulled: `AT+CPIN?` is `+CME ERROR: 10`, deregistered, contexts down,
    /// channels dropped. Cleared: the SIM is back, registered, cid 1 up.
    SimRemoved,
    /// The cell is lost (`<stat>` 2, searching): URCs per `AT+CEREG`/`AT+CGREG`, contexts down,
    /// channels dropped. Cleared: registered again, cid 1 up.
    RegistrationLost,
    /// The network drops one PDP context; its channels drop. One-shot: the host brings the
    /// context back (`AT+CGACT`, `AT+MIPCALL`).
    PdpDrop {
        /// 1-15.
        cid: u8,
    },
    /// `AT+CSQ`/`AT+CESQ` print these values until cleared.
    Signal(Signal),
    /// A line printed framed as a URC (`\r\n<line>\r\n`). One-shot.
    Inject {
        /// Without CR or LF.
        line: Vec<u8>,
    },
    /// The local file system is full: writes needing room fail with 1063. Cleared: the
    /// capacity is back.
    FsFull,
    /// The local file system is read-only: every change fails with 1059. Cleared: writable.
    FsReadOnly,
}

impl ModuleFault {
    /// The name used on the control socket and in scenarios.
    pub fn kind(&self) -> &'static str {
        match self {
            ModuleFault::Reboot => "reboot",
            ModuleFault::Hang => "hang",
            ModuleFault::SimRemoved => "sim_removed",
            ModuleFault::RegistrationLost => "registration_lost",
            ModuleFault::PdpDrop { .. } => "pdp_drop",
            ModuleFault::Signal(_) => "signal",
            ModuleFault::Inject { .. } => "inject",
            ModuleFault::FsFull => "fs_full",
            ModuleFault::FsReadOnly => "fs_read_only",
        }
    }

    /// Done when fired: nothing to undo.
    pub fn one_shot(&self) -> bool {
        matches!(
            self,
            ModuleFault::Reboot | ModuleFault::PdpDrop { .. } | ModuleFault::Inject { .. }
        )
    }
}

/// The event a fault waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    /// At once.
    #[default]
    Now,
    /// The next `AT+MFTPCONN` handed to a channel.
    Conn,
    /// The next `AT+MFTPRETR` (any form) handed to a channel.
    Retr,
    /// The next upload (`AT+MFTPSTOR`/`AT+MFTPAPPE`, any form) handed to a channel.
    Stor,
}

impl When {
    /// The name used on the control socket and in scenarios.
    pub fn name(self) -> &'static str {
        match self {
            When::Now => "now",
            When::Conn => "conn",
            When::Retr => "retr",
            When::Stor => "stor",
        }
    }

    /// Whether `request`, about to go to a channel task, is this trigger.
    pub(crate) fn matches(self, request: &ChannelRequest) -> bool {
        match self {
            When::Now => false,
            When::Conn => matches!(request, ChannelRequest::Connect(_)),
            When::Retr => matches!(request, ChannelRequest::Retr { .. }),
            When::Stor => matches!(
                request,
                ChannelRequest::UploadLocal { .. }
                    | ChannelRequest::UploadPacket { .. }
                    | ChannelRequest::UploadStreamBegin { .. }
            ),
        }
    }
}

/// When a fault fires and how long it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trigger {
    /// What it waits for.
    pub when: When,
    /// How long after a request trigger it fires (`None`: right after the request is handed
    /// to its channel, so the operation is under way when the fault lands).
    pub delay: Option<Duration>,
    /// Cleared by itself this long after firing; `None`: until cleared.
    pub duration: Option<Duration>,
}

/// A fault as `status` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultInfo {
    /// Its id.
    pub id: FaultId,
    /// [`ModuleFault::kind`].
    pub kind: &'static str,
    /// What it waits for.
    pub trigger: Trigger,
    /// It fired and is in force.
    pub active: bool,
}

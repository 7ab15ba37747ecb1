//! The test bench's way into a running module (docs/CONTROL.md): module faults armed and
//! cleared, the module's state read, and what happens on it streamed as [`ModuleEvent`]s.
//!
//! Requests travel as messages into the runtime's one loop ([`crate::runtime::run_controlled`]),
//! which handles them between line input and channel events. So the engine stays sans-IO, a
//! fault lands between two steps of the engine and never in the middle of one, and the order on
//! the line stays the engine's.
//!
//! - [`ModuleControl`]: the handle the control plane holds (cloneable).
//! - [`ControlPort`]: its other end, given to the runtime.
//! - `bench.rs`: the runtime's side, faults with their triggers, transfer progress.
//! - `events.rs`: the bounded fan-out of events to subscribers.

mod bench;
mod events;
mod fault;

pub(crate) use bench::Bench;
pub use events::{FaultChange, ModuleEvent, Subscription, SUBSCRIBER_QUEUE};
pub use fault::{FaultId, FaultInfo, ModuleFault, Trigger, When};

use crate::engine::EngineStatus;
use events::Subscribers;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Requests in flight towards the runtime.
const REQUEST_QUEUE: usize = 32;
/// Faults armed at once; more is refused (a scenario is a handful of faults).
pub const MAX_ARMED: usize = 64;

/// A control request the module refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The fault cannot be applied as asked (a value out of range, a cid the model lacks).
    #[error("{0}")]
    Refused(String),
    /// No armed fault has this id.
    #[error("no fault {0}")]
    NoSuchFault(FaultId),
    /// A fault of the same kind is armed already; clear it first (two of a kind would undo
    /// each other's effects when cleared).
    #[error("a {0} fault is armed already (fault {1})")]
    AlreadyArmed(&'static str, FaultId),
    /// [`MAX_ARMED`] faults are armed.
    #[error("too many faults armed (at most {MAX_ARMED})")]
    TooMany,
    /// The module has stopped.
    #[error("the module has stopped")]
    Stopped,
}

/// Progress of one channel, as the runtime saw it pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelProgress {
    /// `host:port` of the last `AT+MFTPCONN` (no user name, no password).
    pub server: Option<String>,
    /// The last transfer: `retr`, `stor`, `appe`, `list`.
    pub op: Option<&'static str>,
    /// Bytes of that transfer moved so far (downloaded from the server, or handed to the
    /// upload).
    pub bytes: u64,
}

/// Everything `ftpmodem ctl status` shows of the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStatus {
    /// The engine's state.
    pub engine: EngineStatus,
    /// Per channel, in channel order.
    pub progress: Vec<ChannelProgress>,
    /// Faults armed or active.
    pub faults: Vec<FaultInfo>,
    /// A hang is in force: the module answers nothing.
    pub hung: bool,
    /// Line bytes lost to hangs so far.
    pub lost_input: u64,
}

pub(crate) enum Request {
    Arm {
        fault: ModuleFault,
        trigger: Trigger,
        reply: oneshot::Sender<Result<FaultId, ControlError>>,
    },
    Clear {
        /// `None`: every fault.
        id: Option<FaultId>,
        reply: oneshot::Sender<Result<usize, ControlError>>,
    },
    Status {
        reply: oneshot::Sender<ModuleStatus>,
    },
}

/// The control plane's handle on one running module.
#[derive(Clone)]
pub struct ModuleControl {
    tx: mpsc::Sender<Request>,
    subscribers: Arc<Subscribers>,
}

/// The runtime's end of a [`ModuleControl`]; pass it to
/// [`crate::runtime::run_controlled`].
pub struct ControlPort {
    pub(crate) rx: Option<mpsc::Receiver<Request>>,
    pub(crate) subscribers: Arc<Subscribers>,
}

impl ControlPort {
    /// A port nobody controls: the plain [`crate::runtime::run`].
    pub fn none() -> ControlPort {
        ControlPort {
            rx: None,
            subscribers: Arc::new(Subscribers::default()),
        }
    }
}

impl ModuleControl {
    /// A handle and the port the runtime takes.
    pub fn new() -> (ModuleControl, ControlPort) {
        let (tx, rx) = mpsc::channel(REQUEST_QUEUE);
        let subscribers = Arc::new(Subscribers::default());
        (
            ModuleControl {
                tx,
                subscribers: subscribers.clone(),
            },
            ControlPort {
                rx: Some(rx),
                subscribers,
            },
        )
    }

    /// Arms `fault`, to fire on `trigger`.
    pub async fn arm(&self, fault: ModuleFault, trigger: Trigger) -> Result<FaultId, ControlError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Arm {
            fault,
            trigger,
            reply,
        })
        .await?;
        rx.await.map_err(|_| ControlError::Stopped)?
    }

    /// Clears one fault (undoing what it did: the SIM goes back in, the cell comes back, the
    /// hang ends, the signal is restored), or every fault with `None`. Returns how many.
    pub async fn clear(&self, id: Option<FaultId>) -> Result<usize, ControlError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Clear { id, reply }).await?;
        rx.await.map_err(|_| ControlError::Stopped)?
    }

    /// The module's state now.
    pub async fn status(&self) -> Result<ModuleStatus, ControlError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Status { reply }).await?;
        rx.await.map_err(|_| ControlError::Stopped)
    }

    /// Events from now on, at most `queue` waiting: a subscriber that falls further behind is
    /// dropped (its [`Subscription::recv`] ends, [`Subscription::dropped`] says so), so a client
    /// that never reads cannot make the module hold memory.
    pub fn subscribe(&self, queue: usize) -> Subscription {
        self.subscribers.add(queue)
    }

    async fn send(&self, r: Request) -> Result<(), ControlError> {
        self.tx.send(r).await.map_err(|_| ControlError::Stopped)
    }
}

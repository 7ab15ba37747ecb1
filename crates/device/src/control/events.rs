//! Events out of the module, fanned out to subscribers through bounded queues. A subscriber
//! whose queue is full is dropped rather than waited for: the module never slows down or
//! buffers without bound for a reader that does not read.

use super::fault::FaultId;
use bytes::Bytes;
use ftpmodem_proto::ChannelState;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Default queue of a subscriber, in events.
pub const SUBSCRIBER_QUEUE: usize = 1024;

/// What happened to a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultChange {
    /// Armed, waiting for its trigger.
    Armed,
    /// Its trigger came: it is in force.
    Fired,
    /// Cleared (by request, at the end of its duration, or at once for a one-shot fault).
    Cleared,
}

/// Something that happened on the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleEvent {
    /// Bytes the host sent, as they arrived (also while hung: they are then lost).
    LineIn(Bytes),
    /// Bytes the module wrote to the line.
    LineOut(Bytes),
    /// A channel's state changed.
    Channel {
        /// 0-5.
        id: u8,
        /// The new state.
        state: ChannelState,
    },
    /// Registration `<stat>` changed (0 not registered, 1 registered, 2 searching).
    Registration {
        /// 27.007 `<stat>`.
        stat: u8,
    },
    /// The SIM went out or came back.
    Sim {
        /// In the holder.
        present: bool,
    },
    /// The `AT+CFUN` level changed.
    Radio {
        /// The level.
        fun: u8,
    },
    /// A PDP context went up or down.
    Pdp {
        /// 1-15.
        cid: u8,
        /// Up.
        active: bool,
    },
    /// A fault was armed, fired or cleared.
    Fault {
        /// Its id.
        id: FaultId,
        /// Its kind (`sim_removed`, ...).
        kind: &'static str,
        /// What happened.
        change: FaultChange,
    },
    /// The module restarted (`REBOOTING`, then `+MATREADY`).
    Reboot,
}

struct Slot {
    tx: mpsc::Sender<ModuleEvent>,
    dropped: Arc<AtomicBool>,
}

#[derive(Default)]
pub(crate) struct Subscribers {
    list: Mutex<Vec<Slot>>,
}

/// One subscriber's events.
pub struct Subscription {
    rx: mpsc::Receiver<ModuleEvent>,
    dropped: Arc<AtomicBool>,
}

impl Subscription {
    /// The next event; `None` when the module stopped or this subscriber was dropped.
    pub async fn recv(&mut self) -> Option<ModuleEvent> {
        self.rx.recv().await
    }

    /// This subscriber fell a full queue behind and was dropped.
    pub fn dropped(&self) -> bool {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Subscribers {
    pub(crate) fn add(&self, queue: usize) -> Subscription {
        let (tx, rx) = mpsc::channel(queue.max(1));
        let dropped = Arc::new(AtomicBool::new(false));
        if let Ok(mut l) = self.list.lock() {
            l.push(Slot {
                tx,
                dropped: dropped.clone(),
            });
        }
        Subscription { rx, dropped }
    }

    /// Someone listens: worth copying line bytes for.
    pub(crate) fn any(&self) -> bool {
        self.list.lock().map(|l| !l.is_empty()).unwrap_or(false)
    }

    pub(crate) fn publish(&self, ev: ModuleEvent) {
        let Ok(mut l) = self.list.lock() else {
            return;
        };
        l.retain(|s| match s.tx.try_send(ev.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                s.dropped.store(true, Ordering::Relaxed);
                tracing::info!("control: an event subscriber fell behind and was dropped");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }
}

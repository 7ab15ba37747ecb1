//! The task's two queues: requests in ([`Inbox`]), events out ([`Outbox`]), and the one rule
//! that makes `AT+MFTPDISC` work at any moment: every wait of a command is raced against the
//! request queue, and a Disconnect or PdpDown wins ([`Inbox::guard`]).

use super::options::EventSender;
use crate::engine::{ChannelEvent, ChannelRequest};
use ftpmodem_proto::{ChannelId, ChannelState, Urc};
use std::future::Future;
use tokio::sync::mpsc;

/// Why a command stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// `AT+MFTPDISC` arrived.
    Disconnect,
    /// The channel's PDP context went down.
    PdpDown,
    /// The runtime is gone (request queue closed or event receiver dropped): end the task.
    Shutdown,
}

/// Requests towards the task, with room to hold back one that arrives while a command runs.
#[derive(Debug)]
pub(super) struct Inbox {
    rx: mpsc::Receiver<ChannelRequest>,
    /// A request (other than Disconnect/PdpDown) that came in while a command ran; the engine
    /// does not send those, but one slot keeps the order if it does. While it is full the
    /// queue is not read, so nothing grows.
    deferred: Option<ChannelRequest>,
}

impl Inbox {
    pub(super) fn new(rx: mpsc::Receiver<ChannelRequest>) -> Self {
        Inbox { rx, deferred: None }
    }

    /// The next request; `None` when the runtime is gone.
    pub(super) async fn next(&mut self) -> Option<ChannelRequest> {
        match self.deferred.take() {
            Some(r) => Some(r),
            None => self.rx.recv().await,
        }
    }

    /// Whether a held-back request is waiting.
    pub(super) fn has_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// Puts a request back to be the next one returned (a request that ends an open upload).
    pub(super) fn push_front(&mut self, r: ChannelRequest) {
        self.deferred = Some(r);
    }

    /// The request queue itself, for racing against the idle watch (cancel-safe).
    pub(super) fn receiver(&mut self) -> &mut mpsc::Receiver<ChannelRequest> {
        &mut self.rx
    }

    /// Runs `work` unless a Disconnect or PdpDown arrives first (then `work` is dropped).
    pub(super) async fn guard<F: Future>(&mut self, work: F) -> Result<F::Output, Stop> {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                r = self.rx.recv(), if self.deferred.is_none() => match r {
                    None => return Err(Stop::Shutdown),
                    Some(ChannelRequest::Disconnect) => return Err(Stop::Disconnect),
                    Some(ChannelRequest::PdpDown) => return Err(Stop::PdpDown),
                    Some(other) => {
                        tracing::debug!(request = ?other, "request held back while a command runs");
                        self.deferred = Some(other);
                    }
                },
                out = &mut work => return Ok(out),
            }
        }
    }
}

/// Events from the task; each send waits for room in the bounded queue, which is what paces
/// a download to the serial line.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    id: ChannelId,
    events: EventSender,
}

impl Outbox {
    pub(super) fn new(id: ChannelId, events: EventSender) -> Self {
        Outbox { id, events }
    }

    pub(super) fn id(&self) -> ChannelId {
        self.id
    }

    async fn send(&self, ev: ChannelEvent) -> Result<(), Stop> {
        self.events
            .send((self.id, ev))
            .await
            .map_err(|_| Stop::Shutdown)
    }

    /// A report line.
    pub(super) async fn report(&self, urc: Urc, done: bool) -> Result<(), Stop> {
        self.send(ChannelEvent::Report { urc, done }).await
    }

    /// Downloaded data, `sum` bytes having been sent before; `done` is `Some` for the last.
    pub(super) async fn download(
        &self,
        data: bytes::Bytes,
        sum: u64,
        done: Option<bool>,
    ) -> Result<(), Stop> {
        self.send(ChannelEvent::Download { data, sum, done }).await
    }

    /// A download into a local file has `written` bytes written; `done` as for
    /// [`Outbox::download`].
    pub(super) async fn saved(&self, written: u64, done: Option<bool>) -> Result<(), Stop> {
        self.send(ChannelEvent::Saved { written, done }).await
    }

    /// A state change.
    pub(super) async fn state(&self, s: ChannelState) -> Result<(), Stop> {
        self.send(ChannelEvent::State(s)).await
    }
}

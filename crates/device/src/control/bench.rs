//! The runtime's side of the control channel: armed faults and their triggers, the hang, the
//! events worth publishing, and each channel's transfer progress. The runtime calls in at each
//! step; this never touches the line itself.

use super::events::{FaultChange, ModuleEvent, Subscribers};
use super::fault::{FaultId, FaultInfo, ModuleFault, Trigger, When};
use super::{ChannelProgress, ControlError, ControlPort, ModuleStatus, Request, MAX_ARMED};
use crate::engine::{ChannelEvent, ChannelRequest, Engine, Signal, Summary};
use bytes::Bytes;
use ftpmodem_proto::{ChannelId, UploadOp};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for its trigger.
    Armed,
    /// Triggered; fires at this instant.
    Scheduled(Instant),
    /// In force; cleared by itself at the instant, if any.
    Active(Option<Instant>),
}

struct Entry {
    id: FaultId,
    fault: ModuleFault,
    trigger: Trigger,
    phase: Phase,
    /// What a signal fault replaced.
    saved_signal: Option<Signal>,
    /// The file system capacity an fs_full fault replaced.
    saved_capacity: u64,
}

/// See the module docs.
pub(crate) struct Bench {
    rx: Option<mpsc::Receiver<Request>>,
    subscribers: Arc<Subscribers>,
    faults: Vec<Entry>,
    next_id: u32,
    /// A request trigger matched: fire after the request is handed over.
    pending: bool,
    progress: Vec<ChannelProgress>,
    last: Option<Summary>,
    lost_input: u64,
}

impl Bench {
    pub(crate) fn new(port: ControlPort) -> Bench {
        Bench {
            rx: port.rx,
            subscribers: port.subscribers,
            faults: Vec::new(),
            next_id: 1,
            pending: false,
            progress: vec![ChannelProgress::default(); ChannelId::COUNT],
            last: None,
            lost_input: 0,
        }
    }

    /// The next control request; pending forever when nobody controls the module.
    pub(crate) async fn recv(rx: &mut Option<mpsc::Receiver<Request>>) -> Option<Request> {
        match rx {
            Some(r) => r.recv().await,
            None => std::future::pending().await,
        }
    }

    /// The request receiver, for the runtime's `select!` (taken out so the bench can be
    /// borrowed in the handler).
    pub(crate) fn take_rx(&mut self) -> Option<mpsc::Receiver<Request>> {
        self.rx.take()
    }

    /// A hang is in force.
    pub(crate) fn hung(&self) -> bool {
        self.faults
            .iter()
            .any(|e| e.fault == ModuleFault::Hang && matches!(e.phase, Phase::Active(_)))
    }

    /// Someone listens for events.
    pub(crate) fn listening(&self) -> bool {
        self.subscribers.any()
    }

    fn publish(&self, ev: ModuleEvent) {
        self.subscribers.publish(ev);
    }

    /// Bytes from the host; `lost` when a hang swallowed them.
    pub(crate) fn line_in(&mut self, bytes: &[u8], lost: bool) {
        if lost {
            self.lost_input += bytes.len() as u64;
        }
        if self.listening() && !bytes.is_empty() {
            self.publish(ModuleEvent::LineIn(Bytes::copy_from_slice(bytes)));
        }
    }

    /// Bytes about to be written to the line.
    pub(crate) fn line_out(&self, bytes: &[u8]) {
        if self.listening() && !bytes.is_empty() {
            self.publish(ModuleEvent::LineOut(Bytes::copy_from_slice(bytes)));
        }
    }

    /// A request about to go to channel `id`: progress bookkeeping, and whether it is a
    /// fault's trigger (it fires once the request is handed over: [`Bench::after_request`]).
    pub(crate) fn on_request(&mut self, id: ChannelId, request: &ChannelRequest, now: Instant) {
        if let Some(p) = self.progress.get_mut(id.index()) {
            match request {
                ChannelRequest::Connect(c) => {
                    *p = ChannelProgress {
                        server: Some(format!("{}:{}", c.host, c.port)),
                        ..ChannelProgress::default()
                    }
                }
                ChannelRequest::Retr { .. } => start(p, "retr"),
                ChannelRequest::List(_) => start(p, "list"),
                ChannelRequest::UploadLocal { op, .. }
                | ChannelRequest::UploadStreamBegin { op, .. } => start(p, upload_name(*op)),
                ChannelRequest::UploadPacket { op, data, .. } => {
                    if p.op != Some(upload_name(*op)) {
                        start(p, upload_name(*op));
                    }
                    p.bytes += data.len() as u64;
                }
                ChannelRequest::UploadStreamData(d) => p.bytes += d.len() as u64,
                _ => {}
            }
        }
        for e in &mut self.faults {
            if e.phase == Phase::Armed && e.trigger.when.matches(request) {
                e.phase = Phase::Scheduled(now + e.trigger.delay.unwrap_or_default());
                self.pending = true;
            }
        }
    }

    /// The request has been handed over: faults it triggered with no delay fire now.
    pub(crate) fn after_request(&mut self, engine: &mut Engine, now: Instant) {
        if std::mem::take(&mut self.pending) {
            self.tick(engine, now);
        }
    }

    /// A channel event about to reach the engine.
    pub(crate) fn on_event(&mut self, id: ChannelId, ev: &ChannelEvent) {
        if let ChannelEvent::Download { data, .. } = ev {
            if let Some(p) = self.progress.get_mut(id.index()) {
                p.bytes += data.len() as u64;
            }
        }
    }

    /// The engine's state after a step: changes become events.
    pub(crate) fn observe(&mut self, engine: &Engine) {
        if !self.listening() {
            self.last = None;
            return;
        }
        let now = engine.summary();
        let Some(was) = self.last.replace(now) else {
            return;
        };
        if was == now {
            return;
        }
        for (i, (a, b)) in was.channels.iter().zip(now.channels.iter()).enumerate() {
            if a != b {
                self.publish(ModuleEvent::Channel {
                    id: i as u8,
                    state: *b,
                });
            }
        }
        if was.sim != now.sim {
            self.publish(ModuleEvent::Sim { present: now.sim });
        }
        if was.fun != now.fun {
            self.publish(ModuleEvent::Radio { fun: now.fun });
        }
        if was.stat != now.stat {
            self.publish(ModuleEvent::Registration { stat: now.stat });
        }
        for cid in 1..16u8 {
            let bit = 1u16 << cid;
            if was.pdp_active & bit != now.pdp_active & bit {
                self.publish(ModuleEvent::Pdp {
                    cid,
                    active: now.pdp_active & bit != 0,
                });
            }
        }
    }

    /// The module restarted (`AT+MREBOOT`, a reboot fault): its state is the power-on one, so
    /// faults still in force are applied again (a SIM that was out is still out after a
    /// reboot); transfer progress starts over.
    pub(crate) fn after_reboot(&mut self, engine: &mut Engine) {
        self.progress = vec![ChannelProgress::default(); ChannelId::COUNT];
        self.publish(ModuleEvent::Reboot);
        for e in &self.faults {
            if matches!(e.phase, Phase::Active(_)) {
                match e.fault {
                    ModuleFault::SimRemoved => engine.set_sim(false),
                    ModuleFault::RegistrationLost => engine.set_coverage(false),
                    _ => {}
                }
            }
        }
    }

    /// When [`Bench::tick`] next has something to do.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.faults
            .iter()
            .filter_map(|e| match e.phase {
                Phase::Scheduled(t) | Phase::Active(Some(t)) => Some(t),
                _ => None,
            })
            .min()
    }

    /// Fires what is due and clears what has run its duration.
    pub(crate) fn tick(&mut self, engine: &mut Engine, now: Instant) {
        let due: Vec<FaultId> = self
            .faults
            .iter()
            .filter(|e| matches!(e.phase, Phase::Scheduled(t) if t <= now))
            .map(|e| e.id)
            .collect();
        for id in due {
            self.fire(id, engine, now);
        }
        let expired: Vec<FaultId> = self
            .faults
            .iter()
            .filter(|e| matches!(e.phase, Phase::Active(Some(t)) if t <= now))
            .map(|e| e.id)
            .collect();
        for id in expired {
            self.clear_one(id, engine);
        }
    }

    /// Handles one control request.
    pub(crate) fn handle(&mut self, req: Request, engine: &mut Engine, now: Instant) {
        match req {
            Request::Arm {
                fault,
                trigger,
                reply,
            } => {
                let _ = reply.send(self.arm(fault, trigger, engine, now));
            }
            Request::Clear { id, reply } => {
                let r = match id {
                    Some(id) if self.faults.iter().any(|e| e.id == id) => {
                        self.clear_one(id, engine);
                        Ok(1)
                    }
                    Some(id) => Err(ControlError::NoSuchFault(id)),
                    None => {
                        let ids: Vec<FaultId> = self.faults.iter().map(|e| e.id).collect();
                        for id in &ids {
                            self.clear_one(*id, engine);
                        }
                        Ok(ids.len())
                    }
                };
                let _ = reply.send(r);
            }
            Request::Status { reply } => {
                let _ = reply.send(ModuleStatus {
                    engine: engine.status(),
                    progress: self.progress.clone(),
                    faults: self
                        .faults
                        .iter()
                        .map(|e| FaultInfo {
                            id: e.id,
                            kind: e.fault.kind(),
                            trigger: e.trigger,
                            active: matches!(e.phase, Phase::Active(_)),
                        })
                        .collect(),
                    hung: self.hung(),
                    lost_input: self.lost_input,
                });
            }
        }
    }

    fn arm(
        &mut self,
        fault: ModuleFault,
        trigger: Trigger,
        engine: &mut Engine,
        now: Instant,
    ) -> Result<FaultId, ControlError> {
        check(&fault, engine)?;
        if !fault.one_shot() {
            if let Some(e) = self.faults.iter().find(|e| e.fault.kind() == fault.kind()) {
                return Err(ControlError::AlreadyArmed(fault.kind(), e.id));
            }
        }
        if self.faults.len() >= MAX_ARMED {
            return Err(ControlError::TooMany);
        }
        let id = FaultId(self.next_id);
        self.next_id += 1;
        let phase = match (trigger.when, trigger.delay) {
            (When::Now, d) => Phase::Scheduled(now + d.unwrap_or_default()),
            _ => Phase::Armed,
        };
        self.publish(ModuleEvent::Fault {
            id,
            kind: fault.kind(),
            change: FaultChange::Armed,
        });
        self.faults.push(Entry {
            id,
            fault,
            trigger,
            phase,
            saved_signal: None,
            saved_capacity: 0,
        });
        self.tick(engine, now);
        Ok(id)
    }

    fn fire(&mut self, id: FaultId, engine: &mut Engine, now: Instant) {
        let Some(e) = self.faults.iter_mut().find(|e| e.id == id) else {
            return;
        };
        e.phase = Phase::Active(e.trigger.duration.map(|d| now + d));
        let kind = e.fault.kind();
        match &e.fault {
            ModuleFault::Reboot => engine.reboot(now),
            ModuleFault::Hang => {}
            ModuleFault::SimRemoved => engine.set_sim(false),
            ModuleFault::RegistrationLost => engine.set_coverage(false),
            ModuleFault::PdpDrop { cid } => {
                // Checked when armed.
                let _ = engine.drop_pdp(*cid);
            }
            ModuleFault::Signal(s) => {
                let cur = engine.signal();
                e.saved_signal = Some(cur);
                // What the fault leaves out keeps its value. Checked when armed.
                let _ = engine.set_signal(Signal {
                    rssi: s.rssi.or(cur.rssi),
                    ber: s.ber.or(cur.ber),
                    rsrq: s.rsrq.or(cur.rsrq),
                    rsrp: s.rsrp.or(cur.rsrp),
                });
            }
            ModuleFault::Inject { line } => {
                let _ = engine.inject_line(line);
            }
            ModuleFault::FsFull => e.saved_capacity = engine.set_fs_full(true, 0),
            ModuleFault::FsReadOnly => engine.set_fs_read_only(true),
        }
        let one_shot = e.fault.one_shot();
        self.publish(ModuleEvent::Fault {
            id,
            kind,
            change: FaultChange::Fired,
        });
        if one_shot {
            self.clear_one(id, engine);
        }
    }

    /// Undoes a fault in force and forgets it.
    fn clear_one(&mut self, id: FaultId, engine: &mut Engine) {
        let Some(pos) = self.faults.iter().position(|e| e.id == id) else {
            return;
        };
        let e = self.faults.remove(pos);
        if matches!(e.phase, Phase::Active(_)) {
            match &e.fault {
                ModuleFault::SimRemoved => engine.set_sim(true),
                ModuleFault::RegistrationLost => engine.set_coverage(true),
                ModuleFault::Signal(_) => {
                    if let Some(s) = e.saved_signal {
                        let _ = engine.set_signal(s);
                    }
                }
                ModuleFault::FsFull => {
                    engine.set_fs_full(false, e.saved_capacity);
                }
                ModuleFault::FsReadOnly => engine.set_fs_read_only(false),
                // The hang ends by the entry going away; one-shots left nothing to undo.
                ModuleFault::Hang
                | ModuleFault::Reboot
                | ModuleFault::PdpDrop { .. }
                | ModuleFault::Inject { .. } => {}
            }
        }
        self.publish(ModuleEvent::Fault {
            id,
            kind: e.fault.kind(),
            change: FaultChange::Cleared,
        });
    }
}

fn start(p: &mut ChannelProgress, op: &'static str) {
    p.op = Some(op);
    p.bytes = 0;
}

fn upload_name(op: UploadOp) -> &'static str {
    match op {
        UploadOp::Stor => "stor",
        UploadOp::Appe => "appe",
    }
}

/// Refuses at arming time what could not be applied when the trigger comes.
fn check(fault: &ModuleFault, engine: &Engine) -> Result<(), ControlError> {
    let refuse = |e: crate::engine::FaultError| ControlError::Refused(e.to_string());
    match fault {
        ModuleFault::PdpDrop { cid } if *cid == 0 || *cid > engine.profile().cid_max => {
            Err(refuse(crate::engine::FaultError::Cid(*cid)))
        }
        ModuleFault::Signal(s) => crate::engine::check_signal(*s).map_err(refuse),
        ModuleFault::Inject { line }
            if line.is_empty()
                || line.len() > crate::engine::MAX_INJECTED_LINE
                || line.iter().any(|b| matches!(b, b'\r' | b'\n')) =>
        {
            Err(refuse(crate::engine::FaultError::Line))
        }
        _ => Ok(()),
    }
}

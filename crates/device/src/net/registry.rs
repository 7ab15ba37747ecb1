//! The shared handle: armed faults, and the decisions the network asks of them (does this
//! resolve fail, is this connect refused, what happens to this connection now).
//!
//! One mutex guards everything; it is held for a few comparisons at a time and never across
//! an await. Connections that stall park their wakers here, so clearing a fault (or its
//! duration running out, which the stalled connection times itself) resumes them at once.

use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, Instant};

use ftpmodem_ftp::net::{DataVerb, Network, Purpose};
use tokio::sync::broadcast;

use super::fault::{
    ArmedNetFault, FaultId, FaultState, NetFault, NetFaultError, NetFaultEvent, NetFaultKind, When,
    MAX_ARMED,
};
use super::network::FaultyNetwork;

/// Events buffered for a slow subscriber before it misses some.
const EVENT_BACKLOG: usize = 256;

/// The armed network faults of one module, shared by its channels and whoever arms them
/// (the control socket, a scenario file, a test). Cloning gives another handle to the same
/// faults.
#[derive(Clone)]
pub struct NetFaults {
    shared: Arc<Mutex<State>>,
    events: broadcast::Sender<NetFaultEvent>,
}

impl Default for NetFaults {
    fn default() -> Self {
        NetFaults {
            shared: Arc::default(),
            events: broadcast::channel(EVENT_BACKLOG).0,
        }
    }
}

impl std::fmt::Debug for NetFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetFaults")
            .field("armed", &self.armed())
            .finish()
    }
}

/// Which connection a stream fault acts on.
pub(super) type ConnId = u64;

/// What the network knows of a connection when it asks.
#[derive(Debug, Clone)]
pub(super) struct ConnInfo {
    pub(super) channel: u8,
    pub(super) purpose: Purpose,
    pub(super) host: String,
}

#[derive(Debug)]
struct Entry {
    id: FaultId,
    fault: NetFault,
    state: FaultState,
    /// The connection a `next_*` stream fault took.
    bound: Option<ConnId>,
    /// When it first took effect (its duration counts from there).
    started: Option<Instant>,
    hits: u32,
}

#[derive(Debug, Default)]
struct State {
    next_id: u32,
    next_conn: ConnId,
    entries: Vec<Entry>,
    parked: Vec<Waker>,
}

/// What a connection must do at this moment.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Effect {
    /// Move no byte; `Some(t)`: until `t` at the latest.
    pub(super) stall: Option<Option<Instant>>,
    /// Reset when this many bytes have passed, on behalf of this fault.
    pub(super) reset_at: Option<(u64, FaultId)>,
    /// Shape both directions.
    pub(super) shape: Option<Shape>,
    /// A stall or shape starts when this many bytes have passed: no read or write may
    /// cross it unnoticed.
    pub(super) gate: Option<u64>,
}

/// Shaping in force on a connection (the tightest of every shape fault that applies).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    /// Server to module, bytes per second.
    pub(super) down: Option<u64>,
    /// Module to server, bytes per second.
    pub(super) up: Option<u64>,
    /// One-way delay per direction.
    pub(super) latency: Duration,
}

fn when_matches(when: When, purpose: Purpose) -> bool {
    match when {
        When::Now => true,
        When::NextConn => purpose == Purpose::Control,
        When::NextRetr => purpose == Purpose::Data(DataVerb::Retr),
        When::NextStor => matches!(
            purpose,
            Purpose::Data(DataVerb::Stor) | Purpose::Data(DataVerb::Appe)
        ),
        When::NextList => purpose == Purpose::Data(DataVerb::List),
    }
}

impl Entry {
    fn filters_match(&self, info: &ConnInfo) -> bool {
        let t = &self.fault.trigger;
        t.channel.map_or(true, |c| c == info.channel)
            && t.host
                .as_deref()
                .map_or(true, |h| h.eq_ignore_ascii_case(&info.host))
    }

    /// Whether a resolve/connect/handshake fault of this entry strikes `info` now.
    fn strikes(&self, info: &ConnInfo) -> bool {
        let when = self.fault.trigger.when;
        let live = match self.state {
            FaultState::Active => when == When::Now,
            FaultState::Waiting => when != When::Now,
            FaultState::Spent => false,
        };
        live && when_matches(when, info.purpose) && self.filters_match(info)
    }

    fn expired(&self, now: Instant) -> bool {
        match (self.started, self.fault.trigger.duration_ms) {
            (Some(t), Some(ms)) => now >= t + Duration::from_millis(ms),
            _ => false,
        }
    }

    fn view(&self) -> ArmedNetFault {
        ArmedNetFault {
            id: self.id,
            fault: self.fault.clone(),
            state: self.state,
            hits: self.hits,
        }
    }
}

impl NetFaults {
    /// A handle with nothing armed.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Arms `fault`: a `now` fault is active at once (open connections included), a `next_*`
    /// one waits for its connection.
    pub fn arm(&self, fault: NetFault) -> Result<FaultId, NetFaultError> {
        fault.validate()?;
        let mut st = self.lock();
        let live = st
            .entries
            .iter()
            .filter(|e| e.state != FaultState::Spent)
            .count();
        if live >= MAX_ARMED {
            return Err(NetFaultError::TooMany);
        }
        let spent = st.entries.len() - live;
        if spent >= MAX_ARMED {
            if let Some(i) = st.entries.iter().position(|e| e.state == FaultState::Spent) {
                st.entries.remove(i);
            }
        }
        st.next_id += 1;
        let id = FaultId(st.next_id);
        let state = if fault.trigger.when == When::Now {
            FaultState::Active
        } else {
            FaultState::Waiting
        };
        // A `now` fault that is not about bytes takes effect at once (its duration counts
        // from here); one gated on `after_bytes` starts when a connection gets there.
        let started =
            (state == FaultState::Active && fault.trigger.after_bytes.is_none()).then(Instant::now);
        tracing::info!(%id, ?fault, "network fault armed");
        st.entries.push(Entry {
            id,
            fault,
            state,
            bound: None,
            started,
            hits: 0,
        });
        wake_all(&mut st);
        drop(st);
        self.emit(id, state);
        Ok(id)
    }

    /// Clears one fault (it becomes spent; connections it stalls resume). False when no such
    /// fault is armed.
    pub fn clear(&self, id: FaultId) -> bool {
        let mut st = self.lock();
        let Some(e) = st
            .entries
            .iter_mut()
            .find(|e| e.id == id && e.state != FaultState::Spent)
        else {
            return false;
        };
        e.state = FaultState::Spent;
        wake_all(&mut st);
        drop(st);
        tracing::info!(%id, "network fault cleared");
        self.emit(id, FaultState::Spent);
        true
    }

    /// Clears every fault.
    pub fn clear_all(&self) {
        let mut st = self.lock();
        let mut cleared = Vec::new();
        for e in st.entries.iter_mut() {
            if e.state != FaultState::Spent {
                e.state = FaultState::Spent;
                cleared.push(e.id);
            }
        }
        wake_all(&mut st);
        drop(st);
        for id in cleared {
            self.emit(id, FaultState::Spent);
        }
    }

    /// Every fault armed, oldest first, spent ones included (the most recent
    /// [`MAX_ARMED`](super::MAX_ARMED) of those).
    pub fn armed(&self) -> Vec<ArmedNetFault> {
        let mut st = self.lock();
        self.expire(&mut st, Instant::now());
        st.entries.iter().map(Entry::view).collect()
    }

    /// State changes from now on (armed, struck, spent), for an event stream.
    pub fn subscribe(&self) -> broadcast::Receiver<NetFaultEvent> {
        self.events.subscribe()
    }

    /// The network of channel `channel`: the system's, with these faults in it.
    pub fn network(&self, channel: u8) -> Arc<dyn Network> {
        Arc::new(FaultyNetwork::new(self.clone(), channel))
    }

    fn emit(&self, id: FaultId, state: FaultState) {
        // Nobody listening is fine.
        let _ = self.events.send(NetFaultEvent { id, state });
    }

    fn expire(&self, st: &mut State, now: Instant) {
        let mut ended = Vec::new();
        for e in st.entries.iter_mut() {
            if e.state == FaultState::Active && e.expired(now) {
                e.state = FaultState::Spent;
                ended.push(e.id);
            }
        }
        if !ended.is_empty() {
            wake_all(st);
            for id in ended {
                self.emit(id, FaultState::Spent);
            }
        }
    }

    /// The resolve, connect or handshake fault of one of `kinds` that strikes `info` now,
    /// if any; a `next_*` one is spent by striking.
    pub(super) fn strike(
        &self,
        info: &ConnInfo,
        kind: impl Fn(&NetFaultKind) -> bool,
    ) -> Option<(FaultId, NetFaultKind)> {
        let now = Instant::now();
        let mut st = self.lock();
        self.expire(&mut st, now);
        let e = st
            .entries
            .iter_mut()
            .find(|e| kind(&e.fault.kind) && e.strikes(info))?;
        e.hits += 1;
        e.started.get_or_insert(now);
        let hit = (e.id, e.fault.kind.clone());
        let once = e.state == FaultState::Waiting;
        if once {
            e.state = FaultState::Spent;
        }
        drop(st);
        tracing::info!(id = %hit.0, kind = ?hit.1, channel = info.channel, purpose = ?info.purpose, "network fault strikes");
        if once {
            self.emit(hit.0, FaultState::Spent);
        }
        Some(hit)
    }

    /// A new connection: `next_*` stream faults waiting for it take it.
    pub(super) fn register(&self, info: &ConnInfo) -> ConnId {
        let mut st = self.lock();
        st.next_conn += 1;
        let conn = st.next_conn;
        let mut taken = Vec::new();
        for e in st.entries.iter_mut() {
            if e.fault.kind.on_stream() && e.state == FaultState::Waiting && e.strikes(info) {
                e.state = FaultState::Active;
                e.bound = Some(conn);
                e.hits += 1;
                if e.fault.trigger.after_bytes.is_none() {
                    e.started = Some(Instant::now());
                }
                taken.push(e.id);
            }
        }
        drop(st);
        for id in taken {
            tracing::info!(%id, channel = info.channel, purpose = ?info.purpose, "network fault takes a connection");
            self.emit(id, FaultState::Active);
        }
        conn
    }

    /// A connection closed: the faults bound to it are spent.
    pub(super) fn unregister(&self, conn: ConnId) {
        let mut st = self.lock();
        let mut ended = Vec::new();
        for e in st.entries.iter_mut() {
            if e.bound == Some(conn) && e.state == FaultState::Active {
                e.state = FaultState::Spent;
                ended.push(e.id);
            }
        }
        drop(st);
        for id in ended {
            self.emit(id, FaultState::Spent);
        }
    }

    /// A reset was carried out for `id`: a `next_*` fault is spent by it.
    pub(super) fn reset_done(&self, id: FaultId) {
        let mut st = self.lock();
        let Some(e) = st.entries.iter_mut().find(|e| e.id == id) else {
            return;
        };
        let once = e.bound.is_some() && e.state == FaultState::Active;
        if once {
            e.state = FaultState::Spent;
        }
        if e.bound.is_none() {
            e.hits += 1;
        }
        drop(st);
        if once {
            self.emit(id, FaultState::Spent);
        }
    }

    /// What connection `conn` (with `bytes` passed so far) must do now. `waker` is parked
    /// when the answer is a stall, to be woken by any change.
    pub(super) fn effect(
        &self,
        conn: ConnId,
        info: &ConnInfo,
        bytes: u64,
        waker: &Waker,
    ) -> Effect {
        let now = Instant::now();
        let mut st = self.lock();
        self.expire(&mut st, now);
        let mut eff = Effect::default();
        for e in st.entries.iter_mut() {
            if e.state != FaultState::Active || !e.fault.kind.on_stream() {
                continue;
            }
            let applies = match e.bound {
                Some(c) => c == conn,
                None => e.fault.trigger.when == When::Now && e.filters_match(info),
            };
            if !applies {
                continue;
            }
            if let NetFaultKind::ResetAfter { bytes: at } = e.fault.kind {
                if eff.reset_at.map_or(true, |(cur, _)| at < cur) {
                    eff.reset_at = Some((at, e.id));
                }
                continue;
            }
            let after = e.fault.trigger.after_bytes.unwrap_or(0);
            if bytes < after {
                eff.gate = Some(eff.gate.map_or(after, |g| g.min(after)));
                continue;
            }
            let started = *e.started.get_or_insert(now);
            let until = e
                .fault
                .trigger
                .duration_ms
                .map(|ms| started + Duration::from_millis(ms));
            match e.fault.kind {
                NetFaultKind::Stall => {
                    // Stalled for as long as the longest stall: forever if any is.
                    eff.stall = Some(match (eff.stall, until) {
                        (None, u) => u,
                        (Some(None), _) | (_, None) => None,
                        (Some(Some(a)), Some(b)) => Some(a.max(b)),
                    });
                }
                NetFaultKind::Shape {
                    down_bps,
                    up_bps,
                    latency_ms,
                } => {
                    let s = eff.shape.get_or_insert_with(Shape::default);
                    let tighter = |cur: Option<u64>, new: Option<u64>| match (cur, new) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    s.down = tighter(s.down, down_bps.map(|b| (b / 8).max(1)));
                    s.up = tighter(s.up, up_bps.map(|b| (b / 8).max(1)));
                    s.latency = s
                        .latency
                        .max(Duration::from_millis(latency_ms.unwrap_or(0)));
                }
                _ => {}
            }
        }
        if eff.stall.is_some() && !st.parked.iter().any(|w| w.will_wake(waker)) {
            st.parked.push(waker.clone());
        }
        eff
    }
}

fn wake_all(st: &mut State) {
    for w in st.parked.drain(..) {
        w.wake();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::fault::Trigger;
    use super::*;

    fn info(channel: u8, purpose: Purpose) -> ConnInfo {
        ConnInfo {
            channel,
            purpose,
            host: "ftp.example.com".into(),
        }
    }

    fn fault(kind: NetFaultKind, when: When) -> NetFault {
        NetFault {
            kind,
            trigger: Trigger {
                when,
                ..Trigger::default()
            },
        }
    }

    #[test]
    fn next_conn_strikes_once_and_only_its_purpose() {
        let f = NetFaults::new();
        let id = f.arm(fault(NetFaultKind::Refused, When::NextConn)).unwrap();
        let refused = |k: &NetFaultKind| *k == NetFaultKind::Refused;
        let data = info(0, Purpose::Data(DataVerb::Retr));
        assert!(f.strike(&data, refused).is_none());
        let ctrl = info(0, Purpose::Control);
        assert_eq!(f.strike(&ctrl, refused).map(|h| h.0), Some(id));
        assert!(f.strike(&ctrl, refused).is_none());
        assert_eq!(f.armed()[0].state, FaultState::Spent);
        assert_eq!(f.armed()[0].hits, 1);
        assert!(!f.clear(id), "a spent fault is not cleared again");
    }

    #[test]
    fn now_strikes_until_cleared_and_filters() {
        let f = NetFaults::new();
        let mut fl = fault(NetFaultKind::Dns, When::Now);
        fl.trigger.channel = Some(2);
        fl.trigger.host = Some("FTP.example.com".into());
        let id = f.arm(fl).unwrap();
        let dns = |k: &NetFaultKind| *k == NetFaultKind::Dns;
        assert!(f.strike(&info(1, Purpose::Control), dns).is_none());
        assert!(f.strike(&info(2, Purpose::Control), dns).is_some());
        assert!(f.strike(&info(2, Purpose::Control), dns).is_some());
        let mut other = info(2, Purpose::Control);
        other.host = "other".into();
        assert!(f.strike(&other, dns).is_none());
        assert!(f.clear(id));
        assert!(f.strike(&info(2, Purpose::Control), dns).is_none());
    }

    #[test]
    fn stream_faults_bind_to_their_connection() {
        let f = NetFaults::new();
        let w = futures_noop_waker();
        let mut fl = fault(NetFaultKind::Stall, When::NextRetr);
        fl.trigger.after_bytes = Some(100);
        let mut events = f.subscribe();
        let id = f.arm(fl).unwrap();
        let list = info(0, Purpose::Data(DataVerb::List));
        let c0 = f.register(&list);
        assert!(f.effect(c0, &list, 1000, &w).stall.is_none());
        let retr = info(0, Purpose::Data(DataVerb::Retr));
        let c1 = f.register(&retr);
        assert!(f.effect(c1, &retr, 99, &w).stall.is_none());
        assert_eq!(f.effect(c1, &retr, 100, &w).stall, Some(None));
        let c2 = f.register(&retr);
        assert!(f.effect(c2, &retr, 1000, &w).stall.is_none(), "one-shot");
        f.unregister(c1);
        assert_eq!(f.armed()[0].state, FaultState::Spent);
        let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).collect();
        assert_eq!(
            seen,
            [
                NetFaultEvent {
                    id,
                    state: FaultState::Waiting
                },
                NetFaultEvent {
                    id,
                    state: FaultState::Active
                },
                NetFaultEvent {
                    id,
                    state: FaultState::Spent
                },
            ]
        );
    }

    #[test]
    fn durations_end_faults() {
        let f = NetFaults::new();
        let w = futures_noop_waker();
        let mut fl = fault(NetFaultKind::Stall, When::Now);
        fl.trigger.duration_ms = Some(0);
        f.arm(fl).unwrap();
        let c = info(0, Purpose::Control);
        let id = f.register(&c);
        assert!(f.effect(id, &c, 0, &w).stall.is_none());
        assert_eq!(f.armed()[0].state, FaultState::Spent);
    }

    #[test]
    fn shapes_combine_to_the_tightest() {
        let f = NetFaults::new();
        let w = futures_noop_waker();
        let shape = |d, l| NetFaultKind::Shape {
            down_bps: Some(d),
            up_bps: None,
            latency_ms: Some(l),
        };
        f.arm(fault(shape(8000, 10), When::Now)).unwrap();
        f.arm(fault(shape(16000, 30), When::Now)).unwrap();
        let c = info(0, Purpose::Control);
        let id = f.register(&c);
        let s = f.effect(id, &c, 0, &w).shape.unwrap();
        assert_eq!(s.down, Some(1000));
        assert_eq!(s.up, None);
        assert_eq!(s.latency, Duration::from_millis(30));
    }

    #[test]
    fn bounded() {
        let f = NetFaults::new();
        for _ in 0..MAX_ARMED {
            f.arm(fault(NetFaultKind::Stall, When::NextRetr)).unwrap();
        }
        assert_eq!(
            f.arm(fault(NetFaultKind::Stall, When::NextRetr)),
            Err(NetFaultError::TooMany)
        );
        f.clear_all();
        for _ in 0..3 * MAX_ARMED {
            let id = f.arm(fault(NetFaultKind::Stall, When::NextRetr)).unwrap();
            assert!(f.clear(id));
        }
        assert!(f.armed().len() <= MAX_ARMED + 1);
    }

    fn futures_noop_waker() -> Waker {
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        Waker::from(Arc::new(Noop))
    }
}

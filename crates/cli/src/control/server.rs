//! The control socket: JSON lines, one request and one reply, plus the events a client
//! subscribed to (docs/CONTROL.md). Every client is its own task; a client that sends garbage
//! gets an error reply, one that sends an oversized line or never reads its events is dropped,
//! and neither touches the module or the other clients.

use super::lineview::{DataMode, Dir, LineView};
use super::listen::Listener;
use super::spec::{self, Fault};
use ftpmodem_device::control::{
    FaultChange, ModuleControl, ModuleEvent, ModuleStatus, Subscription, SUBSCRIBER_QUEUE,
};
use ftpmodem_device::net::{FaultState, NetFaults};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

/// Longest request line; a longer one is answered `too-long` and the client dropped.
pub const MAX_REQUEST: usize = 64 * 1024;
/// Clients at once; one more is answered `busy` and closed, so idle connections cannot use up
/// the process's descriptors.
pub const MAX_CLIENTS: usize = 32;
/// A TCP client must authenticate within this time.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// A write to a client that takes longer than this drops the client (it does not read).
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);

/// What `status` reports beyond the module's own state.
#[derive(Debug, Clone, Default)]
pub struct LineInfo {
    /// The line the module serves (`pty /tmp/ttyML307`, `tcp 127.0.0.1:5000`, ...).
    pub line: String,
    /// Its rate in baud, when it has one.
    pub baud: Option<u32>,
}

/// Shared by every client.
pub struct Shared {
    /// The module.
    pub module: ModuleControl,
    /// The network under the module's channels.
    pub net: NetFaults,
    /// Needed first on a TCP socket.
    pub token: Option<String>,
    /// For `status`.
    pub info: LineInfo,
    /// Start of the module's run: event times count from it.
    pub start: Instant,
    /// Clients connected now.
    pub clients: AtomicUsize,
    /// Clients dropped so far for not reading their events or sending an oversized line.
    pub dropped: AtomicUsize,
}

/// Serves clients until `shutdown`.
pub async fn serve(listener: Listener, shared: Arc<Shared>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            c = listener.accept() => match c {
                Ok((r, mut w)) => {
                    if shared.clients.load(Ordering::Relaxed) >= MAX_CLIENTS {
                        let m = format!("at most {MAX_CLIENTS} clients at once");
                        tokio::spawn(async move {
                            let _ = send(&mut w, &err(kind::BUSY, m)).await;
                            drop(r);
                        });
                        continue;
                    }
                    let shared = shared.clone();
                    let shutdown = shutdown.clone();
                    shared.clients.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = client(r, w, &shared) => {}
                            _ = shutdown.cancelled() => {}
                        }
                        shared.clients.fetch_sub(1, Ordering::Relaxed);
                    });
                }
                Err(e) => {
                    tracing::warn!("control socket: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Error kinds of a reply (`"error"`).
mod kind {
    pub const BAD_REQUEST: &str = "bad-request";
    pub const UNKNOWN_VERB: &str = "unknown-verb";
    pub const TOO_LONG: &str = "too-long";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const REFUSED: &str = "refused";
    pub const BUSY: &str = "busy";
}

fn err(kind: &str, message: impl std::fmt::Display) -> Value {
    json!({"ok": false, "error": kind, "message": message.to_string()})
}

/// The verbs.
pub const VERBS: &[&str] = &[
    "auth",
    "ping",
    "status",
    "arm",
    "clear",
    "faults",
    "subscribe",
    "unsubscribe",
];

struct Events {
    sub: Subscription,
    net: tokio::sync::broadcast::Receiver<ftpmodem_device::net::NetFaultEvent>,
    view: LineView,
    line: bool,
    urc: bool,
    state: bool,
    fault: bool,
}

async fn client<R, W>(r: R, mut w: W, shared: &Shared)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    enum Step {
        Line(Line),
        Event(Next),
    }
    let mut r = BufReader::new(r);
    let mut authed = shared.token.is_none();
    let mut events: Option<Events> = None;
    // A partial line stays here while events are written (reading it is cancel-safe).
    let mut buf = Vec::new();
    let auth_deadline = tokio::time::Instant::now() + AUTH_TIMEOUT;
    loop {
        let step = tokio::select! {
            n = read_line(&mut r, &mut buf) => Step::Line(n),
            ev = next_event(&mut events) => Step::Event(ev),
            _ = tokio::time::sleep_until(auth_deadline), if !authed => {
                let _ = send(&mut w, &err(kind::UNAUTHORIZED, "no auth in time")).await;
                return;
            }
        };
        match step {
            Step::Event(Next::Net(ev)) => {
                if !send(&mut w, &net_event(ev, &shared.net, shared.start)).await {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
            Step::Event(Next::Module(ev)) => {
                let Some(e) = &mut events else { continue };
                for v in render(ev, e, shared.start) {
                    if !send(&mut w, &v).await {
                        shared.dropped.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
            Step::Event(Next::Dropped) => {
                // The module dropped this subscriber: it fell a full queue behind.
                let v = json!({"event": "dropped", "reason": "events not read fast enough"});
                let _ = send(&mut w, &v).await;
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Step::Line(Line::Eof) => return,
            Step::Line(Line::TooLong) => {
                let m = format!("a request is at most {MAX_REQUEST} bytes");
                let _ = send(&mut w, &err(kind::TOO_LONG, m)).await;
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Step::Line(Line::Ok) => {
                let line = std::mem::take(&mut buf);
                let reply = request(&line, shared, &mut authed, &mut events).await;
                // An unauthenticated client gets one answer, then the door.
                if !send(&mut w, &reply).await || !authed {
                    return;
                }
            }
        }
    }
}

/// What a subscriber gets next.
enum Next {
    Module(ModuleEvent),
    Net(ftpmodem_device::net::NetFaultEvent),
    /// Fell behind (or the module stopped).
    Dropped,
}

async fn next_event(events: &mut Option<Events>) -> Next {
    use tokio::sync::broadcast::error::RecvError;
    let Some(e) = events else {
        return std::future::pending().await;
    };
    tokio::select! {
        ev = e.sub.recv() => ev.map_or(Next::Dropped, Next::Module),
        ev = e.net.recv(), if e.fault => match ev {
            Ok(ev) => Next::Net(ev),
            Err(RecvError::Lagged(_)) => Next::Dropped,
            // The network layer has gone: no more of its events.
            Err(RecvError::Closed) => std::future::pending().await,
        },
    }
}

enum Line {
    Ok,
    Eof,
    TooLong,
}

/// One line into `buf` (without its LF), at most [`MAX_REQUEST`] bytes.
async fn read_line<R: AsyncBufReadExt + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> Line {
    loop {
        let avail = match r.fill_buf().await {
            Ok([]) => return Line::Eof,
            Ok(b) => b,
            Err(_) => return Line::Eof,
        };
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        buf.extend_from_slice(&avail[..take]);
        r.consume(take);
        if buf.len() > MAX_REQUEST + 1 {
            return Line::TooLong;
        }
        if done {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Line::Ok;
        }
    }
}

async fn send<W: AsyncWrite + Unpin>(w: &mut W, v: &Value) -> bool {
    let mut line = v.to_string();
    line.push('\n');
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, w.write_all(line.as_bytes())).await,
        Ok(Ok(()))
    )
}

async fn request(
    line: &[u8],
    shared: &Shared,
    authed: &mut bool,
    events: &mut Option<Events>,
) -> Value {
    let v: Value = match serde_json::from_slice(line) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return err(kind::BAD_REQUEST, "a request is a JSON object"),
        Err(e) => return err(kind::BAD_REQUEST, format!("not JSON: {e}")),
    };
    let Some(verb) = v.get("cmd").and_then(Value::as_str) else {
        return err(kind::BAD_REQUEST, "a request needs \"cmd\"");
    };
    if !*authed {
        let given = (verb == "auth")
            .then(|| v.get("token").and_then(Value::as_str))
            .flatten();
        return match (given, &shared.token) {
            (Some(t), Some(want)) if same(t.as_bytes(), want.as_bytes()) => {
                *authed = true;
                json!({"ok": true})
            }
            _ => err(
                kind::UNAUTHORIZED,
                "send {\"cmd\":\"auth\",\"token\":...} first",
            ),
        };
    }
    let module = &shared.module;
    let refused = |e: ftpmodem_device::control::ControlError| err(kind::REFUSED, e);
    match verb {
        "auth" | "ping" => json!({"ok": true}),
        "status" => match module.status().await {
            Ok(s) => {
                let mut st = status_json(&s, &shared.info, &shared.net);
                st["control"] = json!({
                    "clients": shared.clients.load(Ordering::Relaxed),
                    "dropped": shared.dropped.load(Ordering::Relaxed),
                });
                json!({"ok": true, "status": st})
            }
            Err(e) => refused(e),
        },
        "faults" => match module.status().await {
            Ok(s) => json!({"ok": true, "faults": faults_json(&s, &shared.net)}),
            Err(e) => refused(e),
        },
        "arm" => {
            let Some(f) = v.get("fault") else {
                return err(kind::BAD_REQUEST, "arm needs \"fault\"");
            };
            match spec::parse_any(f.clone()) {
                Err(m) => err(kind::BAD_REQUEST, m),
                Ok(Fault::Module(s)) => match module.arm(s.fault, s.trigger).await {
                    Ok(id) => json!({"ok": true, "id": format!("m{}", id.0)}),
                    Err(e) => refused(e),
                },
                Ok(Fault::Network(f)) => match shared.net.arm(f) {
                    Ok(id) => json!({"ok": true, "id": format!("n{}", id.0)}),
                    Err(e) => err(kind::REFUSED, e),
                },
            }
        }
        "clear" => match (v.get("id"), v.get("all")) {
            (Some(id), None) => {
                let id = id.as_str().unwrap_or_default();
                let num = |s: &str| s.parse::<u32>().ok();
                if let Some(n) = id.strip_prefix('m').and_then(num) {
                    match module
                        .clear(Some(ftpmodem_device::control::FaultId(n)))
                        .await
                    {
                        Ok(c) => json!({"ok": true, "cleared": c}),
                        Err(e) => refused(e),
                    }
                } else if let Some(n) = id.strip_prefix('n').and_then(num) {
                    if shared.net.clear(ftpmodem_device::net::FaultId(n)) {
                        json!({"ok": true, "cleared": 1})
                    } else {
                        err(kind::REFUSED, format!("no fault {id}"))
                    }
                } else {
                    err(
                        kind::BAD_REQUEST,
                        "id is a fault id from arm: \"m1\", \"n2\"",
                    )
                }
            }
            (None, Some(Value::Bool(true))) => {
                let n = shared.net.armed().len();
                shared.net.clear_all();
                match module.clear(None).await {
                    Ok(c) => json!({"ok": true, "cleared": c + n}),
                    Err(e) => refused(e),
                }
            }
            _ => err(kind::BAD_REQUEST, "clear takes \"id\" or \"all\": true"),
        },
        "subscribe" => {
            let wanted: Vec<String> = match v.get("events") {
                None => vec![],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Some(_) => return err(kind::BAD_REQUEST, "events is a list"),
            };
            const CLASSES: [&str; 4] = ["line", "urc", "state", "fault"];
            if let Some(bad) = wanted.iter().find(|w| !CLASSES.contains(&w.as_str())) {
                return err(
                    kind::BAD_REQUEST,
                    format!("unknown event class {bad:?}: line, urc, state, fault"),
                );
            }
            let all = wanted.is_empty();
            let has = |c: &str| all || wanted.iter().any(|w| w == c);
            let data = match v.get("data").and_then(Value::as_str) {
                Some("full") => DataMode::Full,
                _ => DataMode::Digest,
            };
            *events = Some(Events {
                sub: module.subscribe(SUBSCRIBER_QUEUE),
                net: shared.net.subscribe(),
                view: LineView::new(data),
                line: has("line"),
                urc: has("urc"),
                state: has("state"),
                fault: has("fault"),
            });
            json!({"ok": true})
        }
        "unsubscribe" => {
            *events = None;
            json!({"ok": true})
        }
        other => err(
            kind::UNKNOWN_VERB,
            format!("unknown verb {other:?}; verbs: {}", VERBS.join(", ")),
        ),
    }
}

/// Compares without stopping at the first difference, so the time taken says nothing about
/// how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn secs(start: Instant) -> f64 {
    (start.elapsed().as_millis() as f64) / 1000.0
}

fn render(ev: ModuleEvent, e: &mut Events, start: Instant) -> Vec<Value> {
    let t = secs(start);
    let records = match &ev {
        ModuleEvent::LineIn(b) => e.view.input(b),
        ModuleEvent::LineOut(b) => e.view.output(b),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for r in records {
        if e.line {
            out.push(json!({"event": "line", "t": t, "dir": r.dir.arrow(), "text": r.text}));
        }
        if e.urc && r.urc && r.dir == Dir::Out {
            out.push(json!({"event": "urc", "t": t, "line": r.text}));
        }
    }
    let state = |v: Value| if e.state { Some(v) } else { None };
    let v = match ev {
        ModuleEvent::LineIn(_) | ModuleEvent::LineOut(_) => None,
        ModuleEvent::Channel { id, state: s } => {
            state(json!({"event": "channel", "t": t, "id": id, "state": channel_state(s)}))
        }
        ModuleEvent::Registration { stat } => {
            state(json!({"event": "registration", "t": t, "stat": stat}))
        }
        ModuleEvent::Sim { present } => state(json!({"event": "sim", "t": t, "present": present})),
        ModuleEvent::Radio { fun } => state(json!({"event": "radio", "t": t, "fun": fun})),
        ModuleEvent::Pdp { cid, active } => {
            state(json!({"event": "pdp", "t": t, "cid": cid, "active": active}))
        }
        ModuleEvent::Reboot => state(json!({"event": "reboot", "t": t})),
        ModuleEvent::Fault { id, kind, change } if e.fault => Some(json!({
            "event": "fault", "t": t, "id": format!("m{}", id.0), "kind": kind, "layer": "module",
            "change": match change {
                FaultChange::Armed => "armed",
                FaultChange::Fired => "fired",
                FaultChange::Cleared => "cleared",
            }
        })),
        ModuleEvent::Fault { .. } => None,
    };
    out.extend(v);
    out
}

fn channel_state(s: ftpmodem_proto::ChannelState) -> &'static str {
    use ftpmodem_proto::ChannelState as S;
    match s {
        S::Disconnected => "disconnected",
        S::Connected => "connected",
        S::Downloading => "downloading",
        S::Uploading => "uploading",
    }
}

/// A network fault's change as an event (`waiting` is armed, `active` fired, `spent` done).
fn net_event(ev: ftpmodem_device::net::NetFaultEvent, net: &NetFaults, start: Instant) -> Value {
    let kind = net
        .armed()
        .into_iter()
        .find(|a| a.id == ev.id)
        .and_then(|a| serde_json::to_value(&a.fault).ok())
        .and_then(|f| f.get("kind").cloned())
        .unwrap_or(Value::Null);
    json!({
        "event": "fault", "t": secs(start), "id": format!("n{}", ev.id.0), "kind": kind,
        "layer": "network",
        "change": match ev.state {
            FaultState::Waiting => "armed",
            FaultState::Active => "fired",
            FaultState::Spent => "cleared",
        }
    })
}

/// Armed faults of both layers.
fn faults_json(s: &ModuleStatus, net: &NetFaults) -> Value {
    let mut all: Vec<Value> = s
        .faults
        .iter()
        .map(|f| {
            json!({
                "id": format!("m{}", f.id.0), "layer": "module", "kind": f.kind,
                "trigger": {
                    "when": match f.trigger.when {
                        ftpmodem_device::control::When::Now => "now",
                        ftpmodem_device::control::When::Conn => "next_conn",
                        ftpmodem_device::control::When::Retr => "next_retr",
                        ftpmodem_device::control::When::Stor => "next_stor",
                    },
                    "delay_ms": f.trigger.delay.map(|d| d.as_millis() as u64),
                    "duration_ms": f.trigger.duration.map(|d| d.as_millis() as u64),
                },
                "state": if f.active { "active" } else { "waiting" },
            })
        })
        .collect();
    for a in net.armed() {
        let mut fault = serde_json::to_value(&a.fault).unwrap_or(Value::Null);
        let trigger = fault
            .as_object_mut()
            .and_then(|o| o.remove("trigger"))
            .unwrap_or(Value::Null);
        let kind = fault.get("kind").cloned().unwrap_or(Value::Null);
        all.push(json!({
            "id": format!("n{}", a.id.0), "layer": "network", "kind": kind,
            "params": fault, "trigger": trigger, "state": a.state, "hits": a.hits,
        }));
    }
    Value::Array(all)
}

/// `status` as JSON.
pub fn status_json(s: &ModuleStatus, info: &LineInfo, net: &NetFaults) -> Value {
    let channels: Vec<Value> = s
        .engine
        .channels
        .iter()
        .zip(&s.progress)
        .map(|(c, p)| {
            json!({
                "id": c.id, "state": channel_state(c.state), "busy": c.busy, "cid": c.cid,
                "server": p.server, "op": p.op, "bytes": p.bytes,
            })
        })
        .collect();
    let n = &s.engine.net;
    let sig = &s.engine.signal;
    json!({
        "line": {"line": info.line, "baud": info.baud, "ipr": s.engine.line_rate},
        "network": {
            "registered": n.stat == 1, "stat": n.stat, "fun": n.fun, "attached": n.attached,
            "sim": n.sim, "coverage": n.coverage,
            "signal": {"rssi": sig.rssi, "ber": sig.ber, "rsrq": sig.rsrq, "rsrp": sig.rsrp},
        },
        "pdp": s.engine.pdp.iter().map(|p| json!({
            "cid": p.cid, "active": p.active, "apn": p.apn, "address": p.address,
        })).collect::<Vec<_>>(),
        "channels": channels,
        "faults": faults_json(s, net),
        "hung": s.hung,
        "lost_input": s.lost_input,
    })
}

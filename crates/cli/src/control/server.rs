//! The control socket: JSON lines, one request and one reply, plus the events a client
//! subscribed to (docs/CONTROL.md). Every client is its own task; a client that sends garbage
//! gets an error reply, one that sends an oversized line or never reads its events is dropped,
//! and neither touches the module or the other clients.

use super::lineview::{DataMode, Dir, LineView};
use super::listen::Listener;
use super::spec;
use ftpmodem_device::control::{
    FaultChange, ModuleControl, ModuleEvent, ModuleStatus, Subscription, SUBSCRIBER_QUEUE,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

/// Longest request line; a longer one is answered `too-long` and the client dropped.
pub const MAX_REQUEST: usize = 64 * 1024;
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
                Ok((r, w)) => {
                    let shared = shared.clone();
                    let shutdown = shutdown.clone();
                    tokio::spawn(async move {
                        shared.clients.fetch_add(1, Ordering::Relaxed);
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
        Event(Option<ModuleEvent>),
    }
    let mut r = BufReader::new(r);
    let mut authed = shared.token.is_none();
    let mut events: Option<Events> = None;
    // A partial line stays here while events are written (reading it is cancel-safe).
    let mut buf = Vec::new();
    loop {
        let step = tokio::select! {
            n = read_line(&mut r, &mut buf) => Step::Line(n),
            ev = next_event(&mut events) => Step::Event(ev),
        };
        match step {
            Step::Event(Some(ev)) => {
                let Some(e) = &mut events else { continue };
                for v in render(ev, e, shared.start) {
                    if !send(&mut w, &v).await {
                        shared.dropped.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
            Step::Event(None) => {
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

async fn next_event(events: &mut Option<Events>) -> Option<ModuleEvent> {
    match events {
        Some(e) => e.sub.recv().await,
        None => std::future::pending().await,
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
                let mut st = status_json(&s, &shared.info);
                st["control"] = json!({
                    "clients": shared.clients.load(Ordering::Relaxed),
                    "dropped": shared.dropped.load(Ordering::Relaxed),
                });
                json!({"ok": true, "status": st})
            }
            Err(e) => refused(e),
        },
        "faults" => match module.status().await {
            Ok(s) => json!({"ok": true, "faults": status_json(&s, &shared.info)["faults"]}),
            Err(e) => refused(e),
        },
        "arm" => {
            let Some(f) = v.get("fault") else {
                return err(kind::BAD_REQUEST, "arm needs \"fault\"");
            };
            match spec::parse(f.clone()) {
                Err(m) => err(kind::BAD_REQUEST, m),
                Ok(s) => match module.arm(s.fault, s.trigger).await {
                    Ok(id) => json!({"ok": true, "id": id.0}),
                    Err(e) => refused(e),
                },
            }
        }
        "clear" => {
            let id = match (v.get("id"), v.get("all")) {
                (Some(id), None) => match id.as_u64().and_then(|i| u32::try_from(i).ok()) {
                    Some(i) => Some(ftpmodem_device::control::FaultId(i)),
                    None => return err(kind::BAD_REQUEST, "id is a fault number"),
                },
                (None, Some(Value::Bool(true))) => None,
                _ => return err(kind::BAD_REQUEST, "clear takes \"id\" or \"all\": true"),
            };
            match module.clear(id).await {
                Ok(n) => json!({"ok": true, "cleared": n}),
                Err(e) => refused(e),
            }
        }
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
            "event": "fault", "t": t, "id": id.0, "kind": kind,
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

/// `status` as JSON.
pub fn status_json(s: &ModuleStatus, info: &LineInfo) -> Value {
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
        "line": {"line": info.line, "baud": info.baud},
        "network": {
            "registered": n.stat == 1, "stat": n.stat, "fun": n.fun, "attached": n.attached,
            "sim": n.sim, "coverage": n.coverage,
            "signal": {"rssi": sig.rssi, "ber": sig.ber, "rsrq": sig.rsrq, "rsrp": sig.rsrp},
        },
        "pdp": s.engine.pdp.iter().map(|p| json!({
            "cid": p.cid, "active": p.active, "apn": p.apn, "address": p.address,
        })).collect::<Vec<_>>(),
        "channels": channels,
        "faults": s.faults.iter().map(|f| json!({
            "id": f.id.0, "kind": f.kind, "on": f.trigger.when.name(),
            "delay_ms": f.trigger.delay.map(|d| d.as_millis() as u64),
            "duration_ms": f.trigger.duration.map(|d| d.as_millis() as u64),
            "state": if f.active { "active" } else { "armed" },
        })).collect::<Vec<_>>(),
        "hung": s.hung,
        "lost_input": s.lost_input,
    })
}

//! `ftpmodem ctl`: the control socket from the shell. One request, its reply printed; `events`
//! prints the event stream until interrupted. Exit codes: 0 ok, 3 the request was refused
//! (an error reply), 4 the socket cannot be reached, 5 any other failure (the connection
//! broke, a reply that is not JSON).

use super::listen::Address;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// Exit code: the request was refused.
pub const EXIT_REFUSED: i32 = 3;
/// Exit code: the socket cannot be reached.
pub const EXIT_UNREACHABLE: i32 = 4;
/// Exit code: anything else.
pub const EXIT_ERROR: i32 = 5;

#[derive(Args)]
#[command(after_help = "Examples:
  ftpmodem ctl --control /tmp/ml.ctl status
  ftpmodem ctl --control /tmp/ml.ctl arm registration_lost --when next_retr --duration-ms 3000
  ftpmodem ctl --control /tmp/ml.ctl arm reset_after --bytes 65536 --when next_retr
  ftpmodem ctl --control /tmp/ml.ctl arm signal --rssi 5
  ftpmodem ctl --control /tmp/ml.ctl clear --all
  ftpmodem ctl --control tcp:127.0.0.1:7000 --token-file /tmp/ml.token events --only urc,fault

Exit codes: 0 ok, 2 usage, 3 refused (an error reply), 4 unreachable, 5 other error.
Verbs, events and the JSON protocol: docs/CONTROL.md.")]
pub struct CtlArgs {
    /// The control socket: a Unix socket path, or tcp:HOST:PORT.
    #[arg(long, value_name = "PATH", env = "FTPMODEM_CONTROL")]
    control: String,
    /// Token of a TCP control socket.
    #[arg(long, env = "FTPMODEM_CONTROL_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// File holding the token of a TCP control socket.
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    token_file: Option<PathBuf>,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Is the socket there.
    Ping,
    /// Channels, network, PDP contexts, line and armed faults.
    Status {
        /// The reply as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Armed and active faults.
    Faults,
    /// Arm a fault: module kinds hang, sim_removed, registration_lost, pdp_drop, signal,
    /// inject, fs_full, fs_read_only, reboot; network kinds dns, refused, black_hole, stall,
    /// reset_after, tls_verify, shape. Prints its id.
    Arm(ArmArgs),
    /// Clear a fault by id (m1, n2), or all of them.
    Clear {
        /// Fault id from `arm`.
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        /// Every fault.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Print events (JSON lines) until interrupted.
    Events {
        /// Classes: line, urc, state, fault (default all).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Data payloads in full instead of length and sha256.
        #[arg(long)]
        full_data: bool,
        /// Stop after this many events.
        #[arg(long)]
        count: Option<u64>,
    },
    /// Send one raw JSON request and print the reply.
    Send {
        /// E.g. '{"cmd":"status"}'.
        json: String,
    },
}

#[derive(Args)]
struct ArmArgs {
    /// Fault kind.
    kind: String,
    /// Trigger: now, next_conn, next_retr, next_stor (network faults also next_list).
    #[arg(long)]
    when: Option<String>,
    /// Wait this long after the trigger.
    #[arg(long)]
    delay_ms: Option<u64>,
    /// Clear by itself this long after firing.
    #[arg(long)]
    duration_ms: Option<u64>,
    /// pdp-drop: the context.
    #[arg(long)]
    cid: Option<u8>,
    /// signal: AT+CSQ rssi.
    #[arg(long)]
    rssi: Option<u8>,
    /// signal: AT+CSQ ber.
    #[arg(long)]
    ber: Option<u8>,
    /// signal: AT+CESQ rsrq.
    #[arg(long)]
    rsrq: Option<u8>,
    /// signal: AT+CESQ rsrp.
    #[arg(long)]
    rsrp: Option<u8>,
    /// inject: the line to print.
    #[arg(long)]
    line: Option<String>,
    /// reset_after: bytes before the reset.
    #[arg(long)]
    bytes: Option<u64>,
    /// shape: downlink bit/s.
    #[arg(long)]
    down_bps: Option<u64>,
    /// shape: uplink bit/s.
    #[arg(long)]
    up_bps: Option<u64>,
    /// shape: added latency.
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Network trigger: only this channel (0-5).
    #[arg(long)]
    channel: Option<u8>,
    /// Network trigger: only connections to this host.
    #[arg(long)]
    host: Option<String>,
    /// Network trigger (stall, shape): after this many bytes.
    #[arg(long)]
    after_bytes: Option<u64>,
}

struct Fail(i32, String);

/// Runs the verb and exits with its code.
pub async fn run(a: CtlArgs) -> anyhow::Result<()> {
    match run_inner(a).await {
        Ok(()) => Ok(()),
        // Standard output closed by its reader (`ctl events | head`): it wanted no more.
        Err(Fail(0, _)) => Ok(()),
        Err(Fail(code, msg)) => {
            eprintln!("ftpmodem ctl: {msg}");
            std::process::exit(code)
        }
    }
}

type Conn = (
    BufReader<Box<dyn AsyncRead + Unpin + Send>>,
    Box<dyn AsyncWrite + Unpin + Send>,
);

async fn connect(a: &CtlArgs) -> Result<Conn, Fail> {
    let unreachable = |e: std::io::Error| Fail(EXIT_UNREACHABLE, format!("{}: {e}", a.control));
    let mut c: Conn = match Address::parse(&a.control) {
        Address::Unix(p) => {
            let s = tokio::net::UnixStream::connect(&p)
                .await
                .map_err(unreachable)?;
            let (r, w) = s.into_split();
            (BufReader::new(Box::new(r)), Box::new(w))
        }
        Address::Tcp(addr) => {
            let s = tokio::net::TcpStream::connect(&addr)
                .await
                .map_err(unreachable)?;
            let (r, w) = s.into_split();
            (BufReader::new(Box::new(r)), Box::new(w))
        }
    };
    let token = match (&a.token, &a.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(f)) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Fail(EXIT_ERROR, format!("{}: {e}", f.display())))?
                .trim()
                .to_string(),
        ),
        (None, None) => None,
    };
    if let Some(t) = token {
        let r = call(&mut c, &json!({"cmd": "auth", "token": t})).await?;
        check(&r)?;
    }
    Ok(c)
}

async fn call(c: &mut Conn, req: &Value) -> Result<Value, Fail> {
    let mut line = req.to_string();
    line.push('\n');
    let broke = |e: std::io::Error| Fail(EXIT_ERROR, format!("control socket: {e}"));
    c.1.write_all(line.as_bytes()).await.map_err(broke)?;
    next(c).await
}

async fn next(c: &mut Conn) -> Result<Value, Fail> {
    let mut reply = String::new();
    let n =
        c.0.read_line(&mut reply)
            .await
            .map_err(|e| Fail(EXIT_ERROR, format!("control socket: {e}")))?;
    if n == 0 {
        return Err(Fail(EXIT_ERROR, "control socket closed".into()));
    }
    serde_json::from_str(&reply).map_err(|e| Fail(EXIT_ERROR, format!("bad reply: {e}")))
}

fn check(r: &Value) -> Result<(), Fail> {
    if r.get("ok") == Some(&Value::Bool(true)) {
        return Ok(());
    }
    let kind = r.get("error").and_then(Value::as_str).unwrap_or("error");
    let msg = r.get("message").and_then(Value::as_str).unwrap_or("");
    Err(Fail(EXIT_REFUSED, format!("{kind}: {msg}")))
}

fn out(s: &str) -> Result<(), Fail> {
    crate::outln!("{s}").map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Fail(0, String::new()),
        _ => Fail(EXIT_ERROR, e.to_string()),
    })
}

async fn run_inner(a: CtlArgs) -> Result<(), Fail> {
    let mut c = connect(&a).await?;
    let req = match &a.verb {
        Verb::Ping => json!({"cmd": "ping"}),
        Verb::Status { .. } => json!({"cmd": "status"}),
        Verb::Faults => json!({"cmd": "faults"}),
        Verb::Arm(x) => {
            let mut f = serde_json::Map::new();
            let mut t = serde_json::Map::new();
            f.insert("kind".into(), json!(x.kind));
            let mut trig = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    t.insert(k.into(), v);
                }
            };
            trig("when", x.when.as_ref().map(|v| json!(v)));
            trig("delay_ms", x.delay_ms.map(|v| json!(v)));
            trig("duration_ms", x.duration_ms.map(|v| json!(v)));
            trig("channel", x.channel.map(|v| json!(v)));
            trig("host", x.host.as_ref().map(|v| json!(v)));
            trig("after_bytes", x.after_bytes.map(|v| json!(v)));
            if !t.is_empty() {
                f.insert("trigger".into(), Value::Object(t));
            }
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    f.insert(k.into(), v);
                }
            };
            put("cid", x.cid.map(|v| json!(v)));
            put("bytes", x.bytes.map(|v| json!(v)));
            put("down_bps", x.down_bps.map(|v| json!(v)));
            put("up_bps", x.up_bps.map(|v| json!(v)));
            put("latency_ms", x.latency_ms.map(|v| json!(v)));
            put("rssi", x.rssi.map(|v| json!(v)));
            put("ber", x.ber.map(|v| json!(v)));
            put("rsrq", x.rsrq.map(|v| json!(v)));
            put("rsrp", x.rsrp.map(|v| json!(v)));
            put("line", x.line.as_ref().map(|v| json!(v)));
            json!({"cmd": "arm", "fault": f})
        }
        Verb::Clear { id, all } => match id {
            Some(id) if !all => json!({"cmd": "clear", "id": id}),
            _ => json!({"cmd": "clear", "all": true}),
        },
        Verb::Events {
            only, full_data, ..
        } => {
            let mut r = json!({"cmd": "subscribe", "events": only});
            if *full_data {
                r["data"] = json!("full");
            }
            r
        }
        Verb::Send { json } => {
            serde_json::from_str(json).map_err(|e| Fail(EXIT_ERROR, format!("not JSON: {e}")))?
        }
    };
    let reply = call(&mut c, &req).await?;
    if let Verb::Send { .. } = a.verb {
        out(&reply.to_string())?;
        return check(&reply);
    }
    check(&reply)?;
    match a.verb {
        Verb::Ping => out("ok"),
        Verb::Status { json: true } => out(&reply["status"].to_string()),
        Verb::Status { json: false } => out(&status_text(&reply["status"])),
        Verb::Faults => out(&reply["faults"].to_string()),
        Verb::Arm(_) => out(reply["id"].as_str().unwrap_or_default()),
        Verb::Clear { .. } => out(&reply["cleared"].to_string()),
        Verb::Events { count, .. } => {
            let mut n = 0u64;
            while count.map_or(true, |c| n < c) {
                let ev = next(&mut c).await?;
                out(&ev.to_string())?;
                n += 1;
            }
            Ok(())
        }
        Verb::Send { .. } => Ok(()),
    }
}

/// `ctl status` for a person.
fn status_text(s: &Value) -> String {
    let mut t = String::new();
    let str_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        v => v.to_string(),
    };
    let line = &s["line"];
    t.push_str(&format!(
        "line     {} ({} baud; AT+IPR {})\n",
        str_of(&line["line"]),
        str_of(&line["baud"]),
        str_of(&line["ipr"])
    ));
    let n = &s["network"];
    let stat = match n["stat"].as_u64() {
        Some(1) => "registered",
        Some(2) => "searching",
        _ => "not registered",
    };
    t.push_str(&format!(
        "network  {stat}, CFUN {}, SIM {}, signal rssi {} ber {} rsrq {} rsrp {}{}\n",
        str_of(&n["fun"]),
        if n["sim"] == json!(true) { "in" } else { "out" },
        str_of(&n["signal"]["rssi"]),
        str_of(&n["signal"]["ber"]),
        str_of(&n["signal"]["rsrq"]),
        str_of(&n["signal"]["rsrp"]),
        if s["hung"] == json!(true) {
            ", HUNG"
        } else {
            ""
        },
    ));
    for p in s["pdp"].as_array().into_iter().flatten() {
        t.push_str(&format!(
            "pdp {:<4} {} {} apn {:?}\n",
            str_of(&p["cid"]),
            if p["active"] == json!(true) {
                "up  "
            } else {
                "down"
            },
            str_of(&p["address"]),
            str_of(&p["apn"]),
        ));
    }
    for c in s["channels"].as_array().into_iter().flatten() {
        t.push_str(&format!(
            "channel {} {:<12} {:<22} {} {} bytes\n",
            str_of(&c["id"]),
            str_of(&c["state"]),
            str_of(&c["server"]),
            str_of(&c["op"]),
            str_of(&c["bytes"]),
        ));
    }
    let faults = s["faults"].as_array().cloned().unwrap_or_default();
    if faults.is_empty() {
        t.push_str("faults   none\n");
    }
    for f in faults {
        t.push_str(&format!(
            "fault {:<4} {} {} when {} ({}){}\n",
            str_of(&f["id"]),
            str_of(&f["layer"]),
            str_of(&f["kind"]),
            str_of(&f["trigger"]["when"]),
            str_of(&f["state"]),
            match f["trigger"]["duration_ms"].as_u64() {
                Some(d) => format!(" for {d} ms"),
                None => String::new(),
            }
        ));
    }
    t.pop();
    t
}

//! `ftpmodem serve`: a virtual module on one line.

use crate::config::{FileConfig, DEFAULT_CAPACITY, DEFAULT_EPSV, DEFAULT_MODEL};
use anyhow::{bail, Context, Result};
use clap::Args;
use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{self, line_channel, PtyLine, SerialFlow, SerialLine};
use ftpmodem_device::{channel, runtime};
use ftpmodem_proto::Model;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

#[derive(Args)]
#[command(after_help = "Examples:
  ftpmodem serve --pty /tmp/ttyML307 --model ML307R     # then: picocom -q /tmp/ttyML307
  ftpmodem serve --tcp 127.0.0.1:5000
  ftpmodem serve --serial /dev/ttyS1 --baud 115200 --flow hardware --config ftpmodem.toml

The configuration file's keys, each with its default: docs/ftpmodem.example.toml.
FTPMODEM_LOG=debug (or -v, -vv) logs to stderr.")]
#[command(group(clap::ArgGroup::new("line").required(true).args(["pty", "tcp", "serial", "stdio"])))]
pub struct ServeArgs {
    /// Create a pseudo-terminal and a symlink to it at this path (removed at exit).
    #[arg(long, value_name = "LINK")]
    pty: Option<PathBuf>,
    /// Listen on this TCP address; one client at a time is the serial line.
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Use a real serial device, e.g. /dev/ttyS1.
    #[arg(long, value_name = "DEV")]
    serial: Option<String>,
    /// Baud rate. The factory rate (default 115200) until AT+IPR changes it or AT&W saves
    /// another: --serial opens the UART at it; for --pty, --tcp and --stdio, giving --baud
    /// also paces the line at BAUD/10 bytes per second each way, as a UART would (unpaced
    /// otherwise).
    #[arg(long)]
    baud: Option<u32>,
    /// Flow control for --serial: none, hardware (RTS/CTS) or software (XON/XOFF).
    #[arg(long, default_value = "none")]
    flow: String,
    /// Use standard input and output.
    #[arg(long)]
    stdio: bool,
    /// Model profile: generic (everything), ML302A, ML305A, ML307A, ML305U, ML307R.
    #[arg(long)]
    model: Option<String>,
    /// Directory holding the module's local file system.
    #[arg(long, value_name = "DIR")]
    fs_root: Option<PathBuf>,
    /// Capacity of the local file system in bytes.
    #[arg(long, value_name = "BYTES")]
    fs_capacity: Option<u64>,
    /// Configuration file (TOML): model, fs, PDP context bindings.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    bench: crate::control::ControlArgs,
    #[command(flatten)]
    net: crate::network::NetArgs,
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let file = match &args.config {
        Some(p) => FileConfig::load(p)?,
        None => FileConfig::default(),
    };
    let model_name = args
        .model
        .clone()
        .or(file.model.clone())
        .unwrap_or_else(|| DEFAULT_MODEL.into());
    let Some(model) = Model::from_name(&model_name) else {
        bail!(
            "unknown model {model_name:?}: use generic, ML302A, ML305A, ML307A, ML305U or ML307R"
        );
    };
    let root = args
        .fs_root
        .clone()
        .or(file.fs.root.clone())
        .unwrap_or_else(Sandbox::default_root);
    let capacity = args
        .fs_capacity
        .or(file.fs.capacity)
        .unwrap_or(DEFAULT_CAPACITY);
    let fs = Sandbox::open(&root, capacity)
        .with_context(|| format!("opening the file system at {}", root.display()))?;
    // The module's clock starts at the host's UTC time (ONEMO-RELATED.md §A.5, docs/PROTOCOL.md).
    let utc_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let cfg = EngineConfig {
        profile: model.profile(),
        pdp: file.bindings(),
        identity: file.identity(),
        clock: file.clock(utc_now),
        line_rate: args.baud.unwrap_or(ftpmodem_proto::command::IPR_DEFAULT),
        ..EngineConfig::default()
    };
    // Made before the line: a rate `AT&W` saved is the rate the UART opens at.
    let engine = Engine::new(cfg, fs.clone(), std::time::Instant::now());

    // A scenario with an error refuses start-up before anything is opened.
    let scenario = crate::control::prepare(&args.bench)?;
    let shutdown = CancellationToken::new();
    spawn_signal_handler(shutdown.clone());

    let (line_ends, module_ends) = line_channel(runtime::LINE_QUEUE);
    // A UART paces itself; other lines only when asked. The rate is a handle (AT+IPR).
    let line_rate = transport::LineRate::new(engine.line_rate());
    let line_ends = match (&args.serial, args.baud) {
        (None, Some(_)) => transport::paced(line_ends, line_rate.clone(), shutdown.clone()),
        _ => line_ends,
    };
    let net_faults = args.net.faults()?;
    let mut line_desc = line_name(&args);
    let transport = {
        let shutdown = shutdown.clone();
        if let Some(link) = &args.pty {
            let pty = match PtyLine::create(link) {
                Ok(pty) => pty,
                // "LINK is in use by pid N" says it all.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!("{e}"),
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("creating the PTY at {}", link.display()))
                }
            };
            eprintln!(
                "ftpmodem: {} module on {} -> {} (e.g. picocom -q {})",
                model.profile().name,
                pty.link_path().display(),
                pty.slave_path().display(),
                pty.link_path().display()
            );
            tokio::spawn(async move { pty.serve(line_ends, shutdown).await })
        } else if let Some(addr) = &args.tcp {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            eprintln!(
                "ftpmodem: {} module on tcp {}",
                model.profile().name,
                listener.local_addr()?
            );
            line_desc = format!("tcp {}", listener.local_addr()?);
            tokio::spawn(transport::run_tcp(listener, line_ends, shutdown))
        } else if let Some(dev) = &args.serial {
            let flow = match args.flow.as_str() {
                "none" => SerialFlow::None,
                "hardware" => SerialFlow::Hardware,
                "software" => SerialFlow::Software,
                other => bail!("unknown flow control {other:?}: use none, hardware or software"),
            };
            if args.baud == Some(0) {
                bail!("--baud 0 would hang up the line: give a rate such as 115200");
            }
            let baud = engine.line_rate();
            let line =
                SerialLine::open(dev, baud, flow).with_context(|| format!("opening {dev}"))?;
            eprintln!(
                "ftpmodem: {} module on {dev} at {baud} baud",
                model.profile().name,
            );
            tokio::spawn(async move { line.serve(line_ends, shutdown).await })
        } else {
            tokio::spawn(transport::run_stdio(line_ends, shutdown))
        }
    };

    let opts = channel::ChannelOptions {
        use_epsv: file.ftp.epsv.unwrap_or(DEFAULT_EPSV),
        // The test bench's network faults (docs/CONTROL.md) sit under the channels: those of
        // --network/--net-fault, armed through the control socket and scenarios too.
        net_faults: net_faults.or_else(|| {
            args.bench
                .wanted()
                .then(ftpmodem_device::net::NetFaults::new)
        }),
        ..channel::ChannelOptions::default()
    };
    let net = opts.net_faults.clone().unwrap_or_default();
    let spawner = move |id, events| channel::spawn_with(id, fs.clone(), events, opts.clone());
    let (control, port) = ftpmodem_device::control::ModuleControl::new();
    let module = tokio::spawn(runtime::run_controlled(
        engine,
        module_ends,
        spawner,
        shutdown.clone(),
        port,
    ));
    let bench = if args.bench.wanted() {
        let info = crate::control::server::LineInfo {
            line: line_desc,
            baud: args
                .serial
                .as_ref()
                .map(|_| args.baud.unwrap_or(115_200))
                .or(args.baud),
        };
        match crate::control::start(&args.bench, scenario, control, net, info).await {
            Ok(b) => Some(b),
            Err(e) => {
                shutdown.cancel();
                let _ = module.await;
                return Err(e);
            }
        }
    } else {
        drop(control);
        None
    };
    let result = transport.await.context("transport task")?;
    shutdown.cancel();
    let _ = module.await;
    if let Some(b) = bench {
        b.finish().await;
    }
    result.context("serial line")
}

/// The line, as `ctl status` names it.
fn line_name(a: &ServeArgs) -> String {
    if let Some(p) = &a.pty {
        format!("pty {}", p.display())
    } else if let Some(t) = &a.tcp {
        format!("tcp {t}")
    } else if let Some(d) = &a.serial {
        format!("serial {d}")
    } else {
        "stdio".into()
    }
}

/// Ctrl+C and SIGTERM end the module cleanly: the PTY link is removed, sessions closed.
fn spawn_signal_handler(shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("cannot watch SIGTERM: {e}");
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        shutdown.cancel();
    });
}

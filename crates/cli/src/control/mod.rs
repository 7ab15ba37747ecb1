//! The test bench around a served module (docs/CONTROL.md): the control socket (`server.rs`,
//! `listen.rs`), the `ctl` client (`client.rs`), scenario files (`scenario.rs`), the fault
//! schema they share (`spec.rs`) and the transcript (`transcript.rs`, `lineview.rs`). The
//! module side, the control channel into the runtime, is `ftpmodem_device::control`.

pub mod client;
pub mod lineview;
pub mod listen;
pub mod scenario;
pub mod server;
pub mod spec;
pub mod transcript;

use anyhow::{bail, Result};
use clap::Args;
use ftpmodem_device::control::ModuleControl;
use ftpmodem_device::net::NetFaults;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// `serve`'s test-bench options.
#[derive(Args, Debug, Clone, Default)]
pub struct ControlArgs {
    /// Control socket: a Unix socket path (created 0600), or tcp:HOST:PORT (loopback; needs a
    /// token). JSON lines; docs/CONTROL.md.
    #[arg(long, value_name = "PATH")]
    pub control: Option<String>,
    /// Token a TCP control socket asks for first (default: a random one, printed on stderr or
    /// written to --control-token-file).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FTPMODEM_CONTROL_TOKEN",
        hide_env_values = true
    )]
    pub control_token: Option<String>,
    /// Write the TCP control socket's token to this new file (mode 0600) instead of stderr.
    #[arg(long, value_name = "FILE")]
    pub control_token_file: Option<PathBuf>,
    /// Let a TCP control socket listen on an address other than loopback.
    #[arg(long)]
    pub control_remote: bool,
    /// Faults armed at start-up (TOML; docs/CONTROL.md).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Record the line, both directions, with timestamps.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Data payloads in the transcript: digest (length and sha256) or full.
    #[arg(long, value_name = "MODE", default_value = "digest")]
    pub transcript_data: String,
}

impl ControlArgs {
    /// Anything asked of the bench.
    pub fn wanted(&self) -> bool {
        self.control.is_some() || self.scenario.is_some() || self.transcript.is_some()
    }
}

/// The bench running beside a module.
pub struct Bench {
    /// Ends the socket's tasks.
    shutdown: CancellationToken,
    transcript: Option<tokio::task::JoinHandle<()>>,
    _listener_task: Option<tokio::task::JoinHandle<()>>,
}

/// Checks what can be checked before the module starts (the scenario, the transcript mode),
/// so a bad file refuses start-up with nothing started.
pub fn prepare(a: &ControlArgs) -> Result<Vec<spec::Fault>> {
    match a.transcript_data.as_str() {
        "digest" | "full" => {}
        other => bail!("--transcript-data {other:?}: use digest or full"),
    }
    match &a.scenario {
        Some(p) => scenario::load(p),
        None => Ok(Vec::new()),
    }
}

/// Starts the socket and the transcript, and arms the scenario's faults.
pub async fn start(
    a: &ControlArgs,
    faults: Vec<spec::Fault>,
    module: ModuleControl,
    net: NetFaults,
    info: server::LineInfo,
) -> Result<Bench> {
    let begin = Instant::now();
    let data = if a.transcript_data == "full" {
        lineview::DataMode::Full
    } else {
        lineview::DataMode::Digest
    };
    let transcript = match &a.transcript {
        Some(p) => Some(transcript::start(p, data, &module, begin)?),
        None => None,
    };
    for (i, f) in faults.into_iter().enumerate() {
        let r = match f {
            spec::Fault::Module(f) => module
                .arm(f.fault, f.trigger)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            spec::Fault::Network(f) => net.arm(f).map(|_| ()).map_err(|e| e.to_string()),
        };
        if let Err(e) = r {
            bail!("scenario: fault {}: {e}", i + 1);
        }
    }
    let shutdown = CancellationToken::new();
    let task = match &a.control {
        None => None,
        Some(addr) => {
            let addr = listen::Address::parse(addr);
            let l = listen::Listener::bind(&addr, a.control_remote).await?;
            let token = match addr {
                listen::Address::Unix(_) => None,
                listen::Address::Tcp(_) => Some(match &a.control_token {
                    Some(t) if t.len() >= 8 => t.clone(),
                    Some(_) => bail!("--control-token: at least 8 characters"),
                    None => {
                        let t = listen::new_token()?;
                        match &a.control_token_file {
                            Some(f) => listen::write_token_file(f, &t)?,
                            None => eprintln!("ftpmodem: control token {t}"),
                        }
                        t
                    }
                }),
            };
            eprintln!("ftpmodem: control socket on {}", l.describe());
            let shared = Arc::new(server::Shared {
                module,
                net,
                token,
                info,
                start: begin,
                clients: Default::default(),
                dropped: Default::default(),
            });
            Some(tokio::spawn(server::serve(l, shared, shutdown.clone())))
        }
    };
    Ok(Bench {
        shutdown,
        transcript,
        _listener_task: task,
    })
}

impl Bench {
    /// Stops the socket and lets the transcript write its last records (the module has
    /// stopped and every handle on it is dropped).
    pub async fn finish(mut self) {
        self.shutdown.cancel();
        if let Some(t) = self._listener_task.take() {
            let _ = t.await;
        }
        if let Some(t) = self.transcript.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), t).await;
        }
    }
}

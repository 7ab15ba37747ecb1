//! The host side of the `ftpmodem` command: drive a module (real or virtual) from a shell.
//! `at` talks AT directly; `ls`, `get`, `put`, `rm`, `mkdir`, `mv` and `cat` use the typed
//! driver of `ftpmodem-host` and an `ftp://` URL.
//!
//! Exit codes (also in `--help` and the README): see [`HELP_TAIL`].

pub mod at;
pub mod cat;
pub mod get;
pub mod interrupt;
pub mod ls;
pub mod mkdir;
pub mod mv;
pub mod progress;
pub mod put;
pub mod rm;
mod url;

use clap::{Args, ValueEnum};
use ftpmodem_host::tty::{self, Flow};
use ftpmodem_host::{Channel, ChannelConfig, Error, Login, Modem};
use ftpmodem_proto::{ChannelId, ChannelState, CmeError, DataType, SslMode, TransMode};
use interrupt::Signal;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
pub use url::FtpUrl;

/// The end of every host subcommand's `--help`: the default module, logging, exit codes.
pub const HELP_TAIL: &str = "Environment: FTPMODEM_DEVICE names the module when no -s/-p/-t is \
given (pty:/tmp/ttyML307, serial:/dev/ttyUSB2, tcp:127.0.0.1:5000); FTPMODEM_PASSWORD holds \
the password (else a prompt); FTPMODEM_LOG=debug (or -v, -vv) logs to stderr.\n\n\
Exit codes: 0 success; 1 unexpected failure; 2 usage error (bad \
arguments or URL); 3 the module cannot be reached (line cannot be opened, no answer, time-out, \
--timeout); 4 the module refused a command (+CME ERROR / ERROR); 5 the FTP operation failed (server or \
network result code, disconnected); 6 local file error; 7 --verify found a mismatch; 130 \
interrupted by SIGINT (Ctrl+C), 143 by SIGTERM: the transfer was ended and the channel \
disconnected first (a second signal quits at once). A standard output closed by its reader \
(`| head`) ends the command quietly with 0.";

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: no summary lines or notes on stderr, only errors.
pub fn set_quiet(q: bool) {
    QUIET.store(q, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `-q` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// A note on stderr (a summary, an empty listing), left out with `-q`.
pub fn note(args: std::fmt::Arguments<'_>) {
    if !quiet() {
        eprintln!("ftpmodem: {args}");
    }
}

/// Longest clean-up after a signal: leaving transparent mode (the guard times, about 2.5 s) and
/// logging out (the module gives QUIT 5 s).
const CLEANUP_LIMIT: Duration = Duration::from_secs(15);

/// Why a host subcommand failed, with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code.
    pub code: i32,
    /// Message for stderr (never holds a password).
    pub msg: String,
}

impl Failure {
    pub fn new(code: i32, msg: impl Into<String>) -> Failure {
        Failure {
            code,
            msg: msg.into(),
        }
    }

    pub fn usage(msg: impl Into<String>) -> Failure {
        Failure::new(2, msg)
    }

    pub fn local(what: &str, e: std::io::Error) -> Failure {
        if crate::stdout::is_broken_pipe(&e) {
            return Failure::closed_stdout();
        }
        Failure::new(6, format!("{what}: {e}"))
    }

    /// The same failure with what was being done in front (`logging in to host: ...`).
    pub fn context(self, what: &str) -> Failure {
        if self.code == 0 {
            return self;
        }
        Failure::new(self.code, format!("{what}: {}", self.msg))
    }

    /// Standard output was closed by its reader (`| head`): the command stops, says nothing
    /// and counts as a success.
    pub fn closed_stdout() -> Failure {
        Failure::new(0, "")
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match &e {
            Error::Cme(_) | Error::Error | Error::Invalid(_) => 4,
            Error::Result { .. } | Error::Disconnected(_) => 5,
            Error::Timeout { .. } | Error::Restarted | Error::LineClosed(_) => 3,
            Error::Local(io) if crate::stdout::is_broken_pipe(io) => {
                return Failure::closed_stdout()
            }
            Error::Local(_) => 6,
            Error::Protocol(_) => 1,
        };
        Failure::new(code, e.to_string())
    }
}

/// The result of a host subcommand.
pub type Outcome = Result<(), Failure>;

/// Ends the process with the failure's code, after printing it; success returns to main.
pub fn finish(r: Outcome) -> anyhow::Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(f) if f.code == 0 => Ok(()),
        Err(f) => {
            eprintln!("ftpmodem: {}", f.msg);
            std::process::exit(f.code)
        }
    }
}

/// Where the module is.
#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("module").args(["serial", "pty", "tcp"])))]
pub struct LineArgs {
    /// The module's AT serial port, e.g. /dev/ttyUSB2 (USB) or /dev/ttyS1 (UART). Without
    /// -s, -p or -t: FTPMODEM_DEVICE (serial:DEV, pty:PATH or tcp:ADDR).
    #[arg(short, long, value_name = "DEV")]
    serial: Option<PathBuf>,
    /// Baud rate for --serial (UART wiring; ignored by USB ports).
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// RTS/CTS flow control on --serial (needed for long transparent uploads on a UART).
    #[arg(long)]
    rtscts: bool,
    /// A PTY, e.g. the link of `ftpmodem serve --pty LINK`.
    #[arg(short, long, value_name = "PATH")]
    pty: Option<PathBuf>,
    /// A module served on TCP (`ftpmodem serve --tcp ADDR`).
    #[arg(short, long, value_name = "ADDR")]
    tcp: Option<String>,
}

/// Where the module is, from the options or `FTPMODEM_DEVICE`.
enum Device {
    Serial(PathBuf),
    Pty(PathBuf),
    Tcp(String),
}

/// `FTPMODEM_DEVICE`: `serial:DEV`, `pty:PATH` or `tcp:ADDR`.
fn parse_device(v: &str) -> Result<Device, Failure> {
    match v.split_once(':') {
        Some(("serial", d)) if !d.is_empty() => Ok(Device::Serial(d.into())),
        Some(("pty", d)) if !d.is_empty() => Ok(Device::Pty(d.into())),
        Some(("tcp", d)) if !d.is_empty() => Ok(Device::Tcp(d.into())),
        _ => Err(Failure::usage(format!(
            "FTPMODEM_DEVICE={v:?}: use serial:DEV, pty:PATH or tcp:ADDR"
        ))),
    }
}

/// Any line to the module.
pub trait Line: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Line for T {}

impl LineArgs {
    /// The module: the option given, else `FTPMODEM_DEVICE`.
    fn device(&self) -> Result<Device, Failure> {
        if let Some(d) = &self.serial {
            return Ok(Device::Serial(d.clone()));
        }
        if let Some(p) = &self.pty {
            return Ok(Device::Pty(p.clone()));
        }
        if let Some(a) = &self.tcp {
            return Ok(Device::Tcp(a.clone()));
        }
        match std::env::var("FTPMODEM_DEVICE") {
            Ok(v) if !v.is_empty() => parse_device(&v),
            _ => Err(Failure::usage(
                "no module: give -s DEV, -p PATH or -t ADDR, or set FTPMODEM_DEVICE \
                 (e.g. serial:/dev/ttyUSB2, pty:/tmp/ttyML307, tcp:127.0.0.1:5000)",
            )),
        }
    }

    /// The line as the user named it (`/dev/ttyUSB2`, `pty /tmp/ttyML307`, `tcp 127.0.0.1:5000`).
    pub fn describe(&self) -> String {
        match self.device() {
            Ok(Device::Serial(d)) => d.display().to_string(),
            Ok(Device::Pty(p)) => format!("pty {}", p.display()),
            Ok(Device::Tcp(a)) => format!("tcp {a}"),
            Err(_) => "no line".into(),
        }
    }

    /// Opens the line.
    pub async fn open(&self) -> Result<Box<dyn Line>, Failure> {
        let unreachable = |what: String, e: std::io::Error| Failure::new(3, format!("{what}: {e}"));
        match self.device()? {
            Device::Serial(dev) => {
                let flow = if self.rtscts {
                    Flow::Hardware
                } else {
                    Flow::None
                };
                let t = tty::open_with(&dev, Some(self.baud), flow)
                    .map_err(|e| unreachable(format!("opening {}", dev.display()), e))?;
                Ok(Box::new(t))
            }
            Device::Pty(p) => {
                let t = tty::open(&p, None)
                    .map_err(|e| unreachable(format!("opening {}", p.display()), e))?;
                Ok(Box::new(t))
            }
            Device::Tcp(addr) => {
                let s = tokio::net::TcpStream::connect(&addr)
                    .await
                    .map_err(|e| unreachable(format!("connecting to {addr}"), e))?;
                let _ = s.set_nodelay(true);
                Ok(Box::new(s))
            }
        }
    }

    /// Opens the line and brings the driver into step with the module.
    pub async fn modem(&self) -> Result<Modem, Failure> {
        let modem = Modem::new(self.open().await?);
        let opened = std::time::Instant::now();
        match modem.sync(3).await {
            Ok(()) => Ok(modem),
            // Several tries each with its own time-out: say how long the module was silent.
            Err(Error::Timeout { .. }) => Err(Failure::new(
                3,
                format!(
                    "the module on {} did not answer AT: silent for {:.0} s since the line was \
                     opened (powered? the AT port? the baud rate?)",
                    self.describe(),
                    opened.elapsed().as_secs_f64()
                ),
            )),
            Err(e) => Err(e.into()),
        }
    }
}

/// FTPS choice.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ftps {
    /// TLS from the first byte (port 990 by default).
    Implicit,
    /// AUTH TLS on the plain port.
    Explicit,
}

/// The module and the FTP server.
#[derive(Args, Debug, Clone)]
pub struct FtpArgs {
    #[command(flatten)]
    pub line: LineArgs,
    /// FTP channel (connect_id) of the module to use, 0-5.
    #[arg(short, long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub channel: u8,
    /// FTPS (the module's generic profile; the hardware models have plain FTP only).
    #[arg(long, value_enum)]
    pub ftps: Option<Ftps>,
    /// Active mode (PORT/EPRT) instead of passive.
    #[arg(long)]
    pub active: bool,
    /// ASCII transfers (TYPE A) instead of binary.
    #[arg(long)]
    pub ascii: bool,
    /// Give up after this many seconds in all (login, transfer, logout excluded): the
    /// transfer is ended, the channel disconnected, exit code 3.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
}

impl FtpArgs {
    /// Configures the channel and logs in to the URL's server.
    async fn login(
        &self,
        channel: &Channel,
        url: &FtpUrl,
        password: Option<String>,
    ) -> Result<(), Failure> {
        // A channel left connected by an earlier program refuses configuration (802).
        if channel.state().await? != ChannelState::Disconnected {
            let _ = channel.disconnect().await;
        }
        let cfg = ChannelConfig {
            data_type: if self.ascii {
                DataType::Ascii
            } else {
                DataType::Binary
            },
            trans_mode: if self.active {
                TransMode::Active
            } else {
                TransMode::Passive
            },
            ssl_mode: match self.ftps {
                None => SslMode::Plain,
                Some(Ftps::Implicit) => SslMode::Implicit,
                Some(Ftps::Explicit) => SslMode::Explicit,
            },
            ..ChannelConfig::default()
        };
        let configured = match channel.configure(&cfg).await {
            // A command still running on the channel (a login an earlier program gave up in
            // the middle of): the disconnect cancels it.
            Err(Error::Cme(CmeError::FtpRunning)) => {
                let _ = channel.disconnect().await;
                channel.configure(&cfg).await
            }
            r => r,
        };
        if let Err(e) = configured {
            let n = channel.id().get();
            // The hardware models refuse FTPS and active mode with a bare parameter error.
            let wanted: Vec<&str> = [
                self.ftps.map(|_| "FTPS"),
                self.active.then_some("active mode"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if matches!(e, Error::Cme(CmeError::ParameterError)) && !wanted.is_empty() {
                return Err(Failure::new(
                    4,
                    format!(
                        "configuring channel {n}: the module refused {} (+CME ERROR: 50): \
                         this model has no {} (the ML30x hardware models are plain FTP, passive \
                         only; the virtual module's generic profile has both)",
                        wanted.join(" and "),
                        wanted.join(" and ")
                    ),
                ));
            }
            let f = Failure::from(e);
            return Err(Failure::new(
                f.code,
                format!("configuring channel {n}: {}", f.msg),
            ));
        }
        let mut login = Login::new(url.host.clone());
        login.port = url.port;
        login.user = url.user.clone();
        login.password = password;
        channel
            .connect(&login)
            .await
            .map_err(|e| Failure::from(e).context(&format!("logging in to {}", url.host)))?;
        Ok(())
    }
}

/// Opens the module, logs in to the URL's server, runs `op` on the channel and logs out.
///
/// SIGINT or SIGTERM at any point ends `op` where it is (dropping its calls: a download's
/// remaining chunks are discarded by the driver, a transparent upload is escaped with its
/// guard times, a prompt upload stops between packets), disconnects the channel, and fails
/// with 130 or 143 and a message saying so.
pub async fn with_session<F, Fut>(args: &FtpArgs, url: FtpUrl, op: F) -> Outcome
where
    F: FnOnce(Channel, FtpUrl) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let id = ChannelId::new(args.channel).ok_or_else(|| Failure::usage("channel must be 0-5"))?;
    // Asked before the signals are taken: Ctrl+C at the password prompt just quits.
    let password = url.password()?;
    interrupt::install().map_err(|e| Failure::new(1, format!("cannot watch signals: {e}")))?;
    let modem = tokio::select! {
        m = args.line.modem() => m?,
        s = interrupt::interrupted() => {
            return Err(Failure::new(s.exit_code(), format!("interrupted by {}", s.name())));
        }
    };
    let channel = modem.channel(id);
    let logged_in = std::cell::Cell::new(false);
    let work = async {
        args.login(&channel, &url, password).await?;
        logged_in.set(true);
        op(channel.clone(), url).await
    };
    let limit = args
        .timeout
        .filter(|t| t.is_finite() && *t > 0.0)
        .map(Duration::from_secs_f64);
    let expired = async {
        match limit {
            Some(l) => tokio::time::sleep(l).await,
            None => std::future::pending().await,
        }
    };
    let r = tokio::select! {
        r = work => r,
        s = interrupt::interrupted() => return Err(stop(s, &channel).await),
        () = expired => {
            let n = channel.id().get();
            let how = match tokio::time::timeout(CLEANUP_LIMIT, channel.disconnect()).await {
                Ok(_) => format!("channel {n} disconnected"),
                Err(_) => format!("channel {n} may still be connected"),
            };
            return Err(Failure::new(
                3,
                format!("gave up after --timeout {} s; {how}", limit.unwrap_or_default().as_secs_f64()),
            ));
        }
    };
    if !logged_in.get() {
        return r;
    }
    // The command's outcome stands whatever the logout says.
    tokio::select! {
        d = channel.disconnect() => {
            if let Err(e) = d {
                tracing::debug!("disconnect: {e}");
            }
        }
        s = interrupt::interrupted() => {
            return Err(Failure::new(
                s.exit_code(),
                format!("interrupted by {} while logging out", s.name()),
            ));
        }
    }
    r
}

/// After a signal: the calls of the command are gone; disconnect the channel (which also
/// cancels a command still running on it) and say what became of it.
async fn stop(s: Signal, channel: &Channel) -> Failure {
    let n = channel.id().get();
    let how = match tokio::time::timeout(CLEANUP_LIMIT, channel.disconnect()).await {
        // A refusal or a failed report: there was no session to end.
        Ok(Ok(()) | Err(Error::Result { .. } | Error::Cme(_))) => {
            format!("channel {n} disconnected")
        }
        Ok(Err(e)) => format!("channel {n} may still be connected: {e}"),
        Err(_) => format!(
            "channel {n} may still be connected: no answer in {} s",
            CLEANUP_LIMIT.as_secs()
        ),
    };
    Failure::new(s.exit_code(), format!("interrupted by {}; {how}", s.name()))
}

/// Prints a line on standard output; one closed by its reader ends the command quietly.
pub fn print_line(args: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    crate::stdout::line(args).map_err(|e| Failure::local("standard output", e))
}

/// Progress bars only on a terminal; pipes and logs stay clean.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

//! The host side of the `ftpmodem` command: drive a module (real or virtual) from a shell.
//! `at` talks AT directly; `ls`, `get`, `put`, `rm`, `mkdir`, `mv` and `cat` use the typed
//! driver of `ftpmodem-host` and an `ftp://` URL.
//!
//! Exit codes (also in `--help` and the README): see [`EXIT_CODES`].

pub mod at;
pub mod cat;
pub mod get;
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
use ftpmodem_proto::{ChannelId, ChannelState, DataType, SslMode, TransMode};
use std::io::IsTerminal;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncWrite};
pub use url::FtpUrl;

/// Printed by `--help` of every host subcommand.
pub const EXIT_CODES: &str = "Exit codes: 0 success; 1 unexpected failure; 2 usage error (bad \
arguments or URL); 3 the module cannot be reached (line cannot be opened, no answer, time-out); \
4 the module refused a command (+CME ERROR / ERROR); 5 the FTP operation failed (server or \
network result code, disconnected); 6 local file error; 7 --verify found a mismatch.";

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
        Failure::new(6, format!("{what}: {e}"))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match &e {
            Error::Cme(_) | Error::Error | Error::Invalid(_) => 4,
            Error::Result { .. } | Error::Disconnected(_) => 5,
            Error::Timeout { .. } | Error::Restarted | Error::LineClosed(_) => 3,
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
        Err(f) => {
            eprintln!("ftpmodem: {}", f.msg);
            std::process::exit(f.code)
        }
    }
}

/// Where the module is.
#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("module").required(true).args(["serial", "pty", "tcp"])))]
pub struct LineArgs {
    /// The module's AT serial port, e.g. /dev/ttyUSB2 (USB) or /dev/ttyS1 (UART).
    #[arg(long, value_name = "DEV")]
    serial: Option<PathBuf>,
    /// Baud rate for --serial (UART wiring; ignored by USB ports).
    #[arg(long, default_value_t = 115_200, requires = "serial")]
    baud: u32,
    /// RTS/CTS flow control on --serial (needed for long transparent uploads on a UART).
    #[arg(long, requires = "serial")]
    rtscts: bool,
    /// A PTY, e.g. the link of `ftpmodem serve --pty LINK`.
    #[arg(long, value_name = "PATH")]
    pty: Option<PathBuf>,
    /// A module served on TCP (`ftpmodem serve --tcp ADDR`).
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
}

/// Any line to the module.
pub trait Line: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Line for T {}

impl LineArgs {
    /// Opens the line.
    pub async fn open(&self) -> Result<Box<dyn Line>, Failure> {
        let unreachable = |what: String, e: std::io::Error| Failure::new(3, format!("{what}: {e}"));
        if let Some(dev) = &self.serial {
            let flow = if self.rtscts {
                Flow::Hardware
            } else {
                Flow::None
            };
            let t = tty::open_with(dev, Some(self.baud), flow)
                .map_err(|e| unreachable(format!("opening {}", dev.display()), e))?;
            return Ok(Box::new(t));
        }
        if let Some(p) = &self.pty {
            let t = tty::open(p, None)
                .map_err(|e| unreachable(format!("opening {}", p.display()), e))?;
            return Ok(Box::new(t));
        }
        if let Some(addr) = &self.tcp {
            let s = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| unreachable(format!("connecting to {addr}"), e))?;
            let _ = s.set_nodelay(true);
            return Ok(Box::new(s));
        }
        Err(Failure::usage("give --serial, --pty or --tcp"))
    }

    /// Opens the line and brings the driver into step with the module.
    pub async fn modem(&self) -> Result<Modem, Failure> {
        let modem = Modem::new(self.open().await?);
        modem.sync(3).await?;
        Ok(modem)
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
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=5))]
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
}

/// A logged-in channel, disconnected by [`Session::close`].
pub struct Session {
    pub channel: Channel,
}

impl FtpArgs {
    /// Opens the module, configures the channel and logs in to the URL's server.
    pub async fn session(&self, url: &FtpUrl) -> Result<Session, Failure> {
        let password = url.password()?;
        let modem = self.line.modem().await?;
        let id =
            ChannelId::new(self.channel).ok_or_else(|| Failure::usage("channel must be 0-5"))?;
        let channel = modem.channel(id);
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
        channel.configure(&cfg).await?;
        let mut login = Login::new(url.host.clone());
        login.port = url.port;
        login.user = url.user.clone();
        login.password = password;
        channel.connect(&login).await?;
        Ok(Session { channel })
    }
}

impl Session {
    /// Logs out; a failure here does not change the command's outcome.
    pub async fn close(self) {
        if let Err(e) = self.channel.disconnect().await {
            tracing::debug!("disconnect: {e}");
        }
    }
}

/// Runs `op` on a session and always logs out.
pub async fn with_session<F, Fut>(args: &FtpArgs, url: FtpUrl, op: F) -> Outcome
where
    F: FnOnce(Channel, FtpUrl) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let s = args.session(&url).await?;
    let r = op(s.channel.clone(), url).await;
    s.close().await;
    r
}

/// Progress bars only on a terminal; pipes and logs stay clean.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

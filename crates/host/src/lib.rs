//! Host driver for OneMO ML30x modules: drive the `AT+MFTP*` FTP service of a module (a real
//! one on `/dev/ttyUSB2`, or the virtual one of `ftpmodem serve`) with typed async calls
//! instead of AT strings.
//!
//! A [`Modem`] owns one byte stream to the module: anything that is `AsyncRead + AsyncWrite`
//! (a serial device or PTY opened with [`tty::open`], a TCP stream, an in-memory pipe). It
//! runs a driver task that sends one command at a time, as the module requires, decodes
//! everything the module prints with the protocol crate's parsers ([`decode`]), and routes
//! each report (URC) to the call waiting for it. [`Modem`] is cheap to clone; each FTP channel
//! (0-5) is a [`Channel`] handle, and several channels can work at once from several tasks:
//! their commands are interleaved on the line, their reports kept apart.
//!
//! Every call has a time-out ([`Options`]); errors are typed ([`Error`]) and carry the
//! module's `+CME ERROR` number or report result code. Echo on or off, `+MATREADY` and reports
//! of other channels arriving in the middle of a call are all handled.
//!
//! # Example
//!
//! Upload and read back a file through a module on a PTY (here the virtual module's link;
//! for a real module use its serial device and baud rate):
//!
//! ```no_run
//! use ftpmodem_host::{tty, Channel, Login, Modem, Range, UploadMode};
//! use ftpmodem_proto::ChannelId;
//!
//! # async fn demo() -> Result<(), ftpmodem_host::Error> {
//! let line = tty::open("/tmp/ttyML307", None).map_err(ftpmodem_host::Error::Local)?;
//! let modem = Modem::new(line);
//! modem.ping().await?;
//! let ch: Channel = modem.channel(ChannelId::new(0).expect("0 is a channel"));
//! ch.connect(&Login::new("ftp.example.net").user("uftp").password("secret")).await?;
//! let mut data: &[u8] = b"hello";
//! ch.store("hello.txt", &mut data, UploadMode::Prompt).await?;
//! let mut back = Vec::new();
//! ch.retrieve("hello.txt", &mut back, Range::all()).await?;
//! assert_eq!(back, b"hello");
//! for entry in ch.list(".").await? {
//!     println!("{} {:?}", entry.name, entry.size);
//! }
//! ch.disconnect().await?;
//! # Ok(()) }
//! ```
//!
//! The doctest of [`Modem::new`] runs for real against a scripted module on an in-memory
//! pipe.

mod channel;
pub mod decode;
mod driver;
mod error;
mod localfs;
mod options;
mod transfer;
pub mod tty;
mod types;

pub use channel::Channel;
pub use driver::Answer;
pub use error::{Error, LastHeard, Result};
pub use localfs::{FsEntry, FsInfo};
pub use options::Options;
pub use types::{ChannelConfig, ListEntry, Login, Range, UploadMode};

use driver::{Data, Job, Shared};
use ftpmodem_proto::{ChannelId, CmeeMode, Command, UploadOp, Urc};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{broadcast, mpsc, oneshot};

/// A module on one line. Clones share the line; dropping the last one stops the driver.
#[derive(Debug, Clone)]
pub struct Modem {
    jobs: mpsc::Sender<Job>,
    shared: Arc<Shared>,
    opts: Options,
}

impl Modem {
    /// Starts driving the module on `stream` with default [`Options`]. Must be called inside a
    /// tokio runtime (it spawns the driver tasks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let (host_end, mut module_end) = tokio::io::duplex(4096);
    /// // A scripted module: echo on, answers ATI.
    /// tokio::spawn(async move {
    ///     let mut buf = [0u8; 64];
    ///     let n = module_end.read(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"ATI\r");
    ///     module_end
    ///         .write_all(b"ATI\r\r\nCMIOT\r\n\r\nML307R\r\n\r\nRevision: 1\r\n\r\nOK\r\n")
    ///         .await
    ///         .unwrap();
    /// });
    /// let modem = ftpmodem_host::Modem::new(host_end);
    /// let lines = modem.identify().await?;
    /// assert_eq!(lines, ["CMIOT", "ML307R", "Revision: 1"]);
    /// # Ok(()) }
    /// ```
    pub fn new<S>(stream: S) -> Modem
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        Modem::with_options(stream, Options::default())
    }

    /// [`Modem::new`] with explicit options.
    pub fn with_options<S>(stream: S, opts: Options) -> Modem
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let shared = Arc::new(Shared::new(opts.event_queue, opts.report_timeout));
        let jobs = driver::spawn(stream, opts, shared.clone());
        Modem { jobs, shared, opts }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Reports no call is waiting for: `+MATREADY`, `+MIPCALL`, and channel reports that
    /// arrive while no call runs on their channel, or before the `OK` of its call's command
    /// (a server closing an idle session: `+MFTPURC: <id>,"conn",0`). Download chunks nobody
    /// takes are dropped instead. A subscriber that falls behind loses the oldest ones.
    pub fn events(&self) -> broadcast::Receiver<Urc> {
        self.shared.events.subscribe()
    }

    /// The handle of FTP channel `id`.
    pub fn channel(&self, id: ChannelId) -> Channel {
        Channel::new(self.clone(), id)
    }

    /// Sends a typed command and returns its information lines once it ended with `OK`.
    /// Data commands (`>` prompts, `CONNECT`) need their typed calls instead.
    pub async fn command(&self, cmd: &Command) -> Result<Answer> {
        self.submit(cmd.to_bytes(), Data::None, self.opts.command_timeout)
            .await
    }

    /// Sends any command line (without its CR) and returns its information lines once it
    /// ended with `OK`. A `>` prompt it opens is cancelled and reported as an error.
    pub async fn raw(&self, line: &[u8]) -> Result<Answer> {
        if line.iter().any(|b| *b == b'\r' || *b == b'\n') {
            return Err(Error::Invalid("a command line cannot hold CR or LF".into()));
        }
        self.submit(line.to_vec(), Data::None, self.opts.command_timeout)
            .await
    }

    /// `AT`: checks that the module answers. After opening a line to a module that may be in
    /// the middle of something, call it until it succeeds.
    pub async fn ping(&self) -> Result<()> {
        self.command(&Command::At).await.map(drop)
    }

    /// Brings a freshly opened line into step: `AT` until the module answers `OK`, retrying
    /// when the module restarts (`+MATREADY`) or does not answer in time, at most `attempts`
    /// times. A module that powers up while the host opens the line prints `+MATREADY`
    /// in the middle of the first command.
    pub async fn sync(&self, attempts: usize) -> Result<()> {
        let mut last = Error::Protocol("no attempt".into());
        for _ in 0..attempts.max(1) {
            match self.ping().await {
                Ok(()) => return Ok(()),
                Err(e @ (Error::Restarted | Error::Timeout { .. } | Error::Error)) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// `ATE0`/`ATE1`. The driver works either way; echo off halves what the line carries.
    pub async fn set_echo(&self, on: bool) -> Result<()> {
        self.command(&Command::Echo(on)).await.map(drop)
    }

    /// `AT+CMEE=<n>`. Errors are typed in every mode, but with 0 the module only says `ERROR`.
    pub async fn set_cmee(&self, mode: CmeeMode) -> Result<()> {
        self.command(&Command::Cmee(mode)).await.map(drop)
    }

    /// `ATI`: the module's identification lines (manufacturer, model, revision).
    pub async fn identify(&self) -> Result<Vec<String>> {
        let a = self.command(&Command::Identify).await?;
        Ok(a.info
            .into_iter()
            .filter_map(|r| match r {
                ftpmodem_proto::Response::Text(t) => Some(t),
                _ => None,
            })
            .collect())
    }

    pub(crate) async fn submit(
        &self,
        line: Vec<u8>,
        data: Data,
        timeout: Duration,
    ) -> Result<Answer> {
        self.submit_for(line, data, timeout, None).await
    }

    /// [`Modem::submit`] for the call on channel `arms`, whose reports are taken from this
    /// command's `OK` on.
    pub(crate) async fn submit_for(
        &self,
        line: Vec<u8>,
        data: Data,
        timeout: Duration,
        arms: Option<ChannelId>,
    ) -> Result<Answer> {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            line,
            data,
            timeout,
            reply,
            arms,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(Error::LineClosed("driver stopped".into()));
        }
        rx.await
            .unwrap_or_else(|_| Err(Error::LineClosed("driver stopped".into())))
    }
}

/// The command name of an upload report, for errors.
pub(crate) fn upload_name(op: UploadOp) -> &'static str {
    match op {
        UploadOp::Stor => "AT+MFTPSTOR",
        UploadOp::Appe => "AT+MFTPAPPE",
    }
}

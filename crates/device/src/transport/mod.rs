//! Transports: carry the module's serial line over a real line (PTY, TCP, UART, stdio).
//!
//! The module (engine and channels) runs in its own task and sees its serial line as a pair of
//! bounded channels ([`ModuleEnds`]); a transport holds the other pair ([`LineEnds`]) and only
//! moves bytes between them and a real line. Transports never look at the bytes: echo, framing,
//! `+++` and everything else the line carries belong to the engine. That keeps every transport
//! byte-transparent (0x00..=0xFF in both directions) and lets the engine be tested without any.
//!
//! Every transport returns when:
//! - the shutdown token is cancelled (promptly, without draining),
//! - the module drops its sender (`from_module` closed): everything it sent has been written,
//! - or an I/O error on the line makes going on pointless (returned as `Err`).
//!
//! End of file on a line that has one (stdin, a UART hang-up) drops `to_module`, so the module
//! sees its input end; output keeps flowing until the module drops its sender in turn.
//!
//! Backpressure is end to end: a transport reads at most [`CHUNK`] bytes at a time and only
//! after the module's channel has room, and writes one module chunk at a time, so nothing here
//! buffers without bound. A line nobody reads (a PTY no program has open, a TCP client that
//! does not read) therefore eventually makes the module wait on its sender, as flow control
//! would. The exception is TCP with no client attached, where the module's output is discarded
//! as a UART with nobody listening would lose it.
//!
//! Wiring, as the CLI does it (the engine's runtime stands where the echo task is):
//!
//! ```no_run
//! use ftpmodem_device::transport::{line_channel, run_tcp};
//! use tokio_util::sync::CancellationToken;
//!
//! # async fn serve() -> std::io::Result<()> {
//! let (line, mut module) = line_channel(64);
//! let shutdown = CancellationToken::new();
//! let stop = shutdown.clone();
//! tokio::spawn(async move {
//!     let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
//!         .expect("SIGTERM handler");
//!     tokio::select! {
//!         _ = tokio::signal::ctrl_c() => {}
//!         _ = term.recv() => {}
//!     }
//!     stop.cancel();
//! });
//! tokio::spawn(async move {
//!     while let Some(bytes) = module.from_line.recv().await {
//!         if module.to_line.send(bytes.into()).await.is_err() {
//!             break;
//!         }
//!     }
//! });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7307").await?;
//! run_tcp(listener, line, shutdown).await
//! # }
//! ```

mod fd;
mod line_out;
mod pty;
mod pump;
mod serial;
mod stdio;
mod tcp;

use tokio::sync::mpsc;

pub use line_out::LineOut;
pub use pty::{run_pty, PtyLine};
pub use pump::{pump_in, pump_out, run_stream, InboundEnd};
pub use serial::{run_serial, SerialFlow, SerialLine};
pub use stdio::run_stdio;
pub use tcp::{run_tcp, BUSY_LINE};

/// Largest chunk a transport reads from a line in one go; bounds what is in flight per hop.
pub const CHUNK: usize = 256 * 1024;

/// The transport's side of the module's serial line.
#[derive(Debug)]
pub struct LineEnds {
    /// Bytes the module writes to the line (responses, URCs, data).
    pub from_module: mpsc::Receiver<LineOut>,
    /// Bytes arriving from the line into the module.
    pub to_module: mpsc::Sender<Vec<u8>>,
}

/// The module's side of its serial line, the counterpart of [`LineEnds`].
#[derive(Debug)]
pub struct ModuleEnds {
    /// Where the module writes what goes out on the line.
    pub to_line: mpsc::Sender<LineOut>,
    /// What arrives from the line; `None` means the line's input has ended (stdin EOF, UART
    /// hang-up): the module should finish and drop `to_line`, which ends the transport. An
    /// empty chunk (never sent for data) means the line's far end detached while the line
    /// goes on (a TCP client left; the next may come): see `Engine::line_detached`.
    pub from_line: mpsc::Receiver<Vec<u8>>,
}

/// Makes the two ends of a serial line whose channels hold `capacity` chunks each direction.
///
/// `capacity` is in chunks (each at most [`CHUNK`] bytes from the line), so the memory held is
/// bounded by `capacity * CHUNK` towards the module; towards the line, by whatever batch sizes
/// the module sends (the runtime bounds download data by a byte budget per channel).
/// A capacity of 0 is raised to 1 (tokio channels need at least one slot).
pub fn line_channel(capacity: usize) -> (LineEnds, ModuleEnds) {
    let capacity = capacity.max(1);
    let (to_line, from_module) = mpsc::channel(capacity);
    let (to_module, from_line) = mpsc::channel(capacity);
    (
        LineEnds {
            from_module,
            to_module,
        },
        ModuleEnds { to_line, from_line },
    )
}

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

mod ends;
mod fd;
mod line_out;
mod pty;
mod pump;
mod serial;
mod stdio;
mod tcp;

pub use ends::{line_channel, LineEnds, ModuleEnds, CHUNK};
pub use line_out::LineOut;
pub use pty::{run_pty, PtyLine};
pub use pump::{pump_in, pump_out, pump_out_until_rate, run_stream, InboundEnd};
pub use serial::{run_serial, SerialFlow, SerialLine};
pub use stdio::run_stdio;
pub use tcp::{run_tcp, BUSY_LINE};

//! The TCP transport: one client at a time is the serial line (`ftpmodem serve --tcp`), like a
//! terminal server in front of a UART.

use std::io::{self, Write};
use std::os::fd::{AsRawFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{recv, setsockopt, sockopt, MsgFlags};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ends::LineEnds;
use super::line_out::LineOut;
use super::pump::{pump_in, pump_out, InboundEnd};

/// The client socket's send buffer (`SO_SNDBUF`; Linux doubles it for its bookkeeping). Left
/// to itself Linux grows it to 4 MiB, and an answer the module gives during a download waits
/// behind all of it: 5 s for a client reading 1 MB/s. At this size the answer came 0.8 s
/// later, and loopback throughput was 3-14 % lower (BENCHMARKS.md).
const SEND_BUFFER: usize = 512 * 1024;

/// What a client connecting while another is attached receives before being closed.
pub const BUSY_LINE: &[u8] = b"ftpmodem: line busy, another client is attached\r\n";

/// Serves the module's line to one TCP client at a time until shutdown, the module ending, or
/// the listener failing.
///
/// While no client is attached the module's output is read and discarded, as a UART with
/// nobody listening loses it, so the module never blocks on an empty room; output still queued
/// in the channel when a client attaches is discarded too, so a client only sees what the
/// module writes after it arrived. One exception: the module's first batch, written before any
/// client ever attached (its power-up `+MATREADY`), is kept and is the first thing the first
/// client reads, as a host wired to the UART before power-on would see it; a host that waits
/// for `+MATREADY` before sending anything works (docs/PROTOCOL.md "Reboot and power-on").
/// Later clients get no `+MATREADY` (the module did not restart). A client that connects while another is attached gets
/// [`BUSY_LINE`] and is closed; the attached one is undisturbed. When the client leaves, the
/// module is told (an empty chunk on its line, which the runtime turns into
/// [`Engine::line_detached`](crate::engine::Engine::line_detached)), so that a `>` prompt or
/// transparent mode the client left open does not take the next client's commands as data, and
/// the next client is awaited. Nagle is disabled so a lone byte (the `+++` escape guard, a `>`
/// prompt) goes out at once.
///
/// Errors of a client's connection only end that client; an `accept` error other than an
/// aborted handshake ends the transport.
pub async fn run_tcp(
    listener: TcpListener,
    ends: LineEnds,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let LineEnds {
        mut from_module,
        to_module,
    } = ends;
    let mut next: Option<TcpStream> = None;
    // The power-up greeting: kept for the first client until one attaches.
    let mut greeting = Some(None);
    loop {
        let stream = match next.take() {
            Some(stream) => stream,
            None => match wait_for_client(&listener, &mut from_module, &shutdown, &mut greeting)
                .await?
            {
                Some(stream) => stream,
                None => return Ok(()),
            },
        };
        // Output that piled up while nobody was there is not for this client (the first
        // client's is: everything before it is the greeting or was discarded, what came since
        // it attached is its own). Bounded by what is queued now, so a busy module cannot
        // keep this loop going.
        if greeting.is_none() {
            for _ in 0..from_module.len() {
                let _ = from_module.try_recv();
            }
        }
        let mut stream = stream;
        if let Some(Some(first)) = greeting.take() {
            if let Err(e) = stream.write_all(&first.into_vec()).await {
                tracing::info!("TCP client dropped before the greeting: {e}");
                continue;
            }
        }
        match serve_client(stream, &listener, &mut from_module, &to_module, &shutdown).await? {
            ClientEnd::Finished => return Ok(()),
            ClientEnd::Left => {}
            ClientEnd::Replaced(stream) => next = Some(stream),
        }
        announce_detach(&to_module, &mut from_module, &shutdown).await;
    }
}

/// How serving one client ended.
enum ClientEnd {
    /// The client went away; wait for another.
    Left,
    /// A new client arrived and found the old one already gone: serve it.
    Replaced(TcpStream),
    /// Shutdown, or the module closed its output.
    Finished,
}

/// Tells the module its client has gone: an empty chunk on the line, which the runtime turns
/// into [`Engine::line_detached`](crate::engine::Engine::line_detached). It travels in the same
/// channel as the client's bytes, so the module sees it after the last of them and before the
/// first byte of the next client. While it waits for room, the module's output is discarded
/// (nobody is attached), so a module waiting to write cannot hold it up. Returns at once on
/// shutdown or when the module has ended.
async fn announce_detach(
    to_module: &mpsc::Sender<Vec<u8>>,
    from_module: &mut mpsc::Receiver<LineOut>,
    shutdown: &CancellationToken,
) {
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            permit = to_module.reserve() => {
                if let Ok(permit) = permit {
                    permit.send(Vec::new());
                }
                return;
            }
            chunk = from_module.recv() => match chunk {
                Some(chunk) => tracing::trace!(len = chunk.len(), "no TCP client: output discarded"),
                None => return,
            },
        }
    }
}

/// Discards the module's output until a client connects, except the first batch while
/// `greeting` is `Some(None)` (no client has attached yet): that one is kept in it. `None` on
/// shutdown or module end.
async fn wait_for_client(
    listener: &TcpListener,
    from_module: &mut mpsc::Receiver<LineOut>,
    shutdown: &CancellationToken,
    greeting: &mut Option<Option<LineOut>>,
) -> io::Result<Option<TcpStream>> {
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(None),
            accepted = listener.accept() => {
                if let Some(stream) = accepted_or_transient(accepted)? {
                    return Ok(Some(stream));
                }
            }
            chunk = from_module.recv() => match chunk {
                Some(chunk) => match greeting {
                    Some(kept @ None) => *kept = Some(chunk),
                    _ => tracing::trace!(len = chunk.len(), "no TCP client: output discarded"),
                },
                None => return Ok(None),
            },
        }
    }
}

async fn serve_client(
    stream: TcpStream,
    listener: &TcpListener,
    from_module: &mut mpsc::Receiver<LineOut>,
    to_module: &mpsc::Sender<Vec<u8>>,
    shutdown: &CancellationToken,
) -> io::Result<ClientEnd> {
    let peer = stream.peer_addr().ok();
    if let Err(e) = stream.set_nodelay(true) {
        tracing::warn!(?peer, "TCP client dropped, cannot disable Nagle: {e}");
        return Ok(ClientEnd::Left);
    }
    if let Err(e) = setsockopt(&stream, sockopt::SndBuf, &SEND_BUFFER) {
        tracing::warn!(
            ?peer,
            "cannot cap the send buffer, answers may lag downloads: {e}"
        );
    }
    tracing::info!(?peer, "TCP client attached");
    let fd = stream.as_raw_fd();
    let (mut reader, mut writer) = stream.into_split();
    let inbound = pump_in(&mut reader, to_module);
    let outbound = pump_out(from_module, &mut writer);
    tokio::pin!(inbound, outbound);
    let mut reading = true;
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(ClientEnd::Finished),
            end = &mut inbound, if reading => match end {
                Ok(InboundEnd::LineEof) => {
                    tracing::info!(?peer, "TCP client left");
                    return Ok(ClientEnd::Left);
                }
                Ok(InboundEnd::ModuleGone) => reading = false,
                Err(e) => {
                    tracing::info!(?peer, "TCP client dropped: {e}");
                    return Ok(ClientEnd::Left);
                }
            },
            out = &mut outbound => match out {
                Ok(()) => return Ok(ClientEnd::Finished),
                Err(e) => {
                    tracing::info!(?peer, "TCP client dropped: {e}");
                    return Ok(ClientEnd::Left);
                }
            },
            accepted = listener.accept() => {
                let Some(newcomer) = accepted_or_transient(accepted)? else { continue };
                // The attached client may have hung up a moment ago without this task having
                // seen its FIN yet; then the newcomer is not a second client but the next one.
                if peer_has_closed(fd) {
                    tracing::info!(?peer, "TCP client left");
                    return Ok(ClientEnd::Replaced(newcomer));
                }
                turn_away(newcomer);
            }
        }
    }
}

/// Looks at the attached client's socket without consuming anything: `true` if all it has left
/// is end of file or an error.
fn peer_has_closed(fd: RawFd) -> bool {
    let mut probe = [0u8; 1];
    match recv(fd, &mut probe, MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT) {
        Ok(0) => true,
        Ok(_) => false,
        Err(Errno::EAGAIN | Errno::EINTR) => false,
        Err(_) => true,
    }
}

/// Tells a second client the line is taken and closes it, without ever waiting on it.
fn turn_away(stream: TcpStream) {
    let peer = stream.peer_addr().ok();
    tracing::info!(?peer, "TCP client turned away: line busy");
    // Straight to the socket: tokio's `try_write` would refuse before the reactor has seen the
    // new socket writable. A fresh socket's send buffer is empty, so the short line fits.
    let Ok(mut stream) = stream.into_std() else {
        return;
    };
    if let Err(e) = stream.write_all(BUSY_LINE) {
        tracing::debug!(?peer, "busy line not sent: {e}");
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// An accepted connection, `None` for a handshake that failed on the peer's side, or the
/// listener's own error.
fn accepted_or_transient(
    accepted: io::Result<(TcpStream, std::net::SocketAddr)>,
) -> io::Result<Option<TcpStream>> {
    match accepted {
        Ok((stream, _)) => Ok(Some(stream)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::Interrupted
                    | io::ErrorKind::WouldBlock
            ) =>
        {
            tracing::debug!("TCP accept: {e}");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

//! The two byte pumps every transport is built from, generic over any async stream so they can
//! be tested on in-memory pipes and reused by every kind of line.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ends::{LineEnds, CHUNK};
use super::line_out::LineOut;

/// Reads at least this large go to the module in the buffer they were read into.
const HAND_OVER: usize = 16 * 1024;
/// Queued module output gathered into one write.
const OUT_COALESCE: usize = 256 * 1024;
/// Pieces at least this large are written as they are rather than copied into the joined
/// buffer (one system call more instead of a copy).
const WRITE_DIRECT: usize = 64 * 1024;

/// Why [`pump_in`] stopped without an I/O error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundEnd {
    /// The line reported end of file (stdin closed, TCP client gone, UART hung up).
    LineEof,
    /// The module dropped its receiver, so nothing more can be delivered.
    ModuleGone,
}

/// Moves bytes from a line into the module until the line ends or the module stops listening.
///
/// Room in the module's channel is reserved before each read, so a slow module stalls the line
/// (the kernel's buffers fill and the peer's writes block) instead of this task buffering.
/// Cancel-safe: dropping the future loses no byte, since a read only happens with a permit in
/// hand and its bytes are sent at once.
pub async fn pump_in<R>(reader: &mut R, to_module: &mpsc::Sender<Vec<u8>>) -> io::Result<InboundEnd>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let mut buf = Vec::with_capacity(CHUNK);
    loop {
        let Ok(permit) = to_module.reserve().await else {
            return Ok(InboundEnd::ModuleGone);
        };
        // `read_buf` fills spare capacity without zeroing it first.
        buf.clear();
        let n = loop {
            match reader.read_buf(&mut buf).await {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(InboundEnd::LineEof);
        }
        // A large read (an upload) is handed over whole, not copied; a short one (a command
        // line) is copied out, so a queue of them does not hold a large buffer each.
        if n >= HAND_OVER {
            permit.send(std::mem::replace(&mut buf, Vec::with_capacity(CHUNK)));
        } else {
            permit.send(buf[..n].to_vec());
        }
    }
}

/// Writes every batch the module sends to the line, flushing each so a prompt or a single
/// byte is not held back; returns `Ok` once the module has dropped its sender.
///
/// Batches already queued are gathered into one write: small pieces are copied into a reused
/// buffer, a large one (a download's output) is written from where it is, so nothing large is
/// copied again and the buffer stays small. A rate change ([`LineOut::rate_after`]) means
/// nothing to a line without a baud rate: the bytes just flow on.
pub async fn pump_out<W>(
    from_module: &mut mpsc::Receiver<LineOut>,
    writer: &mut W,
) -> io::Result<()>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    while pump_out_until_rate(from_module, writer).await?.is_some() {}
    Ok(())
}

/// [`pump_out`] up to the first rate change: returns `Some(rate)` once the batch that carries
/// it is written and flushed (batches after it are not gathered into that write), `None` once
/// the module has dropped its sender. A UART transport drains the line and switches its speed
/// between two calls.
pub async fn pump_out_until_rate<W>(
    from_module: &mut mpsc::Receiver<LineOut>,
    writer: &mut W,
) -> io::Result<Option<u32>>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut joined: Vec<u8> = Vec::new();
    while let Some(mut batch) = from_module.recv().await {
        while batch.len() < OUT_COALESCE && batch.rate_after().is_none() {
            match from_module.try_recv() {
                Ok(more) => batch.append(more),
                Err(_) => break,
            }
        }
        for piece in batch.pieces() {
            if piece.len() >= WRITE_DIRECT {
                if !joined.is_empty() {
                    writer.write_all(&joined).await?;
                    joined.clear();
                }
                writer.write_all(piece).await?;
            } else {
                joined.extend_from_slice(piece);
            }
        }
        if !joined.is_empty() {
            writer.write_all(&joined).await?;
            joined.clear();
        }
        let rate = batch.rate_after();
        // The pieces go now: one may hold a download's buffer and budget share.
        drop(batch);
        writer.flush().await?;
        if rate.is_some() {
            return Ok(rate);
        }
    }
    Ok(None)
}

/// Serves the module's line over one stream (a reader and a writer half) until shutdown, the
/// module closing its output, or an I/O error.
///
/// End of file on `reader` is passed on as the module's input closing (`to_module` is dropped)
/// while output keeps flowing: a piped `printf 'AT\r' | ftpmodem serve --stdio` still gets its
/// answer, and the transport returns once the module, seeing its input closed, drops its sender.
/// Both directions run concurrently, so a module blocked writing can never deadlock with a line
/// blocked reading.
pub async fn run_stream<R, W>(
    mut reader: R,
    mut writer: W,
    ends: LineEnds,
    shutdown: CancellationToken,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let LineEnds {
        mut from_module,
        to_module,
    } = ends;
    let inbound = async move {
        let to_module = to_module;
        let end = pump_in(&mut reader, &to_module).await;
        drop(to_module);
        end
    };
    let outbound = pump_out(&mut from_module, &mut writer);
    both_ways(inbound, outbound, &shutdown, "line").await
}

/// Drives a line's two directions until the module's output ends, an I/O error or
/// `shutdown`. The input ending alone does not end the line: what the module still has to say
/// goes out (see [`run_stream`]).
pub(crate) async fn both_ways<I, O>(
    inbound: I,
    outbound: O,
    shutdown: &CancellationToken,
    what: &str,
) -> io::Result<()>
where
    I: std::future::Future<Output = io::Result<InboundEnd>>,
    O: std::future::Future<Output = io::Result<()>>,
{
    tokio::pin!(inbound, outbound);
    let mut reading = true;
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(()),
            end = &mut inbound, if reading => {
                let end = end?;
                tracing::debug!(?end, "{what} input ended");
                reading = false;
            }
            out = &mut outbound => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[tokio::test]
    async fn pump_in_splits_into_bounded_chunks() {
        let (mut a, mut b) = tokio::io::duplex(3 * CHUNK);
        let (tx, mut rx) = mpsc::channel(16);
        let data: Vec<u8> = (0..(2 * CHUNK + 100)).map(|i| (i % 251) as u8).collect();
        a.write_all(&data).await.unwrap();
        drop(a);
        let end = pump_in(&mut b, &tx).await.unwrap();
        assert_eq!(end, InboundEnd::LineEof);
        drop(tx);
        let mut got = Vec::new();
        while let Some(chunk) = rx.recv().await {
            assert!(
                !chunk.is_empty() && chunk.len() <= CHUNK,
                "chunk of {}",
                chunk.len()
            );
            got.extend_from_slice(&chunk);
        }
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn a_short_read_does_not_hold_a_large_buffer() {
        let (mut a, mut b) = tokio::io::duplex(64);
        let (tx, mut rx) = mpsc::channel(4);
        a.write_all(b"AT\r").await.unwrap();
        drop(a);
        assert_eq!(pump_in(&mut b, &tx).await.unwrap(), InboundEnd::LineEof);
        let got = rx.recv().await.unwrap();
        assert_eq!(got, b"AT\r");
        assert!(got.capacity() < HAND_OVER, "capacity {}", got.capacity());
    }

    #[tokio::test]
    async fn pump_in_reports_module_gone() {
        let (_a, mut b) = tokio::io::duplex(64);
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        assert_eq!(pump_in(&mut b, &tx).await.unwrap(), InboundEnd::ModuleGone);
    }

    #[tokio::test]
    async fn pump_out_writes_all_and_ends_when_module_closes() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        let (tx, mut rx) = mpsc::channel(4);
        tx.send(b"OK\r\n".to_vec().into()).await.unwrap();
        tx.send(vec![0x00, 0x1a, 0xff].into()).await.unwrap();
        drop(tx);
        pump_out(&mut rx, &mut b).await.unwrap();
        drop(b);
        let mut got = Vec::new();
        a.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"OK\r\n\x00\x1a\xff");
    }
}

//! `AT+MFTPRETR`: to the serial line in `+MFTPRETR` chunks, or into a local file.
//!
//! An `<offset>` at or past the end of the file is result 3, as on the hardware
//! (ONEMO-RELATED.md §D: `+MFTPRETR: 0,3`). The module learns the size from `SIZE` before the
//! `RETR` ([`past_end`]): vsftpd, pure-ftpd, proftpd and libunftp all take a `REST` past the
//! end and answer the `RETR` with an empty transfer and 226, which looks like an empty file.
//! A server without `SIZE` still gets result 3, since an offset that yields no byte is past
//! the end.

use super::io::Stop;
use super::local::{create, Writer};
use super::pace::Pacer;
use super::report::{failed, fs_failed, Ctx, Final};
use crate::engine::MAX_RETR_CHUNK;
use crate::pool::BufPool;
use ftpmodem_ftp::{Download, FtpError, Session};
use ftpmodem_proto::{ChannelState, ResultCode, Urc};
use std::time::Instant;

/// Bytes per local write of a download into the module's file system (one blocking-pool
/// round trip each).
const LOCAL_CHUNK: usize = 128 * 1024;
/// Most bytes per network read of a download to the serial line; each read goes to the engine
/// as one event (`ChannelEvent::Download`), so a 1024-byte chunk costs one header, not one
/// queue slot, wake-up and write to the line. Large reads matter on a fast line: on loopback,
/// 64 KiB reads took twice the CPU of 1 MiB ones (BENCHMARKS.md).
const STAGE: usize = 1024 * 1024;
/// Most bytes of one download read from the network and not yet written to the line: what
/// bounds the memory a fast server and a slow line can make the module hold, whatever the
/// queues' lengths in slots. Each block's share is returned when the transport has written its
/// last byte. A slow line gets less (see [`Pacer`]). The engine's carry-over (less than a
/// chunk, `engine/download.rs`) is outside it.
const IN_FLIGHT: usize = 2 * STAGE;
const _: () = assert!(STAGE + MAX_RETR_CHUNK <= IN_FLIGHT && IN_FLIGHT <= u32::MAX as usize);

/// A read at least this large means the server is ahead of us (see `to_serial`).
const BURST: usize = 64 * 1024;

/// Read buffers kept for reuse (see [`BufPool`]): as many as the budget lets be in flight.
const SPARE: usize = IN_FLIGHT / STAGE;

/// Streams `file` to the serial line, each network read as one `ChannelEvent::Download` as it
/// came; the engine cuts them into chunks. The end (after the server's 226) or the failure is
/// the [`Final`]. `chunk`, the engine's chunk size, only paces the reads.
pub(super) async fn to_serial(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    file: &str,
    offset: u64,
    length: Option<u64>,
    chunk: usize,
) -> Result<Final, Stop> {
    let id = ctx.out.id();
    let out = ctx.out;
    let chunk = chunk.clamp(1, MAX_RETR_CHUNK);
    let fail = |code| Final::transfer_end(Urc::RetrResult { id, code });
    match past_end(session, ctx, file, offset).await? {
        Ok(false) => {}
        Ok(true) => return Ok(Final::report(past_end_report(id))),
        Err(e) => {
            return Ok(Final::report(Urc::RetrResult {
                id,
                code: failed(id, &e),
            }))
        }
    }
    let started = ctx
        .inbox
        .guard(session.retrieve(file, offset, length, ctx.ascii()))
        .await?;
    let mut dl = match started {
        Ok(dl) => dl,
        Err(e) => {
            return Ok(Final::report(Urc::RetrResult {
                id,
                code: failed(id, &e),
            }))
        }
    };
    ctx.inbox
        .guard(out.state(ChannelState::Downloading))
        .await??;
    // Bytes handed to the engine so far.
    let mut sum: u64 = 0;
    let mut pacer = Pacer::new(2 * chunk, IN_FLIGHT, Instant::now());
    let pool = BufPool::new(SPARE);
    // Small chunks make a block's framed output many times its size: read less at once then.
    let most = STAGE.min(chunk.saturating_mul(1024));
    loop {
        // No more than the line drains in a moment, so that an answer the module gives during
        // the download is not queued behind seconds of data.
        let stage = pacer.budget(Instant::now()).min(most);
        let mut buf: Vec<u8> = pool.take(stage);
        let n = match ctx.inbox.guard(dl.next_chunk_into(&mut buf, stage)).await? {
            Ok(n) => n,
            Err(e) => return Ok(fail(failed(id, &e))),
        };
        if n == 0 {
            if sum == 0 {
                return Ok(fail(nothing_read(offset)));
            }
            return Ok(Final::download_end(bytes::Bytes::new(), sum));
        }
        let share = ctx
            .inbox
            .guard(pacer.admit(n))
            .await?
            .map_err(|_| Stop::Shutdown)?;
        let data = pool.share(buf, share);
        ctx.inbox.guard(out.download(data, sum, None)).await??;
        sum = sum.saturating_add(n as u64);
        if n >= BURST {
            // A fast stream: let the engine and the line write this block before reading
            // again, so the next read finds a burst instead of the last few packets.
            tokio::task::yield_now().await;
        }
    }
}

/// Fills `buf` from the download; returns the bytes read and whether the download is over.
async fn fill_local(dl: &mut Download<'_>, buf: &mut [u8]) -> Result<(usize, bool), FtpError> {
    let mut n = 0;
    while n < buf.len() {
        match dl.next_chunk(&mut buf[n..]).await? {
            0 => return Ok((n, true)),
            k => n = (n + k).min(buf.len()),
        }
    }
    Ok((n, false))
}

/// What a download that delivered no byte reports: 19 for an empty file, 3 when an offset was
/// given (it was at or past the end, on a server that did not answer `SIZE`).
fn nothing_read(offset: u64) -> ResultCode {
    if offset > 0 {
        ResultCode::ParameterError
    } else {
        ResultCode::ZeroSizeFile
    }
}

/// `+MFTPRETR: <id>,3`: the offset is at or past the end (ONEMO-RELATED.md §D).
fn past_end_report(id: ftpmodem_proto::ChannelId) -> Urc {
    Urc::RetrResult {
        id,
        code: ResultCode::ParameterError,
    }
}

/// Whether `offset` is at or past the end of `file`, asked with `SIZE` (in binary, the unit
/// of `<offset>`). A refused or undecodable `SIZE` (no such command, a missing file, a
/// directory) leaves the answer to the `RETR`; only a lost session is an error.
async fn past_end(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    file: &str,
    offset: u64,
) -> Result<Result<bool, FtpError>, Stop> {
    if offset == 0 {
        return Ok(Ok(false));
    }
    match ctx.inbox.guard(session.size(file)).await? {
        Ok(size) => Ok(Ok(offset >= size)),
        Err(e) if session.is_usable() => {
            tracing::debug!(channel = ctx.out.id().get(), error = %e, "SIZE refused; RETR decides");
            Ok(Ok(false))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// A failure of the local file: the hardware prints it with two trailing fields
/// (`+MFTPRETR: 0,18,0,0`, ONEMO-RELATED.md §D), and the local file is left empty.
fn local_failed(id: ftpmodem_proto::ChannelId, e: &crate::fs::FsError) -> Urc {
    Urc::RetrLocalFailed {
        id,
        code: fs_failed(id, e),
        sum: 0,
        recv: 0,
    }
}

/// Downloads `file` into the module's file system as `local`. As on the hardware the local
/// file is emptied first, so a download that fails or brings nothing leaves it empty
/// (ONEMO-RELATED.md §D: `+MFGET: 0,` after result 3 and after 18); the data is committed
/// only after the server's 226 (atomically), so the file is never half written. Every chunk
/// written is reported (`ChannelEvent::Saved`, cut by the engine).
pub(super) async fn to_local(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    file: &str,
    local: &str,
    offset: u64,
    length: Option<u64>,
) -> Result<Final, Stop> {
    let id = ctx.out.id();
    let out = ctx.out;
    let fs = ctx.fs;
    let fail = |code| Urc::RetrResult { id, code };
    // The local side first, so a bad local name costs no transfer: empty it, then open the
    // writer of the new contents.
    let emptied = match ctx.inbox.guard(create(fs, local)).await? {
        Ok(w) => ctx.inbox.guard(Writer::new(w).commit()).await?,
        Err(e) => Err(e),
    };
    if let Err(e) = emptied {
        return Ok(Final::report(local_failed(id, &e)));
    }
    let mut writer = match ctx.inbox.guard(create(fs, local)).await? {
        Ok(w) => Writer::new(w),
        Err(e) => return Ok(Final::report(local_failed(id, &e))),
    };
    match past_end(session, ctx, file, offset).await? {
        Ok(false) => {}
        Ok(true) => return Ok(Final::report(past_end_report(id))),
        Err(e) => return Ok(Final::report(fail(failed(id, &e)))),
    }
    let started = ctx
        .inbox
        .guard(session.retrieve(file, offset, length, ctx.ascii()))
        .await?;
    let mut dl = match started {
        Ok(dl) => dl,
        Err(e) => return Ok(Final::report(fail(failed(id, &e)))),
    };
    ctx.inbox
        .guard(out.state(ChannelState::Downloading))
        .await??;
    // Two buffers: while one is written on the blocking pool the other is filled from the
    // network, so the disk and the network work at once.
    let mut cur = vec![0u8; LOCAL_CHUNK];
    let mut next = vec![0u8; LOCAL_CHUNK];
    let mut total: u64 = 0;
    let (mut n, mut ended) = match ctx.inbox.guard(fill_local(&mut dl, &mut cur)).await? {
        Ok(r) => r,
        Err(e) => return Ok(Final::transfer_end(fail(failed(id, &e)))),
    };
    while n > 0 {
        cur.truncate(n);
        let read_next = async {
            if ended {
                Ok((0, true))
            } else {
                fill_local(&mut dl, &mut next).await
            }
        };
        let (written, read) = ctx
            .inbox
            .guard(async { tokio::join!(writer.write(cur), read_next) })
            .await?;
        let done_buf = match written {
            Ok(b) => b,
            Err(e) => {
                let report = local_failed(id, &e);
                // Stop the server; if that fails the session is lost and reported as such.
                if let Err(e) = ctx.inbox.guard(dl.abort()).await? {
                    tracing::info!(channel = id.get(), error = %e, "abort after a local write error failed");
                }
                return Ok(Final::transfer_end(report));
            }
        };
        total = total.saturating_add(n as u64);
        ctx.inbox.guard(out.saved(total, None)).await??;
        (n, ended) = match read {
            Ok(r) => r,
            Err(e) => return Ok(Final::transfer_end(fail(failed(id, &e)))),
        };
        cur = std::mem::replace(&mut next, done_buf);
        next.resize(LOCAL_CHUNK, 0);
    }
    drop(dl);
    if total == 0 {
        return Ok(Final::transfer_end(fail(nothing_read(offset))));
    }
    match ctx.inbox.guard(writer.commit()).await? {
        Ok(_) => Ok(Final::saved_end(total)),
        Err(e) => Ok(Final::transfer_end(local_failed(id, &e))),
    }
}

//! `AT+MFTPRETR`: to the serial line in `+MFTPRETR` chunks, or into a local file.

use super::io::Stop;
use super::local::{create, Writer};
use super::task::{failed, fs_failed, Ctx, Final};
use super::MAX_RETR_CHUNK;
use ftpmodem_ftp::{Download, FtpError, Session};
use ftpmodem_proto::{ChannelState, ResultCode, Urc};

/// Bytes per network read and local write of a download into the module's file system.
const LOCAL_CHUNK: usize = 16 * 1024;

/// Streams `file` to the serial line. Every chunk but the last is reported here; the last (or
/// the failure) is the [`Final`].
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
    let started = ctx
        .inbox
        .guard(session.retrieve(file, offset, length, ctx.ascii))
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
    let mut sum: u64 = 0;
    let mut cur = Vec::with_capacity(chunk);
    let mut eof = match ctx.inbox.guard(fill(&mut dl, &mut cur, chunk)).await? {
        Ok(eof) => eof,
        Err(e) => return Ok(fail(failed(id, &e))),
    };
    loop {
        if eof {
            // Only the very first chunk can be empty here: later ones are only taken over
            // when they hold bytes.
            if cur.is_empty() {
                return Ok(fail(ResultCode::ZeroSizeFile));
            }
            sum = sum.saturating_add(cur.len() as u64);
            return Ok(Final::transfer_end(Urc::RetrData { id, sum, data: cur }));
        }
        // `cur` is full: whether it is the last one shows only once the next byte (or the
        // end and the server's 226) has come.
        let mut next = Vec::with_capacity(chunk);
        eof = match ctx.inbox.guard(fill(&mut dl, &mut next, chunk)).await? {
            Ok(eof) => eof,
            Err(e) => return Ok(fail(failed(id, &e))),
        };
        sum = sum.saturating_add(cur.len() as u64);
        if eof && next.is_empty() {
            return Ok(Final::transfer_end(Urc::RetrData { id, sum, data: cur }));
        }
        let urc = Urc::RetrData { id, sum, data: cur };
        ctx.inbox.guard(out.report(urc, false)).await??;
        cur = next;
    }
}

/// Fills `buf` with up to `chunk` bytes; `true` when the download is over (the server's final
/// reply was read), with what came before the end left in `buf`.
async fn fill(dl: &mut Download<'_>, buf: &mut Vec<u8>, chunk: usize) -> Result<bool, FtpError> {
    buf.resize(chunk, 0);
    let mut filled = 0;
    while filled < chunk {
        let n = dl.next_chunk(&mut buf[filled..]).await?;
        if n == 0 {
            buf.truncate(filled);
            return Ok(true);
        }
        filled = filled.saturating_add(n).min(chunk);
    }
    Ok(false)
}

/// Downloads `file` into the module's file system as `local` (atomically: committed only
/// after the server's 226).
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
    // The local side first, so a bad local name costs no transfer.
    let mut writer = match ctx.inbox.guard(create(fs, local)).await? {
        Ok(w) => Writer::new(w),
        Err(e) => return Ok(Final::report(fail(fs_failed(id, &e)))),
    };
    let started = ctx
        .inbox
        .guard(session.retrieve(file, offset, length, ctx.ascii))
        .await?;
    let mut dl = match started {
        Ok(dl) => dl,
        Err(e) => return Ok(Final::report(fail(failed(id, &e)))),
    };
    ctx.inbox
        .guard(out.state(ChannelState::Downloading))
        .await??;
    let mut buf = vec![0u8; LOCAL_CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = match ctx.inbox.guard(dl.next_chunk(&mut buf)).await? {
            Ok(0) => break,
            Ok(n) => n.min(buf.len()),
            Err(e) => return Ok(Final::transfer_end(fail(failed(id, &e)))),
        };
        buf.truncate(n);
        match ctx.inbox.guard(writer.write(buf)).await? {
            Ok(b) => buf = b,
            Err(e) => {
                let code = fs_failed(id, &e);
                // Stop the server; if that fails the session is lost and reported as such.
                if let Err(e) = ctx.inbox.guard(dl.abort()).await? {
                    tracing::info!(channel = id.get(), error = %e, "abort after a local write error failed");
                }
                return Ok(Final::transfer_end(fail(code)));
            }
        }
        total = total.saturating_add(n as u64);
        buf.resize(LOCAL_CHUNK, 0);
    }
    drop(dl);
    if total == 0 {
        return Ok(Final::transfer_end(fail(ResultCode::ZeroSizeFile)));
    }
    match ctx.inbox.guard(writer.commit()).await? {
        Ok(_) => Ok(Final::transfer_end(Urc::RetrSaved {
            id,
            sum: total,
            recv: total,
        })),
        Err(e) => Ok(Final::transfer_end(fail(fs_failed(id, &e)))),
    }
}

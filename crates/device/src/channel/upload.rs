//! `AT+MFTPSTOR` / `AT+MFTPAPPE`: from a local file, in packets (`>` prompt or inline data),
//! or as a transparent-mode stream. The decisions (what ends an open file, what a failure
//! reports) are in the module docs.

use super::io::Stop;
use super::local::{open_read, Reader};
use super::report::{emit, failed, fs_failed, Ctx, Final};
use crate::engine::{ChannelRequest, Eof};
use ftpmodem_ftp::{Session, Upload};
use ftpmodem_proto::{ChannelId, ChannelState, ResultCode, UploadOp, Urc};
use tokio::time::timeout;

/// Bytes per local read of an upload from the module's file system.
const LOCAL_CHUNK: usize = 16 * 1024;

/// `+MFTPSTOR|APPE: <id>,<code>,<sent>`.
fn report(op: UploadOp, id: ChannelId, code: ResultCode, sent: u64) -> Urc {
    Urc::Upload { op, id, code, sent }
}

/// Opens the data connection of a STOR/APPE and announces state 3; a refusal becomes the
/// upload's final report (nothing was sent).
async fn open<'s>(
    session: &'s mut Session,
    ctx: &mut Ctx<'_>,
    file: &str,
    op: UploadOp,
) -> Result<Result<ftpmodem_ftp::Upload<'s>, Final>, Stop> {
    let id = ctx.out.id();
    let out = ctx.out;
    let up = match ctx
        .inbox
        .guard(session.store(file, op == UploadOp::Appe, ctx.ascii()))
        .await?
    {
        Ok(up) => up,
        Err(e) => {
            let code = failed(id, &e);
            return Ok(Err(Final::report(report(op, id, code, 0))));
        }
    };
    ctx.inbox
        .guard(out.state(ChannelState::Uploading))
        .await??;
    Ok(Ok(up))
}

/// Uploads the local file `local` to `file`.
pub(super) async fn local(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    op: UploadOp,
    file: &str,
    local: &str,
) -> Result<Final, Stop> {
    let id = ctx.out.id();
    let fs = ctx.fs;
    let src = match ctx.inbox.guard(open_read(fs, local)).await? {
        Ok(f) => f,
        Err(e) => return Ok(Final::report(report(op, id, fs_failed(id, &e), 0))),
    };
    let mut reader = Reader::new(src, local, LOCAL_CHUNK);
    let mut up = match open(session, ctx, file, op).await? {
        Ok(up) => up,
        Err(f) => return Ok(f),
    };
    let mut sent: u64 = 0;
    loop {
        let data = match ctx.inbox.guard(reader.next()).await? {
            Ok(d) => d,
            Err(e) => {
                let code = fs_failed(id, &e);
                if let Err(e) = ctx.inbox.guard(up.abort()).await? {
                    tracing::info!(channel = id.get(), error = %e, "abort after a local read error failed");
                }
                return Ok(Final::transfer_end(report(op, id, code, sent)));
            }
        };
        if data.is_empty() {
            break;
        }
        let n = data.len() as u64;
        if let Err(e) = ctx.inbox.guard(up.write_all(data)).await? {
            return Ok(Final::transfer_end(report(op, id, failed(id, &e), sent)));
        }
        sent = sent.saturating_add(n);
    }
    Ok(Final::transfer_end(
        match ctx.inbox.guard(up.finish()).await? {
            Ok(n) => report(op, id, ResultCode::Success, n),
            Err(e) => report(op, id, failed(id, &e), sent),
        },
    ))
}

/// How an upload that spans several requests ended.
enum After {
    /// Its last report (done when the session survived).
    Final(Final),
    /// Another request ended it: the upload's report if it needs one (never `done`: the new
    /// request owns the channel), then the request runs.
    Handover {
        report: Option<Urc>,
        next: ChannelRequest,
    },
}

/// Reports the end of a multi-request upload once the upload's borrow of the session is over.
async fn conclude(session: &Session, ctx: &mut Ctx<'_>, after: After) -> Result<(), Stop> {
    let usable = session.is_usable();
    match after {
        After::Final(f) => emit(ctx.out, f, usable).await,
        After::Handover { report, next } => {
            if let Some(urc) = report {
                ctx.out.report(urc, false).await?;
            }
            if usable {
                ctx.out.state(ChannelState::Connected).await?;
            }
            ctx.inbox.push_front(next);
            Ok(())
        }
    }
}

/// Uploads packets of one file, starting with the one given, until a packet with [`Eof::Last`] or
/// another request ends the file. Reports everything itself.
pub(super) async fn packets(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    op: UploadOp,
    file: String,
    data: Vec<u8>,
    eof: Eof,
) -> Result<(), Stop> {
    let after = packets_inner(session, ctx, op, file, data, eof).await?;
    conclude(session, ctx, after).await
}

async fn packets_inner(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    op: UploadOp,
    file: String,
    data: Vec<u8>,
    eof: Eof,
) -> Result<After, Stop> {
    let id = ctx.out.id();
    let out = ctx.out;
    let mut up = match open(session, ctx, &file, op).await? {
        Ok(up) => up,
        Err(f) => return Ok(After::Final(f)),
    };
    let mut total: u64 = 0;
    let mut packet = (data, eof);
    loop {
        let (data, eof) = packet;
        if let Err(e) = ctx.inbox.guard(up.write_all(&data)).await? {
            let f = Final::transfer_end(report(op, id, failed(id, &e), total));
            return Ok(After::Final(f));
        }
        total = total.saturating_add(data.len() as u64);
        drop(data);
        if eof == Eof::Last {
            let f = Final::transfer_end(match ctx.inbox.guard(up.finish()).await? {
                Ok(n) => report(op, id, ResultCode::Success, n),
                Err(e) => report(op, id, failed(id, &e), total),
            });
            return Ok(After::Final(f));
        }
        // eof 0: this packet is done, the data connection stays open for the next one.
        let ok = report(op, id, ResultCode::Success, total);
        ctx.inbox.guard(out.report(ok, true)).await??;
        let Some(req) = ctx.inbox.next().await else {
            return Err(Stop::Shutdown);
        };
        match req {
            ChannelRequest::UploadPacket {
                op: o,
                file: f,
                data,
                eof,
            } if o == op && f == file => packet = (data, eof),
            ChannelRequest::PdpDown => return Err(Stop::PdpDown),
            next => {
                // Every packet was reported: finishing is silent unless it fails.
                let failure = close(up, ctx, &next)
                    .await?
                    .err()
                    .map(|code| report(op, id, code, total));
                return Ok(After::Handover {
                    report: failure,
                    next,
                });
            }
        }
    }
}

/// Finishes an upload because `next` arrived: within the quit timeout for a Disconnect,
/// interruptible by a Disconnect otherwise.
async fn close(
    up: Upload<'_>,
    ctx: &mut Ctx<'_>,
    next: &ChannelRequest,
) -> Result<Result<u64, ResultCode>, Stop> {
    let id = ctx.out.id();
    let r = if matches!(next, ChannelRequest::Disconnect) {
        match timeout(ctx.opts.quit_timeout, up.finish()).await {
            Ok(r) => r,
            Err(_) => return Ok(Err(ResultCode::Timeout)),
        }
    } else {
        ctx.inbox.guard(up.finish()).await?
    };
    Ok(r.map_err(|e| failed(id, &e)))
}

/// A transparent-mode upload: Begin was given, Data follows until End.
pub(super) async fn stream(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    op: UploadOp,
    file: &str,
) -> Result<(), Stop> {
    let after = stream_inner(session, ctx, op, file).await?;
    conclude(session, ctx, after).await
}

async fn stream_inner(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    op: UploadOp,
    file: &str,
) -> Result<After, Stop> {
    let id = ctx.out.id();
    let mut up = match open(session, ctx, file, op).await? {
        Ok(up) => up,
        Err(f) => return Ok(After::Final(f)),
    };
    let mut sent: u64 = 0;
    loop {
        // While the line has no data for it, the server is watched: one that dies or gives
        // up is reported now, not when the next bytes come (which may be never: a firmware
        // may wait for the report).
        let woke = tokio::select! {
            biased;
            () = up.closed() => None,
            r = ctx.inbox.next() => Some(r),
        };
        let Some(req) = woke else {
            tracing::info!(channel = id.get(), "the server ended a transparent upload");
            let f = Final::transfer_end(match ctx.inbox.guard(up.finish()).await? {
                Ok(n) => report(op, id, ResultCode::Success, n),
                Err(e) => report(op, id, failed(id, &e), sent),
            });
            return Ok(After::Final(f));
        };
        let Some(req) = req else {
            return Err(Stop::Shutdown);
        };
        match req {
            ChannelRequest::UploadStreamData(data) => {
                if let Err(e) = ctx.inbox.guard(up.write_all(&data)).await? {
                    let f = Final::transfer_end(report(op, id, failed(id, &e), sent));
                    return Ok(After::Final(f));
                }
                sent = sent.saturating_add(data.len() as u64);
            }
            ChannelRequest::UploadStreamEnd => {
                let f = Final::transfer_end(match ctx.inbox.guard(up.finish()).await? {
                    Ok(n) => report(op, id, ResultCode::Success, n),
                    Err(e) => report(op, id, failed(id, &e), sent),
                });
                return Ok(After::Final(f));
            }
            ChannelRequest::PdpDown => return Err(Stop::PdpDown),
            next => {
                // The stream ended without its End: finish it and report it either way,
                // since nothing of it was reported yet.
                let urc = match close(up, ctx, &next).await? {
                    Ok(n) => report(op, id, ResultCode::Success, n),
                    Err(code) => report(op, id, code, sent),
                };
                return Ok(After::Handover {
                    report: Some(urc),
                    next,
                });
            }
        }
    }
}

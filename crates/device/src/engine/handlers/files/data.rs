//! The data modes of `AT+MFPUT` and `AT+MFWRITE` without inline data (§C.1, §C.3): bytes
//! reach the file in pieces as the prompt collects them (`chunk`), and the mode ends with
//! the count, Ctrl+Z or the `AT+MFCFG` timeout (all successful, `+MFPUT: <received>` /
//! `+MFWRITE: <h>,<received>`), or with ESC (`end` with `Cancelled`: MFPUT's file stays empty,
//! MFWRITE loses this session's bytes and is rewound, as the vendor's `fseek(0)` +
//! `ftruncate` do; plain `OK`). A write that fails mid-way (no room, read-only) turns the rest
//! of the data into nothing: it is still taken from the line, so none of it is read as
//! commands, and the mode ends with the failure's number.

use super::write::write_error;
use super::{FileState, Pending};
use crate::engine::ctx::Ctx;
use crate::engine::modes::{PromptOutcome, PromptPurpose};
use ftpmodem_proto::{CmeError, Response};

/// Bytes of the data mode in progress, before it ends.
pub(crate) fn chunk(cx: &mut Ctx<'_>, _purpose: &PromptPurpose, chunk: &[u8]) {
    let files = &mut *cx.files;
    let Some(mode) = files.pending.as_mut() else {
        return;
    };
    if chunk.is_empty() || mode.failed.is_some() {
        return;
    }
    let result = match &mut mode.to {
        Pending::Put(Some(w)) => w.write_chunk(chunk).map_err(|e| write_error(&e)),
        Pending::Put(None) => Err(CmeError::WriteFail),
        Pending::Write { handle, .. } => match files.open.get_mut(*handle) {
            Some(f) => f.write(chunk).map(|_| ()).map_err(|e| write_error(&e)),
            None => Err(CmeError::WriteFail),
        },
    };
    if let Err(code) = result {
        mode.failed = Some(code.code());
        if let Pending::Put(w) = &mut mode.to {
            // Dropping the writer deletes its temp file: MFPUT's file stays empty.
            *w = None;
        }
    }
}

/// The data mode ended: `rest` is what was not handed on yet, `received` every byte it took.
pub(crate) fn end(
    cx: &mut Ctx<'_>,
    purpose: PromptPurpose,
    rest: &[u8],
    received: usize,
    outcome: PromptOutcome,
) {
    if outcome == PromptOutcome::Cancelled {
        abandon(cx.files, &purpose);
        return cx.reply.ok();
    }
    chunk(cx, &purpose, rest);
    let received = received as u64;
    let Some(mode) = cx.files.pending.take() else {
        return cx.reply.error(CmeError::WriteFail);
    };
    if let Some(code) = mode.failed {
        return cx.reply.error(CmeError::from_code(code));
    }
    match mode.to {
        Pending::Put(Some(w)) => match w.commit() {
            Ok(_) => {
                cx.reply.respond(&Response::MfPut(received));
                cx.reply.ok();
            }
            Err(e) => cx.reply.error(write_error(&e)),
        },
        Pending::Put(None) => cx.reply.error(CmeError::WriteFail),
        Pending::Write { handle, .. } => {
            cx.reply.respond(&Response::MfWrite {
                handle,
                written: received,
            });
            cx.reply.ok();
        }
    }
}

/// Cancels the data mode in progress (ESC, or the line detached under it).
pub(crate) fn abandon(files: &mut FileState, _purpose: &PromptPurpose) {
    match files.pending.take().map(|m| m.to) {
        Some(Pending::Write { handle, start }) => {
            if let Some(f) = files.open.get_mut(handle) {
                let _ = f.truncate(start);
            }
        }
        // MFPUT: the writer's temp file goes with it; the file was emptied at the command.
        Some(Pending::Put(_)) | None => {}
    }
}

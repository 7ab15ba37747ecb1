//! `AT+MFPUT` (§C.3): the file is emptied (created) before the data is even looked at, as the
//! vendor's `fopen(..., "wb+")` does, so bad data or an ESC leaves it empty. The new content
//! itself arrives atomically: inline data in one write, data-mode bytes in a temp file that
//! replaces the empty one when the mode ends (count, Ctrl+Z or timeout).

use super::{code, inline_bytes, name_ok, DataMode, Pending};
use crate::engine::ctx::Ctx;
use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use ftpmodem_proto::{CmeError, Response};

pub(super) fn run(cx: &mut Ctx<'_>, path: &str, len: u32, data: Option<Vec<u8>>) {
    if !name_ok(cx, path) {
        return;
    }
    if let Err(e) = cx.fs.empty(path) {
        return cx.reply.error(code(&e, None));
    }
    let Some(data) = data else {
        return start_data_mode(cx, path, len);
    };
    let Some(bytes) = inline_bytes(cx.files.settings.input, len, &data) else {
        return cx.reply.error(CmeError::ParameterError);
    };
    match cx.fs.write(path, &bytes) {
        Ok(n) => {
            cx.reply.respond(&Response::MfPut(n));
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

/// `>`, then exactly `len` bytes (any value), or with `len` 0 everything up to Ctrl+Z (ESC
/// cancels); the `AT+MFCFG` timeout ends it with what arrived (§C.1).
fn start_data_mode(cx: &mut Ctx<'_>, path: &str, len: u32) {
    let writer = match cx.fs.create(path) {
        Ok(w) => w,
        Err(e) => return cx.reply.error(code(&e, None)),
    };
    cx.files.pending = Some(DataMode {
        to: Pending::Put(Some(writer)),
        failed: None,
    });
    let end = data_end(len);
    let purpose = PromptPurpose::MfPut { path: path.into() };
    let prompt = Prompt::new(purpose, end, cx.now).with_timeout(cx.files.settings.timeout());
    cx.start_prompt(prompt);
}

/// How a file data mode of `len` bytes ends: the count, or (0) Ctrl+Z with no bound, since the
/// bytes go to the file as they come.
pub(super) fn data_end(len: u32) -> PromptEnd {
    match usize::try_from(len) {
        Ok(0) => PromptEnd::CtrlZ(usize::MAX),
        Ok(n) => PromptEnd::Length(n),
        Err(_) => PromptEnd::Length(usize::MAX),
    }
}

//! `AT+MFWRITE` (§C.3): into an open file at its position (at the end for `a`/`a+`), in place.

use super::put::data_end;
use super::{inline_bytes, DataMode, Pending};
use crate::engine::ctx::Ctx;
use crate::engine::modes::{Prompt, PromptPurpose};
use crate::fs::FsError;
use ftpmodem_proto::{CmeError, Response};

/// `+MFWRITE: <h>,<written>` then OK. A handle that is not open or is open `r` is 1057; data
/// that does not match the length is 50.
pub(super) fn run(cx: &mut Ctx<'_>, handle: u16, len: u32, data: Option<Vec<u8>>) {
    let input = cx.files.settings.input;
    let timeout = cx.files.settings.timeout();
    let Some(file) = cx.files.open.get_mut(handle) else {
        return cx.reply.error(CmeError::WriteFail);
    };
    if !file.mode().writes() {
        return cx.reply.error(CmeError::WriteFail);
    }
    let Some(data) = data else {
        let start = if file.mode().appends() {
            file.len().unwrap_or(0)
        } else {
            file.pos()
        };
        cx.files.pending = Some(DataMode {
            to: Pending::Write { handle, start },
            failed: None,
        });
        let prompt = Prompt::new(PromptPurpose::MfWrite { handle }, data_end(len), cx.now)
            .with_timeout(timeout);
        return cx.start_prompt(prompt);
    };
    let Some(bytes) = inline_bytes(input, len, &data) else {
        return cx.reply.error(CmeError::ParameterError);
    };
    match file.write(&bytes) {
        Ok(written) => {
            cx.reply.respond(&Response::MfWrite { handle, written });
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(write_error(&e)),
    }
}

/// A failed write: no room (1063) and read-only (1059) as everywhere, else 1057.
pub(super) fn write_error(e: &FsError) -> CmeError {
    match e {
        FsError::NoSpace { .. } | FsError::DiskFull { .. } | FsError::ReadOnly { .. } => {
            CmeError::from_code(e.cme_code())
        }
        _ => CmeError::WriteFail,
    }
}

//! `AT+MFOPEN` and `AT+MFCLOSE` (§C.3): handles, numbered as §C.1 says
//! ([`OpenFiles::insert`](crate::fs::OpenFiles::insert)).

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::OpenMode;
use ftpmodem_proto::{CmeError, Response};

/// `+MFOPEN: <handle>` then OK. Every failure to open, a missing file for `r` included, is
/// 1055 (§C.3); a bad name 50.
pub(super) fn mfopen(cx: &mut Ctx<'_>, path: &str, mode: OpenMode) {
    if !name_ok(cx, path) {
        return;
    }
    let file = match cx.fs.open_file(path, mode) {
        Ok(f) => f,
        Err(e) => return cx.reply.error(code(&e, Some(1055))),
    };
    match cx.files.open.insert(file) {
        Ok(h) => {
            cx.reply.respond(&Response::MfOpen(h));
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

/// OK, or 1060 for a handle that is not open.
pub(super) fn mfclose(cx: &mut Ctx<'_>, handle: u16) {
    if cx.files.open.close(handle) {
        cx.reply.ok();
    } else {
        cx.reply.error(CmeError::BadDescriptor);
    }
}

//! `AT+MFGET` and `AT+MFSIZE` (§C.3): a whole file, or its size.

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::OutputEncoding;
use ftpmodem_proto::{CmeError, Response};

/// `+MFGET: <size>,<data>` then OK; an empty file is `+MFGET: 0,`. A missing file is an open
/// failure, 1055 (§C.3, E12). With HEX output the data is printed as hex, the size in bytes.
pub(super) fn mfget(cx: &mut Ctx<'_>, path: &str) {
    if !name_ok(cx, path) {
        return;
    }
    match cx.fs.read(path, cx.cfg.mfget_max) {
        Ok(data) => {
            let line = match cx.files.settings.output {
                OutputEncoding::Raw => Response::MfGet(data),
                OutputEncoding::Hex => Response::MfGetHex(data),
            };
            cx.reply.respond(&line);
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, Some(1055))),
    }
}

/// `+MFSIZE: <n>`; a missing file and an empty one are both 1050 (§C.3, E12: the vendor
/// prints a size only when it is above 0).
pub(super) fn mfsize(cx: &mut Ctx<'_>, path: &str) {
    if !name_ok(cx, path) {
        return;
    }
    match cx.fs.size(path) {
        Ok(0) => cx.reply.error(CmeError::FsError),
        Ok(n) => {
            cx.reply.respond(&Response::MfSize(n));
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, Some(1050))),
    }
}

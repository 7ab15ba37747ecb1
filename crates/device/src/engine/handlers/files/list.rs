//! `AT+MFLIST` and `AT+MFSINFO` (§C.3). `AT+MFLIST` lists one level, each entry under the
//! directory name as typed; a missing directory lists nothing and answers `OK`. Each entry is
//! its own framed line (the vendor prints them back to back after one CRLF; proto's decoder
//! reads framed lines, see docs/PROTOCOL.md).

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::Response;

pub(super) fn mflist(cx: &mut Ctx<'_>, dir: Option<&str>) {
    if let Some(d) = dir {
        if !name_ok(cx, d) {
            return;
        }
    }
    match cx.fs.list_dir(dir) {
        Ok(entries) => {
            for e in entries {
                cx.reply.respond(&Response::MfList {
                    path: e.path,
                    size: e.size,
                });
            }
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

pub(super) fn mfsinfo(cx: &mut Ctx<'_>) {
    match cx.fs.info() {
        Ok(i) => {
            cx.reply.respond(&Response::MfSinfo {
                total: i.total,
                free: i.free,
            });
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

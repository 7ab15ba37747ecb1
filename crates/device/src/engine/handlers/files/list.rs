//! `AT+MFLIST` and `AT+MFSINFO` (§C.3). `AT+MFLIST` lists one level, each entry under the
//! directory name as typed, the entries back to back after one CRLF as the vendor prints them;
//! a missing directory lists nothing and answers `OK`.

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::Response;

pub(super) fn mflist(cx: &mut Ctx<'_>, dir: Option<&str>) {
    if let Some(d) = dir {
        if !name_ok(cx, d) {
            return;
        }
    }
    match cx.fs.list_dir(dir) {
        Ok(entries) => {
            let lines: Vec<Response> = entries
                .into_iter()
                .map(|e| Response::MfList {
                    path: e.path,
                    size: e.size,
                })
                .collect();
            encode::consecutive(cx.reply.out.buf_mut(), &lines);
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

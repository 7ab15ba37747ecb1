//! `AT+MFCHECK` (§C.3): the MD5 of a local file.
//!
//! The standard MD5, not what the vendor's helper computes (ONEMO-RELATED.md E2: it feeds
//! only part of each read to MD5, so its digest matches nothing a host can compute). The
//! hardware's `AT+MSSLCHECK` prints the standard digest, and a host checks a file against a
//! digest it computed itself; a digest that never matches would make the command useless.

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::Response;

pub(super) fn run(cx: &mut Ctx<'_>, path: &str) {
    if !name_ok(cx, path) {
        return;
    }
    match cx.fs.md5(path) {
        Ok(md5) => {
            cx.reply.respond(&Response::MfCheck(md5));
            cx.reply.ok();
        }
        // §C.3: a missing file is an open failure (1055); a read failure is a hash error.
        Err(crate::fs::FsError::ReadFailed { .. }) => {
            cx.reply.error(ftpmodem_proto::CmeError::FsError)
        }
        Err(e) => cx.reply.error(code(&e, Some(1055))),
    }
}

//! `AT+MFDELETE` and `AT+MFMOVE` (§C.3). Deleting closes the handles open on what goes, as
//! the vendor's code does; a name ending in `/` takes a directory with its contents, no name
//! at all the whole file system.

use super::{code, name_ok};
use crate::engine::ctx::Ctx;
use crate::fs::ModulePath;

pub(super) fn mfdelete(cx: &mut Ctx<'_>, path: &str) {
    if !name_ok(cx, path) {
        return;
    }
    let done = if path.ends_with('/') {
        cx.fs.delete_tree(path)
    } else {
        cx.fs.delete(path)
    };
    match done {
        Ok(()) => {
            // Handles on what went are closed (the vendor closes them first; here only once
            // the delete happened, so a refused delete changes nothing).
            if let Ok(p) = ModulePath::parse(path) {
                cx.files.open.close_under(&p);
            }
            cx.reply.ok()
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

/// `AT+MFDELETE` without a name: everything goes, every handle is closed.
pub(super) fn wipe(cx: &mut Ctx<'_>) {
    match cx.fs.wipe() {
        Ok(()) => {
            cx.files.open.close_all();
            cx.reply.ok()
        }
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

pub(super) fn mfmove(cx: &mut Ctx<'_>, from: &str, to: &str) {
    if !name_ok(cx, from) || !name_ok(cx, to) {
        return;
    }
    match cx.fs.rename(from, to) {
        Ok(()) => cx.reply.ok(),
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

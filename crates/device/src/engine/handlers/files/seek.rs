//! `AT+MFSEEK`, `AT+MFTRUNC` and `AT+MFSYNC` (§C.3): the position and the length of an open
//! file. Each command has its own number for a handle that is not open: MFSEEK 1057 (the
//! vendor reuses "write failed"), MFTRUNC and MFSYNC 1060.

use crate::engine::ctx::Ctx;
use crate::fs::FsError;
use ftpmodem_proto::command::Whence;
use ftpmodem_proto::{CmeError, Response};

/// `+MFSEEK: <h>,<pos>` for the read form; OK after a move; 1050 for a target outside the file.
pub(super) fn mfseek(cx: &mut Ctx<'_>, handle: u16, to: Option<(i32, Whence)>) {
    let Some(file) = cx.files.open.get_mut(handle) else {
        return cx.reply.error(CmeError::WriteFail);
    };
    match to {
        None => {
            let pos = file.pos();
            cx.reply.respond(&Response::MfSeek { handle, pos });
            cx.reply.ok();
        }
        Some((offset, whence)) => match file.seek(i64::from(offset), whence) {
            Ok(_) => cx.reply.ok(),
            Err(_) => cx.reply.error(CmeError::FsError),
        },
    }
}

/// Truncates or extends, rewinds to 0 (§C.3); a failure is 1050, but no room is 1063 and a
/// read-only file system 1059 as everywhere.
pub(super) fn mftrunc(cx: &mut Ctx<'_>, handle: u16, len: u32) {
    let Some(file) = cx.files.open.get_mut(handle) else {
        return cx.reply.error(CmeError::BadDescriptor);
    };
    match file.truncate(u64::from(len)) {
        Ok(()) => cx.reply.ok(),
        Err(e @ (FsError::NoSpace { .. } | FsError::ReadOnly { .. })) => {
            cx.reply.error(CmeError::from_code(e.cme_code()))
        }
        Err(_) => cx.reply.error(CmeError::FsError),
    }
}

pub(super) fn mfsync(cx: &mut Ctx<'_>, handle: u16) {
    let Some(file) = cx.files.open.get_mut(handle) else {
        return cx.reply.error(CmeError::BadDescriptor);
    };
    match file.sync() {
        Ok(()) => cx.reply.ok(),
        Err(_) => cx.reply.error(CmeError::FsError),
    }
}

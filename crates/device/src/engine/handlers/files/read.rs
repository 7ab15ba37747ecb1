//! `AT+MFREAD` (§C.3): from the position, in `+MFREAD` fragments framed by proto.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::OutputEncoding;
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::CmeError;

/// The fragments then OK. A handle that is not open, or is open for writing only (`w`, `a`),
/// is 1050; nothing to read (at the end, or length 0) is 1058 (§C.3). A read without a length
/// past [`EngineConfig::mfget_max`](crate::engine::EngineConfig) is 1053: the answer is built
/// in memory, as `AT+MFGET`'s is.
pub(super) fn run(cx: &mut Ctx<'_>, handle: u16, len: Option<u16>) {
    let max = cx.cfg.mfget_max;
    let Some(file) = cx.files.open.get_mut(handle) else {
        return cx.reply.error(CmeError::FsError);
    };
    if !file.mode().reads() {
        return cx.reply.error(CmeError::FsError);
    }
    let left = match file.len() {
        Ok(n) => n.saturating_sub(file.pos()),
        Err(_) => return cx.reply.error(CmeError::ReadFail),
    };
    let want = len.map_or(left, |n| u64::from(n).min(left));
    if want == 0 {
        return cx.reply.error(CmeError::ReadFail);
    }
    if want > max {
        return cx.reply.error(CmeError::FileTooLarge);
    }
    let data = match file.read(want) {
        Ok(d) if !d.is_empty() => d,
        _ => return cx.reply.error(CmeError::ReadFail),
    };
    let hex = cx.files.settings.output == OutputEncoding::Hex;
    encode::mfread(cx.reply.out.buf_mut(), handle, &data, hex);
    cx.reply.ok();
}

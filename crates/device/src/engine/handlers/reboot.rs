//! `AT+MREBOOT[=0]` (ONEMO-RELATED.md §A.6): `OK`, then the engine restarts once the line is
//! answered (`REBOOTING`, the restart, `+MATREADY`: `restart.rs`).

use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command};

/// `AT+MREBOOT` and `AT+MREBOOT=0`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Reboot(_) => {
            // The restart ends the line here: this `OK` is the line's final result.
            cx.reply.swallow_ok = false;
            cx.reply.ok();
            cx.reboot = true;
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

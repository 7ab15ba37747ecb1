//! The V.25ter profile commands (V.250 §6.1-§6.2): `ATV`, `ATQ`, `ATZ`, `AT&W`, `ATS3/S4/S5`.
//! `ATE`, `ATI` and `AT&F` are in `basic.rs`. Each setting acts at once, so the result code
//! of the line that changes it is already printed the new way (V.250 §6.2.1-§6.2.3 say so of
//! S3 and S4).

use crate::engine::ctx::Ctx;
use crate::engine::settings::Profile;
use ftpmodem_proto::{CmeError, Command, Response};

/// V.250's range of S3, S4 and S5.
const S_MAX: u8 = 127;

/// The profile in force, as `AT&W` saves it.
pub(crate) fn current(cx: &Ctx<'_>) -> Profile {
    Profile {
        echo: *cx.echo,
        framing: cx.reply.framing,
        bs: cx.settings.bs,
        cmee: cx.reply.cmee,
        rate: cx.settings.rate,
    }
}

/// Puts `p` in force except its rate: only `AT+IPR` and a restart move the UART
/// (docs/PROTOCOL.md), so `ATZ` and `AT&F` cannot cut the host off.
pub(crate) fn apply(cx: &mut Ctx<'_>, p: &Profile) {
    *cx.echo = p.echo;
    cx.reply.framing = p.framing;
    cx.reply.cmee = p.cmee;
    cx.settings.bs = p.bs;
}

/// `ATV`, `ATQ`, `ATZ`, `AT&W`, `ATS<n>?`, `ATS<n>=<v>`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Verbose(on) => cx.reply.framing.verbose = on,
        Command::Quiet(on) => cx.reply.framing.quiet = on,
        Command::ResetProfile => {
            let saved = cx.settings.saved;
            apply(cx, &saved);
        }
        Command::SaveProfile => {
            let p = current(cx);
            if let Err(e) = cx.settings.save(cx.fs, p) {
                tracing::warn!("AT&W: the profile could not be stored: {e}");
                return cx.reply.error(CmeError::FsError);
            }
        }
        Command::SRegRead(n) => match s_reg(cx, n) {
            Some(v) => cx.reply.respond(&Response::SReg(v)),
            // V.250 §5.3.2: an S-parameter the module lacks is an error.
            None => return cx.reply.respond(&Response::Error),
        },
        Command::SRegSet(n, v) => {
            if s_reg(cx, n).is_none() {
                return cx.reply.respond(&Response::Error);
            }
            if v > S_MAX {
                return cx.reply.error(CmeError::ParameterError);
            }
            match n {
                3 => cx.reply.framing.cr = v,
                4 => cx.reply.framing.lf = v,
                _ => cx.settings.bs = v,
            }
        }
        _ => return cx.reply.error(CmeError::ParameterError),
    }
    cx.reply.ok();
}

/// The value of S3, S4 or S5; `None` for a register the module lacks.
fn s_reg(cx: &Ctx<'_>, n: u8) -> Option<u8> {
    match n {
        3 => Some(cx.reply.framing.cr),
        4 => Some(cx.reply.framing.lf),
        5 => Some(cx.settings.bs),
        _ => None,
    }
}

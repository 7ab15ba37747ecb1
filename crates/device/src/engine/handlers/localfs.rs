//! The module's file commands (`AT+MFPUT` ... `AT+MFMOVE`, NOTES "Local file system"): they
//! answer synchronously, with `+CME ERROR: 1050`-`1064` from the sandbox.

use crate::engine::ctx::Ctx;
use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use crate::fs::FsError;
use ftpmodem_proto::{CmeError, Command, Response};

fn cme(e: &FsError) -> CmeError {
    CmeError::from_code(e.cme_code())
}

/// `AT+MFPUT` ... `AT+MFMOVE`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    let result: Result<Vec<Response>, FsError> = match cmd {
        Command::MfPut {
            path,
            len,
            data: None,
        } => {
            let now = cx.now;
            let end = PromptEnd::Length(len as usize);
            return cx.start_prompt(Prompt::new(PromptPurpose::MfPut { path }, end, now));
        }
        Command::MfPut {
            path,
            data: Some(d),
            ..
        } => return mfput_data(cx, &path, &d),
        Command::MfGet(p) => cx
            .fs
            .read(&p, cx.cfg.mfget_max)
            .map(|d| vec![Response::MfGet(d)]),
        Command::MfList(dir) => cx.fs.list(dir.as_deref()).map(|entries| {
            entries
                .into_iter()
                .map(|e| Response::MfList {
                    path: e.path,
                    size: e.size,
                })
                .collect()
        }),
        Command::MfSize(p) => cx.fs.size(&p).map(|n| vec![Response::MfSize(n)]),
        Command::MfSinfo => cx.fs.info().map(|i| {
            vec![Response::MfSinfo {
                total: i.total,
                free: i.free,
            }]
        }),
        Command::MfDelete(p) => cx.fs.delete(&p).map(|()| Vec::new()),
        Command::MfMove(a, b) => cx.fs.rename(&a, &b).map(|()| Vec::new()),
        _ => return cx.reply.error(CmeError::ParameterError),
    };
    match result {
        Ok(lines) => {
            lines.iter().for_each(|l| cx.reply.respond(l));
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(cme(&e)),
    }
}

/// `AT+MFPUT` data, inline or from the prompt: `+MFPUT: <written>` then `OK`.
pub(crate) fn mfput_data(cx: &mut Ctx<'_>, path: &str, data: &[u8]) {
    match cx.fs.write(path, data) {
        Ok(n) => {
            cx.reply.respond(&Response::MfPut(n));
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(cme(&e)),
    }
}

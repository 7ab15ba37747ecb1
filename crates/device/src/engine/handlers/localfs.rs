//! The module's file commands (`AT+MFPUT` ... `AT+MFMOVE`, NOTES "Local file system"): they
//! answer synchronously, with `+CME ERROR: 1050`-`1064` from the sandbox.

use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use crate::engine::Engine;
use crate::fs::FsError;
use ftpmodem_proto::{CmeError, Command, Response};

fn cme(e: &FsError) -> CmeError {
    CmeError::from_code(e.cme_code())
}

impl Engine {
    pub(super) fn local_fs_command(&mut self, cmd: Command) {
        let result: Result<Vec<Response>, FsError> = match cmd {
            Command::MfPut {
                path,
                len,
                data: None,
            } => {
                let now = self.now;
                let end = PromptEnd::Length(len as usize);
                return self.start_prompt(Prompt::new(PromptPurpose::MfPut { path }, end, now));
            }
            Command::MfPut {
                path,
                data: Some(d),
                ..
            } => return self.mfput_data(&path, &d),
            Command::MfGet(p) => self
                .fs
                .read(&p, self.cfg.mfget_max)
                .map(|d| vec![Response::MfGet(d)]),
            Command::MfList(dir) => self.fs.list(dir.as_deref()).map(|entries| {
                entries
                    .into_iter()
                    .map(|e| Response::MfList {
                        path: e.path,
                        size: e.size,
                    })
                    .collect()
            }),
            Command::MfSize(p) => self.fs.size(&p).map(|n| vec![Response::MfSize(n)]),
            Command::MfSinfo => self.fs.info().map(|i| {
                vec![Response::MfSinfo {
                    total: i.total,
                    free: i.free,
                }]
            }),
            Command::MfDelete(p) => self.fs.delete(&p).map(|()| Vec::new()),
            Command::MfMove(a, b) => self.fs.rename(&a, &b).map(|()| Vec::new()),
            _ => return self.error(CmeError::ParameterError),
        };
        match result {
            Ok(lines) => {
                lines.iter().for_each(|l| self.respond(l));
                self.ok();
            }
            Err(e) => self.error(cme(&e)),
        }
    }

    /// `AT+MFPUT` data, inline or from the prompt: `+MFPUT: <written>` then `OK`.
    pub(super) fn mfput_data(&mut self, path: &str, data: &[u8]) {
        match self.fs.write(path, data) {
            Ok(n) => {
                self.respond(&Response::MfPut(n));
                self.ok();
            }
            Err(e) => self.error(cme(&e)),
        }
    }

    /// `AT+MSSLCERTWR`/`AT+MSSLKEYWR` data: stored as a file the TLS contexts name.
    pub(super) fn credential_data(&mut self, path: &str, data: &[u8]) {
        match self.fs.write(path, data) {
            Ok(_) => self.ok(),
            Err(e) => self.error(cme(&e)),
        }
    }
}

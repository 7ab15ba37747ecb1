//! Command handlers, one file per command family. Each turns a typed [`Command`] into
//! response lines, actions and mode changes; none of them frames or spells a line itself.

mod basic;
mod cfg;
mod ftp;
mod localfs;
mod pdp;
mod ssl;
mod test_form;

use super::line::Completed;
use super::modes::{Prompt, PromptOutcome, PromptPurpose};
use super::Engine;
use ftpmodem_proto::command::find_prefix;
use ftpmodem_proto::{CmeError, Command, ParseError, Response};

impl Engine {
    /// A CR arrived in command mode.
    pub(super) fn command_line(&mut self, done: Completed) {
        let line = match done {
            Completed::Overflow => return self.respond(&Response::Error),
            Completed::Line(l) => l,
        };
        // V.25ter §5.2.1: anything before "AT" is noise; a line without it gets no answer.
        let Some(start) = find_prefix(&line) else {
            return;
        };
        match Command::parse(&line[start..]) {
            Ok(cmd) => self.dispatch(cmd),
            Err(ParseError::Unknown) | Err(ParseError::NoPrefix) => self.respond(&Response::Error),
            Err(ParseError::Param) | Err(ParseError::Syntax(_)) => {
                self.error(CmeError::ParameterError)
            }
        }
    }

    fn dispatch(&mut self, cmd: Command) {
        match cmd {
            Command::At => self.ok(),
            Command::Echo(on) => {
                self.echo = on;
                self.ok();
            }
            Command::Identify => self.identify(),
            Command::FactoryDefaults => self.factory_defaults(),
            Command::Cgmi | Command::Cgmm | Command::Cgmr => self.identity_line(&cmd),
            Command::Cmee(m) => {
                self.cmee = m;
                self.ok();
            }
            Command::Test(name) => self.test_form(name),
            Command::Read(name) => self.read_form(name),
            Command::MftpCfg(req) => self.mftpcfg(req),
            Command::MftpConn(_)
            | Command::MftpDisc(_)
            | Command::MftpCwd(..)
            | Command::MftpPwd(_)
            | Command::MftpMkd(..)
            | Command::MftpList(..)
            | Command::MftpDel(..)
            | Command::MftpRn(..)
            | Command::MftpRetr(_)
            | Command::MftpAppe(_)
            | Command::MftpStor(_)
            | Command::MftpState(_) => self.ftp_command(cmd),
            Command::MfPut { .. }
            | Command::MfGet(_)
            | Command::MfList(_)
            | Command::MfSize(_)
            | Command::MfSinfo
            | Command::MfDelete(_)
            | Command::MfMove(..) => self.local_fs_command(cmd),
            Command::Cgdcont { .. } | Command::Cgact { .. } | Command::Mipcall { .. } => {
                self.pdp_command(cmd)
            }
            Command::MsslCfg(_) | Command::MsslCertWr { .. } | Command::MsslKeyWr { .. } => {
                self.ssl_command(cmd)
            }
        }
    }

    /// A prompt's data is complete (or was cancelled): act on it and give the final result.
    pub(super) fn finish_prompt(&mut self, p: Prompt, outcome: PromptOutcome) {
        if outcome != PromptOutcome::Data {
            if let PromptPurpose::Upload { id, .. } = p.purpose {
                self.upload_prompt_abandoned(id);
            }
        }
        match outcome {
            PromptOutcome::Cancelled => return self.ok(),
            PromptOutcome::Overflow => return self.error(CmeError::ParameterError),
            PromptOutcome::Data => {}
        }
        match p.purpose {
            PromptPurpose::Upload { id, op, file, eof } => {
                self.upload_packet(id, op, file, p.data, eof);
            }
            PromptPurpose::MfPut { path } => self.mfput_data(&path, &p.data),
            PromptPurpose::Credential { path } => self.credential_data(&path, &p.data),
        }
    }
}

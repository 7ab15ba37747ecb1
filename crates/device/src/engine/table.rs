//! The command table: one entry per command, naming its handler, its test-form lines and, for
//! a channel command, the operation that reports it when it cannot run. Parsing (which forms a
//! command has, its parameters) is proto's; adding a command is a proto variant, one entry
//! here and its handler file under `handlers/`.

use super::ctx::Ctx;
use super::handlers::{basic, cfg, csq, files, ftp, identity, network, pdp, ssl, test_form};
use super::handlers::{ipr, lpm, reboot};
use super::line::Completed;
use super::modes::{Prompt, PromptOutcome, PromptPurpose};
use ftpmodem_proto::command::{find_prefix, split_line};
use ftpmodem_proto::{
    CmeError, Command, FtpOp, Name, Param, ParseError, Profile, Response, SimpleOp, UploadOp,
};

/// A command's handler: every form but the test form.
pub(super) type Handler = fn(&mut Ctx<'_>, Command);
/// The lines of `AT+<NAME>=?` before `OK`.
pub(super) type TestLines = fn(Name, &Profile) -> Vec<Vec<Param>>;

/// One command.
pub(super) struct Entry {
    /// Its name; `None` for the basic commands (`AT`, `ATE`, `ATI`, `AT&F`).
    pub(super) name: Option<Name>,
    /// Runs it.
    pub(super) run: Handler,
    /// Its test form.
    pub(super) test: TestLines,
    /// For a channel command: what it reports when the channel is busy (result 4) or the
    /// session is gone before it runs.
    pub(super) op: Option<FtpOp>,
}

const fn entry(name: Name, run: Handler) -> Entry {
    Entry {
        name: Some(name),
        run,
        test: test_form::lines,
        op: None,
    }
}

const fn net(name: Name, run: Handler) -> Entry {
    Entry {
        name: Some(name),
        run,
        test: network::test_lines,
        op: None,
    }
}

const fn channel_op(name: Name, op: FtpOp) -> Entry {
    Entry {
        name: Some(name),
        run: ftp::run,
        test: test_form::lines,
        op: Some(op),
    }
}

/// Every command the module answers.
pub(super) const COMMANDS: &[Entry] = &[
    Entry {
        name: None,
        run: basic::run,
        test: test_form::lines,
        op: None,
    },
    entry(Name::Cgmi, identity::bare_line),
    entry(Name::Cgmm, identity::bare_line),
    entry(Name::Cgmr, identity::bare_line),
    entry(Name::Cgsn, identity::cgsn),
    entry(Name::Gsn, identity::bare_line),
    entry(Name::Cimi, identity::bare_line),
    entry(Name::Mccid, identity::iccid),
    entry(Name::Iccid, identity::iccid),
    entry(Name::Cpin, identity::cpin),
    entry(Name::Cmee, basic::cmee),
    Entry {
        name: Some(Name::Csq),
        run: csq::run,
        test: csq::test_lines,
        op: None,
    },
    Entry {
        name: Some(Name::Cesq),
        run: csq::cesq,
        test: csq::cesq_test_lines,
        op: None,
    },
    net(Name::Cereg, network::reg),
    net(Name::Cgreg, network::reg),
    entry(Name::Cops, network::cops),
    net(Name::Cgatt, network::cgatt),
    net(Name::Cgpaddr, network::cgpaddr),
    net(Name::Cfun, network::cfun),
    entry(Name::MftpCfg, cfg::run),
    entry(Name::MftpConn, ftp::run),
    entry(Name::MftpDisc, ftp::run),
    entry(Name::MftpState, ftp::run),
    channel_op(Name::MftpCwd, FtpOp::Simple(SimpleOp::Cwd)),
    channel_op(Name::MftpPwd, FtpOp::Pwd),
    channel_op(Name::MftpMkd, FtpOp::Simple(SimpleOp::Mkd)),
    channel_op(Name::MftpList, FtpOp::List),
    channel_op(Name::MftpDel, FtpOp::Simple(SimpleOp::Del)),
    channel_op(Name::MftpRn, FtpOp::Simple(SimpleOp::Rn)),
    channel_op(Name::MftpRetr, FtpOp::Retr),
    channel_op(Name::MftpAppe, FtpOp::Upload(UploadOp::Appe)),
    channel_op(Name::MftpStor, FtpOp::Upload(UploadOp::Stor)),
    entry(Name::MfPut, files::run),
    entry(Name::MfGet, files::run),
    entry(Name::MfList, files::run),
    entry(Name::MfSize, files::run),
    entry(Name::MfSinfo, files::run),
    entry(Name::MfDelete, files::run),
    entry(Name::MfMove, files::run),
    entry(Name::Cgdcont, pdp::run),
    entry(Name::Cgact, pdp::run),
    entry(Name::Mipcall, pdp::run),
    entry(Name::MsslCfg, ssl::run),
    entry(Name::MsslCertWr, ssl::run),
    entry(Name::MsslKeyWr, ssl::run),
    // The file commands on open files and settings (ONEMO-RELATED.md §C.3); the parser answers
    // their test forms with 3, but AT+MFCFG's.
    entry(Name::MfOpen, files::run),
    entry(Name::MfRead, files::run),
    entry(Name::MfWrite, files::run),
    entry(Name::MfSeek, files::run),
    entry(Name::MfClose, files::run),
    entry(Name::MfTrunc, files::run),
    entry(Name::MfSync, files::run),
    entry(Name::MfCheck, files::run),
    Entry {
        name: Some(Name::MfCfg),
        run: files::run,
        test: files::cfg::test_lines,
        op: None,
    },
    entry(Name::Mreboot, reboot::run),
    Entry {
        name: Some(Name::Ipr),
        run: ipr::run,
        test: ipr::test_lines,
        op: None,
    },
    Entry {
        name: Some(Name::Mlpmcfg),
        run: lpm::run,
        test: lpm::test_lines,
        op: None,
    },
];

/// A CR arrived in command mode.
pub(super) fn command_line(cx: &mut Ctx<'_>, done: Completed) {
    let line = match done {
        // A cut command, or `A/` with no command line before it.
        Completed::Overflow | Completed::Repeat => return cx.reply.respond(&Response::Error),
        Completed::Noise => return,
        Completed::Line(l) => l,
    };
    // V.25ter §5.2.1: anything before "AT" is noise; a line without it gets no answer.
    let Some(start) = find_prefix(&line) else {
        return;
    };
    // V.250 §5.2.1: the commands of a line run in order, one final result answers the line:
    // only the last command's `OK` is printed, an error ends the line there, and so does a
    // command that takes the line (a data mode, a restart).
    let pieces = split_line(&line[start + 2..]);
    let last = pieces.len().saturating_sub(1);
    cx.reply.failed = false;
    for (i, piece) in pieces.iter().enumerate() {
        cx.reply.swallow_ok = i < last;
        run_one(cx, piece);
        if cx.reply.failed || cx.next_mode.is_some() || cx.reboot {
            break;
        }
    }
    cx.reply.swallow_ok = false;
    if pieces.is_empty() {
        dispatch(cx, Command::At);
    }
}

/// One command of a line, as `split_line` cut it.
fn run_one(cx: &mut Ctx<'_>, piece: &[u8]) {
    match Command::parse_body(piece) {
        Ok(cmd) => dispatch(cx, cmd),
        Err(ParseError::Unknown) | Err(ParseError::NoPrefix) => cx.reply.respond(&Response::Error),
        Err(ParseError::Param) | Err(ParseError::Syntax(_)) => {
            cx.reply.error(CmeError::ParameterError)
        }
        Err(ParseError::NotAllowed) => cx.reply.error(CmeError::OperationNotAllowed),
    }
}

fn dispatch(cx: &mut Ctx<'_>, cmd: Command) {
    let name = cmd.name();
    let Some(e) = COMMANDS.iter().find(|e| e.name == name) else {
        // A name proto parses but no entry takes.
        return cx.reply.respond(&Response::Error);
    };
    if let Command::Test(n) = cmd {
        for l in (e.test)(n, &cx.cfg.profile) {
            cx.reply.respond(&Response::Test(n, l));
        }
        return cx.reply.ok();
    }
    cx.op = e.op;
    (e.run)(cx, cmd);
}

/// A prompt's data is complete (or was cancelled): act on it and give the final result.
pub(super) fn finish_prompt(cx: &mut Ctx<'_>, p: Prompt, outcome: PromptOutcome) {
    if outcome != PromptOutcome::Data {
        if let PromptPurpose::Upload { id, .. } = p.purpose {
            // The prompt ended without data: the channel is free again.
            cx.channels.get_mut(id).busy = false;
        }
    }
    if p.purpose.is_file_data() {
        return files::data::end(cx, p.purpose, &p.data, p.received, outcome);
    }
    match outcome {
        PromptOutcome::Cancelled => return cx.reply.ok(),
        PromptOutcome::Overflow => return cx.reply.error(CmeError::ParameterError),
        PromptOutcome::Data | PromptOutcome::TimedOut => {}
    }
    match p.purpose {
        PromptPurpose::Upload { id, op, file, eof } => {
            ftp::upload_packet(cx, id, op, file, p.data, eof);
        }
        PromptPurpose::Credential { path } => files::credential_data(cx, &path, &p.data),
        // Ended above.
        PromptPurpose::MfPut { .. } | PromptPurpose::MfWrite { .. } => {}
    }
}

/// Part of a file data mode's data, handed on before the mode ends.
pub(super) fn prompt_data(cx: &mut Ctx<'_>, purpose: &PromptPurpose, chunk: &[u8]) {
    files::data::chunk(cx, purpose, chunk);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_name_has_one_entry() {
        for n in Name::ALL {
            let entries = COMMANDS.iter().filter(|e| e.name == Some(*n)).count();
            let expected = usize::from(!matches!(n, Name::MftpUrc | Name::MatReady));
            assert_eq!(entries, expected, "{n:?}");
        }
    }
}

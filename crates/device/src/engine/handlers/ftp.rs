//! The channel commands `AT+MFTPCONN` ... `AT+MFTPSTATE` (§3.2-§3.13): checks that answer at
//! once (50, 801, 802, result 4), then an [`Action`](crate::engine::Action) for the channel task.

use crate::engine::action::{ChannelRequest, ConnectRequest, Eof, MAX_RETR_CHUNK};
use crate::engine::ctx::Ctx;
use crate::engine::download::RetrCut;
use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose, Transparent};
use ftpmodem_proto::command::PROMPT_DATA_MAX;
use ftpmodem_proto::{
    ChannelId, CmeError, Command, Conn, LocalFs, Profile, Response, ResultCode, SimpleOp, SslMode,
    Upload, UploadBody, UploadOp, Urc,
};

/// Every `AT+MFTP*` command but `AT+MFTPCFG`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    let Some(id) = cmd.channel() else {
        return cx.reply.error(CmeError::ParameterError);
    };
    match cmd {
        Command::MftpState(_) => {
            let s = cx.channels.get(id).state;
            cx.reply.respond(&Response::MftpState(id, s));
            return cx.reply.ok();
        }
        Command::MftpConn(c) => return connect(cx, c),
        Command::MftpDisc(_) => {
            if !cx.channels.get(id).running() {
                return cx.reply.error(CmeError::FtpNotRunning);
            }
            // DISC is accepted even while a command runs: it is the way out of a transfer
            // that hangs (docs/PROTOCOL.md).
            cx.reply.ok();
            let ch = cx.channels.get_mut(id);
            ch.busy = true;
            ch.closing = true;
            return cx.act(id, ChannelRequest::Disconnect);
        }
        _ => {}
    }
    if !cx.channels.get(id).running() {
        return cx.reply.error(CmeError::FtpNotRunning);
    }
    let local_fs = cx.channels.get(id).settings.local_fs;
    // Form checks come before the busy check: a malformed command is refused as such.
    if let Command::MftpStor(u) | Command::MftpAppe(u) = &cmd {
        let local_form = matches!(u.body, UploadBody::Local(_));
        if local_form != (local_fs == LocalFs::File) {
            return cx.reply.error(CmeError::ParameterError);
        }
    }
    if let Command::MftpRetr(r) = &cmd {
        if local_fs == LocalFs::File && r.local.is_none() {
            return cx.reply.error(CmeError::ParameterError);
        }
    }
    // A local file name follows the module's rule for local names, the one AT+MF* apply
    // (crate::fs::check_name; X-mftp: `test_@*%$.txt`, `中文.txt` → ERROR).
    let local_name = match &cmd {
        Command::MftpRetr(r) if local_fs == LocalFs::File => r.local.as_deref(),
        Command::MftpStor(u) | Command::MftpAppe(u) => match &u.body {
            UploadBody::Local(l) => Some(l.as_str()),
            _ => None,
        },
        _ => None,
    };
    if let Some(Err(e)) = local_name.map(crate::fs::check_name) {
        return cx.reply.error(CmeError::from_code(e.cme_code()));
    }
    if cx.channels.get(id).busy {
        cx.reply.ok();
        if let Some(op) = cx.op {
            cx.reply.urc(&op.report(id, ResultCode::Busy));
        }
        return;
    }
    let request = match cmd {
        Command::MftpCwd(_, p) => ChannelRequest::Cwd(p),
        Command::MftpPwd(_) => ChannelRequest::Pwd,
        Command::MftpMkd(_, p) => ChannelRequest::Mkd(p),
        Command::MftpList(_, p) => ChannelRequest::List(p),
        Command::MftpDel(_, p) => ChannelRequest::Delete(p),
        Command::MftpRn(_, from, to) => ChannelRequest::Rename { from, to },
        Command::MftpRetr(r) => ChannelRequest::Retr {
            file: r.file,
            local: if local_fs == LocalFs::File {
                r.local
            } else {
                None
            },
            offset: r.offset.unwrap_or(0),
            length: r.length,
            chunk: retr_chunk(&cx.cfg.profile),
        },
        Command::MftpStor(u) => return upload(cx, u, UploadOp::Stor),
        Command::MftpAppe(u) => return upload(cx, u, UploadOp::Appe),
        _ => return cx.reply.error(CmeError::ParameterError),
    };
    cx.reply.ok();
    let ch = cx.channels.get_mut(id);
    ch.busy = true;
    if let ChannelRequest::Retr { chunk, .. } = request {
        ch.retr = RetrCut::new(chunk);
    }
    cx.act(id, request);
}

fn connect(cx: &mut Ctx<'_>, c: Conn) {
    let ch = cx.channels.get(c.id);
    if ch.running() || ch.busy {
        return cx.reply.error(CmeError::FtpRunning);
    }
    let settings = ch.settings;
    let pdp = cx.pdp.get(settings.cid).filter(|p| p.active).cloned();
    cx.reply.ok();
    let Some(pdp) = pdp else {
        return cx.reply.urc(&Urc::Result {
            op: SimpleOp::Conn,
            id: c.id,
            code: ResultCode::PdpInactive,
        });
    };
    let default_port = if settings.ssl_mode == SslMode::Implicit {
        990
    } else {
        21
    };
    let tls = cx
        .ssl
        .0
        .get(usize::from(settings.ssl_id))
        .cloned()
        .unwrap_or_default();
    let req = ConnectRequest {
        host: c.host,
        port: c.port.unwrap_or(default_port),
        user: c
            .user
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "anonymous".into()),
        pass: c.pass.unwrap_or_default(),
        settings,
        tls,
        bind: pdp.bind,
    };
    let ch = cx.channels.get_mut(c.id);
    ch.busy = true;
    ch.session = true;
    cx.act(c.id, ChannelRequest::Connect(Box::new(req)));
}

fn upload(cx: &mut Ctx<'_>, u: Upload, op: UploadOp) {
    let Upload { id, file, body } = u;
    let now = cx.now;
    match body {
        UploadBody::Local(local) => {
            cx.reply.ok();
            cx.channels.get_mut(id).busy = true;
            cx.act(id, ChannelRequest::UploadLocal { op, file, local });
        }
        UploadBody::Inline { eof, data, .. } => upload_packet(cx, id, op, file, data, eof),
        UploadBody::Prompt { eof } => {
            let purpose = PromptPurpose::Upload { id, op, file, eof };
            cx.channels.get_mut(id).busy = true;
            cx.start_prompt(Prompt::new(
                purpose,
                PromptEnd::CtrlZ(usize::from(PROMPT_DATA_MAX)),
                now,
            ));
        }
        UploadBody::PromptLen { eof, len } => {
            let purpose = PromptPurpose::Upload { id, op, file, eof };
            cx.channels.get_mut(id).busy = true;
            cx.start_prompt(Prompt::new(
                purpose,
                PromptEnd::Length(usize::from(len)),
                now,
            ));
        }
        UploadBody::Transparent => {
            cx.channels.get_mut(id).busy = true;
            cx.act(id, ChannelRequest::UploadStreamBegin { op, file });
            cx.start_transparent(Transparent::new(id, now));
        }
    }
}

/// A packet is complete: `OK`, and the channel sends it.
pub(crate) fn upload_packet(
    cx: &mut Ctx<'_>,
    id: ChannelId,
    op: UploadOp,
    file: String,
    data: Vec<u8>,
    eof: Eof,
) {
    cx.reply.ok();
    cx.channels.get_mut(id).busy = true;
    cx.act(
        id,
        ChannelRequest::UploadPacket {
            op,
            file,
            data,
            eof,
        },
    );
}

/// Bytes per `+MFTPRETR` chunk: the profile's, within what a channel task accepts. The one
/// place the size is decided: the engine cuts with it (`download.rs`), the channel paces its
/// reads by it.
fn retr_chunk(p: &Profile) -> usize {
    p.retr_chunk.clamp(1, MAX_RETR_CHUNK)
}

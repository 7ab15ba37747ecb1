//! The channel commands `AT+MFTPCONN` ... `AT+MFTPSTATE` (§3.2-§3.13): checks that answer at
//! once (50, 801, 802, result 4), then an [`Action`](crate::engine::Action) for the channel task.

use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose, Transparent};
use crate::engine::{ChannelRequest, ConnectRequest, Engine, Eof};
use ftpmodem_proto::command::PROMPT_DATA_MAX;
use ftpmodem_proto::{
    ChannelId, CmeError, Command, Conn, LocalFs, Response, ResultCode, SimpleOp, SslMode, Upload,
    UploadBody, UploadOp, Urc,
};

impl Engine {
    pub(super) fn ftp_command(&mut self, cmd: Command) {
        let Some(id) = cmd.channel() else {
            return self.error(CmeError::ParameterError);
        };
        match cmd {
            Command::MftpState(_) => {
                let s = self.channels.get(id).state;
                self.respond(&Response::MftpState(id, s));
                return self.ok();
            }
            Command::MftpConn(c) => return self.connect(c),
            Command::MftpDisc(_) => {
                if !self.channels.get(id).running() {
                    return self.error(CmeError::FtpNotRunning);
                }
                // DISC is accepted even while a command runs: it is the way out of a transfer
                // that hangs (docs/PROTOCOL.md).
                self.ok();
                let ch = self.channels.get_mut(id);
                ch.busy = true;
                ch.closing = true;
                return self.act(id, ChannelRequest::Disconnect);
            }
            _ => {}
        }
        if !self.channels.get(id).running() {
            return self.error(CmeError::FtpNotRunning);
        }
        let local_fs = self.channels.get(id).settings.local_fs;
        // Form checks come before the busy check: a malformed command is refused as such.
        if let Command::MftpStor(u) | Command::MftpAppe(u) = &cmd {
            let local_form = matches!(u.body, UploadBody::Local(_));
            if local_form != (local_fs == LocalFs::File) {
                return self.error(CmeError::ParameterError);
            }
        }
        if let Command::MftpRetr(r) = &cmd {
            if local_fs == LocalFs::File && r.local.is_none() {
                return self.error(CmeError::ParameterError);
            }
        }
        if self.channels.get(id).busy {
            self.ok();
            if let Some(op) = cmd.ftp_op() {
                self.urc(&op.report(id, ResultCode::Busy));
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
                chunk: self.cfg.profile.retr_chunk,
            },
            Command::MftpStor(u) => return self.upload(u, UploadOp::Stor),
            Command::MftpAppe(u) => return self.upload(u, UploadOp::Appe),
            _ => return self.error(CmeError::ParameterError),
        };
        self.ok();
        self.channels.get_mut(id).busy = true;
        self.act(id, request);
    }

    fn connect(&mut self, c: Conn) {
        let ch = self.channels.get(c.id);
        if ch.running() || ch.busy {
            return self.error(CmeError::FtpRunning);
        }
        let settings = ch.settings;
        let pdp = self.pdp.get(settings.cid).filter(|p| p.active).cloned();
        self.ok();
        let Some(pdp) = pdp else {
            return self.urc(&Urc::Result {
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
        let tls = self
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
        let ch = self.channels.get_mut(c.id);
        ch.busy = true;
        ch.session = true;
        self.act(c.id, ChannelRequest::Connect(Box::new(req)));
    }

    fn upload(&mut self, u: Upload, op: UploadOp) {
        let Upload { id, file, body } = u;
        let now = self.now;
        match body {
            UploadBody::Local(local) => {
                self.ok();
                self.channels.get_mut(id).busy = true;
                self.act(id, ChannelRequest::UploadLocal { op, file, local });
            }
            UploadBody::Inline { eof, data, .. } => {
                self.upload_packet(id, op, file, data, Eof::from(eof))
            }
            UploadBody::Prompt { eof } => {
                let purpose = PromptPurpose::Upload {
                    id,
                    op,
                    file,
                    eof: Eof::from(eof),
                };
                self.channels.get_mut(id).busy = true;
                self.start_prompt(Prompt::new(
                    purpose,
                    PromptEnd::CtrlZ(usize::from(PROMPT_DATA_MAX)),
                    now,
                ));
            }
            UploadBody::PromptLen { eof, len } => {
                let purpose = PromptPurpose::Upload {
                    id,
                    op,
                    file,
                    eof: Eof::from(eof),
                };
                self.channels.get_mut(id).busy = true;
                self.start_prompt(Prompt::new(
                    purpose,
                    PromptEnd::Length(usize::from(len)),
                    now,
                ));
            }
            UploadBody::Transparent => {
                self.channels.get_mut(id).busy = true;
                self.act(id, ChannelRequest::UploadStreamBegin { op, file });
                self.start_transparent(Transparent::new(id, now));
            }
        }
    }

    /// A packet is complete: `OK`, and the channel sends it.
    pub(super) fn upload_packet(
        &mut self,
        id: ChannelId,
        op: UploadOp,
        file: String,
        data: Vec<u8>,
        eof: Eof,
    ) {
        self.ok();
        self.channels.get_mut(id).busy = true;
        self.act(
            id,
            ChannelRequest::UploadPacket {
                op,
                file,
                data,
                eof,
            },
        );
    }

    /// The prompt of an upload ended without data: the channel is free again.
    pub(crate) fn upload_prompt_abandoned(&mut self, id: ChannelId) {
        self.channels.get_mut(id).busy = false;
    }
}

//! One channel's task: waits for requests (watching an idle session for the server hanging
//! up), runs each to its report, and keeps the session only while it is usable.

use super::codes::{fs_result_code, ftp_result_code};
use super::config::connect_config;
use super::io::{Inbox, Outbox, Stop};
use super::{list, retr, upload, ChannelOptions};
use crate::engine::{ChannelRequest, ConnectRequest};
use crate::fs::Sandbox;
use crate::runtime::EventSender;
use ftpmodem_ftp::{FtpError, Session};
use ftpmodem_proto::{ChannelId, ChannelState, DataType, ResultCode, SimpleOp, UploadOp, Urc};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// A command's last report and the state that follows it (sent only if the session is still
/// usable; otherwise the disconnect sequence follows instead).
#[derive(Debug)]
pub(super) struct Final {
    pub(super) urc: Urc,
    pub(super) state: Option<ChannelState>,
}

impl Final {
    /// A report with no state change.
    pub(super) fn report(urc: Urc) -> Self {
        Final { urc, state: None }
    }

    /// A report followed by `State(Connected)`: the end of a transfer.
    pub(super) fn transfer_end(urc: Urc) -> Self {
        Final {
            urc,
            state: Some(ChannelState::Connected),
        }
    }
}

/// Sends a command's last report: `done` only if the session survived, since otherwise the
/// `+MFTPURC` that follows ends the command.
pub(super) async fn emit(out: &Outbox, f: Final, usable: bool) -> Result<(), Stop> {
    out.report(f.urc, usable).await?;
    if usable {
        if let Some(s) = f.state {
            out.state(s).await?;
        }
    }
    Ok(())
}

/// What a command needs besides the session.
pub(super) struct Ctx<'a> {
    pub(super) inbox: &'a mut Inbox,
    pub(super) out: &'a Outbox,
    pub(super) fs: &'a Sandbox,
    /// `AT+MFTPCFG` data_type 1: TYPE A with line-end conversion.
    pub(super) ascii: bool,
    pub(super) opts: &'a ChannelOptions,
}

/// A logged-in session and the settings it was opened with.
struct Conn {
    session: Session,
    ascii: bool,
}

/// What woke an idle task.
enum Idle {
    Request(Option<ChannelRequest>),
    Lost(FtpError),
}

/// One channel's state between requests.
pub(super) struct Task {
    fs: Sandbox,
    opts: ChannelOptions,
    inbox: Inbox,
    out: Outbox,
    conn: Option<Conn>,
}

impl Task {
    pub(super) fn new(
        id: ChannelId,
        fs: Sandbox,
        events: EventSender,
        rx: mpsc::Receiver<ChannelRequest>,
        opts: ChannelOptions,
    ) -> Self {
        Task {
            fs,
            opts,
            inbox: Inbox::new(rx),
            out: Outbox::new(id, events),
            conn: None,
        }
    }

    fn id(&self) -> ChannelId {
        self.out.id()
    }

    /// The task's life: until the runtime drops its ends.
    pub(super) async fn run(mut self) {
        loop {
            let req = match self.next_request().await {
                Ok(Some(r)) => r,
                Ok(None) | Err(_) => break,
            };
            let r = match self.handle(req).await {
                Ok(()) => self.check_session().await,
                Err(Stop::Disconnect) => self.disconnect(true).await,
                Err(Stop::PdpDown) => self.pdp_down().await,
                Err(Stop::Shutdown) => Err(Stop::Shutdown),
            };
            if r.is_err() {
                break;
            }
        }
        if let Some(c) = self.conn.take() {
            let _ = timeout(self.opts.quit_timeout, c.session.quit()).await;
        }
        tracing::debug!(channel = self.id().get(), "channel task ends");
    }

    /// The next request; while idle and connected, a server that hangs up is reported at once.
    async fn next_request(&mut self) -> Result<Option<ChannelRequest>, Stop> {
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return Ok(self.inbox.next().await);
            };
            if self.inbox.has_deferred() {
                return Ok(self.inbox.next().await);
            }
            let rx = self.inbox.receiver();
            // Both branches are cancel-safe: nothing is lost by the one that loses.
            let woke = tokio::select! {
                r = rx.recv() => Idle::Request(r),
                e = conn.session.closed() => Idle::Lost(e),
            };
            match woke {
                Idle::Request(r) => return Ok(r),
                Idle::Lost(e) => {
                    tracing::info!(channel = self.id().get(), error = %e, "server closed the session");
                    self.conn = None;
                    self.lost().await?;
                }
            }
        }
    }

    async fn handle(&mut self, req: ChannelRequest) -> Result<(), Stop> {
        let id = self.id();
        match req {
            ChannelRequest::Connect(c) => return self.connect(*c).await,
            ChannelRequest::Disconnect => {
                let full = self.conn.is_some();
                return self.disconnect(full).await;
            }
            ChannelRequest::PdpDown => {
                if self.conn.is_some() {
                    return self.pdp_down().await;
                }
                return Ok(());
            }
            ChannelRequest::UploadStreamData(_) | ChannelRequest::UploadStreamEnd => {
                // The rest of a transparent upload that already failed and was reported.
                return Ok(());
            }
            _ => {}
        }
        let Some(conn) = self.conn.as_mut() else {
            // The session was lost just before this request arrived (its +MFTPURC is out).
            if let Some(urc) = failure_urc(&req, id, ResultCode::NetworkError) {
                self.out.report(urc, true).await?;
            }
            return Ok(());
        };
        let session = &mut conn.session;
        let mut ctx = Ctx {
            inbox: &mut self.inbox,
            out: &self.out,
            fs: &self.fs,
            ascii: conn.ascii,
            opts: &self.opts,
        };
        let done = match req {
            ChannelRequest::Cwd(p) => {
                let r = ctx.inbox.guard(session.cwd(&p)).await?;
                simple(SimpleOp::Cwd, id, r)
            }
            ChannelRequest::Mkd(p) => {
                let r = ctx.inbox.guard(session.mkd(&p)).await?;
                simple(SimpleOp::Mkd, id, r)
            }
            ChannelRequest::Delete(p) => {
                let r = ctx.inbox.guard(session.delete_any(&p)).await?;
                simple(SimpleOp::Del, id, r)
            }
            ChannelRequest::Rename { from, to } => {
                let r = ctx.inbox.guard(session.rename(&from, &to)).await?;
                simple(SimpleOp::Rn, id, r)
            }
            ChannelRequest::Pwd => {
                let r = ctx.inbox.guard(session.pwd()).await?;
                Final::report(match r {
                    Ok(path) => Urc::Pwd {
                        id,
                        code: ResultCode::Success,
                        path: Some(path),
                    },
                    Err(e) => Urc::Pwd {
                        id,
                        code: failed(id, &e),
                        path: None,
                    },
                })
            }
            ChannelRequest::List(p) => list::list(session, &mut ctx, &p).await?,
            ChannelRequest::Retr {
                file,
                local,
                offset,
                length,
                chunk,
            } => match local {
                None => retr::to_serial(session, &mut ctx, &file, offset, length, chunk).await?,
                Some(l) => retr::to_local(session, &mut ctx, &file, &l, offset, length).await?,
            },
            ChannelRequest::UploadLocal {
                append,
                file,
                local,
            } => upload::local(session, &mut ctx, append, &file, &local).await?,
            ChannelRequest::UploadPacket {
                append,
                file,
                data,
                eof,
            } => {
                return upload::packets(session, &mut ctx, append, file, data, eof).await;
            }
            ChannelRequest::UploadStreamBegin { append, file } => {
                return upload::stream(session, &mut ctx, append, &file).await;
            }
            // Handled above.
            ChannelRequest::Connect(_)
            | ChannelRequest::Disconnect
            | ChannelRequest::PdpDown
            | ChannelRequest::UploadStreamData(_)
            | ChannelRequest::UploadStreamEnd => return Ok(()),
        };
        let usable = session.is_usable();
        emit(&self.out, done, usable).await
    }

    async fn connect(&mut self, req: ConnectRequest) -> Result<(), Stop> {
        let id = self.id();
        if let Some(old) = self.conn.take() {
            // The engine refuses CONN on a connected channel (802); should one come anyway,
            // the old session is closed rather than leaked.
            let _ = timeout(self.opts.quit_timeout, old.session.quit()).await;
        }
        let ascii = req.settings.data_type == DataType::Ascii;
        let conn_report = |code| Urc::Result {
            op: SimpleOp::Conn,
            id,
            code,
        };
        let cfg = match self
            .inbox
            .guard(connect_config(&req, &self.fs, &self.opts))
            .await?
        {
            Ok(cfg) => cfg,
            Err(code) => return self.out.report(conn_report(code), true).await,
        };
        match self.inbox.guard(Session::connect(&cfg)).await? {
            Ok(session) => {
                self.conn = Some(Conn { session, ascii });
                self.out.state(ChannelState::Connected).await?;
                self.out
                    .report(conn_report(ResultCode::Success), true)
                    .await
            }
            Err(e) => {
                let code = failed(id, &e);
                self.out.report(conn_report(code), true).await
            }
        }
    }

    /// `AT+MFTPDISC`: QUIT (bounded), then the report, the state and the URC. With `full`
    /// false (the session was already lost and reported) only `+MFTPDISC` answers.
    async fn disconnect(&mut self, full: bool) -> Result<(), Stop> {
        let id = self.id();
        if let Some(c) = self.conn.take() {
            match timeout(self.opts.quit_timeout, c.session.quit()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::debug!(channel = id.get(), error = %e, "QUIT failed"),
                Err(_) => tracing::debug!(channel = id.get(), "QUIT unanswered, closed anyway"),
            }
        }
        let disc = Urc::Result {
            op: SimpleOp::Disc,
            id,
            code: ResultCode::Success,
        };
        if !full {
            return self.out.report(disc, true).await;
        }
        self.out.report(disc, false).await?;
        self.lost().await
    }

    /// The PDP context went down: no QUIT (there is no network), just the disconnect.
    async fn pdp_down(&mut self) -> Result<(), Stop> {
        self.conn = None;
        self.lost().await
    }

    /// A command left the session unusable: it is dropped and the disconnect reported.
    async fn check_session(&mut self) -> Result<(), Stop> {
        if self.conn.as_ref().is_some_and(|c| !c.session.is_usable()) {
            self.conn = None;
            return self.lost().await;
        }
        Ok(())
    }

    /// `State(Disconnected)` and `+MFTPURC: <id>,"conn",0`, which ends whatever ran.
    async fn lost(&mut self) -> Result<(), Stop> {
        let id = self.id();
        self.out.state(ChannelState::Disconnected).await?;
        self.out.report(Urc::ConnState { id, state: 0 }, true).await
    }
}

/// Logs a failed operation and returns its result code.
pub(super) fn failed(id: ChannelId, e: &FtpError) -> ResultCode {
    let code = ftp_result_code(e);
    tracing::info!(channel = id.get(), error = %e, code = code.code(), "FTP operation failed");
    code
}

/// Logs a failed local file operation and returns its result code.
pub(super) fn fs_failed(id: ChannelId, e: &crate::fs::FsError) -> ResultCode {
    let code = fs_result_code(e);
    tracing::info!(channel = id.get(), error = %e, code = code.code(), "local file operation failed");
    code
}

fn simple(op: SimpleOp, id: ChannelId, r: Result<(), FtpError>) -> Final {
    let code = match r {
        Ok(()) => ResultCode::Success,
        Err(e) => failed(id, &e),
    };
    Final::report(Urc::Result { op, id, code })
}

/// The failure report of a command, for one that cannot run at all.
fn failure_urc(req: &ChannelRequest, id: ChannelId, code: ResultCode) -> Option<Urc> {
    let simple = |op| Some(Urc::Result { op, id, code });
    let upload = |append: bool| {
        Some(Urc::Upload {
            op: if append {
                UploadOp::Appe
            } else {
                UploadOp::Stor
            },
            id,
            code,
            sent: 0,
        })
    };
    match req {
        ChannelRequest::Cwd(_) => simple(SimpleOp::Cwd),
        ChannelRequest::Mkd(_) => simple(SimpleOp::Mkd),
        ChannelRequest::Delete(_) => simple(SimpleOp::Del),
        ChannelRequest::Rename { .. } => simple(SimpleOp::Rn),
        ChannelRequest::Pwd => Some(Urc::Pwd {
            id,
            code,
            path: None,
        }),
        ChannelRequest::List(_) => Some(Urc::ListResult { id, code }),
        ChannelRequest::Retr { .. } => Some(Urc::RetrResult { id, code }),
        ChannelRequest::UploadLocal { append, .. }
        | ChannelRequest::UploadPacket { append, .. }
        | ChannelRequest::UploadStreamBegin { append, .. } => upload(*append),
        ChannelRequest::Connect(_)
        | ChannelRequest::Disconnect
        | ChannelRequest::PdpDown
        | ChannelRequest::UploadStreamData(_)
        | ChannelRequest::UploadStreamEnd => None,
    }
}

//! One channel's task: waits for requests (watching an idle session for the server hanging
//! up), runs each to its report, and keeps the session only while it is usable.

use super::config::connect_config;
use super::io::{Inbox, Outbox, Stop};
use super::options::{ChannelOptions, EventSender};
use super::report::{emit, failed, Ctx, Final};
use super::{list, retr, upload};
use crate::engine::{ChannelRequest, ConnectRequest};
use crate::fs::Sandbox;
use ftpmodem_ftp::{FtpError, Session};
use ftpmodem_proto::{ChannelId, ChannelState, DataType, ResultCode, SimpleOp, Urc};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// A logged-in session and the settings it was opened with.
struct Conn {
    session: Session,
    data_type: DataType,
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
    /// TLS sessions kept across connects (`AT+MSSLCFG="session"`).
    tls_sessions: super::config::TlsSessions,
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
            tls_sessions: Default::default(),
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
            if let Some(op) = req.op() {
                self.out
                    .report(op.report(id, ResultCode::NetworkError), true)
                    .await?;
            }
            return Ok(());
        };
        let session = &mut conn.session;
        let mut ctx = Ctx {
            inbox: &mut self.inbox,
            out: &self.out,
            fs: &self.fs,
            data_type: conn.data_type,
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
            ChannelRequest::UploadLocal { op, file, local } => {
                upload::local(session, &mut ctx, op, &file, &local).await?
            }
            ChannelRequest::UploadPacket {
                op,
                file,
                data,
                eof,
            } => {
                return upload::packets(session, &mut ctx, op, file, data, eof).await;
            }
            ChannelRequest::UploadStreamBegin { op, file } => {
                return upload::stream(session, &mut ctx, op, &file).await;
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
        let data_type = req.settings.data_type;
        let conn_report = |code| Urc::Result {
            op: SimpleOp::Conn,
            id,
            code,
        };
        let cfg = match self
            .inbox
            .guard(connect_config(
                &req,
                &self.fs,
                &self.opts,
                &mut self.tls_sessions,
            ))
            .await?
        {
            Ok(cfg) => cfg,
            Err(code) => return self.out.report(conn_report(code), true).await,
        };
        let net = match &self.opts.net_faults {
            Some(f) => f.network(self.id().get()),
            None => std::sync::Arc::new(ftpmodem_ftp::net::SystemNetwork),
        };
        match self.inbox.guard(Session::connect_via(&cfg, net)).await? {
            Ok(session) => {
                self.conn = Some(Conn { session, data_type });
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

fn simple(op: SimpleOp, id: ChannelId, r: Result<(), FtpError>) -> Final {
    let code = match r {
        Ok(()) => ResultCode::Success,
        Err(e) => failed(id, &e),
    };
    Final::report(Urc::Result { op, id, code })
}

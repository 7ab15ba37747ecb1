//! One FTP channel of the module: the commands that act on a connect_id (§3.1-§3.13).
//!
//! A call takes the channel for its whole duration (a second call on the same channel waits;
//! the module would answer it with result 4 anyway), registers itself as the receiver of the
//! channel's reports, sends its command, and waits for the report that ends it.

use crate::driver::{Data, Route, Shared};
use crate::error::{Error, Result};
use crate::types::{arg, ChannelConfig, ListEntry, Login};
use crate::{Answer, Modem};
use ftpmodem_proto::{
    CfgRequest, CfgValue, ChannelId, ChannelState, Command, Conn, Response, ResultCode, SimpleOp,
    Urc,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, OwnedMutexGuard};
use tokio::time::Instant;

/// Most entries one listing may report before the call fails, so a runaway listing cannot
/// take memory without bound.
pub const MAX_LIST_ENTRIES: usize = 1 << 20;

/// FTP channel `id` of a [`Modem`]. Cheap to clone; calls on one channel run one at a time,
/// calls on different channels run at once.
#[derive(Debug, Clone)]
pub struct Channel {
    pub(crate) modem: Modem,
    pub(crate) id: ChannelId,
}

/// A call's hold on its channel: the channel's lock and the route of its reports.
///
/// The route takes reports only from the `OK` of the call's own command on
/// ([`Subscription::command`]): what the channel printed before (chunks of a download an
/// earlier host abandoned, the end of a disconnect) is not this call's.
pub(crate) struct Subscription {
    pub(crate) rx: mpsc::Receiver<Urc>,
    shared: Arc<Shared>,
    id: ChannelId,
    modem: Modem,
    /// Set by the driver when it gave up on this call for taking no report in time.
    abandoned: Arc<AtomicBool>,
    _lock: OwnedMutexGuard<()>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.route(self.id, None);
    }
}

impl Subscription {
    /// The next report of the channel, within `timeout`.
    pub(crate) async fn next(&mut self, timeout: Duration, what: &'static str) -> Result<Urc> {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(u)) => Ok(u),
            Ok(None) if self.abandoned.load(Ordering::Relaxed) => Err(Error::Timeout {
                after: self.shared.stall,
                waiting_for: "the caller to take the channel's reports",
                last_heard: None,
            }),
            Ok(None) => Err(Error::LineClosed("driver stopped".into())),
            Err(_) => Err(Error::Timeout {
                after: timeout,
                waiting_for: what,
                last_heard: None,
            }),
        }
    }

    /// Sends the call's command; the channel's reports are taken from its `OK` on.
    pub(crate) async fn command(&self, cmd: &Command) -> Result<Answer> {
        let timeout = self.modem.opts.command_timeout;
        self.submit(cmd.to_bytes(), Data::None, timeout).await
    }

    /// [`Subscription::command`] with data for a prompt or transparent mode.
    pub(crate) async fn submit(
        &self,
        line: Vec<u8>,
        data: Data,
        timeout: Duration,
    ) -> Result<Answer> {
        self.modem
            .submit_for(line, data, timeout, Some(self.id))
            .await
    }
}

pub(crate) fn check(op: &'static str, id: ChannelId, code: ResultCode) -> Result<()> {
    if code == ResultCode::Success {
        Ok(())
    } else {
        Err(Error::Result {
            op,
            channel: id,
            code,
        })
    }
}

impl Channel {
    pub(crate) fn new(modem: Modem, id: ChannelId) -> Channel {
        Channel { modem, id }
    }

    /// The channel's number.
    pub fn id(&self) -> ChannelId {
        self.id
    }

    /// Takes the channel and routes its reports to the returned subscription.
    pub(crate) async fn subscribe(&self) -> Subscription {
        let shared = self.modem.shared.clone();
        let lock = shared
            .channel_locks
            .get(self.id.index())
            .cloned()
            .unwrap_or_default()
            .lock_owned()
            .await;
        let (tx, rx) = mpsc::channel(self.modem.opts.route_queue.max(1));
        let abandoned = Arc::new(AtomicBool::new(false));
        shared.route(self.id, Some(Route::new(tx, abandoned.clone())));
        Subscription {
            rx,
            shared,
            id: self.id,
            modem: self.modem.clone(),
            abandoned,
            _lock: lock,
        }
    }

    pub(crate) fn report_timeout(&self) -> Duration {
        self.modem.opts.report_timeout
    }

    /// Sends `cmd`, then waits for the report `pick` accepts (`Some(result)`); other reports
    /// of the channel are ignored, a disconnect ends the wait.
    async fn call<T>(
        &self,
        cmd: Command,
        what: &'static str,
        mut pick: impl FnMut(Urc) -> Option<Result<T>>,
    ) -> Result<T> {
        let mut sub = self.subscribe().await;
        sub.command(&cmd).await?;
        loop {
            let u = sub.next(self.report_timeout(), what).await?;
            if let Urc::ConnState { id, .. } = u {
                return Err(Error::Disconnected(id));
            }
            if let Some(r) = pick(u) {
                return r;
            }
        }
    }

    async fn simple(&self, cmd: Command, op: SimpleOp, name: &'static str) -> Result<()> {
        let id = self.id;
        self.call(cmd, name, |u| match u {
            Urc::Result { op: o, code, .. } if o == op => Some(check(name, id, code)),
            _ => None,
        })
        .await
    }

    /// Sets every `AT+MFTPCFG` key to `cfg` (only while disconnected: `+CME ERROR: 802`
    /// otherwise; the hardware profiles refuse active mode and FTPS with 50).
    pub async fn configure(&self, cfg: &ChannelConfig) -> Result<()> {
        for v in cfg.values() {
            self.set(v).await?;
        }
        Ok(())
    }

    /// Sets one `AT+MFTPCFG` key.
    pub async fn set(&self, value: CfgValue) -> Result<()> {
        self.modem
            .command(&Command::MftpCfg(CfgRequest::Set(self.id, value)))
            .await
            .map(drop)
    }

    /// Reads the channel's settings (`AT+MFTPCFG=<id>`).
    pub async fn config(&self) -> Result<ChannelConfig> {
        let a: Answer = self
            .modem
            .command(&Command::MftpCfg(CfgRequest::ReadAll(self.id)))
            .await?;
        let mut cfg = ChannelConfig::default();
        let mut seen = 0;
        for r in a.info {
            if let Response::MftpCfg(id, v) = r {
                if id == self.id {
                    cfg.apply(v);
                    seen += 1;
                }
            }
        }
        if seen == 0 {
            return Err(Error::Protocol("AT+MFTPCFG printed no setting".into()));
        }
        Ok(cfg)
    }

    /// Logs in (`AT+MFTPCONN`), waiting for `+MFTPCONN: <id>,0`.
    pub async fn connect(&self, login: &Login) -> Result<()> {
        let cmd = Command::MftpConn(Conn {
            id: self.id,
            host: arg("host", &login.host)?,
            user: login.user.as_deref().map(|u| arg("user", u)).transpose()?,
            pass: login
                .password
                .as_deref()
                .map(|p| arg("password", p))
                .transpose()?,
            port: login.port,
        });
        self.simple(cmd, SimpleOp::Conn, "AT+MFTPCONN").await
    }

    /// Logs out (`AT+MFTPDISC`), waiting for `+MFTPDISC: <id>,0`. Also cancels a command
    /// that hangs on the channel.
    pub async fn disconnect(&self) -> Result<()> {
        let id = self.id;
        let mut sub = self.subscribe().await;
        sub.command(&Command::MftpDisc(id)).await?;
        loop {
            match sub.next(self.report_timeout(), "+MFTPDISC").await? {
                Urc::Result {
                    op: SimpleOp::Disc,
                    code,
                    ..
                } => return check("AT+MFTPDISC", id, code),
                _ => continue,
            }
        }
    }

    /// Changes the server's working directory (`AT+MFTPCWD`).
    pub async fn cwd(&self, path: &str) -> Result<()> {
        let cmd = Command::MftpCwd(self.id, arg("path", path)?);
        self.simple(cmd, SimpleOp::Cwd, "AT+MFTPCWD").await
    }

    /// The server's working directory (`AT+MFTPPWD`).
    pub async fn pwd(&self) -> Result<String> {
        let id = self.id;
        self.call(Command::MftpPwd(id), "+MFTPPWD", |u| match u {
            Urc::Pwd { code, path, .. } => Some(check("AT+MFTPPWD", id, code).and_then(|()| {
                path.ok_or_else(|| Error::Protocol("+MFTPPWD without a path".into()))
            })),
            _ => None,
        })
        .await
    }

    /// Creates a directory on the server (`AT+MFTPMKD`).
    pub async fn mkdir(&self, path: &str) -> Result<()> {
        let cmd = Command::MftpMkd(self.id, arg("path", path)?);
        self.simple(cmd, SimpleOp::Mkd, "AT+MFTPMKD").await
    }

    /// Deletes a file or an empty directory on the server (`AT+MFTPDEL`).
    pub async fn delete(&self, path: &str) -> Result<()> {
        let cmd = Command::MftpDel(self.id, arg("path", path)?);
        self.simple(cmd, SimpleOp::Del, "AT+MFTPDEL").await
    }

    /// Renames a file or directory on the server (`AT+MFTPRN`).
    pub async fn rename(&self, from: &str, to: &str) -> Result<()> {
        let cmd = Command::MftpRn(self.id, arg("old name", from)?, arg("new name", to)?);
        self.simple(cmd, SimpleOp::Rn, "AT+MFTPRN").await
    }

    /// The channel's state (`AT+MFTPSTATE`): 0 disconnected, 1 connected, 2 downloading,
    /// 3 uploading.
    pub async fn state(&self) -> Result<ChannelState> {
        state_of(&self.modem, self.id).await
    }

    /// Lists a directory (or one file) on the server (`AT+MFTPLIST`). An empty directory
    /// (result 14) is an empty list.
    ///
    /// The module marks no last entry. Once the entries pause, the call asks `AT+MFTPPWD` on
    /// the same channel: while the listing runs the module answers it at once with result 4
    /// (busy); once it answers for real, every entry was printed before that answer.
    pub async fn list(&self, path: &str) -> Result<Vec<ListEntry>> {
        let id = self.id;
        let mut sub = self.subscribe().await;
        sub.command(&Command::MftpList(id, arg("path", path)?))
            .await?;
        let mut entries = Vec::new();
        let mut probe: Option<tokio::task::JoinHandle<Result<()>>> = None;
        let mut probing = false;
        let mut last = Instant::now();
        let idle = self.modem.opts.poll_idle;
        loop {
            let probe_at = (!probing).then_some(last + idle);
            tokio::select! {
                u = sub.next(self.report_timeout(), "+MFTPLIST") => {
                    last = Instant::now();
                    match u? {
                        Urc::ListDir { name, perm, .. } => entries.push(ListEntry {
                            name, size: None, modified: None, perm,
                        }),
                        Urc::ListFile { name, size, modified, perm, .. } => entries.push(ListEntry {
                            name, size: Some(size), modified: Some(modified), perm,
                        }),
                        Urc::ListResult { code: ResultCode::EmptyDirectory, .. } => return Ok(entries),
                        Urc::ListResult { code, .. } => {
                            check("AT+MFTPLIST", id, code)?;
                            return Ok(entries);
                        }
                        Urc::Pwd { code: ResultCode::Busy, .. } => probing = false,
                        // The probe ran: the listing had ended before it.
                        Urc::Pwd { .. } => return Ok(entries),
                        Urc::ConnState { .. } => return Err(Error::Disconnected(id)),
                        _ => {}
                    }
                    if entries.len() > MAX_LIST_ENTRIES {
                        return Err(Error::Protocol("listing too long".into()));
                    }
                }
                r = join_opt(&mut probe) => {
                    probe = None;
                    r?;
                }
                () = sleep_opt(probe_at) => {
                    probing = true;
                    let m = self.modem.clone();
                    probe = Some(tokio::spawn(async move {
                        m.command(&Command::MftpPwd(id)).await.map(drop)
                    }));
                }
            }
        }
    }
}

/// `AT+MFTPSTATE=<id>`.
pub(crate) async fn state_of(modem: &Modem, id: ChannelId) -> Result<ChannelState> {
    let a = modem.command(&Command::MftpState(id)).await?;
    a.info
        .into_iter()
        .find_map(|r| match r {
            Response::MftpState(i, s) if i == id => Some(s),
            _ => None,
        })
        .ok_or_else(|| Error::Protocol("AT+MFTPSTATE printed no state".into()))
}

/// Awaits a spawned call, or never when there is none.
pub(crate) async fn join_opt<T>(h: &mut Option<tokio::task::JoinHandle<Result<T>>>) -> Result<T> {
    match h {
        Some(h) => h
            .await
            .unwrap_or_else(|e| Err(Error::Protocol(format!("query task failed: {e}")))),
        None => std::future::pending().await,
    }
}

pub(crate) async fn sleep_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

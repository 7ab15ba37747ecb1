//! The async half: one FTP session (control connection plus its data connections).
//!
//! Every method holds `&mut self`, so one command runs at a time, as the protocol requires.
//! A command future that is dropped half way (e.g. losing a `select!`) leaves the control
//! connection out of step: the session notices and refuses further commands with
//! [`FtpError::Broken`]. Only [`Session::closed`] is cancel-safe.

mod abort;
mod config;
mod control;
mod data;
mod listing;
pub mod net;
mod stream;
mod transfer;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::time::{timeout, Instant};

pub use config::{ConnectConfig, DataMode, Security};
pub use listing::{Listing, MAX_COLLECTED};
pub use transfer::{Download, Upload};

use crate::command::{Command, TransferType};
use crate::decode::{parse_257, parse_mdtm, parse_size, Features};
use crate::error::{FtpError, ProtocolError};
use crate::reply::{Reply, ReplyCode};
use crate::time::Timestamp;
use crate::tls::{TlsContext, TlsVersion};

use control::{check, Control};

/// Runs one operation with the busy/broken bookkeeping: `$s` names the session inside the
/// body. (A macro rather than a closure-taking helper, to stay within the MSRV.)
macro_rules! guarded {
    ($self:ident, $s:ident, $body:block) => {{
        $self.begin()?;
        let $s = &mut *$self;
        let r: Result<_, FtpError> = async { $body }.await;
        $self.end(&r);
        r
    }};
}
use net::{ConnectTo, Network, Purpose, SystemNetwork};
use stream::Stream;

/// Most `120` replies accepted before the greeting.
const MAX_120: usize = 8;

/// How data-connection TLS handshakes went, to check that session resumption works (servers
/// such as vsftpd refuse data connections that do not resume).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataTlsStats {
    /// Handshakes that resumed the control connection's session.
    pub resumed: u32,
    /// Full handshakes.
    pub full: u32,
}

/// A logged-in FTP session.
#[derive(Debug)]
pub struct Session {
    ctrl: Control,
    cfg: ConnectConfig,
    tls: Option<TlsContext>,
    prot_p: bool,
    peer: SocketAddr,
    welcome: Reply,
    features: Features,
    transfer_type: TransferType,
    epsv_refused: bool,
    port_refused: bool,
    mlsd_refused: bool,
    /// A REST was accepted for a transfer that ended early; some servers (libunftp) keep the
    /// offset for the next transfer then, so it is reset with `REST 0` first.
    rest_dirty: bool,
    /// Set while a command runs; still set afterwards means its future was dropped.
    busy: bool,
    broken: bool,
    data_tls: DataTlsStats,
    /// Where connections come from: the system's sockets unless a test bench put its own.
    net: Arc<dyn Network>,
}

impl Session {
    /// Resolves, connects, secures and logs in, leaving the session in binary mode.
    ///
    /// The sequence: TCP connect (from `bind`, within `connect_timeout`); TLS at once for
    /// implicit FTPS; banner `220` (after any `120`); `AUTH TLS` for explicit FTPS; `USER` /
    /// `PASS` (`332`, an account, is refused as unsupported); `PBSZ 0` and `PROT P` after
    /// either kind of TLS; `FEAT` (failure ignored); `OPTS UTF8 ON` when announced;
    /// `TYPE I`.
    pub async fn connect(cfg: &ConnectConfig) -> Result<Session, FtpError> {
        Self::connect_via(cfg, Arc::new(SystemNetwork)).await
    }

    /// [`Session::connect`] over `net`, which also opens every data connection of the
    /// session.
    pub async fn connect_via(
        cfg: &ConnectConfig,
        net: Arc<dyn Network>,
    ) -> Result<Session, FtpError> {
        let deadline = Instant::now() + cfg.connect_timeout;
        let addrs = net
            .resolve(&cfg.host, cfg.port, cfg.connect_timeout)
            .await?;
        let tcp = net
            .connect(ConnectTo {
                host: &cfg.host,
                addrs: &addrs,
                bind: cfg.bind,
                deadline,
                purpose: Purpose::Control,
            })
            .await?;
        let peer = tcp.peer_addr().map_err(FtpError::Connection)?;
        let tls = match cfg.security {
            config::Security::None => None,
            _ => Some(TlsContext::new(&cfg.tls, &cfg.host)?),
        };
        let stream = match (&cfg.security, &tls) {
            (Security::Implicit, Some(t)) => {
                let trust = net.tls_trust(&cfg.host, Purpose::Control);
                Stream::tls_handshake(tcp, t, cfg.reply_timeout, trust).await?
            }
            _ => Stream::Plain(tcp),
        };
        let mut ctrl = Control::new(stream, cfg.reply_timeout);
        // `120 ready in n minutes` may precede the 220; a few are plenty (each waits up to the
        // reply timeout), an endless stream of them is a server we cannot use.
        let mut welcome = None;
        for _ in 0..MAX_120 {
            let r = ctrl.read_reply().await?;
            if r.code.as_u16() != 120 {
                welcome = Some(check("connect", r, |r| r.code == ReplyCode::SERVICE_READY)?);
                break;
            }
        }
        let Some(welcome) = welcome else {
            return Err(FtpError::Timeout(
                cfg.reply_timeout,
                "220 after repeated 120",
            ));
        };
        if let (Security::Explicit, Some(t)) = (&cfg.security, &tls) {
            check("AUTH", ctrl.command(&Command::AuthTls).await?, |r| {
                r.code == ReplyCode::AUTH_OK
            })?;
            if ctrl.has_buffered() {
                return Err(ProtocolError::DataBeforeTls.into());
            }
            let Stream::Plain(tcp) = ctrl.stream else {
                return Err(FtpError::Broken);
            };
            let trust = net.tls_trust(&cfg.host, Purpose::Control);
            let s = Stream::tls_handshake(tcp, t, cfg.reply_timeout, trust).await?;
            ctrl = Control::new(s, cfg.reply_timeout);
        }
        let mut session = Session {
            ctrl,
            cfg: cfg.clone(),
            prot_p: false,
            tls,
            peer,
            welcome,
            features: Features::default(),
            transfer_type: TransferType::Ascii,
            epsv_refused: false,
            port_refused: false,
            mlsd_refused: false,
            rest_dirty: false,
            busy: false,
            broken: false,
            data_tls: DataTlsStats::default(),
            net,
        };
        session.login().await?;
        Ok(session)
    }

    async fn login(&mut self) -> Result<(), FtpError> {
        let user = self.cfg.user.clone();
        let pass = self.cfg.password.clone();
        let r = self.ctrl.command(&Command::User(&user)).await?;
        let r = if r.code == ReplyCode::NEED_PASSWORD {
            self.ctrl.command(&Command::Pass(&pass)).await?
        } else {
            r
        };
        if r.code == ReplyCode::NEED_ACCOUNT {
            return Err(FtpError::Refused {
                command: "ACCT (not supported)",
                reply: r,
            });
        }
        check("login", r, |r| r.code.is_positive_completion())?;
        if self.tls.is_some() {
            self.ctrl.expect_2xx(&Command::Pbsz0).await?;
            self.ctrl.expect_2xx(&Command::ProtP).await?;
            self.prot_p = true;
        }
        let feat = self.ctrl.command(&Command::Feat).await?;
        self.features = Features::parse(&feat);
        if self.features.has("UTF8") {
            // Servers that need it (IIS) say so in FEAT; a refusal changes nothing.
            self.ctrl.command(&Command::OptsUtf8On).await?;
        }
        self.set_type(TransferType::Binary).await
    }

    async fn set_type(&mut self, t: TransferType) -> Result<(), FtpError> {
        if self.transfer_type != t {
            self.ctrl.expect_2xx(&Command::Type(t)).await?;
            self.transfer_type = t;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), FtpError> {
        if self.broken || self.busy {
            self.broken = true;
            return Err(FtpError::Broken);
        }
        self.busy = true;
        Ok(())
    }

    fn end<T>(&mut self, r: &Result<T, FtpError>) {
        self.busy = false;
        if let Err(e) = r {
            if !e.session_survives() {
                self.broken = true;
            }
        }
    }

    /// The server's greeting (`220`).
    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    /// What the server announced in FEAT (empty when it does not support FEAT).
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// The control connection's peer.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The control connection's local address.
    pub fn local_addr(&self) -> Result<SocketAddr, FtpError> {
        self.ctrl
            .stream
            .tcp()
            .local_addr()
            .map_err(FtpError::Connection)
    }

    /// The TLS version of the control connection (`None` for plain FTP).
    pub fn tls_version(&self) -> Option<TlsVersion> {
        self.ctrl.stream.tls_version()
    }

    /// Whether the control connection's TLS handshake resumed an earlier session (`None` for
    /// plain FTP): a reconnect with a shared [`SessionCache`](crate::SessionCache) does.
    pub fn control_tls_resumed(&self) -> Option<bool> {
        self.ctrl.stream.tls_resumed()
    }

    /// Resumed versus full TLS handshakes on data connections so far.
    pub fn data_tls_stats(&self) -> DataTlsStats {
        self.data_tls
    }

    /// Whether further commands can be sent; false after a timeout, a connection or protocol
    /// error, or an abandoned command or transfer.
    pub fn is_usable(&self) -> bool {
        !self.broken && !self.busy
    }

    /// `PWD`: the current directory.
    pub async fn pwd(&mut self) -> Result<String, FtpError> {
        guarded!(self, s, {
            let r = s.ctrl.command(&Command::Pwd).await?;
            let r = check("PWD", r, |r| r.code == ReplyCode::PATHNAME)?;
            parse_257(&r).ok_or_else(|| {
                ProtocolError::Undecodable {
                    command: "PWD",
                    reply: r,
                }
                .into()
            })
        })
    }

    /// `CWD path`.
    pub async fn cwd(&mut self, path: &str) -> Result<(), FtpError> {
        self.simple(Command::Cwd(path)).await
    }

    /// `MKD path`.
    pub async fn mkd(&mut self, path: &str) -> Result<(), FtpError> {
        self.simple(Command::Mkd(path)).await
    }

    /// `RMD path`.
    pub async fn rmd(&mut self, path: &str) -> Result<(), FtpError> {
        self.simple(Command::Rmd(path)).await
    }

    /// `DELE path`.
    pub async fn dele(&mut self, path: &str) -> Result<(), FtpError> {
        self.simple(Command::Dele(path)).await
    }

    /// `NOOP`: checks that the session is alive.
    pub async fn noop(&mut self) -> Result<(), FtpError> {
        self.simple(Command::Noop).await
    }

    /// Deletes a file or an empty directory (the module's `AT+MFTPDEL`): `DELE`, and when
    /// that is refused with `550` (what servers answer for a directory), `RMD`. When both are
    /// refused the `DELE` refusal is returned, since most deletes name files.
    pub async fn delete_any(&mut self, path: &str) -> Result<(), FtpError> {
        guarded!(self, s, {
            let r = s.ctrl.command(&Command::Dele(path)).await?;
            if r.code.is_positive_completion() {
                return Ok(());
            }
            if r.code.as_u16() != 550 {
                return check("DELE", r, |_| false).map(|_| ());
            }
            let r2 = s.ctrl.command(&Command::Rmd(path)).await?;
            if r2.code.is_positive_completion() {
                Ok(())
            } else if r2.code.is_negative() {
                Err(FtpError::Refused {
                    command: "DELE",
                    reply: r,
                })
            } else {
                check("RMD", r2, |_| false).map(|_| ())
            }
        })
    }

    /// `RNFR from` + `RNTO to`.
    pub async fn rename(&mut self, from: &str, to: &str) -> Result<(), FtpError> {
        guarded!(self, s, {
            // Encode both first, so a bad `to` cannot leave a dangling RNFR behind.
            Command::Rnto(to).to_bytes()?;
            let r = s.ctrl.command(&Command::Rnfr(from)).await?;
            check("RNFR", r, |r| r.code == ReplyCode::PENDING)?;
            s.ctrl.expect_2xx(&Command::Rnto(to)).await.map(|_| ())
        })
    }

    /// `SIZE path` (in binary mode, so that servers report the byte count).
    pub async fn size(&mut self, path: &str) -> Result<u64, FtpError> {
        guarded!(self, s, {
            s.set_type(TransferType::Binary).await?;
            let r = s.ctrl.expect_2xx(&Command::Size(path)).await?;
            parse_size(&r).ok_or_else(|| {
                ProtocolError::Undecodable {
                    command: "SIZE",
                    reply: r,
                }
                .into()
            })
        })
    }

    /// `MDTM path`: modification time (UTC).
    pub async fn mdtm(&mut self, path: &str) -> Result<Timestamp, FtpError> {
        guarded!(self, s, {
            let r = s.ctrl.expect_2xx(&Command::Mdtm(path)).await?;
            parse_mdtm(&r).ok_or_else(|| {
                ProtocolError::Undecodable {
                    command: "MDTM",
                    reply: r,
                }
                .into()
            })
        })
    }

    async fn simple(&mut self, cmd: Command<'_>) -> Result<(), FtpError> {
        guarded!(self, s, { s.ctrl.expect_2xx(&cmd).await.map(|_| ()) })
    }

    /// Resolves when the server speaks or hangs up while no command runs: a `421` (idle
    /// timeout, shutdown) or EOF. Returns the error that ends the session; afterwards the
    /// session is unusable. Unsolicited replies other than `421` are consumed and ignored.
    ///
    /// Cancel-safe: meant for `tokio::select!` against the channel's command queue; nothing
    /// received is lost when the other branch wins.
    pub async fn closed(&mut self) -> FtpError {
        if self.broken || self.busy {
            return FtpError::Broken;
        }
        let err = loop {
            match self.ctrl.try_decode() {
                Err(e) => break e,
                Ok(Some(r)) if r.code == ReplyCode::SERVICE_CLOSING => {
                    break FtpError::Closed(Some(r))
                }
                Ok(Some(r)) => {
                    tracing::debug!(reply = %r, "unsolicited reply ignored");
                    continue;
                }
                Ok(None) => {}
            }
            match self.ctrl.fill().await {
                Ok(0) => break FtpError::Closed(None),
                Ok(_) => {}
                Err(e) => break FtpError::Connection(e),
            }
        };
        self.broken = true;
        err
    }

    /// `QUIT`, then closes the connection (with a TLS close_notify). A session that is
    /// already unusable is just closed.
    pub async fn quit(mut self) -> Result<(), FtpError> {
        let result = if self.is_usable() {
            match self.ctrl.command(&Command::Quit).await {
                Ok(r) => check("QUIT", r, |r| r.code.is_positive_completion()).map(|_| ()),
                Err(FtpError::Closed(None)) => Ok(()),
                Err(e) => Err(e),
            }
        } else {
            Ok(())
        };
        let _ = timeout(self.cfg.reply_timeout, self.ctrl.stream.shutdown()).await;
        result
    }
}

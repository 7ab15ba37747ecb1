//! libunftp (with the unftp-sbe-fs storage) served inside the test's own tokio runtime.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use libunftp::options::{ActivePassiveMode, FtpsRequired};
use libunftp::ServerBuilder;
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

use crate::error::{Error, IoContext, Result};
use crate::ports;
use crate::server::FtpServer;
use crate::tls::Tls;

/// Who may log in to a [`Unftp`].
#[derive(Clone, Debug, Default)]
pub enum UnftpAuth {
    /// Any user name and password is accepted (libunftp's `AnonymousAuthenticator`).
    #[default]
    Anonymous,
    /// Only this user with this password; everything else gets `530`.
    User {
        /// Accepted user name.
        name: String,
        /// Its password.
        password: String,
    },
}

/// What kind of libunftp to serve. `Default`: plain, anonymous, passive only, 127.0.0.1.
#[derive(Clone, Debug, Default)]
pub struct UnftpOptions {
    /// [`Tls::None`] or [`Tls::Explicit`]; libunftp has no implicit FTPS ([`Tls::Implicit`] is
    /// refused with [`Error::Unsupported`]).
    pub tls: Tls,
    /// With TLS: control and data connections of every user must be protected
    /// (`ftps_required(All, All)`); otherwise TLS is optional.
    pub require_tls: bool,
    /// Listen on `[::1]` instead of 127.0.0.1 (clients use EPSV).
    pub ipv6: bool,
    /// `ActivePassiveMode::ActiveAndPassive`: accept PORT (libunftp has no EPRT). Default:
    /// passive only, as libunftp itself.
    pub active: bool,
    /// Login policy.
    pub auth: UnftpAuth,
}

impl UnftpOptions {
    /// Plain FTP, anonymous, 127.0.0.1.
    pub fn plain() -> Self {
        Self::default()
    }
    /// Explicit FTPS (optional for clients) with the server certificate of `certs`.
    pub fn explicit_tls(certs: &crate::Certs) -> Self {
        UnftpOptions {
            tls: Tls::Explicit(certs.clone()),
            ..Self::default()
        }
    }
    /// The same, listening on `[::1]`.
    pub fn ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }
    /// Only `name`/`password` may log in.
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.auth = UnftpAuth::User {
            name: name.into(),
            password: password.into(),
        };
        self
    }
}

/// libunftp serving a fresh temporary directory, on a listener the fixture bound to port 0.
///
/// Runs as tasks on the tokio runtime that called [`Unftp::start`] (use a multi-thread runtime
/// if the test drives a blocking client on the same runtime's threads, e.g.
/// `#[tokio::test(flavor = "multi_thread")]`). Each accepted connection gets its own
/// `Server::service` call. Dropping it (or [`Unftp::kill`]) stops accepting and shuts down
/// every control connection; libunftp's data connections in flight are not reachable from
/// outside and may finish on their own.
#[derive(Debug)]
pub struct Unftp {
    addr: SocketAddr,
    pasv: (u16, u16),
    accept_task: JoinHandle<()>,
    listener_dup: std::net::TcpListener,
    sessions: Arc<Mutex<Vec<std::net::TcpStream>>>,
    opts: UnftpOptions,
    root: TempDir,
}

impl Unftp {
    /// Binds the listener, checks that a server with these options builds (certificates load),
    /// and starts accepting. Ready as soon as it returns.
    pub async fn start(opts: UnftpOptions) -> Result<Unftp> {
        if matches!(opts.tls, Tls::Implicit(_)) {
            return Err(Error::Unsupported(
                "libunftp has no implicit FTPS (use Vsftpd)".into(),
            ));
        }
        let ip = if opts.ipv6 {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let root = tempfile::Builder::new()
            .prefix("ftpmodem-unftp-")
            .tempdir()
            .ctx(|| "creating libunftp's root".into())?;
        let listener = TcpListener::bind(SocketAddr::new(ip, 0))
            .await
            .ctx(|| format!("binding {ip}:0"))?;
        let addr = listener
            .local_addr()
            .ctx(|| "reading the listener's address".into())?;
        // A duplicate of the listening socket lets kill() close it synchronously, without
        // waiting for the aborted accept task to be dropped.
        let std_listener = listener
            .into_std()
            .ctx(|| "converting the listener".into())?;
        let listener_dup = std_listener
            .try_clone()
            .ctx(|| "duplicating the listener".into())?;
        let listener =
            TcpListener::from_std(std_listener).ctx(|| "registering the listener".into())?;
        let pasv = ports::free_range(ip, 16)?;
        let config = Arc::new(Config {
            opts: opts.clone(),
            root: root.path().to_path_buf(),
            pasv,
        });
        // Fail now, not per connection, if the options do not build (e.g. unreadable certs).
        if let Err(e) = config.server() {
            ports::release_server(0, pasv);
            return Err(Error::StartFailed {
                server: "libunftp",
                detail: e,
            });
        }
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let accept_task = tokio::spawn(accept_loop(listener, config, sessions.clone()));
        Ok(Unftp {
            addr,
            pasv,
            accept_task,
            listener_dup,
            sessions,
            opts,
            root,
        })
    }

    /// Inclusive passive port range.
    pub fn pasv_range(&self) -> (u16, u16) {
        self.pasv
    }
    /// The options it was started with.
    pub fn options(&self) -> &UnftpOptions {
        &self.opts
    }
    /// The directory served as `/` (writable by every user; private to this instance).
    pub fn root(&self) -> &Path {
        self.root.path()
    }
    /// Stops accepting and shuts down every control connection now.
    pub fn kill(&mut self) {
        self.accept_task.abort();
        // shutdown(2) on a listening socket unhashes it at once: new connections are refused.
        let _ = nix::sys::socket::shutdown(
            self.listener_dup.as_raw_fd(),
            nix::sys::socket::Shutdown::Both,
        );
        let sessions = match self.sessions.lock() {
            Ok(mut s) => std::mem::take(&mut *s),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for s in sessions {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl FtpServer for Unftp {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Unftp {
    fn drop(&mut self) {
        self.kill();
        ports::release_server(0, self.pasv);
    }
}

/// Everything needed to build a `Server` per connection (`service` consumes it).
#[derive(Debug)]
struct Config {
    opts: UnftpOptions,
    root: PathBuf,
    pasv: (u16, u16),
}

type Server = libunftp::Server<Filesystem, unftp_core::auth::DefaultUser>;

impl Config {
    fn server(&self) -> std::result::Result<Server, String> {
        let fs = Filesystem::new(&self.root)
            .map_err(|e| format!("opening {}: {e}", self.root.display()))?;
        // libunftp calls the generator once per `service`; the slot hands over the storage
        // opened (fallibly) above. Should it ever be called again, it reopens the root, which
        // exists as long as the fixture.
        let slot = Mutex::new(Some(fs));
        let root = self.root.clone();
        let generator = move || loop {
            let taken = match slot.lock() {
                Ok(mut s) => s.take(),
                Err(p) => p.into_inner().take(),
            };
            if let Some(fs) = taken {
                return fs;
            }
            if let Ok(fs) = Filesystem::new(&root) {
                return fs;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut b = match &self.opts.auth {
            UnftpAuth::Anonymous => ServerBuilder::new(Box::new(generator)),
            UnftpAuth::User { name, password } => ServerBuilder::with_authenticator(
                Box::new(generator),
                Arc::new(FixedUser {
                    name: name.clone(),
                    password: password.clone(),
                }),
            ),
        };
        b = b
            .passive_ports(self.pasv.0..=self.pasv.1)
            .idle_session_timeout(120)
            .active_passive_mode(if self.opts.active {
                ActivePassiveMode::ActiveAndPassive
            } else {
                ActivePassiveMode::PassiveOnly
            });
        if let Some(certs) = self.opts.tls.certs() {
            b = b.ftps(
                certs.server().cert_path().to_path_buf(),
                certs.server().key_path().to_path_buf(),
            );
            if self.opts.require_tls {
                b = b.ftps_required(FtpsRequired::All, FtpsRequired::All);
            }
        }
        b.build().map_err(|e| e.to_string())
    }
}

async fn accept_loop(
    listener: TcpListener,
    config: Arc<Config>,
    sessions: Arc<Mutex<Vec<std::net::TcpStream>>>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(_) => {
                // E.g. out of descriptors: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Keep a duplicate of the socket so that kill() can shut the session down.
        let Ok(std_stream) = stream.into_std() else {
            continue;
        };
        if let Ok(dup) = std_stream.try_clone() {
            if let Ok(mut s) = sessions.lock() {
                s.push(dup);
            }
        }
        let Ok(stream) = TcpStream::from_std(std_stream) else {
            continue;
        };
        let Ok(server) = config.server() else {
            continue;
        };
        tokio::spawn(async move {
            let _ = server.service(stream).await;
        });
    }
}

/// One fixed account.
#[derive(Debug)]
struct FixedUser {
    name: String,
    password: String,
}

#[async_trait]
impl Authenticator for FixedUser {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> std::result::Result<Principal, AuthenticationError> {
        if username != self.name {
            return Err(AuthenticationError::BadUser);
        }
        if creds.password.as_deref() != Some(self.password.as_str()) {
            return Err(AuthenticationError::BadPassword);
        }
        Ok(Principal {
            username: username.to_string(),
        })
    }
}

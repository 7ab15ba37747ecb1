//! The FTP server `ftpmodem demo` talks to: libunftp in this process, serving a temporary
//! directory to one account, on a loopback port the system picks.
//!
//! The product's own, not the test fixtures' (`ftpmodem-testsrv`): those also spawn vsftpd,
//! pure-ftpd and proftpd and make certificates, none of which belongs in the shipped binary.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use async_trait::async_trait;
use libunftp::ServerBuilder;
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

/// libunftp serving a fresh temporary directory as `/`. Dropping it stops accepting
/// connections and removes the directory.
pub struct DemoServer {
    addr: SocketAddr,
    root: TempDir,
    accept: JoinHandle<()>,
}

impl DemoServer {
    /// Binds 127.0.0.1:0 and accepts connections on the calling tokio runtime; only
    /// `user`/`password` may log in.
    pub async fn start(user: &str, password: &str) -> Result<DemoServer> {
        let root = tempfile::Builder::new()
            .prefix("ftpmodem-demo-")
            .tempdir()
            .context("creating the server's root directory")?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding 127.0.0.1:0")?;
        let addr = listener.local_addr().context("the listener's address")?;
        let account = Arc::new(Account {
            name: user.into(),
            password: password.into(),
        });
        let accept = tokio::spawn(accept_loop(listener, root.path().to_path_buf(), account));
        Ok(DemoServer { addr, root, accept })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory served as `/`.
    pub fn root(&self) -> &Path {
        self.root.path()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, root: PathBuf, account: Arc<Account>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // E.g. out of descriptors: back off instead of spinning.
                tracing::warn!("demo server: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        serve(stream, &root, &account);
    }
}

/// One control connection, with its own libunftp `Server` (`service` consumes it). The
/// storage is opened here, where a failure can drop the connection; libunftp's generator
/// cannot fail, so it takes the storage opened here.
fn serve(stream: TcpStream, root: &Path, account: &Arc<Account>) {
    let fs = match Filesystem::new(root) {
        Ok(fs) => fs,
        Err(e) => {
            tracing::warn!("demo server: opening {}: {e}", root.display());
            return;
        }
    };
    let slot = Mutex::new(Some(fs));
    let root = root.to_path_buf();
    // libunftp calls the generator once per `service`. Should it ever call it again, it
    // reopens the root, which exists as long as the server.
    let generator = move || loop {
        let taken = match slot.lock() {
            Ok(mut s) => s.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(fs) = taken {
            return fs;
        }
        if let Ok(fs) = Filesystem::new(&root) {
            return fs;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let server = ServerBuilder::with_authenticator(Box::new(generator), account.clone())
        .idle_session_timeout(120)
        .build();
    match server {
        Ok(server) => {
            tokio::spawn(async move {
                let _ = server.service(stream).await;
            });
        }
        Err(e) => tracing::warn!("demo server: {e}"),
    }
}

/// The one account the demo's session logs in with.
#[derive(Debug)]
struct Account {
    name: String,
    password: String,
}

#[async_trait]
impl Authenticator for Account {
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

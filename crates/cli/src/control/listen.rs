//! Where the control socket listens: a Unix socket (owner-only, never replacing a file it did
//! not create) or a TCP port (loopback unless told otherwise; a token is needed first).

use anyhow::{bail, Context, Result};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};

/// `--control` parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A Unix socket path.
    Unix(PathBuf),
    /// `tcp:HOST:PORT`.
    Tcp(String),
}

impl Address {
    /// `tcp:ADDR` or a path.
    pub fn parse(s: &str) -> Address {
        match s.strip_prefix("tcp:") {
            Some(a) => Address::Tcp(a.to_string()),
            None => Address::Unix(PathBuf::from(s)),
        }
    }
}

/// A bound control socket.
pub enum Listener {
    /// Unix; the socket file is removed when this is dropped, if it is still ours.
    Unix(UnixListener, Owned),
    /// TCP.
    Tcp(TcpListener),
}

/// The socket file we created, by device and inode, so a file put there later by someone
/// else is never removed.
pub struct Owned {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Drop for Owned {
    fn drop(&mut self) {
        if let Ok(m) = std::fs::symlink_metadata(&self.path) {
            if m.dev() == self.dev && m.ino() == self.ino {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

type Halves = (
    Box<dyn AsyncRead + Unpin + Send>,
    Box<dyn AsyncWrite + Unpin + Send>,
);

impl Listener {
    /// Binds `addr`. A TCP address that is not loopback needs `remote`.
    pub async fn bind(addr: &Address, remote: bool) -> Result<Listener> {
        match addr {
            Address::Unix(p) => bind_unix(p),
            Address::Tcp(a) => {
                let l = TcpListener::bind(a)
                    .await
                    .with_context(|| format!("control socket: listening on {a}"))?;
                let local = l.local_addr()?;
                if !local.ip().is_loopback() && !remote {
                    bail!(
                        "control socket: {local} is not a loopback address; \
                         add --control-remote to accept connections from other hosts"
                    );
                }
                Ok(Listener::Tcp(l))
            }
        }
    }

    /// Where it listens, for the start-up message.
    pub fn describe(&self) -> String {
        match self {
            Listener::Unix(_, o) => o.path.display().to_string(),
            Listener::Tcp(l) => match l.local_addr() {
                Ok(a) => format!("tcp:{a}"),
                Err(_) => "tcp".into(),
            },
        }
    }

    /// The next client.
    pub async fn accept(&self) -> std::io::Result<Halves> {
        match self {
            Listener::Unix(l, _) => {
                let (s, _) = l.accept().await?;
                let (r, w) = s.into_split();
                Ok((Box::new(r), Box::new(w)))
            }
            Listener::Tcp(l) => {
                let (s, _) = l.accept().await?;
                let (r, w) = s.into_split();
                Ok((Box::new(r), Box::new(w)))
            }
        }
    }
}

/// Binds in a private directory beside `path` (mode 0700), sets the socket to 0600, then
/// hard-links it to `path`, which fails if anything is there: no window where the socket is
/// reachable with other permissions, and no file is ever replaced. A socket already at `path`
/// is removed only if nobody answers on it (a previous run that died).
fn bind_unix(path: &Path) -> Result<Listener> {
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if !m.file_type().is_socket() {
            bail!(
                "control socket: {} exists and is not a socket; not replacing it",
                path.display()
            );
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            bail!(
                "control socket: {} is in use by another process",
                path.display()
            );
        }
        std::fs::remove_file(path)
            .with_context(|| format!("control socket: removing stale {}", path.display()))?;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let private = tempfile::Builder::new()
        .prefix(".ftpmodem-ctl")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "control socket: a private directory in {}",
                parent.display()
            )
        })?;
    let tmp = private.path().join("s");
    let l = UnixListener::bind(&tmp)
        .with_context(|| format!("control socket: binding {}", tmp.display()))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::hard_link(&tmp, path).with_context(|| {
        format!(
            "control socket: {} appeared meanwhile; not replacing it",
            path.display()
        )
    })?;
    let m = std::fs::symlink_metadata(path)?;
    Ok(Listener::Unix(
        l,
        Owned {
            path: path.to_path_buf(),
            dev: m.dev(),
            ino: m.ino(),
        },
    ))
}

/// 128 random bits as hex, from the kernel.
pub fn new_token() -> Result<String> {
    use std::io::Read;
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .context("reading /dev/urandom for a control token")?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Writes `token` to a new file readable by the owner only; an existing file is not replaced.
pub fn write_token_file(path: &Path, token: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("control token file {}", path.display()))?;
    writeln!(f, "{token}")?;
    Ok(())
}

//! The local account `uftp` shared by all server instances, and per-test directories in its home.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use nix::unistd::User;

use crate::error::{Error, IoContext, Result};

/// The local account for password logins (created by `.ci/install-test-servers.sh`).
pub const USER: &str = "uftp";
/// Its password.
pub const PASSWORD: &str = "12341";
/// Its home. Logins are not chrooted, so FTP paths of files under it are their local paths.
pub const USER_HOME: &str = "/home/uftp";
/// Directory under [`USER_HOME`] that always exists and holds the per-test directories.
pub const USER_TEST_DIR: &str = "/home/uftp/test";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Directories made by one server instance in the shared home, removed when it is dropped.
#[derive(Debug, Default)]
pub(crate) struct UserDirs {
    made: Mutex<Vec<PathBuf>>,
}

impl UserDirs {
    /// Creates `/home/uftp/test/<unique>` owned by `uftp` (mode 755) and remembers it.
    pub(crate) fn fresh(&self, label: &str) -> Result<PathBuf> {
        let user = uftp()?;
        let base = Path::new(USER_TEST_DIR);
        ensure_owned_dir(base, &user)?;
        self.fresh_in(base, &user, label)
    }

    /// Creates `<home of ftp>/<unique>` owned by `ftp` (mode 755) and remembers it: where a
    /// server that serves the `ftp` user's home to anonymous users lets them write.
    pub(crate) fn fresh_anon(&self, label: &str) -> Result<PathBuf> {
        let ftp = ftp_user()?;
        self.fresh_in(&ftp.dir, &ftp, label)
    }

    fn fresh_in(&self, base: &Path, owner: &User, label: &str) -> Result<PathBuf> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{label}-{}-{n}-{nanos:x}", std::process::id()));
        fs::create_dir(&dir).ctx(|| format!("creating {}", dir.display()))?;
        chown_to(&dir, owner)?;
        if let Ok(mut made) = self.made.lock() {
            made.push(dir.clone());
        }
        Ok(dir)
    }
}

impl Drop for UserDirs {
    fn drop(&mut self) {
        if let Ok(made) = self.made.lock() {
            for d in made.iter() {
                let _ = fs::remove_dir_all(d);
            }
        }
    }
}

fn uftp() -> Result<User> {
    match User::from_name(USER) {
        Ok(Some(u)) => Ok(u),
        _ => Err(Error::MissingUser(USER)),
    }
}

/// The `ftp` account, whose home some servers serve to anonymous users.
pub(crate) fn ftp_user() -> Result<User> {
    match User::from_name("ftp") {
        Ok(Some(u)) => Ok(u),
        _ => Err(Error::MissingUser("ftp")),
    }
}

fn ensure_owned_dir(dir: &Path, user: &User) -> Result<()> {
    if !dir.is_dir() {
        fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
        chown_to(dir, user)?;
    }
    Ok(())
}

fn chown_to(p: &Path, user: &User) -> Result<()> {
    std::os::unix::fs::chown(p, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
        .ctx(|| format!("chown {} to {}", p.display(), user.name))?;
    fs::set_permissions(p, fs::Permissions::from_mode(0o755))
        .ctx(|| format!("chmod {}", p.display()))
}

/// Checks the accounts the servers rely on exist, so a missing install fails with advice.
pub(crate) fn require_users() -> Result<()> {
    uftp()?;
    ftp_user().map(|_| ())
}

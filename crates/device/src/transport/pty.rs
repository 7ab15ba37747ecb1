//! The PTY transport: a pseudo-terminal whose slave side a user's program opens through a
//! stable symlink (`ftpmodem serve --pty /tmp/ttyML307`), as it would open a USB-serial module.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{symlink, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg, OFlag};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt, PtyMaster};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, SpecialCharacterIndices};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::ends::LineEnds;
use super::fd::async_halves;
use super::pump::run_stream;

/// A pseudo-terminal reachable through a symlink, ready to carry the module's line.
///
/// The server keeps its own descriptor of the slave open for its whole life. Without it the
/// master would see EIO/hang-up the moment a client program (picocom, a firmware test) closes
/// the port, and the line would be gone for the next one; with it, clients may come and go.
///
/// The slave is put in raw mode (no echo, no CR/LF translation, no signals, no XON/XOFF,
/// 8 bits, VMIN=1 VTIME=0) so every byte value passes unchanged. Settings belong to the tty,
/// not to an open file, so a client that changes them (pyserial, picocom) changes them for the
/// next client too; well-behaved programs restore them on close.
///
/// Bytes the module writes while no client has the slave open stay in the kernel's tty buffer
/// (some KiB) and are read by the next client; past that the transport waits, and the module's
/// channel fills (flow control, not loss). Clients usually clear their input on open.
#[derive(Debug)]
pub struct PtyLine {
    master: PtyMaster,
    _slave: File,
    slave_path: PathBuf,
    link: LinkGuard,
    lock: LinkLock,
}

impl PtyLine {
    /// Opens a raw pseudo-terminal and points `link` at its slave device.
    ///
    /// The link is held through `LINK.lock` (the holder's pid, `flock`ed while it runs): a link
    /// another live process serves is refused with `AddrInUse` ("LINK is in use by pid N"),
    /// a symlink whose holder is gone is left over from an earlier run and replaced
    /// atomically; anything else there (a regular file, a directory, a device) is refused with
    /// `AlreadyExists` rather than destroyed.
    pub fn create(link: &Path) -> io::Result<Self> {
        let lock = LinkLock::acquire(link)?;
        let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let slave_path = PathBuf::from(ptsname_r(&master)?);
        let slave = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NOCTTY)
            .open(&slave_path)?;
        make_raw(&slave)?;
        let link = LinkGuard::install(link, &slave_path)?;
        tracing::info!(link = %link.link.display(), slave = %slave_path.display(), "PTY line ready");
        Ok(Self {
            master,
            _slave: slave,
            slave_path,
            link,
            lock,
        })
    }

    /// The slave device (`/dev/pts/N`) the link points at.
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// The symlink clients open.
    pub fn link_path(&self) -> &Path {
        &self.link.link
    }

    /// Carries the module's line until shutdown, the module ending, or an I/O error; the link
    /// is removed when this returns (and also if the future is dropped).
    pub async fn serve(self, ends: LineEnds, shutdown: CancellationToken) -> io::Result<()> {
        let PtyLine {
            master,
            _slave: slave,
            slave_path: _,
            link,
            lock,
        } = self;
        // The reader and writer own duplicates; the original descriptor is not needed after.
        let master_fd: OwnedFd = master.as_fd().try_clone_to_owned()?;
        drop(master);
        let (reader, writer) = async_halves(master_fd)?;
        let result = run_stream(reader, writer, ends, shutdown).await;
        drop(link);
        drop(slave);
        drop(lock);
        result
    }
}

/// Creates the PTY line at `link`, tells `ready` the slave path once the link exists, and serves
/// the module's line on it (see [`PtyLine`]).
pub async fn run_pty(
    link: &Path,
    ends: LineEnds,
    shutdown: CancellationToken,
    ready: Option<oneshot::Sender<PathBuf>>,
) -> io::Result<()> {
    let line = PtyLine::create(link)?;
    if let Some(ready) = ready {
        // Whoever asked may have stopped caring; the line is still served.
        let _ = ready.send(line.slave_path().to_path_buf());
    }
    line.serve(ends, shutdown).await
}

fn make_raw(slave: &File) -> io::Result<()> {
    let mut t = tcgetattr(slave)?;
    cfmakeraw(&mut t);
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    tcsetattr(slave, SetArg::TCSANOW, &t)?;
    Ok(())
}

/// `LINK.lock`: the pid of the process serving LINK, `flock`ed for as long as it runs, so that
/// a second `ftpmodem serve` on the same link can name the holder instead of silently taking
/// the link over (and removing it on its exit under the first one's clients). The kernel
/// drops the lock with its holder, so a lock file left by a killed process is free.
#[derive(Debug)]
struct LinkLock {
    path: PathBuf,
    _file: Flock<File>,
}

impl LinkLock {
    fn acquire(link: &Path) -> io::Result<Self> {
        let mut name = link.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = link.with_file_name(name);
        // A holder that exits removes the file between our open and our lock: then the file
        // we locked is no longer the one at `path`, and we try again.
        for _ in 0..8 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .custom_flags(nix::libc::O_CLOEXEC)
                .open(&path)
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
                })?;
            let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(f) => f,
                Err((mut file, Errno::EWOULDBLOCK)) => {
                    let mut pid = String::new();
                    let _ = file.read_to_string(&mut pid);
                    let pid = pid.trim();
                    let holder = if pid.is_empty() {
                        "another process"
                    } else {
                        pid
                    };
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("{} is in use by pid {holder}", link.display()),
                    ));
                }
                Err((_, e)) => return Err(e.into()),
            };
            let ours = file.metadata()?;
            let same =
                fs::metadata(&path).is_ok_and(|m| m.dev() == ours.dev() && m.ino() == ours.ino());
            if !same {
                continue;
            }
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            return Ok(Self { path, _file: file });
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("{} keeps changing hands", path.display()),
        ))
    }
}

impl Drop for LinkLock {
    fn drop(&mut self) {
        // Removed while still locked: whoever opens it next sees a new file.
        let _ = fs::remove_file(&self.path);
    }
}

/// The symlink to the slave, removed on drop if it still points at our slave (someone may have
/// replaced it meanwhile; their link is not ours to remove).
#[derive(Debug)]
struct LinkGuard {
    link: PathBuf,
    target: PathBuf,
}

impl LinkGuard {
    fn install(link: &Path, target: &Path) -> io::Result<Self> {
        match symlink(target, link) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => replace_symlink(link, target)?,
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot create PTY link {}: {e}", link.display()),
                ))
            }
        }
        Ok(Self {
            link: link.to_path_buf(),
            target: target.to_path_buf(),
        })
    }
}

impl Drop for LinkGuard {
    fn drop(&mut self) {
        if fs::read_link(&self.link).is_ok_and(|t| t == self.target) {
            if let Err(e) = fs::remove_file(&self.link) {
                tracing::warn!(link = %self.link.display(), "cannot remove PTY link: {e}");
            }
        }
    }
}

/// Replaces an existing symlink at `link` by one to `target` without a moment where `link` is
/// missing (a client polling for it never sees it vanish), refusing anything but a symlink.
fn replace_symlink(link: &Path, target: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(link)?;
    if !meta.file_type().is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "PTY link path {} exists and is not a symlink; refusing to replace it",
                link.display()
            ),
        ));
    }
    let mut tmp_name = link.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".ftpmodem-{}.tmp", std::process::id()));
    let tmp = link.with_file_name(tmp_name);
    if fs::symlink_metadata(&tmp).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::remove_file(&tmp)?;
    }
    symlink(target, &tmp)?;
    if let Err(e) = fs::rename(&tmp, link) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    tracing::info!(link = %link.display(), "replaced stale PTY link");
    Ok(())
}

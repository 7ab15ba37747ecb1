//! Local file system sandbox: the module's flash file system (the `AT+MF*` commands of
//! ONEMO-RELATED.md §C, and the local side of FTP transfers) kept in one host directory that
//! nothing typed on the serial line can leave.
//!
//! Semantics, and why:
//! - Names typed in an AT command follow one rule, [`check_name`] (`name.rs`): at most 128
//!   bytes, letters, digits, `.`, `_`, `-`, `/` (§C.1, X-mftp). The file commands and the FTP
//!   commands' local files both apply it before calling in here; the sandbox's own checks below
//!   hold whatever the caller passes.
//! - Files opened by `AT+MFOPEN` ([`Sandbox::open_file`], `open.rs`) are written in place, as on
//!   the hardware (not atomic); the handle table is [`OpenFiles`] (`handles.rs`). Every growth
//!   is charged against the capacity first, and a failed write is cut back.
//! - Fault switches at run time: [`Sandbox::set_read_only`] (every change refused with 1059)
//!   and [`Sandbox::set_capacity`] (writes past it 1063).
//! - Paths are module paths: `/usr/test.txt` is absolute in the module, `test.txt` is relative to
//!   `/` because the module has no current directory. Empty components are dropped.
//! - `.` and `..` are resolved against the real tree, one component at a time (`resolve.rs`):
//!   after a name that is not an existing directory (`/usr/a.txt/..`, `/usr/a.txt/.`) the path
//!   is refused ([`FsError::Unresolvable`], 50), not shortened as text. A `..` that would climb
//!   above `/` is refused ([`PathError::Escape`], 1050) rather than clamped, so a typo cannot
//!   silently write somewhere else.
//! - A host path such as `/etc/passwd` is just a module path: it names `<root>/etc/passwd`, which
//!   normally does not exist (1051). No string is ever resolved against the host's `/`.
//! - Names are UTF-8 (they arrive as AT strings), at most [`MAX_NAME`] = 255 bytes each, paths at
//!   most [`MAX_PATH`] bytes and [`MAX_DEPTH`] levels; NUL is refused (1050).
//! - Symbolic links are never followed, anywhere: the module cannot create one, so any link was
//!   planted on the host. Every component is opened relative to its parent's descriptor with
//!   `O_NOFOLLOW`, so a link (including one swapped in for a directory after a check) gives
//!   [`FsError::Symlink`] (1050) and nothing outside the root is read, written, listed, sized,
//!   deleted or renamed. Links, FIFOs, sockets and devices found in the tree are left out of
//!   listings and usage; opening one is refused ([`FsError::NotAFile`], 1055).
//! - Writes create missing parent directories, because the module has no mkdir command; a file
//!   where a directory is needed gives 1055. Moves create the target's parents for the same reason.
//! - `AT+MFLIST` lists one level ([`Sandbox::list_dir`], `listing.rs`, §C.3); [`Sandbox::list`]
//!   walks the whole tree in tree order (a directory before its contents, siblings by byte
//!   order) for tools and tests, and gives 1062 for a file.
//! - `AT+MFMOVE` onto an existing name gives 1052 (exists), whatever the target is: the hardware
//!   refuses rather than overwrites, and it keeps a move from destroying data.
//! - Deleting removes a file or an empty directory; a non-empty directory gives 1061.
//! - The module's own directories, `/` and `/usr` ([`OWN_DIRS`]), cannot be deleted (1061),
//!   moved (1051) or replaced by a file (1055): the failure codes §C.3 gives those commands. A
//!   move onto one is a move onto an existing name (1052). [`Sandbox::open`] repairs them: a
//!   missing one is recreated, anything else in its place is renamed `<name>.damaged-<n>`.
//! - Capacity: used bytes are the sum of the regular files' sizes in the tree plus the bytes
//!   written so far by writes in progress (their temp files), so concurrent writers cannot together
//!   overfill it. A write is charged before its bytes reach the disk, and one that would pass the
//!   capacity fails with 1063 and leaves the old file intact. Overwriting needs room for both old
//!   and new content until the rename, as on the hardware's copy-on-write flash.
//! - Writes are atomic: a temp file in the hidden [`TEMP_DIR`] under the root (reserved: never
//!   listed, never reachable by a module path) is renamed over the real name on commit. No fsync:
//!   the guarantee is "old or new, never half", not durability across power loss. Temp files left
//!   by a crash are removed when the sandbox is next opened, so one process should own a root.
//! - Two writes to the same file at once give 1056 (already open), at most [`MAX_WRITERS`] writes
//!   may be in progress (1054). Readers are not limited: they see the old content until a commit.
//! - The tree is rescanned when a write starts and on `AT+MFSINFO`, so files changed on the host
//!   are counted; a long write in progress uses the usage it saw at its start plus later commits
//!   and deletes made through the sandbox.

mod error;
mod handles;
mod inner;
mod listing;
mod name;
mod nv;
mod open;
mod own;
mod path;
mod remove;
mod resolve;
mod walk;
mod writer;

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustix::fs::{fstat, openat, renameat, unlinkat, AtFlags, Dir, FileType, Mode, OFlags};
use rustix::io::Errno;

pub use error::{FsError, Guarded};
pub use handles::{OpenFiles, MAX_OPEN_FILES};
use inner::{Inner, State};
pub use name::{check_name, NameError, NAME_MAX};
pub use open::OpenFile;
pub use own::OWN_DIRS;
pub use path::{ModulePath, PathError, MAX_DEPTH, MAX_NAME, MAX_PATH, NV_DIR, TEMP_DIR};
pub use writer::{AtomicWriter, Replaced};

use error::{from_errno, from_io, Op};
use own::is_own;
use walk::{kind, lstat, open_dir, probe_dir, size, visit_tree, Entry, Want, DIR_FLAGS};

/// Most writes in progress at once: six FTP channels and the serial line fit with room to spare,
/// and it bounds the temp files a misbehaving client can hold open.
pub const MAX_WRITERS: usize = 16;

/// Most entries one `AT+MFLIST` returns: bounds the answer built for the serial line.
pub const MAX_LIST_ENTRIES: usize = 10_000;

/// Free and total space as `AT+MFSINFO` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsInfo {
    /// The configured capacity.
    pub total: u64,
    /// Capacity minus used bytes (including writes in progress); 0 if the host overfilled it.
    pub free: u64,
}

/// One line of `AT+MFLIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsEntry {
    /// Module path as the user would type it, e.g. `/usr/test.txt`.
    pub path: String,
    /// Size of a file; `None` for a directory, which `+MFLIST` prints without a size.
    pub size: Option<u64>,
}

/// The module's file system: a directory on the host, shared by the engine and the FTP channel
/// tasks (cheap to clone, all methods take `&self`, blocking: call from `spawn_blocking` in async
/// code).
#[derive(Debug, Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

/// Mode for new files; the umask narrows it.
const FILE_MODE: Mode = Mode::RUSR
    .union(Mode::WUSR)
    .union(Mode::RGRP)
    .union(Mode::WGRP)
    .union(Mode::ROTH)
    .union(Mode::WOTH);

impl Sandbox {
    /// Opens (creating if missing) the sandbox at `root` with `capacity` bytes, makes sure the
    /// module's own directories are there (repairing a damaged root, see [`OWN_DIRS`]) and clears
    /// temp files left by a crash. An error names the host path and the host's reason.
    pub fn open(root: impl Into<PathBuf>, capacity: u64) -> Result<Sandbox, FsError> {
        let root_path: PathBuf = root.into();
        let unavailable = |source: std::io::Error| FsError::RootUnavailable {
            root: root_path.clone(),
            source,
        };
        // A root that is missing or empty (a new temp dir) is new: its own directories are
        // made, not "recreated" with a warning.
        let fresh = std::fs::read_dir(&root_path).map_or(true, |mut d| d.next().is_none());
        std::fs::create_dir_all(&root_path).map_err(unavailable)?;
        // The root itself may be reached through links of the operator's choosing; only what lies
        // below it is confined.
        let root = openat(
            rustix::fs::CWD,
            root_path.as_path(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| unavailable(e.into()))?;
        own::prepare(&root, &root_path, fresh)?;
        let tmp =
            openat(&root, TEMP_DIR, DIR_FLAGS, Mode::empty()).map_err(|e| FsError::Damaged {
                path: root_path.join(TEMP_DIR),
                source: e.into(),
            })?;
        clear_temp(&tmp);
        let inner = Inner {
            root_path,
            root,
            tmp,
            capacity: AtomicU64::new(capacity),
            read_only: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            next_temp: AtomicU64::new(0),
        };
        let committed = inner.scan()?;
        inner.lock().committed = committed;
        Ok(Sandbox {
            inner: Arc::new(inner),
        })
    }

    /// Where a sandbox lives when the configuration names none: per user, so two users of one
    /// host never share a module file system. `$XDG_DATA_HOME/ftpmodem/fs` (if set and absolute,
    /// as the XDG spec requires), else `$HOME/.local/share/ftpmodem/fs`, else
    /// `<temp dir>/ftpmodem-<uid>/fs`.
    pub fn default_root() -> PathBuf {
        default_root_from(
            std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
            rustix::process::getuid().as_raw(),
        )
    }

    /// What the user typed, as a module path: `.` and `..` resolved against the tree.
    fn resolve(&self, path: &str) -> Result<ModulePath, FsError> {
        resolve::resolve(self.inner.root_fd(), path)
    }

    /// Host directory of the sandbox, for the operator's logs only.
    pub fn root(&self) -> &Path {
        &self.inner.root_path
    }

    /// The configured capacity in bytes.
    pub fn capacity(&self) -> u64 {
        self.inner.capacity()
    }

    /// Changes the capacity at run time (a "local storage full" fault): writes that would pass
    /// it fail with 1063 from now on; files already stored stay, even above it.
    pub fn set_capacity(&self, bytes: u64) {
        self.inner.capacity.store(bytes, Ordering::Relaxed);
    }

    /// Switches the file system read-only (a "local storage read-only" fault) or back: while
    /// read-only, every write, truncation, creation, deletion and move fails with 1059
    /// ([`FsError::ReadOnly`]) and changes nothing; reads go on.
    pub fn set_read_only(&self, read_only: bool) {
        self.inner.read_only.store(read_only, Ordering::Relaxed);
    }

    /// Whether [`Sandbox::set_read_only`] switched it read-only.
    pub fn is_read_only(&self) -> bool {
        self.inner.read_only.load(Ordering::Relaxed)
    }

    /// Total and free space for `AT+MFSINFO`; rescans the tree so host-side changes show.
    pub fn info(&self) -> Result<FsInfo, FsError> {
        let mut state = self.inner.lock();
        state.committed = self.inner.scan()?;
        let used = state.committed.saturating_add(state.reserved);
        let capacity = self.inner.capacity();
        Ok(FsInfo {
            total: capacity,
            free: capacity.saturating_sub(used),
        })
    }

    /// Creates or atomically replaces `path` with `data` (`AT+MFPUT`); returns the bytes written.
    pub fn write(&self, path: &str, data: &[u8]) -> Result<u64, FsError> {
        let mut writer = self.create(path)?;
        writer.write_chunk(data)?;
        writer.commit()
    }

    /// Reads all of `path` (`AT+MFGET`); [`FsError::TooLarge`] if it holds more than `max` bytes,
    /// so the answer's buffer stays bounded.
    pub fn read(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        let target = self.resolve(path)?;
        let (file, len) = self.open_read_at(&target)?;
        let shown = target.to_string();
        if len > max {
            return Err(FsError::TooLarge {
                path: shown,
                size: len,
                max,
            });
        }
        let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // The file may grow after the size was taken: read one byte past `max` to notice.
        file.take(max.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| from_io(e, Op::Read, &shown))?;
        let got = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if got > max {
            return Err(FsError::TooLarge {
                path: shown,
                size: got,
                max,
            });
        }
        Ok(data)
    }

    /// Opens `path` for streaming (an FTP upload from the module's file system); returns the file
    /// and its size when opened.
    pub fn open_read(&self, path: &str) -> Result<(File, u64), FsError> {
        self.open_read_at(&self.resolve(path)?)
    }

    fn open_read_at(&self, target: &ModulePath) -> Result<(File, u64), FsError> {
        let shown = target.to_string();
        let (parent, name) = target.split_last().ok_or_else(|| FsError::IsDirectory {
            path: shown.clone(),
        })?;
        let dir = open_dir(self.inner.root_fd(), parent, Want::Lookup)?;
        // Classify before opening, so a device planted on the host is never opened at all.
        let st = lstat(dir.as_fd(), name).map_err(|e| from_errno(e, Op::Open, &shown))?;
        check_file(st.as_ref().map(kind), &shown)?;
        let fd = openat(
            &dir,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| from_errno(e, Op::Open, &shown))?;
        let st = fstat(&fd).map_err(|e| from_errno(e, Op::Open, &shown))?;
        check_file(Some(kind(&st)), &shown)?;
        Ok((File::from(fd), size(&st)))
    }

    /// Starts a streaming atomic write of `path` (`AT+MFPUT` with a prompt, FTP downloads into the
    /// module). Problems a commit would meet later (a link, a directory in the way) are reported
    /// now, before any bytes are transferred.
    pub fn create(&self, path: &str) -> Result<AtomicWriter, FsError> {
        let target = self.resolve(path)?;
        let shown = target.to_string();
        self.inner.writable(&shown)?;
        if is_own(&target) {
            return Err(FsError::OwnDirectory {
                path: shown,
                action: Guarded::Replace,
            });
        }
        let (parent, name) = target.split_last().ok_or_else(|| FsError::IsDirectory {
            path: shown.clone(),
        })?;
        if let Some(dir) = probe_dir(self.inner.root_fd(), parent)? {
            let st = lstat(dir.as_fd(), name).map_err(|e| from_errno(e, Op::Write, &shown))?;
            if st.is_some() {
                check_file(st.as_ref().map(kind), &shown)?;
            }
        }
        let temp = {
            let mut state = self.inner.lock();
            if state.writing.len() >= MAX_WRITERS {
                return Err(FsError::MaxOpen);
            }
            if state.writing.contains(&target) {
                return Err(FsError::AlreadyOpen { path: shown });
            }
            state.committed = self.inner.scan()?;
            state.writing.insert(target.clone());
            let n = self.inner.next_temp.fetch_add(1, Ordering::Relaxed);
            format!("w{}-{n}", std::process::id())
        };
        // From here the writer owns the claim: any early return gives it back through Drop.
        let mut writer = AtomicWriter::new(Arc::clone(&self.inner), target, temp.clone());
        let fd = openat(
            self.inner.tmp_fd(),
            temp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            FILE_MODE,
        )
        .map_err(|e| from_errno(e, Op::Open, &shown))?;
        writer.set_file(File::from(fd));
        Ok(writer)
    }

    /// Size of a file (`AT+MFSIZE`).
    pub fn size(&self, path: &str) -> Result<u64, FsError> {
        let target = self.resolve(path)?;
        let shown = target.to_string();
        let (parent, name) = target.split_last().ok_or_else(|| FsError::IsDirectory {
            path: shown.clone(),
        })?;
        let dir = open_dir(self.inner.root_fd(), parent, Want::Lookup)?;
        let st = lstat(dir.as_fd(), name).map_err(|e| from_errno(e, Op::Other, &shown))?;
        check_file(st.as_ref().map(kind), &shown)?;
        Ok(st.as_ref().map_or(0, size))
    }

    /// Everything below `dir` (default `/`), recursively, in tree order. `AT+MFLIST` lists one
    /// level ([`Sandbox::list_dir`]); this is the whole tree, for tools and tests.
    pub fn list(&self, dir: Option<&str>) -> Result<Vec<FsEntry>, FsError> {
        let at = match dir {
            Some(dir) => self.resolve(dir)?,
            None => ModulePath::root(),
        };
        let fd = open_dir(self.inner.root_fd(), at.parts(), Want::ListTarget)?;
        let mut found: Vec<(ModulePath, Option<u64>)> = Vec::new();
        visit_tree(&fd, &at, &mut |entry| {
            let item = match entry {
                Entry::File(path, n) => (path.clone(), Some(n)),
                Entry::Dir(path) => (path.clone(), None),
                Entry::Unnamed(_) => return Ok(()),
            };
            if found.len() >= MAX_LIST_ENTRIES {
                return Err(FsError::TooManyEntries {
                    max: MAX_LIST_ENTRIES,
                });
            }
            found.push(item);
            Ok(())
        })?;
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found
            .into_iter()
            .map(|(path, size)| FsEntry {
                path: path.to_string(),
                size,
            })
            .collect())
    }

    /// Deletes a file or an empty directory (`AT+MFDELETE`).
    pub fn delete(&self, path: &str) -> Result<(), FsError> {
        let target = self.resolve(path)?;
        let shown = target.to_string();
        self.inner.writable(&shown)?;
        if is_own(&target) {
            return Err(FsError::OwnDirectory {
                path: shown,
                action: Guarded::Delete,
            });
        }
        let (parent, name) = target.split_last().ok_or_else(|| FsError::OwnDirectory {
            path: shown.clone(),
            action: Guarded::Delete,
        })?;
        let mut state = self.inner.lock();
        let dir = open_dir(self.inner.root_fd(), parent, Want::Lookup)?;
        let st = lstat(dir.as_fd(), name)
            .map_err(|e| from_errno(e, Op::Delete, &shown))?
            .ok_or_else(|| FsError::NotFound {
                path: shown.clone(),
            })?;
        match kind(&st) {
            FileType::RegularFile => {
                unlinkat(&dir, name, AtFlags::empty())
                    .map_err(|e| from_errno(e, Op::Delete, &shown))?;
                state.committed = state.committed.saturating_sub(size(&st));
                Ok(())
            }
            // unlinkat never follows a link: a directory swapped for one after the stat fails
            // with ENOTDIR instead of emptying anything behind it.
            FileType::Directory => unlinkat(&dir, name, AtFlags::REMOVEDIR).map_err(|e| match e {
                // POSIX allows EEXIST for a non-empty directory.
                Errno::EXIST | Errno::NOTEMPTY => FsError::NotEmpty {
                    path: shown.clone(),
                },
                e => from_errno(e, Op::Delete, &shown),
            }),
            FileType::Symlink => Err(FsError::Symlink { path: shown }),
            _ => Err(FsError::NotAFile { path: shown }),
        }
    }

    /// Moves a file or directory (`AT+MFMOVE`), creating the target's parents; an existing target
    /// gives [`FsError::Exists`].
    pub fn rename(&self, old: &str, new: &str) -> Result<(), FsError> {
        let from = self.resolve(old)?;
        let to = self.resolve(new)?;
        let from_shown = from.to_string();
        let to_shown = to.to_string();
        self.inner.writable(&from_shown)?;
        if is_own(&from) {
            return Err(FsError::OwnDirectory {
                path: from_shown,
                action: Guarded::Move,
            });
        }
        // The module's own directories always exist, even if the host removed one since start.
        if is_own(&to) {
            return Err(FsError::Exists { path: to_shown });
        }
        let (from_parent, from_name) = from.split_last().ok_or_else(|| FsError::OwnDirectory {
            path: from_shown.clone(),
            action: Guarded::Move,
        })?;
        let (to_parent, to_name) = to.split_last().ok_or_else(|| FsError::Exists {
            path: to_shown.clone(),
        })?;
        let _state = self.inner.lock();
        let src = open_dir(self.inner.root_fd(), from_parent, Want::Lookup)?;
        let st = lstat(src.as_fd(), from_name)
            .map_err(|e| from_errno(e, Op::Other, &from_shown))?
            .ok_or_else(|| FsError::NotFound {
                path: from_shown.clone(),
            })?;
        match kind(&st) {
            FileType::RegularFile | FileType::Directory => {}
            FileType::Symlink => return Err(FsError::Symlink { path: from_shown }),
            _ => return Err(FsError::NotAFile { path: from_shown }),
        }
        if to == from {
            return Err(FsError::Exists { path: to_shown });
        }
        if to.starts_with(&from) {
            return Err(FsError::IntoItself { path: from_shown });
        }
        let dst = open_dir(self.inner.root_fd(), to_parent, Want::Create)?;
        // Checked under the lock, so no write through the sandbox can slip in between.
        if lstat(dst.as_fd(), to_name)
            .map_err(|e| from_errno(e, Op::Other, &to_shown))?
            .is_some()
        {
            return Err(FsError::Exists { path: to_shown });
        }
        renameat(&src, from_name, &dst, to_name).map_err(|e| from_errno(e, Op::Other, &to_shown))
    }
}

/// Refuses anything but an existing regular file, naming why.
fn check_file(found: Option<FileType>, shown: &str) -> Result<(), FsError> {
    let path = shown.to_owned();
    match found {
        Some(FileType::RegularFile) => Ok(()),
        None => Err(FsError::NotFound { path }),
        Some(FileType::Directory) => Err(FsError::IsDirectory { path }),
        Some(FileType::Symlink) => Err(FsError::Symlink { path }),
        Some(_) => Err(FsError::NotAFile { path }),
    }
}

/// Removes what a crashed writer left; failures only leave garbage that is not counted anyway.
fn clear_temp(tmp: &OwnedFd) {
    let Ok(entries) = Dir::read_from(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_bytes() != b"." && name.to_bytes() != b".." {
            let _ = unlinkat(tmp, name, AtFlags::empty());
        }
    }
}

/// [`Sandbox::default_root`] without the environment, so it can be tested.
fn default_root_from(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>, uid: u32) -> PathBuf {
    if let Some(xdg) = xdg_data_home.filter(|p| p.is_absolute()) {
        return xdg.join("ftpmodem").join("fs");
    }
    if let Some(home) = home.filter(|p| !p.as_os_str().is_empty()) {
        return home
            .join(".local")
            .join("share")
            .join("ftpmodem")
            .join("fs");
    }
    std::env::temp_dir()
        .join(format!("ftpmodem-{uid}"))
        .join("fs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_root_prefers_xdg_then_home_then_temp() {
        let xdg = default_root_from(Some("/x/data".into()), Some("/home/u".into()), 7);
        assert_eq!(xdg, PathBuf::from("/x/data/ftpmodem/fs"));
        let relative_xdg = default_root_from(Some("data".into()), Some("/home/u".into()), 7);
        assert_eq!(
            relative_xdg,
            PathBuf::from("/home/u/.local/share/ftpmodem/fs")
        );
        let no_home = default_root_from(None, Some("".into()), 7);
        assert_eq!(no_home, std::env::temp_dir().join("ftpmodem-7/fs"));
        assert!(Sandbox::default_root().ends_with("fs"));
    }
}

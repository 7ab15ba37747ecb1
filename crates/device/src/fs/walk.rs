//! Descriptor-relative walking of the sandbox tree.
//!
//! Every step opens one name relative to the directory descriptor of the previous step with
//! `O_NOFOLLOW`, so a symbolic link is refused where it is met, even one swapped in for a
//! directory between two operations: there is no window between checking a path and using it.

use std::ffi::CString;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::fs::{openat, statat, AtFlags, Dir, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

use super::error::{from_errno, FsError, Op};
use super::path::{ModulePath, NV_DIR, TEMP_DIR};

/// Flags for opening a directory step: never follows a link, never blocks on a FIFO.
pub(crate) const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC)
    .union(OFlags::NONBLOCK);

/// Deepest host tree a scan or listing descends: bounds the descriptors held at once. Deeper than
/// any module path can reach, so only trees made on the host can hit it.
pub(crate) const SCAN_DEPTH: usize = 64;

/// Mode for directories the sandbox creates; the umask narrows it.
pub(crate) const DIR_MODE: Mode = Mode::RWXU.union(Mode::RWXG).union(Mode::RWXO);

/// What one step found.
enum Step {
    Dir(OwnedFd),
    Missing,
    NotDir,
    Link,
}

/// How a walk treats a missing or non-directory component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Every component must exist; a file in the way means the path does not exist.
    Lookup,
    /// Missing directories are created; a file in the way blocks the write.
    Create,
    /// Like `Lookup`, but a file as the last component is named as "not a directory".
    ListTarget,
}

/// The file type recorded in a `stat`.
pub(crate) fn kind(st: &Stat) -> FileType {
    FileType::from_raw_mode(st.st_mode as _)
}

/// The size recorded in a `stat`; a negative size (never seen) counts as empty.
pub(crate) fn size(st: &Stat) -> u64 {
    u64::try_from(st.st_size).unwrap_or(0)
}

/// `stat` of `name` in `dir` without following a link; `None` if it does not exist.
pub(crate) fn lstat(dir: BorrowedFd<'_>, name: &str) -> Result<Option<Stat>, Errno> {
    match statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(st)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

fn step(dir: BorrowedFd<'_>, name: &str) -> Result<Step, Errno> {
    match openat(dir, name, DIR_FLAGS, Mode::empty()) {
        Ok(fd) => Ok(Step::Dir(fd)),
        Err(Errno::NOENT) => Ok(Step::Missing),
        Err(Errno::NOTDIR | Errno::LOOP) => match lstat(dir, name)? {
            Some(st) if kind(&st) == FileType::Symlink => Ok(Step::Link),
            Some(_) => Ok(Step::NotDir),
            None => Ok(Step::Missing),
        },
        Err(e) => Err(e),
    }
}

fn shown(parts: &[String]) -> String {
    let mut s = String::new();
    for name in parts {
        s.push('/');
        s.push_str(name);
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

/// Opens the directory `parts` below `root`, refusing links; what a missing component or a file
/// in the way means depends on `want`. [`probe_dir`] is the walk that tolerates missing parts.
pub(crate) fn open_dir(
    root: BorrowedFd<'_>,
    parts: &[String],
    want: Want,
) -> Result<OwnedFd, FsError> {
    let op = match want {
        Want::Create => Op::Write,
        Want::ListTarget => Op::List,
        Want::Lookup => Op::Other,
    };
    let mut cur: Option<OwnedFd> = None;
    for (i, name) in parts.iter().enumerate() {
        let here = &parts[..=i];
        let dir = cur.as_ref().map_or(root, |fd| fd.as_fd());
        let found = step(dir, name).map_err(|e| from_errno(e, op, &shown(here)))?;
        let next = match found {
            Step::Dir(fd) => fd,
            Step::Link => return Err(FsError::Symlink { path: shown(here) }),
            Step::Missing if want == Want::Create => {
                match rustix::fs::mkdirat(dir, name.as_str(), DIR_MODE) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(from_errno(e, Op::Write, &shown(here))),
                }
                match step(dir, name).map_err(|e| from_errno(e, op, &shown(here)))? {
                    Step::Dir(fd) => fd,
                    Step::Link => return Err(FsError::Symlink { path: shown(here) }),
                    Step::Missing => return Err(FsError::NotFound { path: shown(here) }),
                    Step::NotDir => return Err(FsError::ParentNotDirectory { path: shown(here) }),
                }
            }
            Step::Missing => return Err(FsError::NotFound { path: shown(here) }),
            Step::NotDir => {
                return Err(match want {
                    Want::Create => FsError::ParentNotDirectory { path: shown(here) },
                    Want::ListTarget if i + 1 == parts.len() => {
                        FsError::NotADirectory { path: shown(here) }
                    }
                    _ => FsError::NotFound { path: shown(here) },
                })
            }
        };
        cur = Some(next);
    }
    match cur {
        Some(fd) => Ok(fd),
        None => root
            .try_clone_to_owned()
            .map_err(|e| crate::fs::error::from_io(e, op, "/")),
    }
}

/// Walks as far as `parts` exist, refusing links and files in the way, without creating
/// anything: checks up front that a write could later create its parents.
pub(crate) fn probe_dir(
    root: BorrowedFd<'_>,
    parts: &[String],
) -> Result<Option<OwnedFd>, FsError> {
    let mut cur: Option<OwnedFd> = None;
    for (i, name) in parts.iter().enumerate() {
        let here = &parts[..=i];
        let dir = cur.as_ref().map_or(root, |fd| fd.as_fd());
        match step(dir, name).map_err(|e| from_errno(e, Op::Write, &shown(here)))? {
            Step::Dir(fd) => cur = Some(fd),
            Step::Missing => return Ok(None),
            Step::Link => return Err(FsError::Symlink { path: shown(here) }),
            Step::NotDir => return Err(FsError::ParentNotDirectory { path: shown(here) }),
        }
    }
    match cur {
        Some(fd) => Ok(Some(fd)),
        None => root
            .try_clone_to_owned()
            .map(Some)
            .map_err(|e| crate::fs::error::from_io(e, Op::Write, "/")),
    }
}

/// Most entries read from one directory: bounds memory against a directory filled on the host.
pub(crate) const MAX_DIR_ENTRIES: usize = 100_000;

/// One entry met by [`visit_tree`].
pub(crate) enum Entry<'a> {
    /// A regular file and its size.
    File(&'a ModulePath, u64),
    /// A directory (visited before its contents).
    Dir(&'a ModulePath),
    /// A regular file somewhere below a name that is not UTF-8: it cannot be typed on the module
    /// but still uses space.
    Unnamed(u64),
}

/// Visits every regular file and directory below `dir` (which is `at`), depth first, never
/// following links and skipping FIFOs, sockets and devices; the top-level temp directory is
/// skipped when `at` is the root. Only the chain of directories being descended is held open.
pub(crate) fn visit_tree(
    dir: &OwnedFd,
    at: &ModulePath,
    visit: &mut dyn FnMut(Entry<'_>) -> Result<(), FsError>,
) -> Result<(), FsError> {
    visit_dir(dir, Some(at), &at.to_string(), at.parts().len(), visit)
}

fn visit_dir(
    fd: &OwnedFd,
    path: Option<&ModulePath>,
    shown_path: &str,
    depth: usize,
    visit: &mut dyn FnMut(Entry<'_>) -> Result<(), FsError>,
) -> Result<(), FsError> {
    let list_err = |e: Errno| from_errno(e, Op::List, shown_path);
    let mut entries: Vec<(CString, Stat)> = Vec::new();
    for entry in Dir::read_from(fd).map_err(list_err)? {
        let entry = entry.map_err(list_err)?;
        let raw = entry.file_name().to_bytes();
        if raw == b"." || raw == b".." {
            continue;
        }
        if depth == 0 && (raw == TEMP_DIR.as_bytes() || raw == NV_DIR.as_bytes()) {
            continue;
        }
        if entries.len() >= MAX_DIR_ENTRIES {
            return Err(FsError::TooManyEntries {
                max: MAX_DIR_ENTRIES,
            });
        }
        match statat(fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => entries.push((entry.file_name().to_owned(), st)),
            Err(Errno::NOENT) => {} // removed while listing
            Err(e) => return Err(list_err(e)),
        }
    }
    for (raw, st) in entries {
        let child = match (path, raw.to_str()) {
            (Some(path), Ok(name)) => Some(path.child(name)),
            _ => None,
        };
        match kind(&st) {
            FileType::RegularFile => match &child {
                Some(child) => visit(Entry::File(child, size(&st)))?,
                None => visit(Entry::Unnamed(size(&st)))?,
            },
            FileType::Directory => {
                if depth + 1 > SCAN_DEPTH {
                    return Err(FsError::TooDeep {
                        path: shown_path.to_owned(),
                    });
                }
                if let Some(child) = &child {
                    visit(Entry::Dir(child))?;
                }
                match openat(fd, raw.as_c_str(), DIR_FLAGS, Mode::empty()) {
                    Ok(sub) => {
                        let shown_child = match &child {
                            Some(child) => child.to_string(),
                            None => shown_path.to_owned(),
                        };
                        visit_dir(&sub, child.as_ref(), &shown_child, depth + 1, visit)?;
                    }
                    // Removed, or swapped for a link, since the stat: not ours to descend.
                    Err(Errno::NOENT | Errno::LOOP | Errno::NOTDIR) => {}
                    Err(e) => return Err(list_err(e)),
                }
            }
            _ => {} // links, FIFOs, sockets, devices: not part of the module's file system
        }
    }
    Ok(())
}

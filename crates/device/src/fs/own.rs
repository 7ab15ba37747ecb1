//! The module's own directories: `/` and `/usr`, which the module has from the factory and its
//! users rely on (the manual's examples keep every file in `/usr/`). No AT command may delete,
//! move or replace them, and a root found damaged at start-up is repaired where that is safe.
//!
//! Certificates and keys (`/ssl/cert`, `/ssl/key`) are not among them: testers wipe them with
//! `AT+MFDELETE="/"` (ONEMO-RELATED.md §B.2), so they are ordinary files.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{mkdirat, openat, renameat, renameat_with, FileType, Mode, RenameFlags};
use rustix::io::Errno;

use super::error::FsError;
use super::path::{ModulePath, NV_DIR, TEMP_DIR};
use super::walk::{kind, lstat, DIR_FLAGS, DIR_MODE};

/// The directories directly below the root that belong to the module.
pub const OWN_DIRS: &[&str] = &["usr"];

/// Most `<name>.damaged-<n>` names tried before giving up on moving a damaged entry aside.
const ASIDE_TRIES: u32 = 1000;

/// True for `/` and the [`OWN_DIRS`].
pub(crate) fn is_own(path: &ModulePath) -> bool {
    match path.parts() {
        [] => true,
        [name] => OWN_DIRS.contains(&name.as_str()),
        _ => false,
    }
}

/// Makes each of the module's directories (and the sandbox's temp directory) a directory that
/// can be opened: a missing one is created, anything else standing in its place (a file, a link,
/// a FIFO) is renamed to `<name>.damaged-<n>` and the directory created. What cannot be
/// repaired is reported with the host path and the host's reason.
pub(crate) fn prepare(root: &OwnedFd, root_path: &Path, fresh: bool) -> Result<(), FsError> {
    for &name in OWN_DIRS.iter().chain(&[TEMP_DIR, NV_DIR]) {
        let damaged = |e: Errno| FsError::Damaged {
            path: root_path.join(name),
            source: e.into(),
        };
        match lstat(root.as_fd(), name).map_err(damaged)? {
            Some(st) if kind(&st) == FileType::Directory => {}
            Some(st) => {
                let aside = move_aside(root, name).map_err(damaged)?;
                tracing::warn!(
                    root = %root_path.display(),
                    "/{name} was {}, not a directory: moved to /{aside}, /{name} recreated",
                    described(kind(&st))
                );
                mkdir(root, name).map_err(damaged)?;
            }
            None => {
                mkdir(root, name).map_err(damaged)?;
                if !fresh && name != TEMP_DIR && name != NV_DIR {
                    tracing::warn!(root = %root_path.display(), "/{name} was missing: recreated");
                }
            }
        }
        // Proves the directory usable now (an unreadable one fails here, with its reason).
        drop(openat(root, name, DIR_FLAGS, Mode::empty()).map_err(damaged)?);
    }
    Ok(())
}

/// A file type in words, for the operator's log.
fn described(kind: FileType) -> &'static str {
    match kind {
        FileType::RegularFile => "a file",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO",
        FileType::Socket => "a socket",
        FileType::CharacterDevice | FileType::BlockDevice => "a device",
        _ => "something else",
    }
}

fn mkdir(root: &OwnedFd, name: &str) -> Result<(), Errno> {
    match mkdirat(root, name, DIR_MODE) {
        Ok(()) | Err(Errno::EXIST) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Renames `name` to the first free `<name>.damaged-<n>`, never over an existing entry.
fn move_aside(root: &OwnedFd, name: &str) -> Result<String, Errno> {
    for n in 1..=ASIDE_TRIES {
        let aside = format!("{name}.damaged-{n}");
        let moved = match renameat_with(root, name, root, aside.as_str(), RenameFlags::NOREPLACE) {
            // A file system without RENAME_NOREPLACE: check, then rename (start-up, one owner).
            Err(Errno::INVAL | Errno::NOSYS) => match lstat(root.as_fd(), &aside)? {
                Some(_) => Err(Errno::EXIST),
                None => renameat(root, name, root, aside.as_str()),
            },
            other => other,
        };
        match moved {
            Ok(()) => return Ok(aside),
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Errno::EXIST)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn own_directories_are_the_root_and_usr_only() {
        let own = |s: &str| is_own(&ModulePath::parse(s).unwrap());
        assert!(own("/"));
        assert!(own("/usr"));
        assert!(own("usr/"));
        assert!(!own("/usr/a"));
        assert!(!own("/us"));
        assert!(!own("/usr.damaged-1"));
    }
}

//! Deleting with contents: `AT+MFDELETE="<dir>/"` removes a directory and everything below it,
//! `AT+MFDELETE` without a name empties the whole file system (ONEMO-RELATED.md §C.3).
//!
//! Nothing outside the root is touched: every directory is opened relative to its parent with
//! `O_NOFOLLOW`, and a symbolic link met inside is removed as a name (`unlinkat` never follows
//! it), never descended. The module's own directories stay (emptied), as does the sandbox's
//! temp directory.

use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{openat, statat, unlinkat, AtFlags, Dir, FileType, Mode};
use rustix::io::Errno;

use super::error::{from_errno, FsError, Guarded, Op};
use super::own::{is_own, OWN_DIRS};
use super::path::{NV_DIR, TEMP_DIR};
use super::walk::{kind, lstat, open_dir, Want, DIR_FLAGS, SCAN_DEPTH};
use super::Sandbox;

impl Sandbox {
    /// Deletes a directory and all it holds (`AT+MFDELETE="<dir>/"`), or a file. `/` and
    /// `/usr` are emptied, not removed.
    pub fn delete_tree(&self, path: &str) -> Result<(), FsError> {
        let target = self.resolve(path)?;
        let shown = target.to_string();
        self.inner.writable(&shown)?;
        let mut state = self.inner.lock();
        let result = (|| {
            if is_own(&target) {
                let dir = open_dir(self.inner.root_fd(), target.parts(), Want::Lookup)?;
                return empty_dir(&dir, &shown, target.is_root(), 0);
            }
            let (parent, name) = target.split_last().ok_or_else(|| FsError::OwnDirectory {
                path: shown.clone(),
                action: Guarded::Delete,
            })?;
            let dir = open_dir(self.inner.root_fd(), parent, Want::Lookup)?;
            let st = lstat(dir.as_fd(), name)
                .map_err(|e| from_errno(e, Op::Delete, &shown))?
                .ok_or_else(|| FsError::NotFound {
                    path: shown.clone(),
                })?;
            // A link named directly is refused, as `delete` refuses it; links met inside the
            // tree are removed as names.
            if kind(&st) == FileType::Symlink {
                return Err(FsError::Symlink {
                    path: shown.clone(),
                });
            }
            remove_entry(&dir, name, kind(&st), &shown, 0)
        })();
        // Whatever went, the usage is counted again from what is left.
        state.committed = self.inner.scan().unwrap_or(state.committed);
        result
    }

    /// Empties the whole file system (`AT+MFDELETE` without a name).
    pub fn wipe(&self) -> Result<(), FsError> {
        self.delete_tree("/")
    }
}

/// Removes everything in `dir`; at the root, the module's own directories are emptied and the
/// temp directory is left alone.
fn empty_dir(dir: &OwnedFd, shown: &str, root: bool, depth: usize) -> Result<(), FsError> {
    if depth > SCAN_DEPTH {
        return Err(FsError::TooDeep {
            path: shown.to_owned(),
        });
    }
    let err = |e: Errno| from_errno(e, Op::Delete, shown);
    let mut names = Vec::new();
    for entry in Dir::read_from(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let raw = entry.file_name().to_owned();
        if raw.as_bytes() == b"." || raw.as_bytes() == b".." {
            continue;
        }
        if root && (raw.as_bytes() == TEMP_DIR.as_bytes() || raw.as_bytes() == NV_DIR.as_bytes()) {
            continue;
        }
        names.push(raw);
    }
    for raw in names {
        let st = match statat(dir, raw.as_c_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::NOENT) => continue,
            Err(e) => return Err(err(e)),
        };
        let name = raw.to_string_lossy();
        let child = format!("{}/{name}", shown.trim_end_matches('/'));
        if root && OWN_DIRS.contains(&name.as_ref()) && kind(&st) == FileType::Directory {
            let sub = openat(dir, raw.as_c_str(), DIR_FLAGS, Mode::empty()).map_err(err)?;
            empty_dir(&sub, &child, false, depth + 1)?;
            continue;
        }
        remove_c(dir, &raw, kind(&st), &child, depth)?;
    }
    Ok(())
}

fn remove_entry(
    dir: &OwnedFd,
    name: &str,
    kind: FileType,
    shown: &str,
    depth: usize,
) -> Result<(), FsError> {
    let c = std::ffi::CString::new(name).map_err(|_| FsError::NotFound {
        path: shown.to_owned(),
    })?;
    remove_c(dir, &c, kind, shown, depth)
}

fn remove_c(
    dir: &OwnedFd,
    name: &std::ffi::CStr,
    kind: FileType,
    shown: &str,
    depth: usize,
) -> Result<(), FsError> {
    let err = |e: Errno| from_errno(e, Op::Delete, shown);
    if kind == FileType::Directory {
        match openat(dir, name, DIR_FLAGS, Mode::empty()) {
            Ok(sub) => empty_dir(&sub, shown, false, depth + 1)?,
            // Swapped for a link since the stat: removed below as a name, not descended.
            Err(Errno::LOOP | Errno::NOTDIR) => {}
            Err(e) => return Err(err(e)),
        }
        return unlinkat(dir, name, AtFlags::REMOVEDIR).map_err(err);
    }
    unlinkat(dir, name, AtFlags::empty()).map_err(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn trees_go_and_nothing_outside_does() {
        let d = tempfile::tempdir().unwrap();
        let fs = Sandbox::open(d.path().join("fs"), 1 << 20).unwrap();
        let outside = d.path().join("keep");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("f"), b"x").unwrap();
        fs.write("/dir/sub/a.txt", b"abc").unwrap();
        fs.write("/dir/b.txt", b"de").unwrap();
        fs.write("/usr/c.txt", b"f").unwrap();
        std::os::unix::fs::symlink(&outside, d.path().join("fs/dir/sub/link")).unwrap();
        fs.delete_tree("/dir/").unwrap();
        assert_eq!(fs.size("/dir/b.txt").unwrap_err().cme_code(), 1051);
        assert!(outside.join("f").exists());
        assert_eq!(fs.info().unwrap().free, (1 << 20) - 1);
        fs.write("x/y", b"12").unwrap();
        fs.wipe().unwrap();
        assert!(fs.list(None).unwrap().iter().all(|e| e.path == "/usr"));
        assert_eq!(fs.info().unwrap().free, 1 << 20);
        assert!(outside.join("f").exists());
        assert_eq!(fs.delete_tree("/nothing/").unwrap_err().cme_code(), 1051);
        fs.write("/usr/again", b"1").unwrap();
    }
}

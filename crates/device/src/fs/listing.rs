//! `AT+MFLIST` as §C.3 has it: one level of a directory, `.`/`..` and the sandbox's temp
//! directory left out, each entry printed under the directory name as typed.

use std::os::fd::AsFd;

use rustix::fs::{statat, AtFlags, Dir, FileType};
use rustix::io::Errno;

use super::error::{from_errno, FsError, Op};
use super::path::{NV_DIR, TEMP_DIR};
use super::walk::{kind, open_dir, size, Want};
use super::{FsEntry, Sandbox, MAX_LIST_ENTRIES};

impl Sandbox {
    /// The entries directly in `dir` (`None`: the root), by name: files with their size,
    /// directories without. `path` is `<dir>/<name>` with `dir` as typed (no second `/` when
    /// it ends in one; `/<name>` for the root), as the vendor prints it. A missing directory,
    /// or a name that is a file, lists nothing (§C.3: just `OK`); links, FIFOs and devices
    /// planted on the host are left out.
    pub fn list_dir(&self, dir: Option<&str>) -> Result<Vec<FsEntry>, FsError> {
        let typed = dir.unwrap_or("/");
        let at = self.resolve(typed)?;
        let shown = at.to_string();
        let fd = match open_dir(self.inner.root_fd(), at.parts(), Want::ListTarget) {
            Ok(fd) => fd,
            Err(FsError::NotFound { .. } | FsError::NotADirectory { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let err = |e: Errno| from_errno(e, Op::List, &shown);
        let mut found = Vec::new();
        for entry in Dir::read_from(fd.as_fd()).map_err(err)? {
            let entry = entry.map_err(err)?;
            let raw = entry.file_name().to_bytes();
            // The reserved directories under the root (temp files, the saved profile) are not the
            // module's files.
            let reserved = raw == TEMP_DIR.as_bytes() || raw == NV_DIR.as_bytes();
            if raw == b"." || raw == b".." || (at.is_root() && reserved) {
                continue;
            }
            // A name the module could not type (not UTF-8) is not printed either.
            let Ok(name) = std::str::from_utf8(raw) else {
                continue;
            };
            let st = match statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(Errno::NOENT) => continue,
                Err(e) => return Err(err(e)),
            };
            let size = match kind(&st) {
                FileType::RegularFile => Some(size(&st)),
                FileType::Directory => None,
                _ => continue,
            };
            if found.len() >= MAX_LIST_ENTRIES {
                return Err(FsError::TooManyEntries {
                    max: MAX_LIST_ENTRIES,
                });
            }
            let sep = if typed.ends_with('/') { "" } else { "/" };
            found.push(FsEntry {
                path: format!("{typed}{sep}{name}"),
                size,
            });
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(found)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_level_under_the_typed_name() {
        let d = tempfile::tempdir().unwrap();
        let fs = Sandbox::open(d.path().join("fs"), 1 << 20).unwrap();
        fs.write("/usr/a.txt", b"abc").unwrap();
        fs.write("/usr/sub/deep.txt", b"x").unwrap();
        fs.write("/top.txt", b"").unwrap();
        std::os::unix::fs::symlink(d.path(), d.path().join("fs/usr/link")).unwrap();
        let entry = |path: &str, size: Option<u64>| FsEntry {
            path: path.into(),
            size,
        };
        assert_eq!(
            fs.list_dir(None).unwrap(),
            [entry("/top.txt", Some(0)), entry("/usr", None)]
        );
        assert_eq!(
            fs.list_dir(Some("usr")).unwrap(),
            [entry("usr/a.txt", Some(3)), entry("usr/sub", None)]
        );
        assert_eq!(
            fs.list_dir(Some("/usr/")).unwrap(),
            [entry("/usr/a.txt", Some(3)), entry("/usr/sub", None)]
        );
        assert!(fs.list_dir(Some("/nothing")).unwrap().is_empty());
        assert!(fs.list_dir(Some("/top.txt")).unwrap().is_empty());
        assert_eq!(fs.list_dir(Some("/usr/link")).unwrap_err().cme_code(), 1050);
        assert_eq!(fs.list_dir(Some("../x")).unwrap_err().cme_code(), 1050);
    }
}

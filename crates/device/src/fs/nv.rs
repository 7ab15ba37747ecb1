//! The module's non-volatile settings: small records (the `AT&W` profile) in the reserved
//! directory [`NV_DIR`] under the root. No module path reaches it (`path.rs`), listings and
//! the capacity leave it out (`walk.rs`), so `AT+MFLIST`, `AT+MFDELETE`, `AT+MFMOVE` and
//! `AT+MFPUT` can neither see nor clobber it. Records are written atomically (a temp file in
//! the same directory renamed over the old one): a crash leaves the old or the new record.

use std::fs::File;
use std::io::{Read, Write};

use rustix::fs::{openat, renameat, Mode, OFlags};
use rustix::io::Errno;

use super::error::{from_errno, from_io, Op};
use super::path::NV_DIR;
use super::walk::DIR_FLAGS;
use super::{FsError, Sandbox, FILE_MODE};

/// Largest record: a profile is some dozens of bytes; a bigger file was not written by us.
const MAX_RECORD: u64 = 4096;

impl Sandbox {
    /// The record `name` as last written, `None` if it was never written. `name` is one of
    /// the engine's fixed names, never a user's path.
    pub fn nv_read(&self, name: &str) -> Result<Option<Vec<u8>>, FsError> {
        let shown = format!("{NV_DIR}/{name}");
        let dir = self.nv_dir()?;
        let fd = match openat(
            &dir,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(from_errno(e, Op::Open, &shown)),
        };
        let mut data = Vec::new();
        File::from(fd)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut data)
            .map_err(|e| from_io(e, Op::Read, &shown))?;
        if data.len() as u64 > MAX_RECORD {
            return Err(FsError::TooLarge {
                path: shown,
                size: data.len() as u64,
                max: MAX_RECORD,
            });
        }
        Ok(Some(data))
    }

    /// Replaces the record `name` with `data`, atomically.
    pub fn nv_write(&self, name: &str, data: &[u8]) -> Result<(), FsError> {
        let shown = format!("{NV_DIR}/{name}");
        let dir = self.nv_dir()?;
        let temp = format!("{name}.new");
        let fd = openat(
            &dir,
            temp.as_str(),
            OFlags::WRONLY
                | OFlags::CREATE
                | OFlags::TRUNC
                | OFlags::NOFOLLOW
                | OFlags::CLOEXEC
                | OFlags::NONBLOCK,
            FILE_MODE,
        )
        .map_err(|e| from_errno(e, Op::Write, &shown))?;
        let mut file = File::from(fd);
        file.write_all(data)
            .and_then(|()| file.sync_all())
            .map_err(|e| from_io(e, Op::Write, &shown))?;
        renameat(&dir, temp.as_str(), &dir, name).map_err(|e| from_errno(e, Op::Write, &shown))
    }

    /// The reserved directory, opened without following a link ([`Sandbox::open`] made it).
    fn nv_dir(&self) -> Result<std::os::fd::OwnedFd, FsError> {
        openat(self.inner.root_fd(), NV_DIR, DIR_FLAGS, Mode::empty())
            .map_err(|e| from_errno(e, Op::Open, NV_DIR))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen_and_stay_out_of_the_module_s_reach() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fs");
        let fs = Sandbox::open(&root, 1000).unwrap();
        assert_eq!(fs.nv_read("profile").unwrap(), None);
        fs.nv_write("profile", b"E=1\n").unwrap();
        fs.nv_write("profile", b"E=0\n").unwrap();
        let again = Sandbox::open(&root, 1000).unwrap();
        assert_eq!(again.nv_read("profile").unwrap().unwrap(), b"E=0\n");
        // Invisible to listings and to the capacity; unreachable by module paths.
        let listed = again.list(None).unwrap();
        assert!(
            listed.iter().all(|e| !e.path.contains(NV_DIR)),
            "{listed:?}"
        );
        assert_eq!(again.info().unwrap().free, 1000);
        for path in [
            format!("/{NV_DIR}/profile"),
            format!("/usr/../{NV_DIR}/profile"),
            NV_DIR.to_string(),
        ] {
            assert!(again.delete(&path).is_err(), "{path}");
            assert!(again.read(&path, 100).is_err(), "{path}");
            assert!(again.write(&path, b"x").is_err(), "{path}");
        }
        assert_eq!(again.nv_read("profile").unwrap().unwrap(), b"E=0\n");
    }

    #[test]
    fn an_oversized_record_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fs");
        let fs = Sandbox::open(&root, 1000).unwrap();
        std::fs::write(root.join(NV_DIR).join("profile"), vec![b'x'; 5000]).unwrap();
        assert!(fs.nv_read("profile").is_err());
    }
}

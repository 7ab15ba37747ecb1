//! Files opened by `AT+MFOPEN` (ONEMO-RELATED.md §C.3): read, written, sought, truncated and
//! synced in place, as the vendor's `fopen`/`fwrite` do. Not atomic, because the hardware's
//! semantics are not: `w` empties the file at once and every `AT+MFWRITE` lands in it as it
//! comes. What the sandbox still guarantees: no path leaves the root (the file is opened
//! relative to its parent's descriptor, never following a link), each write is counted
//! against the capacity before it reaches the disk, and a write that fails half way is cut
//! back, so the file holds either all of it or none.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use ftpmodem_proto::command::{OpenMode, Whence};
use rustix::fs::{fstat, openat, OFlags};

use super::error::{from_errno, from_io, FsError, Guarded, Op};
use super::inner::Inner;
use super::own::is_own;
use super::path::ModulePath;
use super::walk::{kind, lstat, open_dir, size, Want};
use super::{check_file, Sandbox, FILE_MODE};

/// A file opened by `AT+MFOPEN`, with its own position (the `FILE *` of the vendor's code).
#[derive(Debug)]
pub struct OpenFile {
    inner: Arc<Inner>,
    target: ModulePath,
    shown: String,
    mode: OpenMode,
    file: File,
    pos: u64,
}

impl Sandbox {
    /// Opens `path` as `AT+MFOPEN` does: `r` needs the file, `w`/`w+` create or empty it, `a`/`a+`
    /// create it; missing parents are created for the modes that create. The position starts
    /// at 0 (at the end for every write in `a`/`a+`).
    pub fn open_file(&self, path: &str, mode: OpenMode) -> Result<OpenFile, FsError> {
        let target = self.resolve(path)?;
        let shown = target.to_string();
        if mode.creates() {
            self.inner.writable(&shown)?;
        }
        if is_own(&target) {
            return Err(FsError::OwnDirectory {
                path: shown,
                action: Guarded::Replace,
            });
        }
        let (parent, name) = target.split_last().ok_or_else(|| FsError::IsDirectory {
            path: shown.clone(),
        })?;
        let want = if mode.creates() {
            Want::Create
        } else {
            Want::Lookup
        };
        // Under the lock: emptying a file changes the usage the writers are checked against.
        let mut state = self.inner.lock();
        let dir = open_dir(self.inner.root_fd(), parent, want)?;
        let before = lstat(dir.as_fd(), name).map_err(|e| from_errno(e, Op::Open, &shown))?;
        if before.is_some() || !mode.creates() {
            // Classify first: a FIFO or device planted on the host is never opened at all.
            check_file(before.as_ref().map(kind), &shown)?;
        }
        let flags = match mode {
            OpenMode::Read => OFlags::RDONLY,
            _ if mode.truncates() => OFlags::RDWR | OFlags::CREATE | OFlags::TRUNC,
            _ => OFlags::RDWR | OFlags::CREATE,
        };
        let fd = openat(
            &dir,
            name,
            flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            FILE_MODE,
        )
        .map_err(|e| from_errno(e, Op::Open, &shown))?;
        let st = fstat(&fd).map_err(|e| from_errno(e, Op::Open, &shown))?;
        check_file(Some(kind(&st)), &shown)?;
        if mode.truncates() {
            let old = before.as_ref().map_or(0, size);
            state.committed = state.committed.saturating_sub(old);
        }
        drop(state);
        Ok(OpenFile {
            inner: Arc::clone(&self.inner),
            target,
            shown,
            mode,
            file: File::from(fd),
            pos: 0,
        })
    }
}

impl OpenFile {
    /// The module path it was opened as.
    pub fn path(&self) -> &ModulePath {
        &self.target
    }

    /// How it was opened.
    pub fn mode(&self) -> OpenMode {
        self.mode
    }

    /// The position (`AT+MFSEEK=<h>`).
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Its size now.
    pub fn len(&self) -> Result<u64, FsError> {
        self.file
            .metadata()
            .map(|m| m.len())
            .map_err(|e| from_io(e, Op::Other, &self.shown))
    }

    /// Whether it is empty now.
    pub fn is_empty(&self) -> Result<bool, FsError> {
        self.len().map(|n| n == 0)
    }

    /// Reads up to `max` bytes from the position and moves past them (`AT+MFREAD`); fewer only
    /// at the end of the file.
    pub fn read(&mut self, max: u64) -> Result<Vec<u8>, FsError> {
        let want = self.len()?.saturating_sub(self.pos).min(max);
        let mut buf = vec![0u8; usize::try_from(want).unwrap_or(0)];
        let mut got = 0usize;
        while got < buf.len() {
            match self.file.read_at(&mut buf[got..], self.pos + got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(from_io(e, Op::Read, &self.shown)),
            }
        }
        buf.truncate(got);
        self.pos += got as u64;
        Ok(buf)
    }

    /// Writes `data` at the position (at the end in `a`/`a+`) and moves past it
    /// (`AT+MFWRITE`). Growth is charged against the capacity first ([`FsError::NoSpace`],
    /// nothing written); a host failure half way cuts the file back to where it was.
    pub fn write(&mut self, data: &[u8]) -> Result<u64, FsError> {
        self.inner.writable(&self.shown)?;
        let n = data.len() as u64;
        let mut state = self.inner.lock();
        let old_len = self.len()?;
        let at = if self.mode.appends() {
            old_len
        } else {
            self.pos
        };
        let end = at.saturating_add(n);
        let growth = end.saturating_sub(old_len);
        let used = state.committed.saturating_add(state.reserved);
        let free = self.inner.capacity().saturating_sub(used);
        if growth > free {
            return Err(FsError::NoSpace {
                needed: growth,
                free,
            });
        }
        if let Err(e) = self.file.write_all_at(data, at) {
            // Nothing half-written: what this write added past the old end goes again (bytes
            // overwritten inside the old length cannot be restored; the host refused mid-way).
            if end > old_len {
                let _ = self.file.set_len(old_len);
            }
            return Err(from_io(e, Op::Write, &self.shown));
        }
        state.committed = state.committed.saturating_add(growth);
        self.pos = end;
        Ok(n)
    }

    /// Cuts the file back to `len` bytes: what an ESC in `AT+MFWRITE`'s data mode does to the
    /// bytes of that session (§C.3). The position moves to the new end.
    pub fn cut(&mut self, len: u64) -> Result<(), FsError> {
        self.set_len(len)?;
        self.pos = len;
        Ok(())
    }

    /// Truncates or extends the file to `len` and rewinds to 0 (`AT+MFTRUNC`, §C.3).
    pub fn truncate(&mut self, len: u64) -> Result<(), FsError> {
        self.set_len(len)?;
        self.pos = 0;
        Ok(())
    }

    fn set_len(&mut self, len: u64) -> Result<(), FsError> {
        self.inner.writable(&self.shown)?;
        let mut state = self.inner.lock();
        let old_len = self.len()?;
        let growth = len.saturating_sub(old_len);
        let used = state.committed.saturating_add(state.reserved);
        let free = self.inner.capacity().saturating_sub(used);
        if growth > free {
            return Err(FsError::NoSpace {
                needed: growth,
                free,
            });
        }
        self.file
            .set_len(len)
            .map_err(|e| from_io(e, Op::Write, &self.shown))?;
        state.committed = state
            .committed
            .saturating_sub(old_len.saturating_sub(len))
            .saturating_add(growth);
        Ok(())
    }

    /// Moves the position (`AT+MFSEEK=<h>,<offset>,<whence>`); a target before the start or
    /// past the end is refused (1050, §C.3) and the position stays.
    pub fn seek(&mut self, offset: i64, whence: Whence) -> Result<u64, FsError> {
        let len = self.len()?;
        let base = match whence {
            Whence::Start => 0,
            Whence::Current => self.pos,
            Whence::End => len,
        };
        let target = i128::from(base) + i128::from(offset);
        if target < 0 || target > i128::from(len) {
            return Err(FsError::Io {
                path: self.shown.clone(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("seek to {target} outside 0..={len}"),
                ),
            });
        }
        self.pos = target as u64;
        Ok(self.pos)
    }

    /// Flushes the file to the disk (`AT+MFSYNC`).
    pub fn sync(&self) -> Result<(), FsError> {
        self.file
            .sync_all()
            .map_err(|e| from_io(e, Op::Other, &self.shown))
    }
}

impl Sandbox {
    /// The MD5 of a file (`AT+MFCHECK`), read in pieces so any size fits in bounded memory.
    pub fn md5(&self, path: &str) -> Result<[u8; 16], FsError> {
        use md5::{Digest, Md5};
        let (mut file, _) = self.open_read(path)?;
        let mut hasher = Md5::new();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            match io::Read::read(&mut file, &mut buf) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(from_io(e, Op::Read, path)),
            }
        }
        Ok(hasher.finalize().into())
    }

    /// Empties `path` now, creating it if missing: `AT+MFPUT` opens its file `wb+` before any
    /// data arrives (§C.3), so a failed or cancelled `AT+MFPUT` leaves it empty. The emptying
    /// itself is atomic (an empty file renamed over the old one).
    pub fn empty(&self, path: &str) -> Result<(), FsError> {
        self.write(path, &[]).map(|_| ())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sandbox(capacity: u64) -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().unwrap();
        let fs = Sandbox::open(dir.path().join("fs"), capacity).unwrap();
        (dir, fs)
    }

    #[test]
    fn modes_create_truncate_and_append_as_fopen() {
        let (_d, fs) = sandbox(1 << 20);
        assert_eq!(
            fs.open_file("log.txt", OpenMode::Read)
                .unwrap_err()
                .cme_code(),
            1051
        );
        let mut w = fs.open_file("dir/sub/log.txt", OpenMode::Write).unwrap();
        assert_eq!(w.write(b"hello").unwrap(), 5);
        assert_eq!(w.pos(), 5);
        let mut a = fs
            .open_file("dir/sub/log.txt", OpenMode::ReadAppend)
            .unwrap();
        a.seek(0, Whence::Start).unwrap();
        a.write(b" world").unwrap();
        assert_eq!(a.pos(), 11);
        a.seek(0, Whence::Start).unwrap();
        assert_eq!(a.read(100).unwrap(), b"hello world");
        assert_eq!(a.read(100).unwrap(), b"");
        assert_eq!(fs.read("/dir/sub/log.txt", 100).unwrap(), b"hello world");
        // `w+` empties it at once.
        let mut rw = fs
            .open_file("/dir/sub/log.txt", OpenMode::ReadWrite)
            .unwrap();
        assert_eq!(fs.size("/dir/sub/log.txt").unwrap(), 0);
        rw.write(b"abc").unwrap();
        assert_eq!(rw.seek(-1, Whence::End).unwrap(), 2);
        assert_eq!(rw.read(9).unwrap(), b"c");
        assert!(rw.seek(1, Whence::End).is_err());
        assert!(rw.seek(-4, Whence::Current).is_err());
        assert_eq!(rw.pos(), 3);
        rw.truncate(1).unwrap();
        assert_eq!(rw.pos(), 0);
        assert_eq!(rw.read(9).unwrap(), b"a");
        rw.sync().unwrap();
    }

    #[test]
    fn writes_are_charged_against_the_capacity_and_the_switches() {
        let (_d, fs) = sandbox(10);
        let mut f = fs.open_file("a", OpenMode::Write).unwrap();
        f.write(b"12345678").unwrap();
        let err = f.write(b"abc").unwrap_err();
        assert_eq!(err.cme_code(), 1063);
        assert_eq!(f.len().unwrap(), 8);
        // Overwriting inside the file needs no room.
        f.seek(0, Whence::Start).unwrap();
        f.write(b"xy").unwrap();
        assert_eq!(fs.info().unwrap().free, 2);
        assert_eq!(f.truncate(20).unwrap_err().cme_code(), 1063);
        f.truncate(4).unwrap();
        assert_eq!(fs.info().unwrap().free, 6);
        // Quota and read-only switched at run time.
        fs.set_capacity(5);
        f.seek(0, Whence::End).unwrap();
        assert_eq!(f.write(b"xx").unwrap_err().cme_code(), 1063);
        fs.set_read_only(true);
        assert!(fs.is_read_only());
        assert_eq!(f.write(b"x").unwrap_err().cme_code(), 1059);
        assert_eq!(fs.write("b", b"x").unwrap_err().cme_code(), 1059);
        assert_eq!(fs.delete("a").unwrap_err().cme_code(), 1059);
        assert_eq!(
            fs.open_file("c", OpenMode::Append).unwrap_err().cme_code(),
            1059
        );
        assert!(fs.open_file("a", OpenMode::Read).is_ok());
        assert_eq!(fs.read("a", 10).unwrap(), b"xy34");
        fs.set_read_only(false);
        fs.set_capacity(100);
        f.write(b"!").unwrap();
    }

    #[test]
    fn open_files_stay_inside_the_root() {
        let (d, fs) = sandbox(1 << 20);
        let outside = d.path().join("outside.txt");
        std::fs::write(&outside, b"secret").unwrap();
        std::os::unix::fs::symlink(&outside, d.path().join("fs/link.txt")).unwrap();
        std::os::unix::fs::symlink(d.path(), d.path().join("fs/usr/up")).unwrap();
        for mode in 0..=4 {
            let mode = OpenMode::from_u8(mode).unwrap();
            assert_eq!(fs.open_file("link.txt", mode).unwrap_err().cme_code(), 1050);
            assert_eq!(
                fs.open_file("/usr/up/outside.txt", mode)
                    .unwrap_err()
                    .cme_code(),
                1050
            );
            assert_eq!(
                fs.open_file("../outside.txt", mode).unwrap_err().cme_code(),
                1050
            );
            assert_eq!(fs.open_file("/usr", mode).unwrap_err().cme_code(), 1055);
        }
        assert_eq!(std::fs::read(&outside).unwrap(), b"secret");
        // An absolute host path is a module path below the root.
        let mut f = fs
            .open_file(outside.to_str().unwrap(), OpenMode::Write)
            .unwrap();
        f.write(b"x").unwrap();
        assert_eq!(std::fs::read(&outside).unwrap(), b"secret");
    }

    #[test]
    fn md5_is_the_standard_digest() {
        let (_d, fs) = sandbox(1 << 20);
        fs.write("e", b"").unwrap();
        assert_eq!(
            fs.md5("e").unwrap(),
            [
                0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04, 0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8,
                0x42, 0x7e
            ]
        );
        // RFC 1321 test suite: "abc", and a file longer than one read buffer.
        fs.write("abc", b"abc").unwrap();
        assert_eq!(fs.md5("abc").unwrap()[..4], [0x90, 0x01, 0x50, 0x98]);
        fs.write("big", &vec![b'a'; 200_000]).unwrap();
        let once = fs.md5("big").unwrap();
        assert_eq!(once, fs.md5("/big").unwrap());
        assert_eq!(fs.md5("missing").unwrap_err().cme_code(), 1051);
        fs.empty("abc").unwrap();
        assert_eq!(fs.size("abc").unwrap(), 0);
        fs.empty("new/one").unwrap();
        assert_eq!(fs.read("new/one", 1).unwrap(), b"");
    }
}

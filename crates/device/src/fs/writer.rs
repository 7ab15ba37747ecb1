//! Streaming atomic writes: bytes go to a temp file in the sandbox's hidden directory and only a
//! commit renames it over the real name, so readers and crashes never see half a file.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use rustix::fs::{fstat, openat, renameat, unlinkat, AtFlags, FileType, Mode, OFlags};

use super::error::{from_errno, from_io, FsError, Op};
use super::inner::Inner;
use super::path::ModulePath;
use super::walk::{kind, lstat, open_dir, size, Want};

/// A write in progress, from [`Sandbox::create`](super::Sandbox::create).
///
/// Every byte is counted against the capacity before it is written, so concurrent writers cannot
/// together overfill the file system. [`commit`](AtomicWriter::commit) puts the file in place;
/// dropping the writer without committing deletes the temp file and leaves any old file as it was.
#[derive(Debug)]
pub struct AtomicWriter {
    inner: Arc<Inner>,
    target: ModulePath,
    shown: String,
    temp: String,
    file: Option<File>,
    /// Bytes counted against the capacity for this writer, released on commit or drop.
    reserved: u64,
    written: u64,
    /// A host write failed part way: the temp file's content is unknown, so it must not be
    /// committed.
    failed: bool,
    /// Commit or drop already released the accounting and the writer's claim on the path.
    released: bool,
}

impl AtomicWriter {
    /// Called by `Sandbox::create` once the path has been claimed in the shared state; from here
    /// on `Drop` gives the claim back whatever happens.
    pub(crate) fn new(inner: Arc<Inner>, target: ModulePath, temp: String) -> AtomicWriter {
        AtomicWriter {
            shown: target.to_string(),
            inner,
            target,
            temp,
            file: None,
            reserved: 0,
            written: 0,
            failed: false,
            released: false,
        }
    }

    pub(crate) fn set_file(&mut self, file: File) {
        self.file = Some(file);
    }

    /// Module path the writer will commit to.
    pub fn path(&self) -> &str {
        &self.shown
    }

    /// Bytes written so far: what `+MFPUT:` or a transfer report counts.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Appends `buf`, typed: [`FsError::NoSpace`] if it would take the file system past its
    /// capacity (nothing is written then, and the writer stays usable), a write failure if the host
    /// refuses (the writer can then only be dropped).
    pub fn write_chunk(&mut self, buf: &[u8]) -> Result<(), FsError> {
        if self.failed {
            return Err(FsError::WriteFailed {
                path: self.shown.clone(),
                source: io::Error::other("an earlier write to this file failed"),
            });
        }
        self.inner.writable(&self.shown)?;
        let n = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        self.inner.reserve(n)?;
        self.reserved = self.reserved.saturating_add(n);
        let Some(file) = self.file.as_mut() else {
            self.failed = true;
            return Err(FsError::WriteFailed {
                path: self.shown.clone(),
                source: io::Error::other("temp file not open"),
            });
        };
        if let Err(e) = file.write_all(buf) {
            self.failed = true;
            return Err(from_io(e, Op::Write, &self.shown));
        }
        self.written = self.written.saturating_add(n);
        Ok(())
    }

    /// Renames the temp file over the real name, creating missing parent directories, and returns
    /// the file's size. Fails without touching the old file if the name is now a directory or a
    /// link, or a file blocks a parent directory.
    pub fn commit(mut self) -> Result<u64, FsError> {
        self.finish().map(|(n, _replaced)| n)
    }

    /// [`AtomicWriter::commit`], returning the replaced file still open. The kernel frees a
    /// replaced file's blocks and cached pages when its last reference goes, which for a large
    /// file is long (0.1 s for 256 MiB here): dropping [`Replaced`] later, off the path that
    /// reports the commit, keeps that out of the reply's latency.
    pub fn commit_deferred(mut self) -> Result<(u64, Replaced), FsError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(u64, Replaced), FsError> {
        if self.failed {
            return Err(FsError::WriteFailed {
                path: self.shown.clone(),
                source: io::Error::other("an earlier write to this file failed"),
            });
        }
        // Closing is all the durability asked for: the rename is what makes the file visible.
        drop(self.file.take());
        let (parent, name) = self
            .target
            .split_last()
            .ok_or_else(|| FsError::IsDirectory {
                path: self.shown.clone(),
            })?;
        let inner = Arc::clone(&self.inner);
        let mut state = inner.lock();
        let dir = open_dir(inner.root_fd(), parent, Want::Create)?;
        let old =
            match lstat(dir.as_fd(), name).map_err(|e| from_errno(e, Op::Write, &self.shown))? {
                None => 0,
                Some(st) => match kind(&st) {
                    FileType::RegularFile => size(&st),
                    FileType::Directory => {
                        return Err(FsError::IsDirectory {
                            path: self.shown.clone(),
                        })
                    }
                    FileType::Symlink => {
                        return Err(FsError::Symlink {
                            path: self.shown.clone(),
                        })
                    }
                    _ => {
                        return Err(FsError::NotAFile {
                            path: self.shown.clone(),
                        })
                    }
                },
            };
        // Not following links and not blocking: a name swapped since the lstat for a link or a
        // FIFO is not opened, or is dropped at once.
        let replaced = (old > 0)
            .then(|| {
                openat(
                    &dir,
                    name,
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok()
            })
            .flatten()
            .filter(|fd| fstat(fd).is_ok_and(|st| kind(&st) == FileType::RegularFile));
        renameat(inner.tmp_fd(), self.temp.as_str(), &dir, name)
            .map_err(|e| from_errno(e, Op::Write, &self.shown))?;
        state.committed = state
            .committed
            .saturating_sub(old)
            .saturating_add(self.written);
        state.reserved = state.reserved.saturating_sub(self.reserved);
        self.reserved = 0;
        state.writing.remove(&self.target);
        self.released = true;
        Ok((self.written, Replaced(replaced)))
    }
}

/// The file a commit replaced, still open; see [`AtomicWriter::commit_deferred`].
#[derive(Debug)]
#[must_use = "dropping it frees the replaced file's blocks; that is the point of keeping it"]
pub struct Replaced(Option<OwnedFd>);

impl Replaced {
    /// Whether a replaced file is held open (none when the name was new or empty).
    pub fn is_held(&self) -> bool {
        self.0.is_some()
    }
}

impl Write for AtomicWriter {
    /// Writes all of `buf` or nothing; the error carries the [`FsError`], recover it with
    /// [`FsError::from_write_error`].
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_chunk(buf).map_err(io::Error::other)?;
        Ok(buf.len())
    }

    /// Nothing is buffered here; the host file gets each chunk as it comes.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        drop(self.file.take());
        // Ignored: a temp file that cannot be removed is cleared when the sandbox is next opened.
        let _ = unlinkat(self.inner.tmp_fd(), self.temp.as_str(), AtFlags::empty());
        let mut state = self.inner.lock();
        state.reserved = state.reserved.saturating_sub(self.reserved);
        state.writing.remove(&self.target);
        self.released = true;
    }
}

//! The module's file system from the channel tasks: the [`Sandbox`] is synchronous, so every
//! call runs on tokio's blocking pool and hands its file or writer back by value. A task that
//! is cancelled while such a call runs just drops the handle; the call finishes on its own
//! and drops what it holds (an [`AtomicWriter`] dropped uncommitted removes its temp file).

use crate::fs::{AtomicWriter, FsError, Sandbox};
use std::fs::File;
use std::io::Read;

/// Runs a sandbox call on the blocking pool.
async fn blocking<T, F>(what: &str, f: F) -> Result<T, FsError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, FsError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(FsError::Io {
            path: what.to_owned(),
            source: std::io::Error::other(format!("file system task failed: {e}")),
        }),
    }
}

/// Reads a small file whole (a TLS context's CA, certificate or key).
pub(super) async fn read_small(fs: &Sandbox, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
    let fs = fs.clone();
    let p = path.to_owned();
    blocking(path, move || fs.read(&p, max)).await
}

/// Opens a local file for an upload.
pub(super) async fn open_read(fs: &Sandbox, path: &str) -> Result<File, FsError> {
    let fs = fs.clone();
    let p = path.to_owned();
    blocking(path, move || fs.open_read(&p).map(|(f, _)| f)).await
}

/// A local file being read in chunks.
pub(super) struct Reader {
    file: Option<File>,
    path: String,
    buf: Vec<u8>,
}

impl Reader {
    pub(super) fn new(file: File, path: &str, chunk: usize) -> Self {
        Reader {
            file: Some(file),
            path: path.to_owned(),
            buf: vec![0; chunk.max(1)],
        }
    }

    /// The next bytes of the file; empty at the end.
    pub(super) async fn next(&mut self) -> Result<&[u8], FsError> {
        let Some(mut file) = self.file.take() else {
            return Ok(&[]);
        };
        let mut buf = std::mem::take(&mut self.buf);
        let path = self.path.clone();
        let (file, buf, n) = blocking(&self.path, move || {
            let n = loop {
                match file.read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(source) => return Err(FsError::ReadFailed { path, source }),
                }
            };
            Ok((file, buf, n))
        })
        .await?;
        let n = n.min(buf.len());
        self.buf = buf;
        if n > 0 {
            self.file = Some(file);
        }
        Ok(&self.buf[..n])
    }
}

/// Starts an atomic write of a local file (a download into the module).
pub(super) async fn create(fs: &Sandbox, path: &str) -> Result<AtomicWriter, FsError> {
    let fs = fs.clone();
    let p = path.to_owned();
    blocking(path, move || fs.create(&p)).await
}

/// A local file being written, chunk by chunk, then committed.
pub(super) struct Writer {
    writer: Option<AtomicWriter>,
    path: String,
}

impl Writer {
    pub(super) fn new(writer: AtomicWriter) -> Self {
        let path = writer.path().to_owned();
        Writer {
            writer: Some(writer),
            path,
        }
    }

    /// Appends `data` and hands the buffer back for reuse; after an error the writer is gone
    /// and its temp file removed.
    pub(super) async fn write(&mut self, data: Vec<u8>) -> Result<Vec<u8>, FsError> {
        let Some(mut w) = self.writer.take() else {
            return Err(self.gone());
        };
        let (w, data) = blocking(&self.path, move || {
            w.write_chunk(&data)?;
            Ok((w, data))
        })
        .await?;
        self.writer = Some(w);
        Ok(data)
    }

    /// Puts the file in place; returns its size. A file it replaces is released on the
    /// blocking pool afterwards, not waited for (see [`AtomicWriter::commit_deferred`]).
    pub(super) async fn commit(mut self) -> Result<u64, FsError> {
        let Some(w) = self.writer.take() else {
            return Err(self.gone());
        };
        let (n, replaced) = blocking(&self.path, move || w.commit_deferred()).await?;
        drop(tokio::task::spawn_blocking(move || drop(replaced)));
        Ok(n)
    }

    fn gone(&self) -> FsError {
        FsError::WriteFailed {
            path: self.path.clone(),
            source: std::io::Error::other("an earlier write to this file failed"),
        }
    }
}

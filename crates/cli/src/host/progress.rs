//! Progress bars for `get` and `put`: bytes, rate and ETA on a terminal, nothing in a pipe.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A bar for `total` bytes (a spinner-like bar when unknown), hidden unless stderr is a
/// terminal.
pub fn bar(total: Option<u64>, label: &str) -> ProgressBar {
    let pb = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    if !super::stderr_is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
        return pb;
    }
    let template = if total.is_some() {
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}"
    } else {
        "{msg} {bytes} {bytes_per_sec} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(label.to_string());
    pb
}

/// The line after a transfer, on stderr unless `-q`: `f.bin: 1048576 bytes in 2.10 s (499.3 kB/s)`.
pub fn summary(label: &str, bytes: u64, elapsed: std::time::Duration) {
    super::note(format_args!("{}", summary_text(label, bytes, elapsed)));
}

fn summary_text(label: &str, bytes: u64, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { bytes as f64 / secs } else { 0.0 };
    let rate = if rate >= 1e6 {
        format!("{:.1} MB/s", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1} kB/s", rate / 1e3)
    } else {
        format!("{rate:.0} B/s")
    };
    format!("{label}: {bytes} bytes in {secs:.2} s ({rate})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_gives_bytes_time_and_rate() {
        let t = std::time::Duration::from_millis(2000);
        assert_eq!(
            super::summary_text("f.bin", 1_000_000, t),
            "f.bin: 1000000 bytes in 2.00 s (500.0 kB/s)"
        );
        assert_eq!(
            super::summary_text("f", 10, std::time::Duration::ZERO),
            "f: 10 bytes in 0.00 s (0 B/s)"
        );
    }
}

/// Counts what is written through it into a bar.
pub struct CountingWriter<W> {
    pub inner: W,
    pub bar: ProgressBar,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CountingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            self.bar.inc(*n as u64);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Counts what is read through it into a bar.
pub struct CountingReader<R> {
    pub inner: R,
    pub bar: ProgressBar,
}

impl<R: AsyncRead + Unpin> AsyncRead for CountingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.bar.inc(n as u64);
        r
    }
}

/// A writer that only hashes, for `--verify`.
#[derive(Default)]
pub struct HashSink(pub sha2::Sha256);

impl AsyncWrite for HashSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        sha2::Digest::update(&mut self.0, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// sha256 of a local file, read in chunks.
pub async fn file_sha256(path: &std::path::Path) -> std::io::Result<[u8; 32]> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(path).await?;
    let mut h = sha2::Sha256::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        sha2::Digest::update(&mut h, buf.get(..n).unwrap_or_default());
    }
    Ok(sha2::Digest::finalize(h).into())
}

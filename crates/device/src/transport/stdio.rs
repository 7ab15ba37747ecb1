//! The stdio transport: stdin is the line into the module, stdout the line out of it, for
//! `socat`, `ssh`, inetd-style use and shell pipelines.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ends::{LineEnds, CHUNK};
use super::pump::run_stream;

/// Serves the module's line on stdin/stdout until shutdown, the module ending, or an I/O error.
///
/// End of file on stdin closes the module's input; output keeps flowing until the module drops
/// its sender, so a piped script still receives the answers to what it sent. Each chunk of
/// output is flushed at once. Call it at most once per process: stdin is read by a dedicated,
/// detached thread, so a read blocked on stdin never holds back the runtime's shutdown or the
/// process's exit (tokio's own stdin would, until the user pressed Enter).
///
/// The terminal's mode is left alone (stdin is usually a pipe or a socket here). On an
/// interactive terminal in its normal cooked mode, Enter sends LF rather than CR and Ctrl+C
/// is a signal rather than byte 0x03; making it raw is the caller's business.
pub async fn run_stdio(ends: LineEnds, shutdown: CancellationToken) -> io::Result<()> {
    let stdin = ThreadStdin::spawn()?;
    run_stream(stdin, tokio::io::stdout(), ends, shutdown).await
}

/// Stdin read by a plain, detached OS thread.
///
/// A blocking read of stdin cannot be cancelled. tokio's own `stdin()` runs it on the blocking
/// pool, and dropping the runtime then waits for that read, so Ctrl+C would hang until the user
/// pressed Enter. A detached thread does not hold the runtime (or the process) back. The
/// channel holds one chunk, so at most two chunks are in flight.
struct ThreadStdin {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    pos: usize,
}

impl ThreadStdin {
    fn spawn() -> io::Result<Self> {
        let (tx, rx) = mpsc::channel(1);
        std::thread::Builder::new()
            .name("ftpmodem-stdin".into())
            .spawn(move || {
                let mut stdin = io::stdin();
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let item = match stdin.read(&mut buf) {
                        Ok(0) => return, // dropping tx reads as end of file
                        Ok(n) => Ok(buf[..n].to_vec()),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => Err(e),
                    };
                    let failed = item.is_err();
                    if tx.blocking_send(item).is_err() || failed {
                        return;
                    }
                }
            })?;
        Ok(Self {
            rx,
            pending: Vec::new(),
            pos: 0,
        })
    }
}

impl AsyncRead for ThreadStdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos >= this.pending.len() {
            match ready!(this.rx.poll_recv(cx)) {
                Some(Ok(chunk)) => {
                    this.pending = chunk;
                    this.pos = 0;
                }
                Some(Err(e)) => return Poll::Ready(Err(e)),
                None => return Poll::Ready(Ok(())),
            }
        }
        let rest = this.pending.get(this.pos..).unwrap_or_default();
        let n = rest.len().min(buf.remaining());
        buf.put_slice(rest.get(..n).unwrap_or_default());
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

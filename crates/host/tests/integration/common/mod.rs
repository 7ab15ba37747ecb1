//! A virtual module (engine, runtime, FTP channel tasks) served on a real PTY in this
//! process, and a host [`Modem`] on the PTY's slave: the same wiring as `ftpmodem serve
//! --pty` and `ftpmodem get --pty`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, PtyLine};
use ftpmodem_device::{channel, runtime};
use ftpmodem_host::{tty, Modem, Options};
use ftpmodem_proto::ChannelId;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::AsyncWrite;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// Generous: a 10 MiB transfer through a PTY in a debug build takes seconds.
pub const TIMEOUT: Duration = Duration::from_secs(120);

pub struct Module {
    /// Holds the PTY link and the module's file system; removed with the module.
    _dir: tempfile::TempDir,
    pub link: PathBuf,
    pub fs_root: PathBuf,
    shutdown: CancellationToken,
}

impl Drop for Module {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Module {
    /// Starts the module; its MFGET limit is raised so 10 MiB files can be read back.
    pub fn start() -> Module {
        let dir = tempfile::tempdir().unwrap();
        let fs_root = dir.path().join("fs");
        let fs = Sandbox::open(&fs_root, 256 << 20).unwrap();
        let cfg = EngineConfig {
            mfget_max: 16 << 20,
            ..EngineConfig::default()
        };
        let link = dir.path().join("ttyML307");
        let shutdown = CancellationToken::new();
        let (line_ends, module_ends) = line_channel(runtime::LINE_QUEUE);
        let pty = PtyLine::create(&link).unwrap();
        let s = shutdown.clone();
        tokio::spawn(async move { pty.serve(line_ends, s).await });
        let engine = Engine::new(cfg, fs.clone(), std::time::Instant::now());
        let spawner = move |id, events| channel::spawn(id, fs.clone(), events);
        tokio::spawn(runtime::run(engine, module_ends, spawner, shutdown.clone()));
        Module {
            _dir: dir,
            link,
            fs_root,
            shutdown,
        }
    }

    /// A host on the PTY, past `+MATREADY`.
    pub async fn host(&self) -> Modem {
        self.host_with(Options::default()).await
    }

    pub async fn host_with(&self, opts: Options) -> Modem {
        let line = tty::open(&self.link, None).unwrap();
        let modem = Modem::with_options(line, opts);
        tokio::time::timeout(TIMEOUT, modem.sync(3))
            .await
            .expect("AT timed out")
            .unwrap();
        modem
    }
}

pub fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

/// Deterministic pseudo-random bytes with the bytes that matter to the line planted in them:
/// Ctrl+Z, ESC, CR, LF, NUL, `+++`, and whole response lines.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let mut v: Vec<u8> = (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect();
    let plants: [&[u8]; 8] = [
        b"\x1a",
        b"\x1b",
        b"\r",
        b"\n",
        b"\0",
        b"+++",
        b"\r\nOK\r\n",
        b"\r\n+MFTPRETR: 0,0,1,1,x\r\n",
    ];
    if len > 0 {
        for (i, p) in plants.iter().enumerate() {
            let at = (i * 977 + (seed as usize % 13)) % len;
            for (k, b) in p.iter().enumerate() {
                if let Some(slot) = v.get_mut(at + k) {
                    *slot = *b;
                }
            }
        }
        // "+++" at the very end, and at the very start, as well.
        for k in 0..3.min(len) {
            v[len - 1 - k] = b'+';
            v[k] = b'+';
        }
    }
    v
}

/// A writer that fires once it has taken `at` bytes.
pub struct Tap {
    pub seen: usize,
    pub at: usize,
    pub fire: Option<oneshot::Sender<()>>,
}

impl AsyncWrite for Tap {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        b: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.seen += b.len();
        if self.seen >= self.at {
            if let Some(f) = self.fire.take() {
                let _ = f.send(());
            }
        }
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

//! Concurrency and failure: two channels transferring at once over one line, and a server
//! killed in the middle of a transfer ending the call with a typed error while the driver
//! stays usable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{ch, payload, Module, Tap, TIMEOUT};
use ftpmodem_host::{Error, Login, Range, UploadMode};
use ftpmodem_proto::ChannelState;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::oneshot;
use tokio::time::timeout;

fn login(server: &Vsftpd) -> Login {
    Login::new(server.host())
        .port(server.port())
        .user("uftp")
        .password("12341")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_channels_transfer_at_once() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let down = payload(3 << 20, 1);
    std::fs::write(dir.join("down.bin"), &down).unwrap();
    let up = payload(2 << 20, 2);
    let m = Module::start();
    let modem = m.host().await;
    // Echo off here (the other tests run with the module's default, on).
    modem.set_echo(false).await.unwrap();
    let (a, b) = (modem.channel(ch(0)), modem.channel(ch(3)));
    for c in [&a, &b] {
        c.connect(&login(&server)).await.unwrap();
        c.cwd(dir.to_str().unwrap()).await.unwrap();
    }
    let get = {
        let a = a.clone();
        tokio::spawn(async move {
            let mut back = Vec::new();
            a.retrieve("down.bin", &mut back, Range::all())
                .await
                .unwrap();
            back
        })
    };
    let put = {
        let b = b.clone();
        let up = up.clone();
        tokio::spawn(async move {
            b.store("up.bin", &mut up.as_slice(), UploadMode::Prompt)
                .await
                .unwrap()
        })
    };
    // And a third task using the line for local commands meanwhile.
    let other = {
        let modem = modem.clone();
        tokio::spawn(async move {
            for i in 0..50 {
                let d = payload(500, i);
                modem.fs_put("side.bin", &d).await.unwrap();
                assert_eq!(modem.fs_get("side.bin").await.unwrap(), d);
            }
        })
    };
    let back = timeout(TIMEOUT, get).await.unwrap().unwrap();
    let sent = timeout(TIMEOUT, put).await.unwrap().unwrap();
    timeout(TIMEOUT, other).await.unwrap().unwrap();
    assert!(back == down, "download differs");
    assert_eq!(sent, up.len() as u64);
    assert!(
        std::fs::read(dir.join("up.bin")).unwrap() == up,
        "upload differs"
    );
}

fn typed_transfer_error(e: &Error) -> bool {
    matches!(e, Error::Result { .. } | Error::Disconnected(_))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_transfer_gives_a_typed_error_and_the_driver_goes_on() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("big.bin"), payload(10 << 20, 5)).unwrap();
    let server = Arc::new(Mutex::new(server));
    let m = Module::start();
    let modem = m.host().await;
    let c = modem.channel(ch(2));
    let l = login(&server.lock().unwrap());
    c.connect(&l).await.unwrap();
    c.cwd(dir.to_str().unwrap()).await.unwrap();

    // Download: kill the server after 256 KiB have arrived.
    let (fire, fired) = oneshot::channel();
    let killer = {
        let server = server.clone();
        tokio::spawn(async move {
            if fired.await.is_ok() {
                server.lock().unwrap().kill();
            }
        })
    };
    let mut tap = Tap {
        seen: 0,
        at: 256 << 10,
        fire: Some(fire),
    };
    let e = timeout(TIMEOUT, c.retrieve("big.bin", &mut tap, Range::all()))
        .await
        .unwrap()
        .unwrap_err();
    killer.await.unwrap();
    eprintln!("download ended after {} bytes: {e}", tap.seen);
    assert!(typed_transfer_error(&e), "{e:?}");
    assert!(
        tap.seen < 10 << 20,
        "the whole file arrived from a killed server"
    );

    // The line is in step: commands work, and the channel is disconnected.
    modem.ping().await.unwrap();
    let st = timeout(TIMEOUT, async {
        loop {
            let s = c.state().await.unwrap();
            if s == ChannelState::Disconnected {
                return s;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    assert_eq!(st, ChannelState::Disconnected);

    // A new server: the same channel connects again, and an upload killed in the middle
    // fails typed as well.
    let server2 = Arc::new(Mutex::new(Vsftpd::start(VsftpdOptions::plain()).unwrap()));
    let dir2 = server2.lock().unwrap().fresh_user_dir().unwrap();
    let l2 = login(&server2.lock().unwrap());
    c.connect(&l2).await.unwrap();
    c.cwd(dir2.to_str().unwrap()).await.unwrap();
    let data = payload(8 << 20, 6);
    let up = {
        let c = c.clone();
        tokio::spawn(async move {
            // A reader that kills the server once 1 MiB has been read from it.
            let mut src = KillAfter {
                inner: std::io::Cursor::new(data),
                read: 0,
                at: 1 << 20,
                server: Some(server2),
            };
            c.store("up.bin", &mut src, UploadMode::Prompt).await
        })
    };
    let e = timeout(TIMEOUT, up).await.unwrap().unwrap().unwrap_err();
    eprintln!("upload ended: {e}");
    assert!(typed_transfer_error(&e), "{e:?}");
    modem.ping().await.unwrap();
    assert_eq!(modem.identify().await.unwrap().len(), 3);
}

/// Docs/PROTOCOL.md §3.12: after a transparent upload fails the module drops the rest of the
/// stream until the escape; the driver stops streaming, escapes, and the call fails typed
/// while the line stays in step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transparent_upload_to_a_killed_server_escapes_and_fails_typed() {
    let server = Arc::new(Mutex::new(Vsftpd::start(VsftpdOptions::plain()).unwrap()));
    let dir = server.lock().unwrap().fresh_user_dir().unwrap();
    let m = Module::start();
    let modem = m.host().await;
    let c = modem.channel(ch(1));
    let l = login(&server.lock().unwrap());
    c.connect(&l).await.unwrap();
    c.cwd(dir.to_str().unwrap()).await.unwrap();
    let data = payload(8 << 20, 7);
    let up = {
        let c = c.clone();
        tokio::spawn(async move {
            let mut src = KillAfter {
                inner: std::io::Cursor::new(data),
                read: 0,
                at: 1 << 20,
                server: Some(server),
            };
            c.store("up.bin", &mut src, UploadMode::Transparent).await
        })
    };
    let e = timeout(TIMEOUT, up).await.unwrap().unwrap().unwrap_err();
    eprintln!("transparent upload ended: {e}");
    assert!(typed_transfer_error(&e), "{e:?}");
    modem.ping().await.unwrap();
    assert_eq!(modem.identify().await.unwrap().len(), 3);
}

struct KillAfter {
    inner: std::io::Cursor<Vec<u8>>,
    read: usize,
    at: usize,
    server: Option<Arc<Mutex<Vsftpd>>>,
}

impl tokio::io::AsyncRead for KillAfter {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.read += buf.filled().len() - before;
        if self.read >= self.at {
            if let Some(s) = self.server.take() {
                s.lock().unwrap().kill();
            }
        }
        r
    }
}

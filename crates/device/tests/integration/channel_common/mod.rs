//! Shared by the channel_* tests: a channel task driven directly (requests in, events out,
//! every wait bounded), connect requests for the fixtures' servers, and the reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_device::channel::{self, ChannelOptions};
use ftpmodem_device::engine::{
    ChannelEvent, ChannelRequest, ChannelSettings, ConnectRequest, TlsContext,
};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_proto::{ChannelId, ChannelState, ResultCode, SimpleOp, UploadOp, Urc};
use ftpmodem_testsrv::{Vsftpd, VsftpdOptions};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::timeout;

/// The longest any single event may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// The channel under test; not 0, so a mixed-up id shows.
pub fn id() -> ChannelId {
    ChannelId::new(3).unwrap()
}

/// One channel task with its own module file system.
pub struct Harness {
    /// Events taken ahead (put back, or the rest of a `Download` block), returned first.
    pub ahead: std::collections::VecDeque<ChannelEvent>,
    /// The chunk size of the last RETR sent, which the engine would print with.
    pub chunk: usize,
    /// The running download as the engine cuts it (`engine/download.rs`): bytes received,
    /// bytes printed, and those carried to the next chunk.
    received: u64,
    printed: u64,
    carry: Vec<u8>,
    /// A local download: bytes whose block reports were made.
    saved: u64,
    pub tx: mpsc::Sender<ChannelRequest>,
    pub rx: mpsc::Receiver<(ChannelId, ChannelEvent)>,
    pub fs: Sandbox,
    /// Holds the module's file system; removed with the harness.
    _dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Self {
        Self::with(1 << 24, 64)
    }

    /// A file system of `capacity` bytes and an event queue of `events` entries.
    pub fn with(capacity: u64, events: usize) -> Self {
        Self::with_opts(
            capacity,
            events,
            ChannelOptions {
                quit_timeout: Duration::from_secs(3),
                ..ChannelOptions::default()
            },
        )
    }

    /// Like [`Harness::with`] with explicit channel options.
    pub fn with_opts(capacity: u64, events: usize, opts: ChannelOptions) -> Self {
        let dir = tempfile::TempDir::new().unwrap();
        let fs = Sandbox::open(dir.path().join("fs"), capacity).unwrap();
        let (etx, rx) = mpsc::channel(events);
        let tx = channel::spawn_with(id(), fs.clone(), etx, opts);
        Harness {
            ahead: std::collections::VecDeque::new(),
            chunk: 1,
            received: 0,
            printed: 0,
            saved: 0,
            carry: Vec::new(),
            tx,
            rx,
            fs,
            _dir: dir,
        }
    }

    pub async fn send(&mut self, r: ChannelRequest) {
        if let ChannelRequest::Retr { chunk, .. } = &r {
            self.chunk = *chunk;
            self.received = 0;
            self.printed = 0;
            self.carry.clear();
        }
        timeout(WAIT, self.tx.send(r))
            .await
            .expect("request queue stuck")
            .expect("channel task gone");
    }

    /// Makes `ev` the next event again.
    pub fn rx_put_back(&mut self, ev: ChannelEvent) {
        self.ahead.push_front(ev);
    }

    pub async fn next(&mut self) -> ChannelEvent {
        loop {
            if let Some(ev) = self.ahead.pop_front() {
                return ev;
            }
            let (cid, ev) = timeout(WAIT, self.rx.recv())
                .await
                .expect("no event in time")
                .expect("channel task gone");
            assert_eq!(cid, id());
            // A local download's progress reads as the block reports the engine prints for
            // it, cut the same way (`RetrCut::saved`).
            if let ChannelEvent::Saved { written, done } = ev {
                assert!(written >= self.saved, "Saved counts up");
                let chunk = self.chunk.max(1) as u64;
                let upto = if done.is_some() || written == 0 {
                    written
                } else {
                    (written - 1) / chunk * chunk
                };
                let start = self.saved;
                let mut at = start;
                while at < upto {
                    let end = (at + chunk).min(upto);
                    self.ahead.push_back(ChannelEvent::Report {
                        urc: Urc::RetrSaved {
                            id: cid,
                            sum: end,
                            recv: end - at,
                        },
                        done: end == upto && done == Some(true),
                    });
                    at = end;
                }
                self.saved = if done.is_some() { 0 } else { upto };
                continue;
            }
            // Downloaded data reads as the chunk reports the engine prints for it: whole
            // chunks as they complete, the one with the last byte once the download is done.
            let ChannelEvent::Download { data, sum, done } = ev else {
                return ev;
            };
            assert_eq!(
                sum, self.received,
                "a Download's sum counts the bytes before it"
            );
            assert!(
                !data.is_empty() || done.is_some(),
                "empty Download block before the end"
            );
            self.received += data.len() as u64;
            self.carry.extend_from_slice(&data);
            let chunk = self.chunk.max(1);
            let print = if done.is_some() {
                self.carry.len()
            } else {
                self.carry.len().saturating_sub(1) / chunk * chunk
            };
            let cut: Vec<u8> = self.carry.drain(..print).collect();
            let pieces = cut.len().div_ceil(chunk);
            for (i, piece) in cut.chunks(chunk).enumerate() {
                self.printed += piece.len() as u64;
                self.ahead.push_back(ChannelEvent::Report {
                    urc: Urc::RetrData {
                        id: cid,
                        sum: self.printed,
                        data: piece.to_vec(),
                    },
                    done: i + 1 == pieces && done == Some(true),
                });
            }
        }
    }

    pub async fn expect(&mut self, want: ChannelEvent) {
        let got = self.next().await;
        assert_eq!(got, want);
    }

    pub async fn expect_report(&mut self, urc: Urc, done: bool) {
        self.expect(ChannelEvent::Report { urc, done }).await;
    }

    pub async fn expect_state(&mut self, s: ChannelState) {
        self.expect(ChannelEvent::State(s)).await;
    }

    /// Connects and checks the success sequence.
    pub async fn connect(&mut self, req: ConnectRequest) {
        self.send(ChannelRequest::Connect(Box::new(req))).await;
        self.expect_state(ChannelState::Connected).await;
        self.expect_report(conn(ResultCode::Success), true).await;
    }

    /// Sends a command and checks its single report.
    pub async fn simple(&mut self, req: ChannelRequest, urc: Urc) {
        self.send(req).await;
        self.expect_report(urc, true).await;
    }

    /// AT+MFTPDISC and its full sequence.
    pub async fn disconnect(&mut self) {
        self.send(ChannelRequest::Disconnect).await;
        self.expect_disconnect_sequence().await;
    }

    pub async fn expect_disconnect_sequence(&mut self) {
        self.expect_report(result(SimpleOp::Disc, ResultCode::Success), false)
            .await;
        self.expect_lost().await;
    }

    /// State 0 and `+MFTPURC: <id>,"conn",0`.
    pub async fn expect_lost(&mut self) {
        self.expect_state(ChannelState::Disconnected).await;
        self.expect_report(Urc::ConnState { id: id(), state: 0 }, true)
            .await;
    }

    /// Nothing arrives within `d` (an assertion about absence, not a synchronisation).
    pub async fn expect_quiet(&mut self, d: Duration) {
        if let Ok(Some(ev)) = timeout(d, self.rx.recv()).await {
            panic!("unexpected event {ev:?}");
        }
    }
}

/// Anonymous connect request to `addr` with the default settings.
pub fn request(addr: SocketAddr) -> ConnectRequest {
    ConnectRequest {
        host: addr.ip().to_string(),
        port: addr.port(),
        user: "anonymous".into(),
        pass: String::new(),
        settings: ChannelSettings::default(),
        tls: TlsContext::default(),
        bind: None,
    }
}

/// The fixtures' local account.
pub fn uftp(addr: SocketAddr) -> ConnectRequest {
    ConnectRequest {
        user: ftpmodem_testsrv::USER.into(),
        pass: ftpmodem_testsrv::PASSWORD.into(),
        ..request(addr)
    }
}

pub async fn vsftpd(opts: VsftpdOptions) -> Vsftpd {
    tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .expect("vsftpd")
}

pub fn conn(code: ResultCode) -> Urc {
    result(SimpleOp::Conn, code)
}

pub fn result(op: SimpleOp, code: ResultCode) -> Urc {
    Urc::Result { op, id: id(), code }
}

pub fn stor(code: ResultCode, sent: u64) -> Urc {
    Urc::Upload {
        op: UploadOp::Stor,
        id: id(),
        code,
        sent,
    }
}

pub fn appe(code: ResultCode, sent: u64) -> Urc {
    Urc::Upload {
        op: UploadOp::Appe,
        id: id(),
        code,
        sent,
    }
}

pub fn retr_result(code: ResultCode) -> Urc {
    Urc::RetrResult { id: id(), code }
}

pub fn retr_data(sum: u64, data: &[u8]) -> Urc {
    Urc::RetrData {
        id: id(),
        sum,
        data: data.to_vec(),
    }
}

pub fn retr(file: &str, offset: u64, length: Option<u64>, chunk: usize) -> ChannelRequest {
    ChannelRequest::Retr {
        file: file.into(),
        local: None,
        offset,
        length,
        chunk,
    }
}

/// Bytes that a text-mode bug would mangle (CR, LF, NUL, Ctrl-Z, `+++`), then pseudo-random.
pub fn payload(len: usize) -> Vec<u8> {
    let mut v = b"\r\n\n\r\0\x1a+++\r\r\n".to_vec();
    let mut x: u32 = 12345;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.push((x >> 16) as u8);
    }
    v.truncate(len);
    v
}

/// Writes a file the server's users can read.
pub fn put(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap();
}

/// `dir` as a string for a CWD/RETR path.
pub fn s(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

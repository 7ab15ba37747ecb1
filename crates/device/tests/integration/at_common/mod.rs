//! The harness of the AT-line tests (`at_matrix`, `at_failures`, `at_chapter4`): a whole module
//! (engine, runtime, FTP channel tasks, local file system) on a line the test talks to as a
//! firmware would, over an in-memory stream or a real PTY, plus the servers it talks to.
//!
//! Every read is a wait for bytes with a timeout; every comparison is of whole byte sequences
//! (with [`At::expect`]), so a stray or missing byte anywhere fails the test at that step.
//! Where the bytes cannot be known in advance (a data line's payload, a line whose content is
//! checked loosely), [`At::frame`] reads the next piece with the protocol crate's decoder,
//! which stops exactly at the piece's last byte, so byte comparisons go on in step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod cell;
pub mod fake;
pub mod mux;
pub mod payload;
pub mod relay;
pub mod target;

use ftpmodem_device::channel::{self, ChannelOptions};
use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::runtime;
use ftpmodem_device::transport::{line_channel, run_stream, PtyLine};
use ftpmodem_proto::frame::decode::{Event, Frame, Framer};
use ftpmodem_proto::{ChannelId, Response, Urc};
use std::io::Read;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The longest any single wait for the module may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The silence the module needs around `+++` (EngineConfig's default guard time), plus margin
/// for the bytes still in flight when the sender starts counting.
pub const GUARD_WAIT: Duration = Duration::from_millis(1300);

/// How the test reaches the module's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `tokio::io::duplex` through the same stream pump the TCP and stdio transports use.
    Memory,
    /// A real pseudo-terminal ([`PtyLine`]), opened through its symlink like a serial port.
    Pty,
}

/// What module to start.
#[derive(Debug, Clone)]
pub struct ModuleOptions {
    /// The line.
    pub line: LineKind,
    /// Size of the module's file system.
    pub capacity: u64,
    /// Engine limits, profile, PDP bindings.
    pub engine: EngineConfig,
    /// Channel task tunables.
    pub channel: ChannelOptions,
    /// Turn echo off first (`ATE0`), so the test sees answers only.
    pub echo_off: bool,
    /// Name in failure messages.
    pub label: String,
}

impl Default for ModuleOptions {
    fn default() -> Self {
        ModuleOptions {
            line: LineKind::Memory,
            capacity: 16 << 20,
            engine: EngineConfig::default(),
            channel: ChannelOptions::default(),
            echo_off: true,
            label: "module".into(),
        }
    }
}

/// A running module; stopped when dropped.
pub struct Module {
    /// The test bench's control channel into the module (docs/CONTROL.md).
    pub control: ftpmodem_device::control::ModuleControl,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Module {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts a module and returns it with a client on its line, `+MATREADY` already read (and
/// echo turned off when asked).
pub async fn start(opts: ModuleOptions) -> (Module, At) {
    let dir = tempfile::TempDir::new().unwrap();
    let fs_root = dir.path().join("fs");
    let fs = Sandbox::open(&fs_root, opts.capacity).unwrap();
    let engine = Engine::new(opts.engine.clone(), fs.clone(), std::time::Instant::now());
    let (line, module_ends) = line_channel(runtime::LINE_QUEUE);
    let shutdown = CancellationToken::new();
    let chopts = opts.channel;
    let spawner = move |id, events| channel::spawn_with(id, fs.clone(), events, chopts.clone());
    let (control, port) = ftpmodem_device::control::ModuleControl::new();
    tokio::spawn(runtime::run_controlled(
        engine,
        module_ends,
        spawner,
        shutdown.clone(),
        port,
    ));
    let (rx, w): (mpsc::Receiver<Vec<u8>>, Box<dyn AsyncWrite + Unpin + Send>) = match opts.line {
        LineKind::Memory => {
            let (ours, theirs) = tokio::io::duplex(64 * 1024);
            let (r, w) = tokio::io::split(theirs);
            tokio::spawn(run_stream(r, w, line, shutdown.clone()));
            let (mut our_r, our_w) = tokio::io::split(ours);
            let (tx, rx) = mpsc::channel(64);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                while let Ok(n) = our_r.read(&mut buf).await {
                    if n == 0 || tx.send(buf[..n].to_vec()).await.is_err() {
                        break;
                    }
                }
            });
            (rx, Box::new(our_w))
        }
        LineKind::Pty => {
            let link = dir.path().join("ttyML");
            let pty = PtyLine::create(&link).unwrap();
            tokio::spawn(pty.serve(line, shutdown.clone()));
            let tty = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&link)
                .unwrap();
            let mut reader = tty.try_clone().unwrap();
            let (tx, rx) = mpsc::channel(64);
            // A plain thread blocked in read(2), as a firmware's UART driver would be; it ends
            // when the module closes the master (EIO) or the test drops the receiver.
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 || tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            (rx, Box::new(tokio::fs::File::from_std(tty)))
        }
    };
    let mut at = At {
        rx,
        w,
        buf: Vec::new(),
        pos: 0,
        seen: Vec::new(),
        label: opts.label.clone(),
        transcript: None,
        framer: Framer::default(),
    };
    at.expect(b"\r\n+MATREADY\r\n").await;
    if opts.echo_off {
        at.expect_echoed("ATE0").await;
    }
    (
        Module {
            control,
            shutdown,
            _dir: dir,
        },
        at,
    )
}

/// Printable rendering of bytes for failure messages: control bytes and non-ASCII as escapes.
pub fn show(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

/// The test's end of the module's line: a firmware-like AT client.
pub struct At {
    rx: mpsc::Receiver<Vec<u8>>,
    w: Box<dyn AsyncWrite + Unpin + Send>,
    buf: Vec<u8>,
    pos: usize,
    /// The last bytes received, for failure messages.
    seen: Vec<u8>,
    label: String,
    /// Everything received, when recording.
    transcript: Option<Vec<u8>>,
    /// Reads [`At::frame`]s; between frames it holds nothing.
    framer: Framer,
}

const SEEN_KEEP: usize = 600;

impl At {
    /// Starts keeping every byte the module sends (chapter 4's comparison).
    pub fn record(&mut self) {
        self.transcript = Some(Vec::new());
    }

    /// Everything received since [`At::record`].
    pub fn transcript(&self) -> &[u8] {
        self.transcript.as_deref().unwrap_or_default()
    }

    fn context(&self) -> String {
        format!(
            "[{}] last bytes from the module: \"{}\"",
            self.label,
            show(&self.seen)
        )
    }

    async fn fill(&mut self, what: &str) {
        let chunk = match tokio::time::timeout(TIMEOUT, self.rx.recv()).await {
            Ok(Some(c)) => c,
            Ok(None) => panic!("line closed while waiting for {what}; {}", self.context()),
            Err(_) => panic!(
                "no bytes within {TIMEOUT:?} while waiting for {what}; {}",
                self.context()
            ),
        };
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.extend_from_slice(&chunk);
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.consume(n);
        out
    }

    /// Marks the next `n` buffered bytes as read.
    fn consume(&mut self, n: usize) {
        let out = &self.buf[self.pos..self.pos + n];
        self.seen.extend_from_slice(out);
        if self.seen.len() > SEEN_KEEP {
            let cut = self.seen.len() - SEEN_KEEP;
            self.seen.drain(..cut);
        }
        if let Some(t) = self.transcript.as_mut() {
            t.extend_from_slice(out);
        }
        self.pos += n;
    }

    /// The next piece of the module's output (a framed line, a data line, the prompt),
    /// decoded by the protocol crate; unframed bytes (echo is off) or an overlong line fail.
    pub async fn frame(&mut self) -> Frame {
        loop {
            let (n, frame) = self.framer.decode(&self.buf[self.pos..]);
            self.consume(n);
            match frame {
                Some(Frame::Echo(e)) => {
                    panic!("unframed bytes \"{}\"; {}", show(&e), self.context())
                }
                Some(Frame::Overflow { len }) => {
                    panic!("a line of {len} bytes or more; {}", self.context())
                }
                Some(Frame::Data { closed: false, .. }) => {
                    panic!("data not followed by CRLF; {}", self.context())
                }
                Some(f) => return f,
                None => self.fill("a line").await,
            }
        }
    }

    /// Whatever bytes come next (at least one), without a time limit; `None` once the line
    /// has closed. Cancel-safe, for multiplexing readers (whose users time out on their own).
    pub async fn next_bytes(&mut self) -> Option<Vec<u8>> {
        if self.pos == self.buf.len() {
            let chunk = self.rx.recv().await?;
            self.buf.clear();
            self.pos = 0;
            self.buf.extend_from_slice(&chunk);
        }
        let n = self.buf.len() - self.pos;
        Some(self.take(n))
    }

    /// Exactly `n` bytes from the module.
    pub async fn read_n(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() - self.pos < n {
            self.fill(&format!("{n} bytes")).await;
        }
        self.take(n)
    }

    /// The next bytes must be exactly `want`.
    pub async fn expect(&mut self, want: &[u8]) {
        let got = self.read_n(want.len()).await;
        assert!(
            got == want,
            "[{}] module sent\n  \"{}\"\nexpected\n  \"{}\"\n{}",
            self.label,
            show(&got),
            show(want),
            self.context()
        );
    }

    /// Writes bytes to the line (flushed, so timing-sensitive input really left).
    pub async fn send(&mut self, b: &[u8]) {
        self.w.write_all(b).await.unwrap();
        self.w.flush().await.unwrap();
    }

    /// Sends `line` + CR and expects exactly `want`.
    pub async fn cmd(&mut self, line: &str, want: &str) {
        self.send(format!("{line}\r").as_bytes()).await;
        self.expect(want.as_bytes()).await;
    }

    /// Sends a command (echo on) and expects its echo and `OK`.
    pub async fn expect_echoed(&mut self, line: &str) {
        self.send(format!("{line}\r").as_bytes()).await;
        self.expect(format!("{line}\r\r\nOK\r\n").as_bytes()).await;
    }

    /// A command answered `OK` and nothing else.
    pub async fn ok(&mut self, line: &str) {
        self.cmd(line, "\r\nOK\r\n").await;
    }

    /// A server command: `OK`, then exactly the report lines given, in order.
    pub async fn request(&mut self, line: &str, urcs: &[&str]) {
        let mut want = String::from("\r\nOK\r\n");
        for u in urcs {
            want.push_str(&format!("\r\n{u}\r\n"));
        }
        self.cmd(line, &want).await;
    }

    /// The next report lines must be exactly these.
    pub async fn urcs(&mut self, urcs: &[&str]) {
        let mut want = String::new();
        for u in urcs {
            want.push_str(&format!("\r\n{u}\r\n"));
        }
        self.expect(want.as_bytes()).await;
    }

    /// One framed line (`\r\n<content>\r\n`, a data line whole); returns the content.
    pub async fn line(&mut self) -> Vec<u8> {
        match self.frame().await {
            Frame::Line(l) | Frame::Data { line: l, .. } => l,
            f => panic!("a line expected, got {f:?}; {}", self.context()),
        }
    }

    /// The next data line: its header (up to and including the comma before the data) must be
    /// `head` byte for byte; returns it parsed.
    async fn data_line(&mut self, head: &str) -> Event {
        let f = self.frame().await;
        assert!(
            f.head() == Some(head.as_bytes()),
            "data line \"{head}\" expected, got {f:?}; {}",
            self.context()
        );
        Event::from(f)
    }

    /// Proves the line is quiet and in command mode: `AT` gets exactly `OK` next.
    pub async fn idle(&mut self) {
        self.ok("AT").await;
    }

    /// `AT+MFTPSTATE=<id>` answering `state`.
    pub async fn state(&mut self, id: u8, state: u8) {
        self.cmd(
            &format!("AT+MFTPSTATE={id}"),
            &format!("\r\n+MFTPSTATE: {id},{state}\r\n\r\nOK\r\n"),
        )
        .await;
    }

    /// `AT+MFTPSTATE=<id>` until it answers `state`: a transfer's state follows its last
    /// report as a separate event, so right after the report the old state may still show.
    pub async fn await_state(&mut self, id: u8, state: u8) {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            self.send(format!("AT+MFTPSTATE={id}\r").as_bytes()).await;
            let l = self.line().await;
            self.expect(b"\r\nOK\r\n").await;
            if l == format!("+MFTPSTATE: {id},{state}").as_bytes() {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "state of {id} stays \"{}\", wanted {state}",
                show(&l)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `AT+MFTPRETR` to the serial line: `OK`, then `+MFTPRETR: <id>,0,<sum>,<recv>,<bytes>`
    /// chunks of `chunk` bytes (the last may be shorter) with a running sum, until `total`
    /// bytes came. Returns the bytes.
    pub async fn retr(&mut self, id: u8, line: &str, total: usize, chunk: usize) -> Vec<u8> {
        self.cmd(line, "\r\nOK\r\n").await;
        let mut data = Vec::new();
        while data.len() < total {
            let n = (total - data.len()).min(chunk);
            let sum = data.len() + n;
            match self
                .data_line(&format!("+MFTPRETR: {id},0,{sum},{n},"))
                .await
            {
                Event::Urc(Urc::RetrData { data: d, .. }) => data.extend(d),
                e => panic!("not a chunk: {e:?}; {}", self.context()),
            }
        }
        data
    }

    /// The rest of a download to the serial line after `data` came: chunks of channel `id`
    /// (running sums checked) until its result `+MFTPRETR: <id>,<code>`. Returns all the
    /// bytes and the code.
    pub async fn retr_until_result(&mut self, id: u8, mut data: Vec<u8>) -> (Vec<u8>, u16) {
        let id = ChannelId::new(id).unwrap();
        loop {
            let f = self.frame().await;
            match Event::from(f) {
                Event::Urc(Urc::RetrData {
                    id: i,
                    sum,
                    data: d,
                }) if i == id => {
                    data.extend(d);
                    assert_eq!(sum, data.len() as u64, "running sum");
                }
                Event::Urc(Urc::RetrResult { id: i, code }) if i == id => {
                    return (data, code.code())
                }
                e => panic!("{e:?} in a download; {}", self.context()),
            }
        }
    }

    /// A transparent-mode upload: `CONNECT`, the payload, a guard time of silence, `+++`,
    /// a guard time, then `OK` and the report. Costs two guard times of real waiting.
    pub async fn stor_transparent(&mut self, line: &str, payload: &[u8], report: &str) {
        self.cmd(line, "\r\nCONNECT\r\n").await;
        for piece in payload.chunks(700) {
            self.send(piece).await;
        }
        tokio::time::sleep(GUARD_WAIT).await;
        self.send(b"+++").await;
        // The trailing guard is the module's to wait out: OK comes when it has.
        self.expect(format!("\r\nOK\r\n\r\n{report}\r\n").as_bytes())
            .await;
    }

    /// A `>` prompt upload: the command, `>`, the data (with its terminator if any), then
    /// `OK` and the report.
    pub async fn stor_prompt(&mut self, line: &str, data: &[u8], report: &str) {
        self.cmd(line, "\r\n>").await;
        for piece in data.chunks(1000) {
            self.send(piece).await;
        }
        self.expect(format!("\r\nOK\r\n\r\n{report}\r\n").as_bytes())
            .await;
    }

    /// `AT+MFPUT="<path>",<len>` through the `>` prompt.
    pub async fn mfput(&mut self, path: &str, data: &[u8]) {
        self.cmd(&format!("AT+MFPUT=\"{path}\",{}", data.len()), "\r\n>")
            .await;
        self.send(data).await;
        self.expect(format!("\r\n+MFPUT: {}\r\n\r\nOK\r\n", data.len()).as_bytes())
            .await;
    }

    /// `AT+MFGET="<path>"`: the file's bytes.
    pub async fn mfget(&mut self, path: &str, len: usize) -> Vec<u8> {
        self.send(format!("AT+MFGET=\"{path}\"\r").as_bytes()).await;
        let data = match self.data_line(&format!("+MFGET: {len},")).await {
            Event::Info(Response::MfGet(d)) => d,
            e => panic!("not +MFGET data: {e:?}; {}", self.context()),
        };
        self.expect(b"\r\nOK\r\n").await;
        data
    }

    /// Writes a PEM into the module's file system with `AT+MSSLCERTWR`.
    pub async fn cert_write(&mut self, path: &str, pem: &[u8]) {
        self.cmd(
            &format!("AT+MSSLCERTWR=\"{path}\",0,{}", pem.len()),
            "\r\n>",
        )
        .await;
        self.send(pem).await;
        self.expect(b"\r\nOK\r\n").await;
    }
}

/// The reports of a download of `total` bytes into the local file system: one per 1024-byte
/// block, with the running sum (ONEMO-RELATED.md §D: `+MFTPRETR: 0,0,106688,192` ends one).
pub fn saved_reports(id: u8, total: u64) -> Vec<String> {
    let mut v = Vec::new();
    let mut sum = 0;
    while sum < total {
        let n = (total - sum).min(1024);
        sum += n;
        v.push(format!("+MFTPRETR: {id},0,{sum},{n}"));
    }
    v
}

/// Replaces every run of 14 digits that follows a comma (a `+MFTPLIST` time) with
/// `<TIME>`, returning the times found.
pub fn normalise_times(line: &[u8]) -> (String, Vec<String>) {
    let s = String::from_utf8_lossy(line).into_owned();
    let b = s.as_bytes();
    let mut out = String::new();
    let mut times = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let after_comma = i > 0 && b[i - 1] == b',';
        let ends_field = b.get(i + run).map_or(true, |&c| c == b',');
        if run == 14 && after_comma && ends_field {
            times.push(s[i..i + 14].to_string());
            out.push_str("<TIME>");
            i += 14;
        } else if run > 0 {
            out.push_str(&s[i..i + run]);
            i += run;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    (out, times)
}

/// `YYYYMMDDHHMMSS` as seconds since the epoch (UTC), for "is this time now" checks.
pub fn epoch_of(t: &str) -> i64 {
    let n = |a: usize, b: usize| t[a..b].parse::<i64>().unwrap();
    let (y, mo, d) = (n(0, 4), n(4, 6), n(6, 8));
    let (h, mi, s) = (n(8, 10), n(10, 12), n(12, 14));
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + s
}

/// Seconds since the epoch now.
pub fn now_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

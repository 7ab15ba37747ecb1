//! The driver task: the only owner of the line. It writes one command at a time (the module
//! takes one AT command at a time), decodes everything the module prints, ends each command at
//! its final result, feeds `>` prompts and transparent mode, and routes every report to the
//! channel call waiting for it, or to the unsolicited stream.
//!
//! Reading and writing run in two small tasks of their own, so that the driver never stops
//! reading while a write waits: with echo on, the module echoes what it is sent, and a host
//! that stopped reading while writing 4 KiB would deadlock with it.

use crate::error::{Error, Result};
use crate::Options;
use ftpmodem_proto::frame::decode::{Decoder, Event, Final};
use ftpmodem_proto::{ChannelId, Response, Urc};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

use ftpmodem_proto::data_mode::ESC;
/// Bytes read from the line at a time.
const READ_CHUNK: usize = 4096;
/// Reads in flight towards the driver.
const READ_QUEUE: usize = 16;
/// Writes in flight towards the writer task.
const WRITE_QUEUE: usize = 8;
/// How long a command whose module restarted before answering may still be answered.
const RESTART_GRACE: Duration = Duration::from_secs(2);
/// Information lines one command may print (`AT+MFLIST` of a full file system); beyond it the
/// command fails rather than growing without bound.
const MAX_INFO_LINES: usize = 65_536;

/// What a command produced besides its `OK`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The information lines, in order.
    pub info: Vec<Response>,
}

/// How a command's data goes to the module.
#[derive(Debug)]
pub(crate) enum Data {
    /// None: the command ends at its final result.
    None,
    /// Bytes for the `>` prompt the command opens, and how many of them the module echoes
    /// when echo is on (all but a Ctrl+Z terminator).
    Prompt(Vec<u8>, u64),
    /// Transparent mode: chunks until the sender is dropped, then the guarded `+++`.
    Transparent {
        channel: ChannelId,
        chunks: mpsc::Receiver<Vec<u8>>,
    },
}

/// A command for the driver.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) line: Vec<u8>,
    pub(crate) data: Data,
    pub(crate) timeout: Duration,
    pub(crate) reply: oneshot::Sender<Result<Answer>>,
}

/// State shared by the driver and the handles.
#[derive(Debug)]
pub(crate) struct Shared {
    routes: Mutex<[Option<mpsc::Sender<Urc>>; ChannelId::COUNT]>,
    pub(crate) events: broadcast::Sender<Urc>,
    pub(crate) channel_locks: [Arc<tokio::sync::Mutex<()>>; ChannelId::COUNT],
}

impl Shared {
    pub(crate) fn new(events: usize) -> Shared {
        Shared {
            routes: Mutex::new(Default::default()),
            events: broadcast::channel(events.max(1)).0,
            channel_locks: Default::default(),
        }
    }

    /// Reports of `id` go to `tx` from now on.
    pub(crate) fn route(&self, id: ChannelId, tx: Option<mpsc::Sender<Urc>>) {
        let mut r = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = r.get_mut(id.index()) {
            *slot = tx;
        }
    }

    /// Removes the route of `id` if it still is `tx` (its call has ended).
    fn unroute(&self, id: ChannelId, tx: &mpsc::Sender<Urc>) {
        let mut r = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = r.get_mut(id.index()) {
            if slot.as_ref().is_some_and(|s| s.same_channel(tx)) {
                *slot = None;
            }
        }
    }

    fn sink(&self, id: ChannelId) -> Option<mpsc::Sender<Urc>> {
        let r = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        r.get(id.index()).cloned().flatten()
    }
}

struct WriteJob {
    bytes: Vec<u8>,
    done: Option<oneshot::Sender<Instant>>,
}

enum Phase {
    /// Waiting for the final result (or for the prompt / CONNECT).
    Waiting,
    /// Transparent mode: forwarding chunks.
    Streaming,
    /// All chunks handed to the writer; waiting until they are written.
    Draining,
    /// Silence before `+++`.
    Guard(Instant),
    /// `+++` written; waiting for `OK`.
    Escaped,
}

struct Current {
    data: Data,
    reply: oneshot::Sender<Result<Answer>>,
    info: Vec<Response>,
    echoed: bool,
    timeout: Duration,
    deadline: Instant,
    phase: Phase,
    /// Set when the command failed before its final result arrived (too many lines).
    failed: Option<Error>,
    /// `+MATREADY` arrived before anything of this command: it may still be answered.
    restarted: bool,
    /// What the command does to echo (`ATE0`, `ATE1`, `AT&F`), applied at its `OK`.
    sets_echo: Option<bool>,
}

enum Step {
    Read(Option<std::result::Result<Vec<u8>, String>>),
    Job(Option<Job>),
    Chunk(Option<Vec<u8>>),
    Written(Option<Instant>),
    Timer,
}

/// Starts the reader, writer and driver tasks on `stream`.
pub(crate) fn spawn<S>(stream: S, opts: Options, shared: Arc<Shared>) -> mpsc::Sender<Job>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (r, w) = tokio::io::split(stream);
    let (read_tx, read_rx) = mpsc::channel(READ_QUEUE);
    let (write_tx, write_rx) = mpsc::channel(WRITE_QUEUE);
    let (job_tx, job_rx) = mpsc::channel(1);
    tokio::spawn(reader(r, read_tx));
    tokio::spawn(writer(w, write_rx));
    let d = Driver {
        dec: Decoder::new(opts.limits),
        opts,
        shared,
        cur: None,
        writer: write_tx,
        chunks: None,
        written: None,
        echo_on: None,
    };
    tokio::spawn(d.run(read_rx, job_rx));
    job_tx
}

async fn reader<R>(mut r: R, tx: mpsc::Sender<std::result::Result<Vec<u8>, String>>)
where
    R: AsyncRead + Unpin,
{
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = tokio::select! {
            n = r.read(&mut buf) => n,
            () = tx.closed() => return,
        };
        let msg = match n {
            Ok(0) => Err("end of file".to_string()),
            Ok(n) => Ok(buf.get(..n).unwrap_or_default().to_vec()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e.to_string()),
        };
        let end = msg.is_err();
        if tx.send(msg).await.is_err() || end {
            return;
        }
    }
}

async fn writer<W: AsyncWrite + Unpin>(mut w: W, mut rx: mpsc::Receiver<WriteJob>) {
    while let Some(job) = rx.recv().await {
        if !job.bytes.is_empty() {
            let r = async {
                w.write_all(&job.bytes).await?;
                w.flush().await
            }
            .await;
            if let Err(e) = r {
                tracing::warn!("writing to the module failed: {e}");
                return;
            }
        }
        if let Some(done) = job.done {
            let _ = done.send(Instant::now());
        }
    }
}

struct Driver {
    dec: Decoder,
    opts: Options,
    shared: Arc<Shared>,
    cur: Option<Current>,
    writer: mpsc::Sender<WriteJob>,
    /// Transparent-mode data source of the current command, while streaming.
    chunks: Option<mpsc::Receiver<Vec<u8>>>,
    /// Completion of the last transparent-mode write, while draining.
    written: Option<oneshot::Receiver<Instant>>,
    /// Whether the module echoes, as learnt from earlier commands. While it is known to echo,
    /// a final result that arrives before the command's echo is a late answer to an earlier
    /// command (one that timed out) and is not taken for this one's.
    echo_on: Option<bool>,
}

async fn recv_opt<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn done_opt(rx: &mut Option<oneshot::Receiver<Instant>>) -> Option<Instant> {
    match rx {
        Some(rx) => rx.await.ok(),
        None => std::future::pending().await,
    }
}

async fn sleep_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Driver {
    async fn run(
        mut self,
        mut read: mpsc::Receiver<std::result::Result<Vec<u8>, String>>,
        mut jobs: mpsc::Receiver<Job>,
    ) {
        loop {
            while let Some(ev) = self.dec.next_event() {
                self.event(ev).await;
            }
            let idle = self.cur.is_none();
            let timer = self.timer();
            let step = tokio::select! {
                r = read.recv() => Step::Read(r),
                j = jobs.recv(), if idle => Step::Job(j),
                c = recv_opt(&mut self.chunks) => Step::Chunk(c),
                w = done_opt(&mut self.written) => Step::Written(w),
                () = sleep_opt(timer) => Step::Timer,
            };
            match step {
                Step::Read(Some(Ok(bytes))) => self.dec.feed(&bytes),
                Step::Read(Some(Err(e))) => return self.close(&mut jobs, e),
                Step::Read(None) => return self.close(&mut jobs, "reader stopped".into()),
                Step::Job(None) => return,
                Step::Job(Some(job)) => self.start(job).await,
                Step::Chunk(Some(c)) => self.write(c, None).await,
                Step::Chunk(None) => {
                    self.chunks = None;
                    let (tx, rx) = oneshot::channel();
                    self.write(Vec::new(), Some(tx)).await;
                    self.written = Some(rx);
                    if let Some(cur) = &mut self.cur {
                        cur.phase = Phase::Draining;
                    }
                }
                Step::Written(at) => {
                    self.written = None;
                    let at = at.unwrap_or_else(Instant::now);
                    let until = at + self.opts.guard_time + self.opts.guard_margin;
                    if let Some(cur) = &mut self.cur {
                        cur.phase = Phase::Guard(until);
                    }
                }
                Step::Timer => self.timer_fired().await,
            }
        }
    }
}

impl Driver {
    /// When the current command next needs attention without input.
    fn timer(&self) -> Option<Instant> {
        let cur = self.cur.as_ref()?;
        match cur.phase {
            Phase::Waiting | Phase::Escaped => Some(cur.deadline),
            Phase::Guard(until) => Some(until),
            // The caller's reader paces the upload; the writer's pace is the line's.
            Phase::Streaming | Phase::Draining => None,
        }
    }

    async fn timer_fired(&mut self) {
        let now = Instant::now();
        let Some(cur) = &mut self.cur else {
            return;
        };
        match cur.phase {
            Phase::Guard(until) if now >= until => {
                cur.phase = Phase::Escaped;
                cur.deadline = now + self.opts.guard_time + cur.timeout;
                self.write(ftpmodem_proto::data_mode::ESCAPE.to_vec(), None)
                    .await;
            }
            Phase::Waiting | Phase::Escaped if now >= cur.deadline => {
                let after = cur.timeout;
                tracing::debug!("command timed out after {after:?}");
                let err = if cur.restarted {
                    Error::Restarted
                } else {
                    Error::Timeout {
                        after,
                        waiting_for: "the module's final result",
                    }
                };
                // What we knew about echo may be what kept the answer out.
                self.echo_on = None;
                self.finish(Err(err));
            }
            _ => {}
        }
    }

    async fn start(&mut self, job: Job) {
        tracing::trace!(command = %redact(&job.line), "sending");
        let sets_echo = match ftpmodem_proto::Command::parse(&job.line) {
            Ok(ftpmodem_proto::Command::Echo(on)) => Some(on),
            Ok(ftpmodem_proto::Command::FactoryDefaults) => Some(true),
            _ => None,
        };
        let mut line = job.line;
        line.push(b'\r');
        let now = Instant::now();
        self.cur = Some(Current {
            data: job.data,
            reply: job.reply,
            info: Vec::new(),
            echoed: false,
            timeout: job.timeout,
            deadline: now + job.timeout,
            phase: Phase::Waiting,
            failed: None,
            restarted: false,
            sets_echo,
        });
        self.write(line, None).await;
    }

    async fn write(&mut self, bytes: Vec<u8>, done: Option<oneshot::Sender<Instant>>) {
        if self.writer.send(WriteJob { bytes, done }).await.is_err() {
            // The writer ended on an error; the reader will see the line close too.
            self.finish(Err(Error::LineClosed("write failed".into())));
        }
    }

    /// Ends the current command with `result`.
    fn finish(&mut self, result: Result<Answer>) {
        if let Some(cur) = self.cur.take() {
            let _ = cur.reply.send(result);
        }
        self.chunks = None;
        self.written = None;
    }

    fn close(&mut self, jobs: &mut mpsc::Receiver<Job>, why: String) {
        tracing::debug!("line closed: {why}");
        self.finish(Err(Error::LineClosed(why.clone())));
        jobs.close();
        while let Ok(job) = jobs.try_recv() {
            let _ = job.reply.send(Err(Error::LineClosed(why.clone())));
        }
    }

    async fn event(&mut self, ev: Event) {
        match ev {
            Event::Echo(_) => {
                if let Some(cur) = &mut self.cur {
                    cur.echoed = true;
                }
            }
            Event::Prompt => self.prompt().await,
            Event::Connect => {
                let Some(cur) = &mut self.cur else {
                    return;
                };
                match (&mut cur.data, &cur.phase) {
                    (Data::Transparent { chunks, .. }, Phase::Waiting) => {
                        let (_, empty) = mpsc::channel(1);
                        self.chunks = Some(std::mem::replace(chunks, empty));
                        cur.phase = Phase::Streaming;
                    }
                    _ => {
                        // Transparent mode nobody asked for: leave it at once.
                        cur.failed = Some(Error::Protocol("unexpected CONNECT".into()));
                        let now = Instant::now();
                        cur.phase =
                            Phase::Guard(now + self.opts.guard_time + self.opts.guard_margin);
                    }
                }
            }
            Event::Final(f) => {
                let Some(cur) = &mut self.cur else {
                    tracing::debug!(?f, "final result without a command (late answer)");
                    return;
                };
                if matches!(
                    cur.phase,
                    Phase::Streaming | Phase::Draining | Phase::Guard(_)
                ) && f == Final::Ok
                {
                    // Cannot be ours: transparent mode only ends after our +++.
                    tracing::debug!("OK during transparent mode ignored");
                    return;
                }
                if self.echo_on == Some(true) && !cur.echoed && matches!(cur.phase, Phase::Waiting)
                {
                    tracing::debug!(?f, "final result before the command's echo (late answer)");
                    return;
                }
                if !cur.restarted {
                    self.echo_on = Some(cur.echoed);
                }
                if f == Final::Ok {
                    if let Some(on) = cur.sets_echo {
                        self.echo_on = Some(on);
                    }
                }
                let info = std::mem::take(&mut cur.info);
                let failed = cur.failed.take();
                self.finish(match (failed, f) {
                    (Some(e), _) => Err(e),
                    (None, Final::Ok) => Ok(Answer { info }),
                    (None, Final::Error) => Err(Error::Error),
                    (None, Final::Cme(e)) => Err(Error::Cme(e)),
                });
            }
            Event::Info(r) => match &mut self.cur {
                Some(cur) if cur.info.len() < MAX_INFO_LINES => cur.info.push(r),
                Some(cur) => {
                    cur.failed = Some(Error::Protocol("too many information lines".into()))
                }
                None => tracing::debug!("information line without a command"),
            },
            Event::Urc(u) => self.urc(u).await,
            Event::Unparsed(l) => tracing::debug!(len = l.len(), "unparsed line from the module"),
            Event::Overflow { len } => {
                tracing::warn!(len, "over-long line from the module dropped")
            }
        }
    }

    async fn prompt(&mut self) {
        let Some(cur) = &mut self.cur else {
            tracing::debug!("prompt without a command");
            return;
        };
        match std::mem::replace(&mut cur.data, Data::None) {
            Data::Prompt(bytes, echoed) if matches!(cur.phase, Phase::Waiting) => {
                if cur.echoed {
                    // Echo on: the module echoes the data (docs/PROTOCOL.md §3.11).
                    self.dec.skip(echoed);
                }
                cur.deadline = Instant::now() + cur.timeout;
                self.write(bytes, None).await;
            }
            other => {
                cur.data = other;
                cur.failed = Some(Error::Protocol("unexpected > prompt".into()));
                // ESC cancels a Ctrl+Z prompt; a prompt with a length times out in the module.
                self.write(vec![ESC], None).await;
            }
        }
    }

    async fn urc(&mut self, u: Urc) {
        if u == Urc::Ready {
            let _ = self.shared.events.send(u);
            // A restarted module echoes again (V.25ter default), but one that keeps ATE0 in
            // its settings would not: start over.
            self.echo_on = None;
            let grace = self.opts.command_timeout.min(RESTART_GRACE);
            if let Some(cur) = &mut self.cur {
                let untouched =
                    !cur.echoed && cur.info.is_empty() && matches!(cur.phase, Phase::Waiting);
                if untouched {
                    // The module may have restarted before our command reached it, and
                    // answer it now; if not, the command ends as restarted.
                    cur.restarted = true;
                    cur.deadline = cur.deadline.min(Instant::now() + grace);
                } else {
                    self.finish(Err(Error::Restarted));
                }
            }
            return;
        }
        let Some(id) = u.channel() else {
            let _ = self.shared.events.send(u);
            return;
        };
        // A report that ends transparent mode early: the upload failed (§3.12).
        let ends = match &self.cur {
            Some(Current {
                data: Data::Transparent { channel, .. },
                phase,
                ..
            }) => {
                *channel == id
                    && !matches!(phase, Phase::Waiting)
                    && matches!(u, Urc::Upload { .. } | Urc::ConnState { .. })
            }
            _ => false,
        };
        if ends {
            let err = match &u {
                Urc::Upload { op, code, .. } => Error::Result {
                    op: crate::upload_name(*op),
                    channel: id,
                    code: *code,
                },
                _ => Error::Disconnected(id),
            };
            self.finish(Err(err));
        }
        if let Some(tx) = self.shared.sink(id) {
            match tx.send(u).await {
                Ok(()) => {}
                Err(mpsc::error::SendError(u)) => {
                    self.shared.unroute(id, &tx);
                    let _ = self.shared.events.send(u);
                }
            }
        } else {
            let _ = self.shared.events.send(u);
        }
    }
}

/// A command line as it may be logged: `AT+MFTPCONN` carries a password, so only its name.
pub(crate) fn redact(line: &[u8]) -> String {
    let upper: Vec<u8> = line.iter().take(12).map(u8::to_ascii_uppercase).collect();
    if upper.starts_with(b"AT+MFTPCONN") {
        return "AT+MFTPCONN=<redacted>".into();
    }
    String::from_utf8_lossy(line).into_owned()
}

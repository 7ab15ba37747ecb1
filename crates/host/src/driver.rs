//! The driver task: the only owner of the line. It writes one command at a time (the module
//! takes one AT command at a time), decodes everything the module prints, ends each command at
//! its final result, feeds `>` prompts and transparent mode, and routes every report to the
//! channel call waiting for it, or to the unsolicited stream.
//!
//! Reading and writing run in two small tasks of their own, so that the driver never stops
//! reading while a write waits: with echo on, the module echoes what it is sent, and a host
//! that stopped reading while writing 4 KiB would deadlock with it.

use crate::error::{Error, LastHeard, Result};
use crate::options::Options;
use ftpmodem_proto::frame::decode::{Decoder, Event, Final};
use ftpmodem_proto::{ChannelId, Response, Urc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

use ftpmodem_proto::data_mode::ESC;
/// Bytes read from the line at a time.
const READ_CHUNK: usize = 4096;
/// Reads in flight towards the driver.
const READ_QUEUE: usize = 16;
/// Writes in flight towards the writer task.
const WRITE_QUEUE: usize = 8;
/// Places of the write queue that transparent-mode data leaves free, so that a command line,
/// prompt data or an escape never waits behind upload data: the driver never waits on a write.
const WRITE_RESERVE: usize = 2;
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
    /// The channel whose call sent this command: its reports are taken from this command's
    /// `OK` on (the module reports after the `OK`, NOTES "order"); what the channel printed
    /// before is left over from an earlier command (an abandoned download's chunks) and no
    /// business of this call.
    pub(crate) arms: Option<ChannelId>,
}

/// Where a channel's reports go while a call runs on it.
#[derive(Debug)]
pub(crate) struct Route {
    tx: mpsc::Sender<Urc>,
    /// Whether the call's own command has ended with `OK` (see [`Job::arms`]).
    armed: bool,
    /// Set when the driver gave up on the call: it took no report for [`Shared::stall`].
    abandoned: Arc<AtomicBool>,
}

impl Route {
    /// A route to `tx`, not yet armed; `abandoned` tells the call why its reports stopped.
    pub(crate) fn new(tx: mpsc::Sender<Urc>, abandoned: Arc<AtomicBool>) -> Route {
        Route {
            tx,
            armed: false,
            abandoned,
        }
    }
}

/// State shared by the driver and the handles.
#[derive(Debug)]
pub(crate) struct Shared {
    routes: Mutex<[Option<Route>; ChannelId::COUNT]>,
    pub(crate) events: broadcast::Sender<Urc>,
    pub(crate) channel_locks: [Arc<tokio::sync::Mutex<()>>; ChannelId::COUNT],
    /// How long the driver holds a report for a call whose queue is full before it gives up
    /// on the call. Meanwhile it reads nothing more from the line (flow control towards the
    /// module), but its deadlines still run.
    pub(crate) stall: Duration,
}

impl Shared {
    pub(crate) fn new(events: usize, stall: Duration) -> Shared {
        Shared {
            routes: Mutex::new(Default::default()),
            events: broadcast::channel(events.max(1)).0,
            channel_locks: Default::default(),
            stall,
        }
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, [Option<Route>; ChannelId::COUNT]> {
        self.routes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reports of `id` go to `route` from now on.
    pub(crate) fn route(&self, id: ChannelId, route: Option<Route>) {
        if let Some(slot) = self.routes().get_mut(id.index()) {
            *slot = route;
        }
    }

    /// Removes the route of `id` if it still is `tx` (its call has ended, or was given up:
    /// `abandon`).
    fn unroute(&self, id: ChannelId, tx: &mpsc::Sender<Urc>, abandon: bool) {
        let mut r = self.routes();
        if let Some(slot) = r.get_mut(id.index()) {
            if slot.as_ref().is_some_and(|s| s.tx.same_channel(tx)) {
                if let Some(route) = slot.take() {
                    route.abandoned.store(abandon, Ordering::Relaxed);
                }
            }
        }
    }

    /// The call on `id` takes reports from now on.
    fn arm(&self, id: ChannelId) {
        if let Some(Some(route)) = self.routes().get_mut(id.index()) {
            route.armed = true;
        }
    }

    /// The queue of the call on `id`, and whether it takes reports yet.
    fn sink(&self, id: ChannelId) -> Option<(mpsc::Sender<Urc>, bool)> {
        let r = self.routes();
        r.get(id.index())
            .and_then(Option::as_ref)
            .map(|route| (route.tx.clone(), route.armed))
    }
}

/// A report held for a call whose queue is full.
struct Parked {
    id: ChannelId,
    tx: mpsc::Sender<Urc>,
    urc: Urc,
    until: Instant,
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
    /// The command line as sent (without its CR), to tell its echo from the echo of an
    /// earlier line: after a retried `AT`, the first one's echo and `OK` may still be on their
    /// way, and must not be taken for the next command's.
    sent: Vec<u8>,
    /// The tail of what was echoed since the command was sent (at most `sent.len()` bytes):
    /// a URC may cut an echo in two.
    echo: Vec<u8>,
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
    /// The channel whose reports are taken from this command's `OK` on ([`Job::arms`]).
    arms: Option<ChannelId>,
}

enum Step {
    Read(Option<std::result::Result<Vec<u8>, String>>),
    Job(Option<Job>),
    Chunk(Option<Vec<u8>>),
    Written(Option<Instant>),
    /// The write queue has room again for transparent-mode data.
    Room,
    /// The call a report is held for has room for it again, or has ended.
    Unparked(std::result::Result<mpsc::OwnedPermit<Urc>, mpsc::error::SendError<()>>),
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
        last_rx: None,
        parked: None,
        stuck_since: None,
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
    /// When the last bytes came from the module (`None`: none since the line was opened).
    last_rx: Option<Instant>,
    /// A report held for a call whose queue is full; nothing more is read from the line
    /// until the call takes it or [`Shared::stall`] has passed.
    parked: Option<Parked>,
    /// Since when transparent-mode data has waited for room in the write queue (the line does
    /// not take it).
    stuck_since: Option<Instant>,
}

/// Room in the queue of the call a report is held for.
async fn room_opt(
    p: Option<mpsc::Sender<Urc>>,
) -> std::result::Result<mpsc::OwnedPermit<Urc>, mpsc::error::SendError<()>> {
    match p {
        Some(tx) => tx.reserve_owned().await,
        None => std::future::pending().await,
    }
}

/// Room for transparent-mode data in the write queue (`WRITE_RESERVE` places stay free).
async fn write_room(w: &mpsc::Sender<WriteJob>, wanted: bool) {
    if !wanted {
        return std::future::pending().await;
    }
    // The permits go back at once: this only waits until they exist. A writer that ended
    // never has room; the stream's deadline ends the command.
    if w.reserve_many(WRITE_RESERVE + 1).await.is_err() {
        std::future::pending::<()>().await;
    }
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
            while self.parked.is_none() {
                let Some(ev) = self.dec.next_event() else {
                    break;
                };
                self.event(ev);
            }
            let idle = self.cur.is_none();
            let reading = self.parked.is_none();
            let room = self.writer.capacity() > WRITE_RESERVE;
            self.stuck_since = match (room, self.chunks.is_some()) {
                (false, true) => Some(self.stuck_since.unwrap_or_else(Instant::now)),
                _ => None,
            };
            let timer = self.timer();
            let parked_tx = self.parked.as_ref().map(|p| p.tx.clone());
            let wait_room = !room && self.chunks.is_some();
            let step = tokio::select! {
                r = read.recv(), if reading => Step::Read(r),
                j = jobs.recv(), if idle => Step::Job(j),
                c = recv_opt(&mut self.chunks), if room => Step::Chunk(c),
                () = write_room(&self.writer, wait_room) => Step::Room,
                w = done_opt(&mut self.written) => Step::Written(w),
                p = room_opt(parked_tx) => Step::Unparked(p),
                () = sleep_opt(timer) => Step::Timer,
            };
            match step {
                Step::Read(Some(Ok(bytes))) => {
                    self.last_rx = Some(Instant::now());
                    self.dec.feed(&bytes)
                }
                Step::Read(Some(Err(e))) => return self.close(&mut jobs, e),
                Step::Read(None) => return self.close(&mut jobs, "reader stopped".into()),
                Step::Job(None) => return,
                Step::Job(Some(job)) => self.start(job),
                Step::Chunk(Some(c)) => self.write(c, None),
                Step::Chunk(None) => {
                    self.chunks = None;
                    let (tx, rx) = oneshot::channel();
                    self.write(Vec::new(), Some(tx));
                    self.written = Some(rx);
                    if let Some(cur) = &mut self.cur {
                        cur.phase = Phase::Draining;
                        // A slow line (9600 baud) takes seconds for the queued data.
                        cur.deadline = Instant::now() + self.opts.report_timeout;
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
                Step::Room => {}
                Step::Unparked(permit) => {
                    if let Some(p) = self.parked.take() {
                        match permit {
                            Ok(permit) => {
                                permit.send(p.urc);
                            }
                            Err(_) => {
                                self.shared.unroute(p.id, &p.tx, false);
                                self.unclaimed(p.urc);
                            }
                        }
                    }
                }
                Step::Timer => self.timer_fired(),
            }
        }
    }
}

impl Driver {
    /// When the driver next needs attention without input: every wait has a deadline.
    fn timer(&self) -> Option<Instant> {
        let parked = self.parked.as_ref().map(|p| p.until);
        let cur = self.cur.as_ref().and_then(|cur| match cur.phase {
            Phase::Waiting | Phase::Escaped | Phase::Draining => Some(cur.deadline),
            Phase::Guard(until) => Some(until),
            // The caller's reader paces the upload, as long as the line takes what it gets.
            Phase::Streaming => self.stuck_since.map(|t| t + self.opts.report_timeout),
        });
        match (parked, cur) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn timer_fired(&mut self) {
        let now = Instant::now();
        if self.parked.as_ref().is_some_and(|p| now >= p.until) {
            if let Some(p) = self.parked.take() {
                tracing::debug!(
                    channel = p.id.get(),
                    "a call took no report in time: dropped"
                );
                self.shared.unroute(p.id, &p.tx, true);
                self.unclaimed(p.urc);
            }
        }
        let stuck = self.stuck_since;
        let Some(cur) = &mut self.cur else {
            return;
        };
        match cur.phase {
            Phase::Guard(until) if now >= until => {
                cur.phase = Phase::Escaped;
                cur.deadline = now + self.opts.guard_time + cur.timeout;
                self.write(ftpmodem_proto::data_mode::ESCAPE.to_vec(), None);
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
                        last_heard: Some(self.last_heard(now)),
                    }
                };
                // What we knew about echo may be what kept the answer out.
                self.echo_on = None;
                self.finish(Err(err));
            }
            Phase::Draining if now >= cur.deadline => {
                let after = self.opts.report_timeout;
                self.finish(Err(Error::Timeout {
                    after,
                    waiting_for: "the line to take the upload's data",
                    last_heard: Some(self.last_heard(now)),
                }));
            }
            Phase::Streaming if stuck.is_some_and(|t| now >= t + self.opts.report_timeout) => {
                let after = self.opts.report_timeout;
                self.finish(Err(Error::Timeout {
                    after,
                    waiting_for: "the line to take the upload's data",
                    last_heard: Some(self.last_heard(now)),
                }));
            }
            _ => {}
        }
    }

    /// How long the module had been silent at `now`, for a time-out's message.
    fn last_heard(&self, now: Instant) -> LastHeard {
        self.last_rx.map_or(LastHeard::Never, |t| {
            LastHeard::Ago(now.saturating_duration_since(t))
        })
    }

    fn start(&mut self, job: Job) {
        tracing::trace!(command = %redact(&job.line), "sending");
        let sets_echo = match ftpmodem_proto::Command::parse(&job.line) {
            Ok(ftpmodem_proto::Command::Echo(on)) => Some(on),
            Ok(ftpmodem_proto::Command::FactoryDefaults) => Some(true),
            _ => None,
        };
        let sent = job.line;
        let mut line = sent.clone();
        line.push(b'\r');
        let now = Instant::now();
        self.cur = Some(Current {
            data: job.data,
            reply: job.reply,
            info: Vec::new(),
            sent,
            echo: Vec::new(),
            echoed: false,
            timeout: job.timeout,
            deadline: now + job.timeout,
            phase: Phase::Waiting,
            failed: None,
            restarted: false,
            sets_echo,
            arms: job.arms,
        });
        self.write(line, None);
    }

    /// Queues `bytes` for the writer. Never waits: transparent-mode data only comes while the
    /// queue has more than `WRITE_RESERVE` places free, and everything else is one write per
    /// step of a command.
    fn write(&mut self, bytes: Vec<u8>, done: Option<oneshot::Sender<Instant>>) {
        match self.writer.try_send(WriteJob { bytes, done }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                // The writer is stuck on a line that takes nothing: give up the command.
                let after = self.cur.as_ref().map_or(Duration::ZERO, |c| c.timeout);
                self.finish(Err(Error::Timeout {
                    after,
                    waiting_for: "the line to take the command",
                    last_heard: Some(self.last_heard(Instant::now())),
                }));
            }
            Err(TrySendError::Closed(_)) => {
                // The writer ended on an error; the reader will see the line close too.
                self.finish(Err(Error::LineClosed("write failed".into())));
            }
        }
    }

    /// Ends the current command with `result`.
    fn finish(&mut self, result: Result<Answer>) {
        if let Some(cur) = self.cur.take() {
            if let (Ok(_), Some(id)) = (&result, cur.arms) {
                self.shared.arm(id);
            }
            let _ = cur.reply.send(result);
        }
        self.chunks = None;
        self.written = None;
        self.stuck_since = None;
    }

    fn close(&mut self, jobs: &mut mpsc::Receiver<Job>, why: String) {
        tracing::debug!("line closed: {why}");
        self.finish(Err(Error::LineClosed(why.clone())));
        jobs.close();
        while let Ok(job) = jobs.try_recv() {
            let _ = job.reply.send(Err(Error::LineClosed(why.clone())));
        }
    }

    fn event(&mut self, ev: Event) {
        match ev {
            Event::Echo(e) => {
                if let Some(cur) = &mut self.cur {
                    // A URC printed while the line is being echoed cuts the echo in two, and
                    // noise typed before `AT` is echoed too: ours is whatever ends with it.
                    cur.echo.extend_from_slice(&e);
                    let keep = cur.sent.len();
                    if cur.echo.len() > keep {
                        cur.echo.drain(..cur.echo.len() - keep);
                    }
                    if cur.echo == cur.sent {
                        cur.echoed = true;
                    } else {
                        tracing::debug!(echo = %redact(&e), "echo of an earlier line, or part of ours");
                    }
                }
            }
            Event::Prompt => self.prompt(),
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
            Event::Urc(u) => self.urc(u),
            Event::Unparsed(l) => tracing::debug!(len = l.len(), "unparsed line from the module"),
            Event::Overflow { len } => {
                tracing::warn!(len, "over-long line from the module dropped")
            }
        }
    }

    fn prompt(&mut self) {
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
                self.write(bytes, None);
            }
            other => {
                cur.data = other;
                cur.failed = Some(Error::Protocol("unexpected > prompt".into()));
                // ESC cancels a Ctrl+Z prompt; a prompt with a length times out in the module.
                self.write(vec![ESC], None);
            }
        }
    }

    fn urc(&mut self, u: Urc) {
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
        // A report during transparent mode: the upload failed (§3.12).
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
            self.transparent_failed(err);
        }
        self.deliver(id, u);
    }

    /// The upload failed under transparent mode. The module drops the rest of the stream
    /// until the escape (docs/PROTOCOL.md §3.12): streaming stops, the escape follows as
    /// usual, and the command ends with `err` at its `OK`.
    fn transparent_failed(&mut self, err: Error) {
        let Some(cur) = &mut self.cur else {
            return;
        };
        cur.failed = Some(err);
        if !matches!(cur.phase, Phase::Streaming) {
            return;
        }
        cur.phase = Phase::Draining;
        cur.deadline = Instant::now() + self.opts.report_timeout;
        self.chunks = None;
        let (tx, rx) = oneshot::channel();
        self.write(Vec::new(), Some(tx));
        self.written = Some(rx);
    }

    /// Hands a report of channel `id` to the call running on it. A call whose command has
    /// not ended yet gets nothing (the report is left over from before it); a call whose
    /// queue is full gets the report once it has room, meanwhile the line waits.
    fn deliver(&mut self, id: ChannelId, u: Urc) {
        match self.shared.sink(id) {
            Some((tx, true)) => match tx.try_send(u) {
                Ok(()) => {}
                Err(TrySendError::Full(urc)) => {
                    let until = Instant::now() + self.shared.stall;
                    self.parked = Some(Parked { id, tx, urc, until });
                }
                Err(TrySendError::Closed(u)) => {
                    self.shared.unroute(id, &tx, false);
                    self.unclaimed(u);
                }
            },
            Some((_, false)) => {
                tracing::debug!(channel = id.get(), "report before the call's OK: left over");
                self.unclaimed(u);
            }
            None => self.unclaimed(u),
        }
    }

    /// A report no call waits for goes to the event subscribers, except download data: the
    /// chunks of a download nobody takes (its caller gave up, or a host before this one
    /// started it) are dropped here.
    fn unclaimed(&self, u: Urc) {
        if let Urc::RetrData { id, sum, .. } = &u {
            tracing::trace!(
                channel = id.get(),
                sum,
                "download chunk nobody takes: dropped"
            );
            return;
        }
        let _ = self.shared.events.send(u);
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

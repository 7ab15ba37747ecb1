//! The module's engine: a sans-IO state machine. Bytes from the serial line and the current
//! time go in ([`Engine::input`], [`Engine::tick`]); bytes for the line and [`Action`]s for the
//! channel tasks come out ([`Engine::take_output`], [`Engine::poll_action`]). Channel results
//! come back through [`Engine::channel_event`].
//!
//! The engine never reads a clock or touches a socket, so every behaviour with a time in it
//! (the `+++` guard, prompt time-outs) is tested by passing instants in. Local file commands
//! answer synchronously through the [`Sandbox`], as on the hardware.

mod action;
mod channels;
mod contexts;
mod detach;
mod handlers;
mod line;
mod modes;
mod output;

pub use action::{
    Action, ChannelEvent, ChannelRequest, ChannelSettings, ConnectRequest, TlsContext,
};
pub use contexts::PdpBinding;

use crate::fs::Sandbox;
use crate::transport::LineOut;
use bytes::Bytes;
use channels::Channels;
use contexts::{PdpTable, SslTable};
use ftpmodem_proto::{CmeError, CmeeMode, Profile, Response, Urc};
use line::LineBuffer;
use modes::{Mode, PromptEnd, Transparent};
use output::Output;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Limits and options of one engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Which model to be.
    pub profile: Profile,
    /// Longest command line; a longer one gives `ERROR` (NOTES "Framing").
    pub max_line: usize,
    /// Silence required before and after `+++` (V.25ter S12, 1 s).
    pub guard_time: Duration,
    /// A `>` prompt with no byte for this long is abandoned with an error.
    pub prompt_timeout: Duration,
    /// Largest file `AT+MFGET` prints in one response.
    pub mfget_max: u64,
    /// Queued URC bytes above which [`Engine::wants_events`] says stop.
    pub urc_queue_max: usize,
    /// PDP context bindings from the configuration file.
    pub pdp: Vec<PdpBinding>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            profile: Profile::default(),
            max_line: 2048,
            guard_time: ftpmodem_proto::data_mode::GUARD_TIME,
            prompt_timeout: Duration::from_secs(60),
            mfget_max: 1 << 20,
            urc_queue_max: 256 * 1024,
            pdp: Vec::new(),
        }
    }
}

/// The virtual module's state machine. See the module docs.
pub struct Engine {
    cfg: EngineConfig,
    fs: Sandbox,
    echo: bool,
    cmee: CmeeMode,
    mode: Mode,
    line: LineBuffer,
    out: Output,
    /// Framed URC lines waiting for the line to be free (a data mode ended).
    urcs: VecDeque<Vec<u8>>,
    urc_bytes: usize,
    actions: VecDeque<Action>,
    channels: Channels,
    pdp: PdpTable,
    ssl: SslTable,
    /// The latest instant passed in; handlers that start a timed mode read it.
    now: Instant,
}

impl Engine {
    /// A module that has just powered up: `+MATREADY` is already in the output.
    pub fn new(cfg: EngineConfig, fs: Sandbox, now: Instant) -> Engine {
        let mut e = Engine {
            now,
            line: LineBuffer::new(cfg.max_line),
            pdp: PdpTable::new(&cfg.pdp),
            cfg,
            fs,
            echo: true,
            cmee: CmeeMode::Numeric,
            mode: Mode::Command,
            out: Output::default(),
            urcs: VecDeque::new(),
            urc_bytes: 0,
            actions: VecDeque::new(),
            channels: Channels::default(),
            ssl: {
                let mut t = SslTable::default();
                t.reset();
                t
            },
        };
        e.urc(&Urc::Ready);
        e
    }

    /// The profile in force.
    pub fn profile(&self) -> &Profile {
        &self.cfg.profile
    }

    /// Bytes received from the serial line at `now`.
    pub fn input(&mut self, mut bytes: &[u8], now: Instant) {
        self.tick(now);
        self.now = now;
        while !bytes.is_empty() {
            let used = match &mut self.mode {
                Mode::Command => self.input_command(bytes, now),
                Mode::Prompt(_) => self.input_prompt(bytes, now),
                Mode::Transparent(_) => self.input_transparent(bytes, now),
            };
            bytes = &bytes[used.max(1).min(bytes.len())..];
        }
    }

    /// [`Engine::input`] for a buffer the caller gives up: in transparent mode a read that is
    /// all data is handed to the channel as it is, not copied (the upload's fast path).
    pub fn input_vec(&mut self, bytes: Vec<u8>, now: Instant) {
        self.tick(now);
        self.now = now;
        let guard = self.cfg.guard_time;
        if let Mode::Transparent(t) = &mut self.mode {
            if t.all_data(&bytes, now, guard) {
                let id = t.channel;
                if !bytes.is_empty() {
                    self.act(id, ChannelRequest::UploadStreamData(bytes));
                }
                return;
            }
        }
        self.input(&bytes, now);
    }

    /// Lets time pass: ends a `+++` escape after its trailing guard time, abandons a prompt
    /// nobody feeds. Call it at [`Engine::next_deadline`].
    pub fn tick(&mut self, now: Instant) {
        self.now = self.now.max(now);
        match &mut self.mode {
            Mode::Transparent(t) => {
                if t.escape_complete(now, self.cfg.guard_time) {
                    self.end_transparent();
                }
            }
            Mode::Prompt(p) => {
                if now.saturating_duration_since(p.last_rx) >= self.cfg.prompt_timeout {
                    self.prompt_timed_out();
                }
            }
            Mode::Command => {}
        }
    }

    /// When [`Engine::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        match &self.mode {
            Mode::Transparent(t) => t.deadline(self.cfg.guard_time),
            Mode::Prompt(p) => Some(p.last_rx + self.cfg.prompt_timeout),
            Mode::Command => None,
        }
    }

    /// A channel task's report.
    pub fn channel_event(&mut self, id: ftpmodem_proto::ChannelId, event: ChannelEvent) {
        match event {
            ChannelEvent::State(s) => self.channels.get_mut(id).set_state(s),
            ChannelEvent::RetrChunks { data, chunk, sum } => {
                if !self.channels.get(id).closing {
                    self.retr_chunks(id, sum, chunk, data);
                }
            }
            ChannelEvent::Report { urc, done } => {
                if done {
                    self.channels.get_mut(id).busy = false;
                }
                match &urc {
                    Urc::ConnState { .. } => self.channels.get_mut(id).disconnected(),
                    Urc::Result {
                        op: ftpmodem_proto::SimpleOp::Conn,
                        code,
                        ..
                    } if *code != ftpmodem_proto::ResultCode::Success => {
                        self.channels.get_mut(id).disconnected();
                    }
                    _ => {}
                }
                // An upload that fails while its transparent mode runs ends that mode (§3.12:
                // "上传错误后退出透传模式，并上报URC").
                let ends_transparent = matches!(&self.mode, Mode::Transparent(t) if t.channel == id)
                    && matches!(urc, Urc::Upload { .. } | Urc::ConnState { .. });
                if ends_transparent {
                    self.mode = Mode::Command;
                    self.urc(&urc);
                    self.flush_urcs();
                } else {
                    self.urc(&urc);
                }
            }
        }
    }

    /// Bytes to write to the serial line, as the transport takes them: held with the buffers
    /// their download data came from, which are released once the batch is written.
    pub fn take_line_out(&mut self) -> LineOut {
        self.out.take()
    }

    /// Bytes to write to the serial line as one plain buffer (for tests and simple callers).
    pub fn take_output(&mut self) -> Vec<u8> {
        self.out.take().into_vec()
    }

    /// Bytes of output waiting (the runtime gathers queued events up to a size before writing).
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    /// True when output is waiting.
    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// The next action for a channel task.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// False while URCs pile up behind a data mode: the caller should stop reading channel
    /// events, so that a download waits instead of filling memory.
    pub fn wants_events(&self) -> bool {
        self.urc_bytes < self.cfg.urc_queue_max
    }

    // ----- output helpers: the only places that frame lines -----

    fn line_out(&mut self, content: &[u8]) {
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(content);
        self.out.extend_from_slice(b"\r\n");
    }

    fn respond(&mut self, r: &Response) {
        let bytes = r.to_bytes();
        self.line_out(&bytes);
    }

    fn ok(&mut self) {
        self.respond(&Response::Ok);
    }

    /// An error in the form `AT+CMEE` asks for.
    fn error(&mut self, e: CmeError) {
        let r = match self.cmee {
            CmeeMode::Off => Response::Error,
            CmeeMode::Numeric => Response::CmeError(e),
            CmeeMode::Verbose => Response::CmeErrorText(e),
        };
        self.respond(&r);
    }

    /// A URC now, or queued while a data mode holds the line.
    fn urc(&mut self, u: &Urc) {
        if matches!(self.mode, Mode::Command) {
            let out = self.out.buf_mut();
            out.extend_from_slice(b"\r\n");
            u.emit(out);
            out.extend_from_slice(b"\r\n");
            return;
        }
        let mut framed = b"\r\n".to_vec();
        u.emit(&mut framed);
        framed.extend_from_slice(b"\r\n");
        self.urc_bytes += framed.len();
        self.urcs.push_back(framed);
    }

    /// A block of whole `+MFTPRETR` chunks (each as [`Urc::RetrData`] prints it), framed
    /// straight into the output, or queued chunk by chunk while a data mode holds the line.
    fn retr_chunks(
        &mut self,
        id: ftpmodem_proto::ChannelId,
        mut sum: u64,
        chunk: usize,
        data: Bytes,
    ) {
        let chunk = chunk.max(1);
        if matches!(self.mode, Mode::Command) {
            // Per chunk: CRLF, a header of at most 42 bytes (`+MFTPRETR: 5,0,<u64>,<len>,`),
            // the data, CRLF.
            self.out
                .reserve(data.len() + data.len().div_ceil(chunk) * 46);
            for piece in data.chunks(chunk) {
                sum += piece.len() as u64;
                let out = self.out.buf_mut();
                out.extend_from_slice(b"\r\n");
                ftpmodem_proto::urc::emit_retr_data(out, id, sum, piece);
                out.extend_from_slice(b"\r\n");
            }
            self.out.hold(data);
            return;
        }
        for piece in data.chunks(chunk) {
            sum += piece.len() as u64;
            let mut framed = b"\r\n".to_vec();
            ftpmodem_proto::urc::emit_retr_data(&mut framed, id, sum, piece);
            framed.extend_from_slice(b"\r\n");
            self.urc_bytes += framed.len();
            self.urcs.push_back(framed);
        }
    }

    fn flush_urcs(&mut self) {
        while let Some(u) = self.urcs.pop_front() {
            self.out.extend_from_slice(&u);
        }
        self.urc_bytes = 0;
    }

    fn act(&mut self, id: ftpmodem_proto::ChannelId, request: ChannelRequest) {
        self.actions.push_back(Action::Channel { id, request });
    }

    fn end_transparent(&mut self) {
        // The held "+++" is the escape itself, not data.
        if let Mode::Transparent(t) = std::mem::replace(&mut self.mode, Mode::Command) {
            self.act(t.channel, ChannelRequest::UploadStreamEnd);
            self.ok();
            self.flush_urcs();
        }
    }

    fn start_transparent(&mut self, t: Transparent) {
        self.respond(&Response::Connect);
        self.mode = Mode::Transparent(t);
    }

    fn start_prompt(&mut self, p: modes::Prompt) {
        self.out
            .extend_from_slice(ftpmodem_proto::data_mode::PROMPT);
        self.mode = Mode::Prompt(p);
    }

    fn prompt_timed_out(&mut self) {
        if let Mode::Prompt(p) = std::mem::replace(&mut self.mode, Mode::Command) {
            if let modes::PromptPurpose::Upload { id, .. } = p.purpose {
                self.upload_prompt_abandoned(id);
            }
            self.error(p.purpose.timeout_error());
            self.flush_urcs();
        }
    }

    fn input_prompt(&mut self, bytes: &[u8], now: Instant) -> usize {
        let Mode::Prompt(p) = &mut self.mode else {
            return 0;
        };
        p.last_rx = now;
        let (used, outcome) = p.feed(bytes);
        if self.echo {
            let echoed = &bytes[..used];
            let shown = match outcome {
                // The terminator is not data; it is not echoed either.
                Some(_) if !matches!(p.end, PromptEnd::Length(_)) => {
                    &echoed[..used.saturating_sub(1)]
                }
                _ => echoed,
            };
            self.out.extend_from_slice(shown);
        }
        if let Some(outcome) = outcome {
            if let Mode::Prompt(p) = std::mem::replace(&mut self.mode, Mode::Command) {
                self.finish_prompt(p, outcome);
                self.flush_urcs();
            }
        }
        used
    }

    fn input_transparent(&mut self, bytes: &[u8], now: Instant) -> usize {
        let guard = self.cfg.guard_time;
        let Mode::Transparent(t) = &mut self.mode else {
            return 0;
        };
        let data = t.feed(bytes, now, guard);
        let id = t.channel;
        if !data.is_empty() {
            self.act(id, ChannelRequest::UploadStreamData(data));
        }
        bytes.len()
    }

    fn input_command(&mut self, bytes: &[u8], _now: Instant) -> usize {
        let (used, done) = self.line.feed(bytes);
        if self.echo {
            let echoed = bytes[..used].to_vec();
            self.out.extend_from_slice(&echoed);
        }
        if let Some(line) = done {
            self.command_line(line);
        }
        used
    }
}

#[cfg(test)]
mod tests;

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
mod clock;
mod config;
mod contexts;
mod ctx;
mod detach;
mod download;
mod faults;
mod handlers;
mod line;
mod modes;
mod output;
mod reply;
mod restart;
mod settings;
mod status;
mod table;

pub use action::{cert_file, key_file, CERT_DIR, KEY_DIR};
pub use action::{
    Action, ChannelEvent, ChannelRequest, ChannelSettings, ConnectRequest, Eof, TlsContext,
    MAX_RETR_CHUNK,
};
pub use clock::ClockConfig;
pub use config::{EngineConfig, IdentityError, IdentityOverrides};
pub use contexts::PdpBinding;
pub use faults::{check_signal, FaultError, Signal, MAX_INJECTED_LINE};
pub use output::{Batch, LARGE_OUTPUT};
pub use status::{ChannelStatus, EngineStatus, NetStatus, PdpStatus, Summary};

use crate::fs::Sandbox;
use channels::Channels;
use contexts::{NetState, PdpTable, SslTable};
use ctx::Ctx;
use ftpmodem_proto::{Profile, Urc};
use line::LineBuffer;
use modes::{Mode, PromptEnd};
use reply::Reply;
use settings::Settings;
use std::collections::VecDeque;
use std::time::Instant;

/// The virtual module's state machine. See the module docs.
pub struct Engine {
    cfg: EngineConfig,
    fs: Sandbox,
    echo: bool,
    mode: Mode,
    line: LineBuffer,
    reply: Reply,
    actions: VecDeque<Action>,
    channels: Channels,
    pdp: PdpTable,
    net: NetState,
    ssl: SslTable,
    /// The latest instant passed in; handlers that start a timed mode read it.
    now: Instant,
    /// The last command line run (from its `AT`, at most `max_line` bytes), for `A/`.
    last_line: Option<Vec<u8>>,
    /// Open files and settings of the file commands (ONEMO-RELATED.md §C).
    files: handlers::files::FileState,
    /// `AT+CCLK`.
    clock: clock::Clock,
    /// S5, the UART rate, `AT+MLPMCFG`, the saved profile (settings.rs).
    settings: Settings,
}

impl Engine {
    /// A module that has just powered up: `+MATREADY` is already in the output.
    pub fn new(cfg: EngineConfig, fs: Sandbox, now: Instant) -> Engine {
        let settings = Settings::load(&fs, cfg.line_rate);
        let mut e = Engine {
            now,
            line: LineBuffer::new(cfg.max_line),
            pdp: PdpTable::new(&cfg.pdp),
            clock: clock::Clock::new(&cfg.clock, now),
            net: NetState::default(),
            cfg,
            fs,
            echo: true,
            mode: Mode::Command,
            reply: Reply::default(),
            actions: VecDeque::new(),
            channels: Channels::default(),
            last_line: None,
            files: handlers::files::FileState::default(),
            ssl: {
                let mut t = SslTable::default();
                t.reset();
                t
            },
            settings,
        };
        e.power_on();
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
            if t.terminator_lf(&bytes) {
                return self.input(bytes.get(1..).unwrap_or_default(), now);
            }
            if t.all_data(&bytes, now, guard) {
                let id = t.channel;
                // After a failure the stream's bytes go nowhere (§3.12).
                if !bytes.is_empty() && !t.failed {
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
                let timeout = p.timeout.unwrap_or(self.cfg.prompt_timeout);
                if now.saturating_duration_since(p.last_rx) >= timeout {
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
            Mode::Prompt(p) => Some(p.last_rx + p.timeout.unwrap_or(self.cfg.prompt_timeout)),
            Mode::Command => None,
        }
    }

    /// A channel task's report.
    pub fn channel_event(&mut self, id: ftpmodem_proto::ChannelId, event: ChannelEvent) {
        match event {
            ChannelEvent::State(s) => {
                let ch = self.channels.get_mut(id);
                // No download runs across a state change: nothing carried belongs to one.
                ch.retr.clear();
                ch.set_state(s);
            }
            ChannelEvent::Download { data, sum, done } => {
                let ch = self.channels.get_mut(id);
                if done == Some(true) {
                    ch.busy = false;
                }
                if ch.closing {
                    ch.retr.clear();
                } else {
                    ch.retr.feed(&mut self.reply, id, sum, data, done.is_some());
                }
            }
            ChannelEvent::Saved { written, done } => {
                let ch = self.channels.get_mut(id);
                if done == Some(true) {
                    ch.busy = false;
                }
                if ch.closing {
                    ch.retr.clear();
                } else {
                    ch.retr.saved(&mut self.reply, id, written, done.is_some());
                }
            }
            ChannelEvent::Report { urc, done } => {
                // A report during a download is its failure: what was carried is not printed.
                self.channels.get_mut(id).retr.clear();
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
                // The report of an upload that ended while its transparent mode runs (a
                // failure: §3.12 "上传错误后退出透传模式，并上报URC"), and the disconnect after
                // it, are printed at once: the line towards the host is free in transparent
                // mode. The mode itself stays, dropping every further byte, until the escape:
                // the rest of the firmware's stream must never be read as commands.
                let stream_over = match &mut self.mode {
                    Mode::Transparent(t)
                        if t.channel == id
                            && matches!(urc, Urc::Upload { .. } | Urc::ConnState { .. }) =>
                    {
                        t.failed = true;
                        true
                    }
                    _ => false,
                };
                if stream_over {
                    let held = std::mem::replace(&mut self.reply.held, false);
                    self.reply.urc(&urc);
                    self.reply.held = held;
                } else {
                    self.reply.urc(&urc);
                }
            }
        }
    }

    /// Bytes to write to the serial line, with the buffers their download data came from:
    /// release those only once the bytes are written (they carry the download's budget).
    pub fn take_batch(&mut self) -> Batch {
        self.mode.output_taken();
        self.reply.out.take()
    }

    /// Bytes to write to the serial line as one plain buffer (for tests and simple callers).
    pub fn take_output(&mut self) -> Vec<u8> {
        self.mode.output_taken();
        self.reply.out.take().into_vec()
    }

    /// Whether the engine would reuse a large empty buffer for its output
    /// ([`Engine::give_spare`]).
    pub fn wants_spare(&self) -> bool {
        self.reply.out.wants_spare()
    }

    /// A written output buffer (at least [`LARGE_OUTPUT`] bytes) handed back for reuse, so a
    /// fast download does not allocate a new one per batch.
    pub fn give_spare(&mut self, buf: Vec<u8>) {
        self.reply.out.give_spare(buf);
    }

    /// Bytes of output waiting (the runtime gathers queued events up to a size before writing).
    pub fn output_len(&self) -> usize {
        self.reply.out.len()
    }

    /// True when output is waiting.
    pub fn has_output(&self) -> bool {
        !self.reply.out.is_empty()
    }

    /// The next action for a channel task.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// False while URCs pile up behind a data mode: the caller should stop reading channel
    /// events, so that a download waits instead of filling memory.
    pub fn wants_events(&self) -> bool {
        self.reply.queued() < self.cfg.urc_queue_max
    }

    /// The narrow state a command handler works on (see `ctx.rs`).
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            reply: &mut self.reply,
            echo: &mut self.echo,
            cfg: &self.cfg,
            fs: &self.fs,
            channels: &mut self.channels,
            pdp: &mut self.pdp,
            net: &mut self.net,
            ssl: &mut self.ssl,
            actions: &mut self.actions,
            clock: &mut self.clock,
            now: self.now,
            op: None,
            next_mode: None,
            files: &mut self.files,
            settings: &mut self.settings,
            reboot: false,
        }
    }

    /// Runs a command line through the command table; a data mode it starts takes the line.
    /// `A/` runs the last line that had an `AT` again (V.25ter §5.2.4).
    fn command_line(&mut self, done: line::Completed) {
        let done = match done {
            line::Completed::Repeat => match &self.last_line {
                Some(l) => line::Completed::Line(l.clone()),
                None => line::Completed::Repeat,
            },
            line::Completed::Line(l) => {
                if let Some(start) = ftpmodem_proto::command::find_prefix(&l) {
                    self.last_line = Some(l[start..].to_vec());
                }
                line::Completed::Line(l)
            }
            other => other,
        };
        let mut cx = self.ctx();
        table::command_line(&mut cx, done);
        let reboot = cx.reboot;
        if let Some(m) = cx.next_mode.take() {
            self.mode = m;
        }
        self.settings_changed();
        if reboot {
            self.reboot(self.now);
        }
    }

    fn act(&mut self, id: ftpmodem_proto::ChannelId, request: ChannelRequest) {
        self.actions.push_back(Action::Channel { id, request });
    }

    fn end_transparent(&mut self) {
        // The held "+++" is the escape itself, not data. After a failure (already reported)
        // there is no upload left to end; the escape is answered `OK` all the same: it did
        // return the line to command mode (docs/PROTOCOL.md §3.12).
        if let Mode::Transparent(t) = std::mem::replace(&mut self.mode, Mode::Command) {
            if !t.failed {
                self.act(t.channel, ChannelRequest::UploadStreamEnd);
            }
            self.reply.ok();
            self.reply.release();
        }
    }

    fn prompt_timed_out(&mut self) {
        if let Mode::Prompt(p) = std::mem::replace(&mut self.mode, Mode::Command) {
            if p.purpose.is_file_data() {
                // §C.1: a file data mode's timeout ends it successfully with what arrived.
                self.reply.held = false;
                table::finish_prompt(&mut self.ctx(), p, modes::PromptOutcome::TimedOut);
                self.reply.release();
                return;
            }
            if let modes::PromptPurpose::Upload { id, .. } = p.purpose {
                // The prompt ended without data: the channel is free again.
                self.channels.get_mut(id).busy = false;
            }
            self.reply.error(p.purpose.timeout_error());
            self.reply.release();
        }
    }

    fn input_prompt(&mut self, bytes: &[u8], now: Instant) -> usize {
        let Mode::Prompt(p) = &mut self.mode else {
            return 0;
        };
        p.last_rx = now;
        if p.terminator_lf(bytes) {
            return 1;
        }
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
            self.reply.echo(shown);
        }
        if outcome.is_none() && p.purpose.is_file_data() && p.data.len() >= modes::FILE_DATA_CHUNK {
            // A file data mode hands its bytes on as they come: the buffer stays bounded.
            let chunk = std::mem::take(&mut p.data);
            let purpose = p.purpose.clone();
            table::prompt_data(&mut self.ctx(), &purpose, &chunk);
        }
        if let Some(outcome) = outcome {
            if let Mode::Prompt(p) = std::mem::replace(&mut self.mode, Mode::Command) {
                // The prompt's own answer first, then what waited behind it.
                self.reply.held = false;
                table::finish_prompt(&mut self.ctx(), p, outcome);
                self.reply.release();
            }
        }
        used
    }

    fn input_transparent(&mut self, bytes: &[u8], now: Instant) -> usize {
        let guard = self.cfg.guard_time;
        let Mode::Transparent(t) = &mut self.mode else {
            return 0;
        };
        if t.terminator_lf(bytes) {
            return 1;
        }
        let data = t.feed(bytes, now, guard);
        let id = t.channel;
        if !data.is_empty() && !t.failed {
            self.act(id, ChannelRequest::UploadStreamData(data));
        }
        bytes.len()
    }

    fn input_command(&mut self, bytes: &[u8], _now: Instant) -> usize {
        let (used, done) = self.line.feed(bytes);
        if self.echo {
            self.reply.echo(&bytes[..used]);
        }
        if let Some(line) = done {
            self.command_line(line);
        }
        used
    }
}

#[cfg(test)]
mod tests;

//! [`Ctx`]: what a command handler may touch. Not the engine: no line buffer, no input
//! modes, no queue internals. A handler answers through [`Reply`], asks channel tasks for work
//! through [`Ctx::act`], and starts a data mode by naming it ([`Ctx::start_prompt`],
//! [`Ctx::start_transparent`]); the engine switches to it once the handler returns.

use super::action::{Action, ChannelRequest};
use super::channels::Channels;
use super::config::EngineConfig;
use super::contexts::{NetState, PdpTable, SslTable};
use super::handlers::files::FileState;
use super::modes::{Mode, Prompt, Transparent};
use super::reply::Reply;
use super::settings::Settings;
use crate::fs::Sandbox;
use ftpmodem_proto::{ChannelId, FtpOp};
use std::collections::VecDeque;
use std::time::Instant;

/// The state a command handler works on.
pub(crate) struct Ctx<'a> {
    /// The answer on the line.
    pub(crate) reply: &'a mut Reply,
    /// `ATE`: command echo.
    pub(crate) echo: &'a mut bool,
    /// Profile and limits.
    pub(crate) cfg: &'a EngineConfig,
    /// The module's local file system.
    pub(crate) fs: &'a Sandbox,
    /// The six FTP channels as the engine sees them.
    pub(crate) channels: &'a mut Channels,
    /// PDP contexts.
    pub(crate) pdp: &'a mut PdpTable,
    /// Radio and registration.
    pub(crate) net: &'a mut NetState,
    /// TLS contexts.
    pub(crate) ssl: &'a mut SslTable,
    /// Work for the channel tasks.
    pub(crate) actions: &'a mut VecDeque<Action>,
    /// The time of the input being handled.
    pub(crate) now: Instant,
    /// For a channel command: the operation whose report answers it when it cannot run (the
    /// command table's entry).
    pub(crate) op: Option<FtpOp>,
    /// A data mode the command starts.
    pub(crate) next_mode: Option<Mode>,
    /// Open files, `AT+MFCFG` settings and the file data mode in progress.
    pub(crate) files: &'a mut FileState,
    /// S5, the UART rate, `AT+MLPMCFG`, the saved profile.
    pub(crate) settings: &'a mut Settings,
    /// The command asked for a restart (`AT+MREBOOT`): it happens once the line is answered.
    pub(crate) reboot: bool,
}

impl Ctx<'_> {
    /// Hands a request to a channel task.
    pub(crate) fn act(&mut self, id: ChannelId, request: ChannelRequest) {
        self.actions.push_back(Action::Channel { id, request });
    }

    /// Opens a `>` prompt that collects `p`'s data.
    pub(crate) fn start_prompt(&mut self, p: Prompt) {
        self.reply.prompt();
        self.next_mode = Some(Mode::Prompt(p));
    }

    /// `CONNECT`: transparent mode for `t`'s channel.
    pub(crate) fn start_transparent(&mut self, t: Transparent) {
        self.reply.connect();
        self.next_mode = Some(Mode::Transparent(t));
    }
}

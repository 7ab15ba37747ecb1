//! Power-on and restart (`AT+MREBOOT`, ONEMO-RELATED.md §A.6): what the module is when it
//! starts, and how settings that act on the line (framing, S3/S5, the UART rate) follow a
//! command line.

use super::action::Action;
use super::channels::Channels;
use super::contexts::{NetState, PdpTable};
use super::line::LineBuffer;
use super::modes::Mode;
use super::settings::Profile;
use super::Engine;
use ftpmodem_proto::Urc;
use std::time::Instant;

impl Engine {
    /// `AT+MREBOOT` after its `OK`: prints `REBOOTING`, then restarts as
    /// [`Engine::power_cycle`] does (ONEMO-RELATED.md §A.6, RTU capture). A fault injector
    /// that makes the module reboot on its own calls this.
    pub fn reboot(&mut self, now: Instant) {
        // The restart drops whatever a data mode held back; `REBOOTING` goes out at once.
        self.reply.forget_queued();
        self.reply.urc(&Urc::Rebooting);
        self.power_cycle(now);
    }

    /// The module loses power and starts again (no `REBOOTING`): every FTP channel is dropped
    /// (the runtime ends the channel tasks, whose servers see QUIT or a close, on
    /// [`Action::Reboot`]), a data mode or a half-typed line is gone, PDP contexts, network
    /// state, channel and TLS settings are back to their power-on values, the profile `AT&W`
    /// saved is loaded (the UART rate with it), and `+MATREADY` is printed.
    pub fn power_cycle(&mut self, now: Instant) {
        self.now = self.now.max(now);
        // Work not yet handed to a channel belongs to the module that is gone.
        self.actions.clear();
        self.actions.push_back(Action::Reboot);
        self.mode = Mode::Command;
        self.reply.forget_queued();
        self.line = LineBuffer::new(self.cfg.max_line);
        self.last_line = None;
        self.channels = Channels::default();
        self.pdp = PdpTable::new(&self.cfg.pdp);
        self.net = NetState::default();
        self.ssl.reset();
        self.clock.restart();
        self.power_on();
    }

    /// The rate the line runs at once the output taken so far is written: `AT+IPR`'s value
    /// after its command line has been answered, the saved one after a restart. A line pacer
    /// follows the [`Batch::rate_after`](super::Batch) marks instead, which say when.
    pub fn line_rate(&self) -> u32 {
        self.settings.wire_rate
    }

    /// S3, the character that ends a command line (V.250 §6.2.1): a host that changed it, or
    /// that must find its way back without knowing what was typed before, ends its lines with
    /// it.
    pub fn line_end(&self) -> u8 {
        self.reply.framing.cr
    }

    /// Start-up: the saved profile in force, `+MATREADY` printed.
    pub(super) fn power_on(&mut self) {
        let saved = self.settings.saved;
        self.apply_profile(&saved);
        self.settings.lpm.power_on();
        self.settings_changed();
        self.reply.urc(&Urc::Ready);
    }

    /// Puts `p` in force (echo, framing, S5, error form, rate). The rate changes on the wire
    /// once the current line is answered ([`Engine::settings_changed`]).
    pub(super) fn apply_profile(&mut self, p: &Profile) {
        self.echo = p.echo;
        self.reply.framing = p.framing;
        self.reply.cmee = p.cmee;
        self.settings.bs = p.bs;
        self.settings.rate = p.rate;
    }

    /// After a command line (or a restart): the line buffer takes the S3/S5 in force, and a
    /// new UART rate is marked in the output after what was printed so far (V.250 §6.2.10: the
    /// rate changes after the line's result code).
    pub(super) fn settings_changed(&mut self) {
        self.line.set_chars(self.reply.framing.cr, self.settings.bs);
        if self.settings.rate != self.settings.wire_rate {
            self.settings.wire_rate = self.settings.rate;
            self.reply.out.mark_rate(self.settings.rate);
        }
    }
}

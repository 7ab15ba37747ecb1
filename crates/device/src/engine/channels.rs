//! The engine's view of the six FTP channels: configuration and state. The channel tasks do
//! the work; this is what `AT+MFTPCFG` and `AT+MFTPSTATE` read and what decides 801/802/4.

use super::action::ChannelSettings;
use super::download::RetrCut;
use ftpmodem_proto::{ChannelId, ChannelState};

/// One channel.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) settings: ChannelSettings,
    /// Last state the channel task reported.
    pub(crate) state: ChannelState,
    /// A command was handed to the task and has not finished.
    pub(crate) busy: bool,
    /// `AT+MFTPCONN` was accepted and no report of its failure or a disconnect came yet.
    pub(crate) session: bool,
    /// `AT+MFTPDISC` was answered `OK` and the disconnect is not reported yet: download data
    /// the task sent before it saw the request is dropped, so nothing of the cancelled
    /// transfer follows the `OK`.
    pub(crate) closing: bool,
    /// The download to the serial line running on this channel, cut into `+MFTPRETR` chunks.
    pub(crate) retr: RetrCut,
}

impl Default for Channel {
    fn default() -> Self {
        Channel {
            settings: ChannelSettings::default(),
            state: ChannelState::Disconnected,
            busy: false,
            session: false,
            closing: false,
            retr: RetrCut::default(),
        }
    }
}

impl Channel {
    pub(crate) fn set_state(&mut self, s: ChannelState) {
        self.state = s;
        if s == ChannelState::Disconnected {
            self.session = false;
            self.closing = false;
        }
    }

    pub(crate) fn disconnected(&mut self) {
        self.state = ChannelState::Disconnected;
        self.session = false;
        self.busy = false;
        self.closing = false;
    }

    /// Connected or connecting: configuration is frozen and a second CONN is refused.
    pub(crate) fn running(&self) -> bool {
        self.session || self.state != ChannelState::Disconnected
    }
}

/// All six.
#[derive(Debug, Clone, Default)]
pub(crate) struct Channels([Channel; ChannelId::COUNT]);

impl Channels {
    pub(crate) fn get(&self, id: ChannelId) -> &Channel {
        &self.0[id.index()]
    }

    pub(crate) fn get_mut(&mut self, id: ChannelId) -> &mut Channel {
        &mut self.0[id.index()]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (ChannelId, &Channel)> {
        ChannelId::all().zip(self.0.iter())
    }
}

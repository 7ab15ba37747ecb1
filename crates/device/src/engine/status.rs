//! What the test bench's control plane reads of the engine (docs/CONTROL.md `status`): channel
//! states, radio, registration and PDP contexts. Read-only copies, so nothing outside the
//! engine can change its state except through its inputs and the fault entries in `faults.rs`.

use super::Engine;
use ftpmodem_proto::{ChannelId, ChannelState};

/// The small, copyable part of the state whose changes the control plane reports as events. It
/// is compared after every step of the runtime while someone listens, so it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Each channel's last reported state, in channel order.
    pub channels: [ChannelState; ChannelId::COUNT],
    /// 27.007 `<stat>` of `AT+CEREG?` (0 not registered, 1 registered, 2 searching).
    pub stat: u8,
    /// `AT+CFUN` level.
    pub fun: u8,
    /// The SIM is in.
    pub sim: bool,
    /// Bit `cid` set: that PDP context is active.
    pub pdp_active: u16,
}

/// One channel as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelStatus {
    /// 0-5.
    pub id: u8,
    /// Last state the channel task reported.
    pub state: ChannelState,
    /// A command is running on it.
    pub busy: bool,
    /// The PDP context it uses (`AT+MFTPCFG` `"cid"`).
    pub cid: u8,
}

/// One defined PDP context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdpStatus {
    /// 1-15.
    pub cid: u8,
    /// Up.
    pub active: bool,
    /// APN of `AT+CGDCONT`.
    pub apn: String,
    /// Source address the channels on it bind to (`0.0.0.0`: the system chooses).
    pub address: String,
}

/// Radio, SIM and registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetStatus {
    /// `AT+CFUN` level.
    pub fun: u8,
    /// `AT+CGATT`.
    pub attached: bool,
    /// The SIM is in.
    pub sim: bool,
    /// A cell is in reach.
    pub coverage: bool,
    /// 27.007 `<stat>`.
    pub stat: u8,
}

/// The engine's state for `ftpmodem ctl status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineStatus {
    /// All six channels.
    pub channels: Vec<ChannelStatus>,
    /// Radio and registration.
    pub net: NetStatus,
    /// Defined contexts.
    pub pdp: Vec<PdpStatus>,
    /// Signal values `AT+CSQ`/`AT+CESQ` print now.
    pub signal: super::faults::Signal,
    /// The UART rate in baud the module runs at (`AT+IPR`, the saved profile).
    pub line_rate: u32,
}

impl Engine {
    /// See [`Summary`].
    pub fn summary(&self) -> Summary {
        let mut channels = [ChannelState::Disconnected; ChannelId::COUNT];
        for (id, ch) in self.channels.iter() {
            if let Some(slot) = channels.get_mut(id.index()) {
                *slot = ch.state;
            }
        }
        let pdp_active = self
            .pdp
            .iter()
            .filter(|(_, p)| p.active)
            .fold(0u16, |m, (cid, _)| m | (1 << cid));
        Summary {
            channels,
            stat: self.net.stat(),
            fun: self.net.fun,
            sim: self.net.sim,
            pdp_active,
        }
    }

    /// See [`EngineStatus`].
    pub fn status(&self) -> EngineStatus {
        EngineStatus {
            channels: self
                .channels
                .iter()
                .map(|(id, ch)| ChannelStatus {
                    id: id.get(),
                    state: ch.state,
                    busy: ch.busy,
                    cid: ch.settings.cid,
                })
                .collect(),
            net: NetStatus {
                fun: self.net.fun,
                attached: self.net.attached,
                sim: self.net.sim,
                coverage: self.net.coverage,
                stat: self.net.stat(),
            },
            pdp: self
                .pdp
                .iter()
                .filter(|(cid, p)| p.defined && *cid <= self.cfg.profile.cid_max)
                .map(|(cid, p)| PdpStatus {
                    cid,
                    active: p.active,
                    apn: p.apn.clone(),
                    address: self.pdp.address(cid, self.cfg.identity.address),
                })
                .collect(),
            signal: self.signal(),
            line_rate: self.line_rate(),
        }
    }
}

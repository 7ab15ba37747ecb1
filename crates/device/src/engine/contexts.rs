//! PDP contexts (`AT+CGDCONT`, `AT+CGACT`, `AT+MIPCALL`) and TLS contexts (`AT+MSSLCFG`).
//!
//! There is no radio: a PDP context is a local source address the channel's sockets bind to,
//! set in the configuration file, and "active" is a switch that decides whether channels on
//! that cid may connect (result 20 when not).

use super::action::TlsContext;
use ftpmodem_proto::command::MAX_CID;
use std::net::IpAddr;

/// A cid's binding from the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdpBinding {
    /// 1-15.
    pub cid: u8,
    /// Local source address for sockets of channels on this cid.
    pub bind: Option<IpAddr>,
    /// APN reported by `AT+CGDCONT?`.
    pub apn: String,
    /// Active at start-up (cid 1 always is).
    pub active: bool,
}

/// One PDP context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pdp {
    pub(crate) defined: bool,
    pub(crate) pdp_type: String,
    pub(crate) apn: String,
    pub(crate) active: bool,
    pub(crate) bind: Option<IpAddr>,
}

/// Contexts 1..=15 (index 0 unused).
#[derive(Debug, Clone)]
pub(crate) struct PdpTable(Vec<Pdp>);

impl PdpTable {
    pub(crate) fn new(bindings: &[PdpBinding]) -> PdpTable {
        let mut t: Vec<Pdp> = (0..=MAX_CID)
            .map(|cid| Pdp {
                defined: cid == 1,
                pdp_type: "IP".into(),
                apn: String::new(),
                active: cid == 1,
                bind: None,
            })
            .collect();
        for b in bindings {
            if let Some(p) = t.get_mut(usize::from(b.cid)) {
                p.defined = true;
                p.bind = b.bind;
                p.apn.clone_from(&b.apn);
                p.active = b.active || b.cid == 1;
            }
        }
        PdpTable(t)
    }

    pub(crate) fn get(&self, cid: u8) -> Option<&Pdp> {
        self.0.get(usize::from(cid)).filter(|_| cid >= 1)
    }

    pub(crate) fn get_mut(&mut self, cid: u8) -> Option<&mut Pdp> {
        self.0.get_mut(usize::from(cid)).filter(|_| cid >= 1)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u8, &Pdp)> {
        self.0.iter().enumerate().skip(1).map(|(i, p)| (i as u8, p))
    }

    /// The address `+MIPCALL` reports: the binding, else the configured `[identity]
    /// address`, else the unspecified address (the system chooses the source).
    pub(crate) fn address(&self, cid: u8, configured: Option<IpAddr>) -> String {
        self.get(cid)
            .and_then(|p| p.bind)
            .or(configured)
            .map_or_else(|| "0.0.0.0".to_string(), |a| a.to_string())
    }
}

/// TLS contexts 0-5, and the multi-part certificate or key write in progress
/// (`handlers/ssl/write.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct SslTable(
    pub(crate) [TlsContext; 6],
    pub(crate) Option<crate::engine::handlers::ssl::PendingWrite>,
);

impl SslTable {
    /// Factory state (§B.1 defaults), and no write in progress.
    pub(crate) fn reset(&mut self) {
        *self = SslTable::default();
    }
}

/// Radio and registration: what `AT+CFUN`, `AT+CGATT`, `AT+CEREG` and `AT+CGREG` set and read.
/// There is no radio; the module is registered whenever it is fully on and attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetState {
    /// `AT+CEREG=<n>`: 0 no URC, 1 `<stat>`, 2-5 with the location.
    pub(crate) cereg_n: u8,
    /// `AT+CGREG=<n>`.
    pub(crate) cgreg_n: u8,
    /// `AT+CFUN`: 1 full functionality, anything else the radio is off.
    pub(crate) fun: u8,
    /// `AT+CGATT`: packet domain attached.
    pub(crate) attached: bool,
    /// A SIM is in the holder (the test bench's SIM-removed fault takes it out).
    pub(crate) sim: bool,
    /// A cell is in reach (the test bench's registration-lost fault takes it away).
    pub(crate) coverage: bool,
}

impl Default for NetState {
    /// Powered up: full functionality, attached, no registration URCs (27.007 default n 0;
    /// `+CEREG: 0,1` is what a module answers, ONEMO-RELATED.md §A.4 RTU).
    fn default() -> Self {
        NetState {
            cereg_n: 0,
            cgreg_n: 0,
            fun: 1,
            attached: true,
            sim: true,
            coverage: true,
        }
    }
}

impl NetState {
    /// Registered on the home network (stat 1), which needs the radio on and an attach.
    pub(crate) fn registered(&self) -> bool {
        self.fun == 1 && self.attached && self.sim && self.coverage
    }

    /// 27.007 `<stat>`: 1 registered (home), 2 not registered but searching (radio on, SIM in,
    /// no cell in reach), 0 not registered and not searching.
    pub(crate) fn stat(&self) -> u8 {
        if self.registered() {
            1
        } else if self.fun == 1 && self.attached && self.sim {
            2
        } else {
            0
        }
    }
}

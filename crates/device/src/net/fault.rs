//! What can be armed: a fault's kind, its trigger, and how an armed fault is reported. These
//! are the words of the control socket (JSON) and of scenario files (TOML), so every type is
//! serde both ways, with snake_case names.

use serde::{Deserialize, Serialize};

/// Most faults armed at once (waiting or active); spent ones are kept for reporting up to
/// the same number, oldest dropped first.
pub const MAX_ARMED: usize = 64;

/// A fault and when it strikes.
///
/// In JSON: `{"kind":"reset_after","bytes":600000,"trigger":{"when":"next_retr","channel":0}}`;
/// in TOML the same keys (`kind = "stall"` and a `[trigger]` table). A missing trigger is
/// `when = "now"` for every channel and host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetFault {
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: NetFaultKind,
    /// When and where.
    #[serde(default)]
    pub trigger: Trigger,
}

/// What goes wrong, each made where it happens in the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NetFaultKind {
    /// The host name does not resolve (result 8). Address literals are never looked up, so
    /// a session opened with one does not meet this fault (a `next_conn` one keeps waiting).
    Dns,
    /// The connect is refused: a real connect to a loopback port just closed (result 11).
    Refused,
    /// The connect never completes, as when SYNs are dropped: the channel gives up at its
    /// connect timeout (result 9).
    BlackHole,
    /// The connection goes silent both ways: nothing is read or written until the fault is
    /// cleared or its duration ends (a reply or block awaited meanwhile times out: result 5).
    Stall,
    /// The connection is reset once `bytes` bytes have passed (both directions counted): the
    /// socket is closed with `SO_LINGER` 0, so the server sees an RST too (result 11, and the
    /// session is lost).
    ResetAfter {
        /// Bytes delivered before the reset.
        bytes: u64,
    },
    /// The TLS handshake's certificate check fails: the handshake trusts no root at all and
    /// does not resume (result 7). Applies whatever the channel's `auth` setting.
    TlsVerify,
    /// A slower link: a token bucket per direction (bits per second) and a one-way delay
    /// added in each direction.
    Shape {
        /// Server to module, bits per second.
        #[serde(default)]
        down_bps: Option<u64>,
        /// Module to server, bits per second.
        #[serde(default)]
        up_bps: Option<u64>,
        /// Added delay per direction, milliseconds.
        #[serde(default)]
        latency_ms: Option<u64>,
    },
}

impl NetFaultKind {
    /// Whether the fault acts on an open connection (rather than on a resolve, connect or
    /// handshake).
    pub fn on_stream(&self) -> bool {
        matches!(
            self,
            Self::Stall | Self::ResetAfter { .. } | Self::Shape { .. }
        )
    }
}

/// When a fault strikes and on which connections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trigger {
    /// From when on.
    pub when: When,
    /// Only this channel (0..5); every channel when absent.
    pub channel: Option<u8>,
    /// Only sessions opened for this host (as given to `AT+MFTPCONN`, case-insensitive).
    pub host: Option<String>,
    /// Stall or shape only once this many bytes have passed on the connection.
    pub after_bytes: Option<u64>,
    /// The fault ends (is spent) this long after it first took effect.
    pub duration_ms: Option<u64>,
}

/// From when a fault strikes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// At once and until cleared (or its duration ends): every matching resolve, connect or
    /// handshake, and every matching connection, open ones included.
    #[default]
    Now,
    /// Once, on the next control connection (the next `AT+MFTPCONN`).
    NextConn,
    /// Once, on the data connection of the next download (RETR).
    NextRetr,
    /// Once, on the data connection of the next upload (STOR or APPE).
    NextStor,
    /// Once, on the data connection of the next listing.
    NextList,
}

/// An armed fault's name, unique within its [`NetFaults`](super::NetFaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FaultId(pub u32);

impl std::fmt::Display for FaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an armed fault is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultState {
    /// Armed with a `next_*` trigger that has not come yet.
    Waiting,
    /// In effect (a `now` fault from the start; a `next_*` one on its connection).
    Active,
    /// Done: struck once, its connection closed, its duration over, or cleared.
    Spent,
}

/// An armed fault as [`NetFaults::armed`](super::NetFaults::armed) reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmedNetFault {
    /// Its name.
    pub id: FaultId,
    /// What was armed.
    pub fault: NetFault,
    /// Where it is.
    pub state: FaultState,
    /// How many times it struck (resolves or connects failed, connections reset or
    /// stalled or shaped).
    pub hits: u32,
}

/// A change of an armed fault's state, for the control socket's event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NetFaultEvent {
    /// The fault.
    pub id: FaultId,
    /// Its new state.
    pub state: FaultState,
}

/// Why a fault cannot be armed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetFaultError {
    /// The trigger makes no sense for the kind (e.g. a DNS failure on a data connection).
    #[error("{0}")]
    Invalid(String),
    /// [`MAX_ARMED`] faults are already waiting or active.
    #[error("too many faults armed (at most {MAX_ARMED})")]
    TooMany,
}

/// Channels of the module (`AT+MFTP*` ids 0..5).
const CHANNELS: u8 = 6;

impl NetFault {
    /// Checks that the trigger fits the kind.
    pub fn validate(&self) -> Result<(), NetFaultError> {
        let bad = |why: &str| Err(NetFaultError::Invalid(why.to_owned()));
        let t = &self.trigger;
        if t.channel.is_some_and(|c| c >= CHANNELS) {
            return bad("channel must be 0..5");
        }
        if t.host.as_deref().is_some_and(str::is_empty) {
            return bad("host must not be empty");
        }
        match &self.kind {
            NetFaultKind::Dns if !matches!(t.when, When::Now | When::NextConn) => {
                return bad(
                    "dns: only control connections resolve a name (when = now or next_conn)",
                )
            }
            NetFaultKind::ResetAfter { bytes: 0 } => return bad("reset_after: bytes must be > 0"),
            NetFaultKind::ResetAfter { .. } if t.after_bytes.is_some() => {
                return bad("reset_after: give the count in bytes, not after_bytes")
            }
            NetFaultKind::Shape {
                down_bps,
                up_bps,
                latency_ms,
            } => {
                if down_bps.is_none() && up_bps.is_none() && latency_ms.is_none() {
                    return bad("shape: set down_bps, up_bps or latency_ms");
                }
                if down_bps == &Some(0) || up_bps == &Some(0) {
                    return bad("shape: a rate of 0 bit/s is a stall; use kind = \"stall\"");
                }
                if latency_ms.is_some_and(|l| l > 60_000) {
                    return bad("shape: latency_ms at most 60000");
                }
            }
            _ => {}
        }
        if !self.kind.on_stream() {
            if t.after_bytes.is_some() {
                return bad("after_bytes applies to stall and shape only");
            }
            if t.duration_ms.is_some() && t.when != When::Now {
                return bad("duration_ms applies to this kind with when = now only");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_both_ways() {
        let f: NetFault = serde_json::from_str(
            r#"{"kind":"reset_after","bytes":600,"trigger":{"when":"next_retr","channel":1}}"#,
        )
        .unwrap();
        assert_eq!(f.kind, NetFaultKind::ResetAfter { bytes: 600 });
        assert_eq!(f.trigger.when, When::NextRetr);
        assert_eq!(f.trigger.channel, Some(1));
        let back: NetFault = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        let stall: NetFault = serde_json::from_str(r#"{"kind":"stall"}"#).unwrap();
        assert_eq!(stall.trigger, Trigger::default());
        assert!(serde_json::from_str::<NetFault>(r#"{"kind":"flood"}"#).is_err());
        assert!(
            serde_json::from_str::<NetFault>(r#"{"kind":"dns","trigger":{"wen":"now"}}"#).is_err()
        );
    }

    #[test]
    fn toml_both_ways() {
        let f: NetFault = toml::from_str(
            "kind = \"shape\"\ndown_bps = 10000000\nlatency_ms = 30\n[trigger]\nwhen = \"now\"\nhost = \"ftp.example.com\"\n",
        )
        .unwrap();
        assert_eq!(
            f.kind,
            NetFaultKind::Shape {
                down_bps: Some(10_000_000),
                up_bps: None,
                latency_ms: Some(30)
            }
        );
        assert_eq!(f.trigger.host.as_deref(), Some("ftp.example.com"));
        let back: NetFault = toml::from_str(&toml::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn validation() {
        let f = |kind, trigger| NetFault { kind, trigger };
        let when = |when| Trigger {
            when,
            ..Trigger::default()
        };
        assert!(f(NetFaultKind::Dns, when(When::NextConn))
            .validate()
            .is_ok());
        assert!(f(NetFaultKind::Dns, when(When::NextRetr))
            .validate()
            .is_err());
        assert!(f(NetFaultKind::ResetAfter { bytes: 0 }, when(When::Now))
            .validate()
            .is_err());
        let shape = |d, u, l| NetFaultKind::Shape {
            down_bps: d,
            up_bps: u,
            latency_ms: l,
        };
        assert!(f(shape(None, None, None), when(When::Now))
            .validate()
            .is_err());
        assert!(f(shape(Some(0), None, None), when(When::Now))
            .validate()
            .is_err());
        assert!(f(shape(Some(1), None, None), when(When::Now))
            .validate()
            .is_ok());
        let ch9 = Trigger {
            channel: Some(9),
            ..Trigger::default()
        };
        assert!(f(NetFaultKind::Stall, ch9).validate().is_err());
        let after = Trigger {
            after_bytes: Some(10),
            ..Trigger::default()
        };
        assert!(f(NetFaultKind::Refused, after.clone()).validate().is_err());
        assert!(f(NetFaultKind::Stall, after).validate().is_ok());
    }
}

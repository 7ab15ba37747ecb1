//! One schema for a fault, on the control socket (`arm`, JSON) and in a scenario file
//! (`[[fault]]`, TOML): `kind` names it, its own parameters sit beside it, and a `trigger`
//! table says when it fires (`when`: `now`, `next_conn`, `next_retr`, `next_stor`) and for how
//! long (`duration_ms`). Module kinds become [`ModuleFault`]s (the runtime's control channel);
//! network kinds deserialize into the network layer's [`NetFault`] (the socket's faults).

use ftpmodem_device::control::{ModuleFault, Trigger, When};
use ftpmodem_device::engine::Signal;
use ftpmodem_device::net::NetFault;
use serde::Deserialize;
use std::time::Duration;

/// The module fault kinds.
pub const MODULE_KINDS: &[&str] = &[
    "reboot",
    "hang",
    "sim_removed",
    "registration_lost",
    "pdp_drop",
    "signal",
    "inject",
    "fs_full",
    "fs_read_only",
];

/// The network fault kinds (`ftpmodem_device::net`).
pub const NETWORK_KINDS: &[&str] = &[
    "dns",
    "refused",
    "black_hole",
    "stall",
    "reset_after",
    "tls_verify",
    "shape",
];

/// A module fault as asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    /// What.
    pub fault: ModuleFault,
    /// When.
    pub trigger: Trigger,
}

/// Either layer's fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The module's own (runtime control channel).
    Module(FaultSpec),
    /// The network's (socket faults).
    Network(NetFault),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    when: Option<String>,
    delay_ms: Option<u64>,
    duration_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    /// Read before the rest (it decides the schema); kept so `deny_unknown_fields` allows it.
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    trigger: RawTrigger,
    cid: Option<u8>,
    rssi: Option<u8>,
    ber: Option<u8>,
    rsrq: Option<u8>,
    rsrp: Option<u8>,
    line: Option<String>,
}

/// Reads a fault of either layer from a JSON value (a TOML table is converted to one first).
pub fn parse_any(v: serde_json::Value) -> Result<Fault, String> {
    let kind = v
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or("a fault needs a \"kind\"")?
        .to_string();
    if NETWORK_KINDS.contains(&kind.as_str()) {
        let f: NetFault = serde_json::from_value(v).map_err(|e| format!("{kind}: {e}"))?;
        f.validate().map_err(|e| format!("{kind}: {e}"))?;
        return Ok(Fault::Network(f));
    }
    parse(v).map(Fault::Module)
}

/// Reads a module fault from a JSON value.
pub fn parse(v: serde_json::Value) -> Result<FaultSpec, String> {
    let kind = v
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or("a fault needs a \"kind\"")?
        .to_string();
    if !MODULE_KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "unknown fault kind {kind:?} (module faults: {}; network faults: {})",
            MODULE_KINDS.join(", "),
            NETWORK_KINDS.join(", ")
        ));
    }
    let r: Raw = serde_json::from_value(v).map_err(|e| format!("{kind}: {e}"))?;
    let when = match r.trigger.when.as_deref() {
        None | Some("now") => When::Now,
        Some("next_conn") => When::Conn,
        Some("next_retr") => When::Retr,
        Some("next_stor") => When::Stor,
        Some(o) => {
            return Err(format!(
                "{kind}: when = {o:?}: use now, next_conn, next_retr or next_stor"
            ))
        }
    };
    let trigger = Trigger {
        when,
        delay: r.trigger.delay_ms.map(Duration::from_millis),
        duration: r.trigger.duration_ms.map(Duration::from_millis),
    };
    let extra = |name: &str, present: bool| {
        if present {
            Err(format!("{kind} takes no {name}"))
        } else {
            Ok(())
        }
    };
    let signal_given = r.rssi.is_some() || r.ber.is_some() || r.rsrq.is_some() || r.rsrp.is_some();
    if kind != "pdp_drop" {
        extra("cid", r.cid.is_some())?;
    }
    if kind != "signal" {
        extra("rssi/ber/rsrq/rsrp", signal_given)?;
    }
    if kind != "inject" {
        extra("line", r.line.is_some())?;
    }
    let fault = match kind.as_str() {
        "reboot" => ModuleFault::Reboot,
        "hang" => ModuleFault::Hang,
        "sim_removed" => ModuleFault::SimRemoved,
        "registration_lost" => ModuleFault::RegistrationLost,
        "fs_full" => ModuleFault::FsFull,
        "fs_read_only" => ModuleFault::FsReadOnly,
        "pdp_drop" => ModuleFault::PdpDrop {
            cid: r.cid.ok_or("pdp_drop needs a cid")?,
        },
        "signal" if !signal_given => return Err("signal needs rssi, ber, rsrq or rsrp".into()),
        "signal" => {
            let s = Signal {
                rssi: r.rssi,
                ber: r.ber,
                rsrq: r.rsrq,
                rsrp: r.rsrp,
            };
            ftpmodem_device::engine::check_signal(s).map_err(|e| e.to_string())?;
            ModuleFault::Signal(s)
        }
        _ => {
            let line = r.line.ok_or("inject needs a line")?;
            if line.is_empty()
                || line.len() > ftpmodem_device::engine::MAX_INJECTED_LINE
                || line.contains(['\r', '\n'])
            {
                return Err("inject: the line must be 1-1024 bytes without CR or LF".into());
            }
            ModuleFault::Inject {
                line: line.into_bytes(),
            }
        }
    };
    if fault.one_shot() && trigger.duration.is_some() {
        return Err(format!("{kind} happens once: it takes no duration_ms"));
    }
    Ok(FaultSpec { fault, trigger })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_parameters_and_triggers() {
        let s =
            parse(json!({"kind":"pdp_drop","cid":2,"trigger":{"when":"next_retr","delay_ms":5}}))
                .unwrap();
        assert_eq!(s.fault, ModuleFault::PdpDrop { cid: 2 });
        assert_eq!(s.trigger.when, When::Retr);
        assert_eq!(s.trigger.delay, Some(Duration::from_millis(5)));
        assert!(parse(json!({"kind":"hang","trigger":{"duration_ms":100}})).is_ok());
        assert!(matches!(
            parse_any(json!({"kind":"reset_after","bytes":100,"trigger":{"when":"next_retr"}})),
            Ok(Fault::Network(_))
        ));
        assert!(parse_any(json!({"kind":"reset_after"})).is_err());
        for bad in [
            json!({"kind":"nope"}),
            json!({"kind":"pdp_drop"}),
            json!({"kind":"hang","cid":1}),
            json!({"kind":"signal","rssi":40}),
            json!({"kind":"signal"}),
            json!({"kind":"inject","line":"a\nb"}),
            json!({"kind":"hang","trigger":{"when":"later"}}),
            json!({"kind":"hang","trigger":{"channel":1}}),
            json!({"kind":"hang","colour":"red"}),
            json!({"kind":"reboot","trigger":{"duration_ms":1}}),
            json!({"kind":"sim-removed"}),
            json!({"cid":1}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }
}

//! One schema for a fault, on the control socket (`arm`, JSON) and in a scenario file
//! (`[[fault]]`, TOML): `kind` names it, its own parameters follow, and the trigger fields
//! `on`, `delay_ms` and `duration_ms` say when it fires and how long it lasts. Module kinds
//! become [`ModuleFault`]s; a network kind would go to the network fault layer, which this
//! build does not have: it is refused by name.

use ftpmodem_device::control::{ModuleFault, Trigger, When};
use ftpmodem_device::engine::Signal;
use serde::Deserialize;
use std::time::Duration;

/// The module fault kinds.
pub const MODULE_KINDS: &[&str] = &[
    "reboot",
    "hang",
    "sim-removed",
    "registration-lost",
    "pdp-drop",
    "signal",
    "inject",
];

/// The network fault kinds (the socket's; not in this build).
pub const NETWORK_KINDS: &[&str] = &[
    "dns",
    "refused",
    "blackhole",
    "stall",
    "reset",
    "tls-verify",
    "bandwidth",
    "latency",
];

/// A fault as asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    /// What.
    pub fault: ModuleFault,
    /// When.
    pub trigger: Trigger,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    /// Read before the rest (it decides the schema); kept so `deny_unknown_fields` allows it.
    #[serde(rename = "kind")]
    _kind: String,
    on: Option<String>,
    delay_ms: Option<u64>,
    duration_ms: Option<u64>,
    cid: Option<u8>,
    rssi: Option<u8>,
    ber: Option<u8>,
    rsrq: Option<u8>,
    rsrp: Option<u8>,
    line: Option<String>,
}

/// Reads a fault from a JSON value (a TOML table is converted to one first).
pub fn parse(v: serde_json::Value) -> Result<FaultSpec, String> {
    let kind = v
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or("a fault needs a \"kind\"")?
        .to_string();
    if NETWORK_KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "{kind:?} is a network fault, which this build does not have (module faults: {})",
            MODULE_KINDS.join(", ")
        ));
    }
    if !MODULE_KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "unknown fault kind {kind:?} (module faults: {}; network faults: {})",
            MODULE_KINDS.join(", "),
            NETWORK_KINDS.join(", ")
        ));
    }
    let r: Raw = serde_json::from_value(v).map_err(|e| format!("{kind}: {e}"))?;
    let when = match r.on.as_deref() {
        None | Some("now") => When::Now,
        Some("conn") => When::Conn,
        Some("retr") => When::Retr,
        Some("stor") => When::Stor,
        Some(o) => return Err(format!("on = {o:?}: use now, conn, retr or stor")),
    };
    let trigger = Trigger {
        when,
        delay: r.delay_ms.map(Duration::from_millis),
        duration: r.duration_ms.map(Duration::from_millis),
    };
    let extra = |name: &str, present: bool| {
        if present {
            Err(format!("{kind} takes no {name}"))
        } else {
            Ok(())
        }
    };
    let signal_given = r.rssi.is_some() || r.ber.is_some() || r.rsrq.is_some() || r.rsrp.is_some();
    if kind != "pdp-drop" {
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
        "sim-removed" => ModuleFault::SimRemoved,
        "registration-lost" => ModuleFault::RegistrationLost,
        "pdp-drop" => ModuleFault::PdpDrop {
            cid: r.cid.ok_or("pdp-drop needs a cid")?,
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
        let s = parse(json!({"kind":"pdp-drop","cid":2,"on":"retr","delay_ms":5})).unwrap();
        assert_eq!(s.fault, ModuleFault::PdpDrop { cid: 2 });
        assert_eq!(s.trigger.when, When::Retr);
        assert_eq!(s.trigger.delay, Some(Duration::from_millis(5)));
        assert!(parse(json!({"kind":"hang","duration_ms":100})).is_ok());
        for bad in [
            json!({"kind":"nope"}),
            json!({"kind":"pdp-drop"}),
            json!({"kind":"hang","cid":1}),
            json!({"kind":"signal","rssi":40}),
            json!({"kind":"signal"}),
            json!({"kind":"inject","line":"a\nb"}),
            json!({"kind":"hang","on":"later"}),
            json!({"kind":"hang","colour":"red"}),
            json!({"kind":"reboot","duration_ms":1}),
            json!({"kind":"stall"}),
            json!({"cid":1}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }
}

//! `ftpmodem serve`'s test-bench network flags: shaping the FTP connections like a radio link
//! (`--network cat1`, `--down-bps`, `--up-bps`, `--latency-ms`) and network faults armed at
//! start-up (`--net-fault JSON`, the same JSON the control socket takes).

use anyhow::{bail, Context, Result};
use clap::Args;
use ftpmodem_device::net::{NetFault, NetFaultKind, NetFaults, Trigger};

/// LTE Cat.1 bis (3GPP TS 36.306, UE category 1bis: the data rates of category 1, about
/// 10 Mbit/s down and 5 Mbit/s up) with 25 ms added each way, a 50 ms round trip: the
/// average LTE round trip Signals Research measured to servers in AT&T's network (49 ms,
/// minimum 40 ms), as reported in F. Rayal, "Latency: LTE's Achilles heel" (2011).
pub const CAT1: Link = Link {
    down_bps: 10_000_000,
    up_bps: 5_000_000,
    latency_ms: 25,
};

/// A link profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Server to module, bits per second.
    pub down_bps: u64,
    /// Module to server, bits per second.
    pub up_bps: u64,
    /// Added one-way delay, each direction.
    pub latency_ms: u64,
}

/// The flags.
#[derive(Args, Debug, Default)]
pub struct NetArgs {
    /// Shape every FTP connection like this link: cat1 (LTE Cat.1 bis: 10 Mbit/s down,
    /// 5 Mbit/s up, 25 ms each way). --down-bps, --up-bps and --latency-ms override its
    /// figures.
    #[arg(long, value_name = "PROFILE")]
    network: Option<String>,
    /// Shape FTP connections: server-to-module rate in bits per second.
    #[arg(long, value_name = "BITS")]
    down_bps: Option<u64>,
    /// Shape FTP connections: module-to-server rate in bits per second.
    #[arg(long, value_name = "BITS")]
    up_bps: Option<u64>,
    /// Shape FTP connections: added delay each way, milliseconds.
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Arm a network fault at start-up (repeatable), as JSON, e.g.
    /// '{"kind":"reset_after","bytes":1258291,"trigger":{"when":"next_retr"}}'.
    /// Kinds: dns, refused, black_hole, stall, reset_after, tls_verify, shape; see
    /// docs/PROTOCOL.md "Network faults".
    #[arg(long, value_name = "JSON")]
    net_fault: Vec<String>,
}

impl NetArgs {
    /// The shaping the flags ask for, if any.
    fn shape(&self) -> Result<Option<NetFaultKind>> {
        let base = match self.network.as_deref() {
            None => None,
            Some(p) if p.eq_ignore_ascii_case("cat1") || p.eq_ignore_ascii_case("cat1bis") => {
                Some(CAT1)
            }
            Some(other) => bail!("unknown network profile {other:?}: use cat1"),
        };
        if base.is_none()
            && self.down_bps.is_none()
            && self.up_bps.is_none()
            && self.latency_ms.is_none()
        {
            return Ok(None);
        }
        Ok(Some(NetFaultKind::Shape {
            down_bps: self.down_bps.or(base.map(|b| b.down_bps)),
            up_bps: self.up_bps.or(base.map(|b| b.up_bps)),
            latency_ms: self.latency_ms.or(base.map(|b| b.latency_ms)),
        }))
    }

    /// The module's network faults with the flags' shaping and faults armed; `None` when no
    /// flag asks for any (the channels then use the system's network directly).
    pub fn faults(&self) -> Result<Option<NetFaults>> {
        let shape = self.shape()?;
        if shape.is_none() && self.net_fault.is_empty() {
            return Ok(None);
        }
        let faults = NetFaults::new();
        if let Some(kind) = shape {
            faults
                .arm(NetFault {
                    kind,
                    trigger: Trigger::default(),
                })
                .context("--network / --down-bps / --up-bps / --latency-ms")?;
        }
        for json in &self.net_fault {
            let fault: NetFault = serde_json::from_str(json)
                .with_context(|| format!("--net-fault {json}: not a network fault"))?;
            faults
                .arm(fault)
                .with_context(|| format!("--net-fault {json}"))?;
        }
        Ok(Some(faults))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cat1_with_overrides() {
        let args = NetArgs {
            network: Some("cat1".into()),
            latency_ms: Some(60),
            ..NetArgs::default()
        };
        assert_eq!(
            args.shape().unwrap(),
            Some(NetFaultKind::Shape {
                down_bps: Some(10_000_000),
                up_bps: Some(5_000_000),
                latency_ms: Some(60)
            })
        );
        assert!(NetArgs::default().faults().unwrap().is_none());
        let bad = NetArgs {
            network: Some("5g".into()),
            ..NetArgs::default()
        };
        assert!(bad.faults().is_err());
    }

    #[test]
    fn faults_from_json() {
        let args = NetArgs {
            net_fault: vec![
                r#"{"kind":"reset_after","bytes":10,"trigger":{"when":"next_retr"}}"#.into(),
            ],
            ..NetArgs::default()
        };
        let f = args.faults().unwrap().unwrap();
        assert_eq!(f.armed().len(), 1);
        let bad = NetArgs {
            net_fault: vec![r#"{"kind":"dns","trigger":{"when":"next_retr"}}"#.into()],
            ..NetArgs::default()
        };
        assert!(bad.faults().is_err());
    }
}

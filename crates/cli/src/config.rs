//! The configuration file (`--config FILE`, TOML): model, local file system, PDP bindings.
//!
//! ```toml
//! model = "ML307R"            # generic (default), ML302A, ML305A, ML307A, ML305U, ML307R
//! [fs]
//! root = "/var/lib/ftpmodem"  # default: $XDG_DATA_HOME/ftpmodem/fs
//! capacity = 1048576          # bytes reported by AT+MFSINFO and enforced on writes
//! [[pdp]]
//! cid = 2
//! bind = "192.0.2.10"         # local source address for channels on this cid
//! apn = "cmnet"
//! active = false
//! [ftp]
//! epsv = true                 # false: PASV instead of EPSV on IPv4
//! [identity]
//! imei = "864123170123454"    # any identity value of the model profile, checked at start
//! [clock]
//! zone = 32                   # AT+CCLK? zone in quarter hours
//! ```

use anyhow::{Context, Result};
use ftpmodem_device::engine::{ClockConfig, IdentityOverrides, PdpBinding};
use serde::Deserialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Model used when neither `--model` nor the file names one.
pub const DEFAULT_MODEL: &str = "generic";

/// Default capacity of the module's file system: generous for logs and certificates, small
/// enough that `AT+MFSINFO` looks like a module.
pub const DEFAULT_CAPACITY: u64 = 64 << 20;

/// Whether passive mode asks EPSV first on IPv4 when `[ftp] epsv` is not given.
pub const DEFAULT_EPSV: bool = true;

/// The file's contents; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Model profile name.
    pub model: Option<String>,
    /// Local file system.
    #[serde(default)]
    pub fs: FsConfig,
    /// PDP context bindings.
    #[serde(default)]
    pub pdp: Vec<PdpConfig>,
    /// FTP client behaviour.
    #[serde(default)]
    pub ftp: FtpConfig,
    /// Identity values that replace the model profile's.
    #[serde(default)]
    pub identity: IdentityOverrides,
    /// The module's real-time clock.
    #[serde(default)]
    pub clock: ClockFileConfig,
}

/// `[clock]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockFileConfig {
    /// Zone of `AT+CCLK?` in quarter hours, -96..=96 (default 32, UTC+8).
    pub zone: Option<i8>,
}

/// `[ftp]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FtpConfig {
    /// `false`: passive mode uses PASV instead of EPSV on IPv4 (default `true`).
    pub epsv: Option<bool>,
}

/// `[fs]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FsConfig {
    /// Sandbox directory.
    pub root: Option<PathBuf>,
    /// Capacity in bytes.
    pub capacity: Option<u64>,
}

/// `[[pdp]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdpConfig {
    /// Context id.
    pub cid: u8,
    /// Local source address.
    pub bind: Option<IpAddr>,
    /// APN shown by `AT+CGDCONT?`.
    #[serde(default)]
    pub apn: String,
    /// Active at start.
    #[serde(default)]
    pub active: bool,
}

impl FileConfig {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<FileConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let cfg: FileConfig =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        cfg.identity()
            .check()
            .with_context(|| format!("{}: [identity]", path.display()))?;
        if let Some(z) = cfg.clock.zone {
            anyhow::ensure!(
                z.unsigned_abs() <= 96,
                "{}: [clock] zone {z} is not in -96..96 (quarter hours)",
                path.display()
            );
        }
        for p in &cfg.pdp {
            anyhow::ensure!(
                (1..=15).contains(&p.cid),
                "{}: pdp cid {} is not in 1-15",
                path.display(),
                p.cid
            );
        }
        Ok(cfg)
    }

    /// The engine's identity overrides (`[identity]`; each key replaces the model profile's
    /// value, none is required).
    pub fn identity(&self) -> IdentityOverrides {
        self.identity.clone()
    }

    /// The engine's clock: the host's UTC time at `utc_now`, in the configured zone.
    pub fn clock(&self, utc_now: i64) -> ClockConfig {
        ClockConfig {
            utc_at_start: Some(utc_now),
            zone: self.clock.zone.unwrap_or(ClockConfig::default().zone),
        }
    }

    /// The engine's view of the bindings.
    pub fn bindings(&self) -> Vec<PdpBinding> {
        self.pdp
            .iter()
            .map(|p| PdpBinding {
                cid: p.cid,
                bind: p.bind,
                apn: p.apn.clone(),
                active: p.active,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/ftpmodem.example.toml loads, names every key the program reads, and gives each
    /// key that has a default exactly that default: the file cannot go stale.
    #[test]
    fn example_file_names_every_key_with_its_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ftpmodem.example.toml");
        let c = FileConfig::load(&path).unwrap();
        assert_eq!(c.model.as_deref(), Some(DEFAULT_MODEL));
        assert!(c.fs.root.is_some(), "[fs] root is shown");
        assert_eq!(c.fs.capacity, Some(DEFAULT_CAPACITY));
        assert_eq!(c.ftp.epsv, Some(DEFAULT_EPSV));
        assert_eq!(c.pdp.len(), 1, "one [[pdp]] table is shown");
        let p = &c.pdp[0];
        assert!(p.bind.is_some(), "[[pdp]] bind is shown");
        assert_eq!((p.apn.as_str(), p.active), ("", false), "[[pdp]] defaults");
        // Every key appears as `key = ` (serde refuses unknown ones, so nothing extra slips in).
        let text = std::fs::read_to_string(&path).unwrap();
        // [identity]: defaults depend on the model, so the file shows the ML307R's as
        // examples; they must pass the start-up check.
        let id = c.identity();
        assert_eq!(id.check(), Ok(()));
        assert_eq!(id.imei.as_deref(), Some("864123170123454"));
        assert_eq!(c.clock.zone, Some(ClockConfig::default().zone));
        for key in [
            "model",
            "root",
            "capacity",
            "epsv",
            "cid",
            "bind",
            "apn",
            "active",
            "manufacturer",
            "revision",
            "imei",
            "imsi",
            "iccid",
            "operator",
            "rssi",
            "ber",
            "rsrq",
            "rsrp",
            "address",
            "zone",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{key} = "))),
                "{key} missing"
            );
        }
        for table in ["[fs]", "[ftp]", "[[pdp]]", "[identity]", "[clock]"] {
            assert!(text.lines().any(|l| l == table), "{table} missing");
        }
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
                .unwrap();
        assert!(readme.contains("docs/ftpmodem.example.toml"));
    }

    #[test]
    fn loads_bindings_and_refuses_bad_files() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(
            &p,
            "model = \"ML305U\"\n[fs]\ncapacity = 4096\n[[pdp]]\ncid = 2\nbind = \"127.0.0.2\"\napn = \"cmnet\"\n",
        )
        .unwrap();
        let c = FileConfig::load(&p).unwrap();
        assert_eq!(c.model.as_deref(), Some("ML305U"));
        assert_eq!(c.fs.capacity, Some(4096));
        let b = c.bindings();
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].cid, b[0].bind, b[0].active),
            (2, Some("127.0.0.2".parse().unwrap()), false)
        );
        std::fs::write(&p, "[[pdp]]\ncid = 16\n").unwrap();
        assert!(FileConfig::load(&p)
            .unwrap_err()
            .to_string()
            .contains("not in 1-15"));
        std::fs::write(&p, "colour = 1\n").unwrap();
        assert!(FileConfig::load(&p).is_err());
    }

    #[test]
    fn identity_and_clock_are_checked_with_the_key_and_the_reason() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("m.toml");
        let err = |text: &str| {
            std::fs::write(&p, text).unwrap();
            format!("{:#}", FileConfig::load(&p).unwrap_err())
        };
        let e = err("[identity]\nimei = \"864123170123455\"\n");
        assert!(
            e.contains("[identity]") && e.contains("imei") && e.contains("Luhn"),
            "{e}"
        );
        let e = err("[identity]\noperator = \"A,B\"\n");
        assert!(e.contains("operator") && e.contains("comma"), "{e}");
        let e = err("[identity]\nrssi = 40\n");
        assert!(e.contains("rssi 40"), "{e}");
        let e = err("[identity]\naddress = \"10.0.0\"\n");
        assert!(e.contains("address"), "{e}");
        let e = err("[clock]\nzone = 97\n");
        assert!(e.contains("zone 97"), "{e}");
        std::fs::write(
            &p,
            "[identity]\nimsi = \"001010000000001\"\n[clock]\nzone = -20\n",
        )
        .unwrap();
        let c = FileConfig::load(&p).unwrap();
        assert_eq!(c.identity().imsi.as_deref(), Some("001010000000001"));
        assert_eq!(c.clock(7).utc_at_start, Some(7));
        assert_eq!(c.clock(7).zone, -20);
    }
}

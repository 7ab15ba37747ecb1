//! `ftpmodem serve --config` with `[identity]` and `[clock]`, through the real binary on a
//! real PTY: the values reach the wire, `AT+CCLK?` runs on the host's clock in the configured
//! zone, and a value the module could not print stops the start-up with its key and reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(dir: &Path, config: &str) -> Command {
    let cfg = dir.join("module.toml");
    std::fs::write(&cfg, config).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_ftpmodem"));
    c.args(["serve", "--model", "ML307R", "--pty"])
        .arg(dir.join("tty"))
        .arg("--fs-root")
        .arg(dir.join("fs"))
        .arg("--config")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    c
}

fn serve(dir: &Path, config: &str) -> (Server, File) {
    let mut child = command(dir, config).stderr(Stdio::piped()).spawn().unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !seen.contains(&b'\n') {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "server exited: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    std::thread::spawn(move || while matches!(err.read(&mut buf), Ok(n) if n > 0) {});
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits() | nix::fcntl::OFlag::O_NOCTTY.bits())
        .open(dir.join("tty"))
        .unwrap();
    (Server(child), tty)
}

/// Sends `cmd` with CR and returns the module's answer up to its final result.
fn at(tty: &mut File, cmd: &str) -> String {
    tty.write_all(format!("{cmd}\r").as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let text = String::from_utf8_lossy(&got);
        if text.ends_with("\r\nOK\r\n")
            || text.ends_with("ERROR\r\n")
            || text.contains("ERROR: ") && text.ends_with("\r\n")
        {
            return text.into_owned();
        }
        assert!(Instant::now() < deadline, "no answer to {cmd}: {text:?}");
        match tty.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let fd = std::os::fd::AsFd::as_fd(&*tty);
                let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
                let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(100u16));
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `yy/MM/dd,hh:mm:ss±zz` of a Unix time in a zone of quarter hours.
fn cclk_text(utc: i64, zone: i64) -> String {
    let local = utc + zone * 900;
    let (y, m, d) = civil(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let sign = if zone < 0 { '-' } else { '+' };
    format!(
        "{:02}/{m:02}/{d:02},{:02}:{:02}:{:02}{sign}{:02}",
        y % 100,
        s / 3600,
        s % 3600 / 60,
        s % 60,
        zone.abs()
    )
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

#[test]
fn identity_and_clock_from_the_configuration_reach_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[identity]\nrevision = \"ML307R-DC-MBRH9S99\"\nimsi = \"001010123456789\"\n\
                  rsrp = 30\n[clock]\nzone = -20\n";
    let (_server, mut tty) = serve(dir.path(), config);
    at(&mut tty, "ATE0");
    assert_eq!(
        at(&mut tty, "AT+CGMR"),
        "\r\nML307R-DC-MBRH9S99\r\n\r\nOK\r\n"
    );
    assert_eq!(at(&mut tty, "AT+CIMI"), "\r\n001010123456789\r\n\r\nOK\r\n");
    assert_eq!(
        at(&mut tty, "AT+CESQ"),
        "\r\n+CESQ: 99,99,255,255,20,30,255,255,255\r\n\r\nOK\r\n"
    );
    // The host's clock, in zone -20 (UTC-5); the second may tick between the two reads.
    let before = unix_now();
    let got = at(&mut tty, "AT+CCLK?");
    let after = unix_now();
    let expected: Vec<String> = (before..=after)
        .map(|t| format!("\r\n+CCLK: \"{}\"\r\n\r\nOK\r\n", cclk_text(t, -20)))
        .collect();
    assert!(expected.contains(&got), "{got:?} not in {expected:?}");
    // Set: the ML307R refuses zone +01 and years past 2037, takes the rest.
    for bad in [
        "AT+CCLK=\"30/06/15,12:00:00+01\"",
        "AT+CCLK=\"40/06/15,12:00:00+04\"",
        "AT+CCLK=\"30/06/31,12:00:00+04\"",
        "AT+CCLK=\"30/06/15,12:00:00\"",
    ] {
        assert_eq!(at(&mut tty, bad), "\r\n+CME ERROR: 50\r\n", "{bad}");
    }
    assert_eq!(
        at(&mut tty, "AT+CCLK=\"30/06/15,12:00:00+04\""),
        "\r\nOK\r\n"
    );
    let got = at(&mut tty, "AT+CCLK?");
    assert!(
        got.starts_with("\r\n+CCLK: \"30/06/15,12:00:0") && got.ends_with("+04\"\r\n\r\nOK\r\n"),
        "{got:?}"
    );
}

#[test]
fn a_bad_identity_value_is_refused_at_start_up_with_its_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (config, words) in [
        (
            "[identity]\nimei = \"490154203237519\"\n",
            ["[identity]", "imei", "Luhn"],
        ),
        (
            "[identity]\noperator = \"A,B\"\n",
            ["[identity]", "operator", "comma"],
        ),
        (
            "[clock]\nzone = -97\n",
            ["[clock]", "zone -97", "quarter hours"],
        ),
    ] {
        let out = command(dir.path(), config).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{err}");
        assert!(words.iter().all(|w| err.contains(w)), "{words:?} in {err}");
        assert!(!dir.path().join("tty").exists(), "no line was opened");
    }
}

//! A real driver's bring-up: esp-ml307 (78/esp-ml307, the ESP32 driver of xiaozhi-esp32)
//! against `ftpmodem serve --pty LINK --model ML307R`, over the real PTY.
//!
//! The driver is re-implemented here from its source, as faithfully as a test can (see
//! ONEMO-RELATED.md §A.1 and §A.4, tags E-uart, E-at, E-ml): what it sends, in its order, with
//! its time-outs and retry cadence, and how it parses what comes back. Its parser takes a line
//! as final only when it is exactly `OK`, `ERROR` or `+CME ERROR: <n>`; splits every `+XXX:`
//! line at `": "` and then at every comma, without honouring quotes; turns a digit-only field
//! shorter than 10 characters into an integer and a field holding a `.` into a double
//! (`std::stod`, which throws when nothing of it is a number); stores any other bare line as
//! "the response"; and takes a `>` as the first byte while a command waits as the data prompt.
//! Where the module's output would make that parser misread a line or fail (a split quoted
//! field, an empty field it reads with `front()`, a `.` field `stod` cannot read), the line is
//! recorded as a hazard and the test fails on it.
//!
//! After the bring-up the same driver state runs an FTP session against vsftpd (connect, an
//! upload through the `>` prompt as the driver sends data, a download), then the flight-mode
//! round esp-ml307 does around sleep (`AT+CFUN=4`, `AT+CFUN=1`, bring-up again), then its
//! reboot (`AT+MREBOOT=0`: `OK`, `REBOOTING`, `+MATREADY`, the network marked down, the
//! whole bring-up again, `AT+IPR` included), each followed by an FTP session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod driver;

use driver::{Arg, Cereg, Driver};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ftpmodem serve --pty LINK --model ML307R` with a configuration file, once it announced
/// the link.
fn serve(dir: &Path, config: &str) -> (Server, std::path::PathBuf) {
    let link = dir.join("ttyML307");
    let cfg = dir.join("module.toml");
    std::fs::write(&cfg, config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--model", "ML307R", "--pty"])
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.join("fs"))
        .arg("--config")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !seen.contains(&b'\n') {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "server exited: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(link.exists(), "{}", String::from_utf8_lossy(&seen));
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || while matches!(err.read(&mut buf), Ok(n) if n > 0) {});
    (Server(child), link)
}

const IMEI: &str = "490154203237518";
const ICCID: &str = "89860012345678901238";
const OPERATOR: &str = "CMCC TEST";
const ADDRESS: &str = "10.64.1.7";

fn config() -> String {
    format!(
        "[identity]\nimei = \"{IMEI}\"\niccid = \"{ICCID}\"\noperator = \"{OPERATOR}\"\n\
         rssi = 17\naddress = \"{ADDRESS}\"\n"
    )
}

/// The bring-up of esp-ml307 and the on-demand queries, with the values checked.
fn bring_up(d: &mut Driver) {
    // 921600: the rate the xiaozhi-esp32 boards ask for (§A.3 E-rd), so `AT+IPR` follows
    // the autobaud, which finds the module at its power-on 115200.
    let revision = d.detect(921_600);
    assert_eq!(revision, "ML307R-DC-MBRH0S00");
    d.wait_for_network_ready(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}: {}", d.shown()));
    assert!(d.modem.network_ready && d.modem.pin_ready);
    assert_eq!(
        d.modem.cereg,
        Cereg {
            stat: 1,
            tac: "5A1F".into(),
            ci: "0C8E2A01".into(),
            act: 7
        }
    );
    // GetImei, GetIccid (both commands: E-at's AT+ICCID, the ML307 variant's AT+MCCID),
    // GetCarrierName, GetCsq (100 ms, §A.4), GetRegistrationState.
    assert!(d.cmd("AT+CGSN=1"));
    assert_eq!(d.modem.imei, IMEI);
    assert!(d.cmd("AT+ICCID"));
    assert_eq!(d.modem.iccid, ICCID);
    d.modem.iccid.clear();
    assert!(d.cmd("AT+MCCID"));
    assert_eq!(d.modem.iccid, ICCID);
    assert!(d.cmd("AT+COPS?"));
    assert_eq!(d.modem.carrier, OPERATOR);
    d.send_command("AT+CSQ", 100);
    assert!(d.cmd("AT+CEREG?"));
    assert_eq!(d.modem.csq, 17, "the CSQ line is parsed by now");
    assert_eq!(d.modem.cereg.stat, 1);
    let mipcall = d
        .urcs
        .iter()
        .rev()
        .find(|(c, _)| c == "MIPCALL")
        .map(|(_, a)| a.clone())
        .unwrap();
    assert_eq!(
        mipcall,
        vec![Arg::Int(1), Arg::Int(1), Arg::Str(ADDRESS.into())]
    );
}

/// Connect, upload through the `>` prompt as `SendCommandWithData` sends data, download.
fn ftp_round(d: &mut Driver, server: &Vsftpd, dir: &Path, name: &str, body: &[u8]) {
    d.skip_urcs();
    let conn = format!(
        "AT+MFTPCONN=0,\"{}\",\"uftp\",\"12341\",{}",
        server.host(),
        server.port()
    );
    assert!(d.cmd(&conn), "{}", d.shown());
    assert_eq!(d.wait_urc("MFTPCONN"), vec![Arg::Int(0), Arg::Int(0)]);
    assert!(d.cmd(&format!("AT+MFTPCWD=0,\"{}\"", dir.display())));
    assert_eq!(d.wait_urc("MFTPCWD"), vec![Arg::Int(0), Arg::Int(0)]);
    let stor = format!("AT+MFTPSTOR=0,\"{name}\",1,{}", body.len());
    assert!(d.send_command_with_data(&stor, 5000, body), "{}", d.shown());
    let len = i64::try_from(body.len()).unwrap();
    assert_eq!(
        d.wait_urc("MFTPSTOR"),
        vec![Arg::Int(0), Arg::Int(0), Arg::Int(len)]
    );
    assert_eq!(std::fs::read(dir.join(name)).unwrap(), body);
    assert!(d.cmd(&format!("AT+MFTPRETR=0,\"{name}\"")));
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(
        d.wait_urc("MFTPRETR"),
        vec![
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(len),
            Arg::Int(len),
            Arg::Str(text)
        ]
    );
}

#[test]
fn esp_ml307_brings_the_module_up_runs_ftp_and_survives_flight_mode_and_reboot() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let ftp_dir = server.fresh_user_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_serve, link) = serve(dir.path(), &config());
    let mut d = Driver::open(&link);

    bring_up(&mut d);
    ftp_round(&mut d, &server, &ftp_dir, "first", b"esp-ml307 upload one");

    // Sleep: flight mode drops the registration (+CEREG: 0), the context and the session.
    d.skip_urcs();
    assert!(d.set_flight_mode(true), "{}", d.shown());
    assert_eq!(
        d.wait_urc("MFTPURC"),
        vec![Arg::Int(0), Arg::Str("conn".into()), Arg::Int(0)]
    );
    assert_eq!(d.modem.cereg.stat, 0);
    assert!(!d.modem.network_ready);
    assert_eq!(d.modem.state_changes, [true, false]);
    // While the radio is off no context is active: the driver's wait for an address would
    // find none.
    let before = d.urcs.len();
    assert!(d.cmd("AT+MIPCALL?"));
    assert!(
        !d.urcs[before..].iter().any(|(c, _)| c == "MIPCALL"),
        "{}",
        d.shown()
    );
    // Wake-up: back to full functionality, then the same bring-up and session again.
    assert!(d.set_flight_mode(false), "{}", d.shown());
    d.wait_for_network_ready(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}: {}", d.shown()));
    assert!(d.modem.network_ready);
    ftp_round(&mut d, &server, &ftp_dir, "second", b"after flight mode");

    // Reboot (Ml307AtModem::Reboot) with the session open: `OK`, `REBOOTING`, `+MATREADY`,
    // on which the driver marks the network down; then the application brings it up again.
    let changes = d.modem.state_changes.len();
    let from = d.received.len();
    d.skip_urcs();
    assert!(d.cmd("AT+MREBOOT=0"), "{}", d.shown());
    assert_eq!(d.wait_urc("MATREADY"), vec![]);
    assert_eq!(d.response, "REBOOTING", "the bare line before +MATREADY");
    let after = String::from_utf8_lossy(&d.received[from..]).into_owned();
    let at = |s: &str| {
        after
            .find(s)
            .unwrap_or_else(|| panic!("no {s:?} in {after:?}"))
    };
    assert!(
        at("\r\nOK\r\n") < at("\r\nREBOOTING\r\n")
            && at("\r\nREBOOTING\r\n") < at("\r\n+MATREADY\r\n"),
        "{after:?}"
    );
    assert!(!d.modem.network_ready);
    assert_eq!(d.modem.state_changes[changes..], [false]);
    assert_eq!(d.modem.matready, 2, "power-up and reboot");
    bring_up(&mut d);
    assert_eq!(d.modem.state_changes[changes..], [false, true]);
    ftp_round(&mut d, &server, &ftp_dir, "third", b"after the reboot");
    assert!(d.cmd("AT+MFTPDISC=0"));
    assert_eq!(d.wait_urc("MFTPDISC"), vec![Arg::Int(0), Arg::Int(0)]);

    assert!(d.hazards.is_empty(), "{:#?}\n{}", d.hazards, d.shown());
    // The whole session, both directions, for `--nocapture`.
    eprintln!("{}", d.shown());
}

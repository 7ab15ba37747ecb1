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

use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use nix::sys::termios::{self, BaudRate, SetArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the test waits for the server to start, for an FTP result, for a URC.
const TIMEOUT: Duration = Duration::from_secs(20);

/// E-uart `DetectBaudRate`: the rates, in the driver's order.
const BAUD_RATES: [(u32, BaudRate); 8] = [
    (115_200, BaudRate::B115200),
    (921_600, BaudRate::B921600),
    (460_800, BaudRate::B460800),
    (230_400, BaudRate::B230400),
    (57_600, BaudRate::B57600),
    (38_400, BaudRate::B38400),
    (19_200, BaudRate::B19200),
    (9_600, BaudRate::B9600),
];

/// E-uart `SendCommand`'s default time-out.
const DEFAULT_TIMEOUT_MS: u64 = 1000;

/// One field as E-uart `ParseResponse` types it (`AtArgumentValue`).
#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Str(String),
    Int(i64),
    Double(f64),
}

impl Arg {
    /// `int_value`: 0 unless the field became an integer.
    fn int(&self) -> i64 {
        match self {
            Arg::Int(n) => *n,
            _ => 0,
        }
    }
    /// `string_value`: the text of a string or an integer field, empty for a double.
    fn string(&self) -> String {
        match self {
            Arg::Str(s) => s.clone(),
            Arg::Int(n) => n.to_string(),
            Arg::Double(_) => String::new(),
        }
    }
}

/// `CeregState` of E-at.
#[derive(Debug, Default, Clone, PartialEq)]
struct Cereg {
    stat: i64,
    tac: String,
    ci: String,
    act: i64,
}

/// What `AtModem` and `Ml307AtModem` keep from URCs (E-at, E-ml `HandleUrc`).
#[derive(Debug, Default)]
struct Modem {
    imei: String,
    iccid: String,
    carrier: String,
    csq: i64,
    cereg: Cereg,
    pin_ready: bool,
    network_ready: bool,
    /// `AT_EVENT_NETWORK_READY` / `AT_EVENT_NETWORK_ERROR` of the modem's event group.
    ready_event: bool,
    error_event: bool,
    /// Every call of `on_network_state_changed_`, in order.
    state_changes: Vec<bool>,
    /// `+MATREADY` lines seen.
    matready: usize,
}

/// The driver: E-uart's receive buffer and command state, and the modem above it.
struct Driver {
    tty: File,
    rx: Vec<u8>,
    wait_for_response: bool,
    done: bool,
    error: bool,
    cme_error_code: i64,
    response: String,
    modem: Modem,
    /// Every `+` line as (command, arguments), for the test to wait on.
    urcs: Vec<(String, Vec<Arg>)>,
    urcs_seen: usize,
    /// Lines the driver's parser would misread or fail on.
    hazards: Vec<String>,
    /// Both directions, for the failure messages.
    transcript: Vec<u8>,
    /// What the module sent, only.
    received: Vec<u8>,
    rate: u32,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `std::stod`: the longest prefix that is a decimal number; `None` where it throws.
fn stod(s: &str) -> Option<f64> {
    let t = s.trim_start();
    (1..=t.len())
        .rev()
        .filter(|n| t.is_char_boundary(*n))
        .find_map(|n| t[..n].parse::<f64>().ok())
}

impl Driver {
    fn open(link: &Path) -> Driver {
        let tty = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits() | nix::fcntl::OFlag::O_NOCTTY.bits())
            .open(link)
            .unwrap();
        Driver {
            tty,
            rx: Vec::new(),
            wait_for_response: false,
            done: false,
            error: false,
            cme_error_code: 0,
            response: String::new(),
            modem: Modem::default(),
            urcs: Vec::new(),
            urcs_seen: 0,
            hazards: Vec::new(),
            transcript: Vec::new(),
            received: Vec::new(),
            rate: 115_200,
        }
    }

    /// `uart_set_baudrate`: the PTY's termios speed, as the UART's.
    fn set_baud(&mut self, rate: BaudRate) {
        let mut t = termios::tcgetattr(&self.tty).unwrap();
        termios::cfsetspeed(&mut t, rate).unwrap();
        termios::tcsetattr(&self.tty, SetArg::TCSANOW, &t).unwrap();
    }

    /// The receive task: waits for bytes until `deadline` (not past it), appends what came and
    /// parses every complete line (`while (ParseResponse()) {}`). False when nothing came.
    fn receive(&mut self, deadline: Instant) -> bool {
        let mut buf = [0u8; 4096];
        loop {
            match self.tty.read(&mut buf) {
                Ok(n) if n > 0 => {
                    self.rx.extend_from_slice(&buf[..n]);
                    self.transcript.extend_from_slice(&buf[..n]);
                    self.received.extend_from_slice(&buf[..n]);
                    while self.parse_response() {}
                    return true;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("read: {e}"),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let ms = u16::try_from(left.as_millis().max(1)).unwrap_or(u16::MAX);
            let fd = std::os::fd::AsFd::as_fd(&self.tty);
            let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
            let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(ms));
        }
    }

    /// Parses what has arrived without waiting.
    fn drain(&mut self) {
        self.receive(Instant::now());
    }

    /// Lets `ms` pass as the driver's `vTaskDelay` does, the receive task parsing meanwhile.
    fn delay(&mut self, ms: u64) {
        let until = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < until {
            self.receive(until);
        }
    }

    /// E-uart `ParseResponse`, one step.
    fn parse_response(&mut self) -> bool {
        if self.wait_for_response && self.rx.first() == Some(&b'>') {
            self.rx.remove(0);
            self.done = true;
            return true;
        }
        let Some(end) = find(&self.rx, b"\r\n") else {
            return false;
        };
        if end == 0 {
            self.rx.drain(..2);
            return true;
        }
        let line: Vec<u8> = self.rx[..end].to_vec();
        self.rx.drain(..end + 2);
        if line[0] == b'+' {
            let text = String::from_utf8_lossy(&line).into_owned();
            let (command, values) = match text.find(": ") {
                None => (text[1..].to_string(), String::new()),
                Some(pos) => (text[1..pos].to_string(), text[pos + 2..].to_string()),
            };
            let args = self.split(&text, &values);
            self.handle_urc(&command, args);
        } else if line == b"OK" {
            self.done = true;
        } else if line == b"ERROR" {
            self.error = true;
        } else if line[0] == 0xE0 {
            // "4G wake up MCU, just ignore"
        } else {
            self.response = String::from_utf8_lossy(&line).into_owned();
        }
        true
    }

    /// The `std::getline(iss, item, ',')` loop: every comma splits, quotes do not protect.
    fn split(&mut self, line: &str, values: &str) -> Vec<Arg> {
        let mut items: Vec<&str> = values.split(',').collect();
        if items.last() == Some(&"") {
            items.pop(); // getline yields no empty item after a final comma (nor for "").
        }
        let mut args = Vec::new();
        for item in items {
            let arg = if item.is_empty() {
                self.hazards
                    .push(format!("{line:?}: empty field, read with item.front()"));
                Arg::Str(String::new())
            } else if let Some(rest) = item.strip_prefix('"') {
                if !rest.ends_with('"') {
                    self.hazards
                        .push(format!("{line:?}: a quoted field split at a comma"));
                }
                Arg::Str(rest.strip_suffix('"').unwrap_or(rest).to_string())
            } else if item.contains('.') {
                match stod(item) {
                    Some(d) => Arg::Double(d),
                    None => {
                        self.hazards
                            .push(format!("{line:?}: std::stod({item:?}) throws"));
                        Arg::Double(0.0)
                    }
                }
            } else if item.len() < 10 && item.bytes().all(|b| b.is_ascii_digit()) {
                Arg::Int(item.parse().unwrap())
            } else {
                if item.ends_with('"') {
                    self.hazards
                        .push(format!("{line:?}: a quoted field split at a comma"));
                }
                Arg::Str(item.to_string())
            };
            args.push(arg);
        }
        args
    }

    /// E-uart `HandleUrc`, then E-at and E-ml `HandleUrc`.
    fn handle_urc(&mut self, command: &str, args: Vec<Arg>) {
        self.urcs.push((command.to_string(), args.clone()));
        if command == "CME ERROR" {
            self.cme_error_code = args.first().map_or(0, Arg::int);
            self.error = true;
            return;
        }
        let m = &mut self.modem;
        match command {
            // E-at reads `+GSN:`; the version ONEMO-RELATED.md §A.5 names, `+CGSN:`.
            "CGSN" | "GSN" if !args.is_empty() => m.imei = args[0].string(),
            "ICCID" | "MCCID" if !args.is_empty() => m.iccid = args[0].string(),
            "COPS" if args.len() >= 4 => m.carrier = args[2].string(),
            "CSQ" if !args.is_empty() => m.csq = args[0].int(),
            "CEREG" if !args.is_empty() => {
                let mut c = Cereg::default();
                if args.len() >= 2 {
                    let i = usize::from(matches!(args[1], Arg::Int(_)));
                    c.stat = args[i].int();
                    if args.len() >= i + 2 {
                        c.tac = args.get(i + 1).map(Arg::string).unwrap_or_default();
                        c.ci = args.get(i + 2).map(Arg::string).unwrap_or_default();
                        if args.len() >= i + 4 {
                            c.act = args[i + 3].int();
                        }
                    }
                }
                let ready = c.stat == 1 || c.stat == 5;
                let denied = c.stat == 3;
                m.cereg = c;
                if ready != m.network_ready {
                    m.network_ready = ready;
                    m.state_changes.push(ready);
                }
                if ready {
                    m.ready_event = true;
                } else if denied {
                    m.error_event = true;
                }
            }
            "CPIN" if !args.is_empty() => m.pin_ready = args[0].string() == "READY",
            // Ml307AtModem: an address for a context makes the network ready.
            "MIPCALL" if args.len() >= 3 && args[1].int() == 1 => {
                m.network_ready = true;
                m.ready_event = true;
            }
            "MATREADY" => {
                m.matready += 1;
                if m.network_ready {
                    m.network_ready = false;
                    m.state_changes.push(false);
                }
            }
            _ => {}
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.transcript.extend_from_slice(bytes);
        let mut left = bytes;
        let deadline = Instant::now() + TIMEOUT;
        while !left.is_empty() {
            match self.tty.write(left) {
                Ok(n) => left = &left[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "the line does not drain");
                    let fd = std::os::fd::AsFd::as_fd(&self.tty);
                    let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLOUT)];
                    let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(100u16));
                }
                Err(e) => panic!("write: {e}"),
            }
        }
    }

    /// Waits for `COMMAND_DONE` or `COMMAND_ERROR` up to `timeout_ms`; true on done.
    fn wait_done(&mut self, timeout_ms: u64) -> bool {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        while !(self.done || self.error) && self.receive(deadline) {}
        let done = self.done;
        self.done = false;
        self.error = false;
        done
    }

    /// E-uart `SendCommandWithData`.
    fn send_command_with_data(&mut self, command: &str, timeout_ms: u64, data: &[u8]) -> bool {
        // The receive task has parsed whatever came before the command.
        self.drain();
        self.done = false;
        self.error = false;
        self.wait_for_response = true;
        self.cme_error_code = 0;
        self.response.clear();
        self.write(format!("{command}\r\n").as_bytes());
        let ok = self.wait_done(timeout_ms);
        self.wait_for_response = false;
        if !ok {
            return false;
        }
        if !data.is_empty() {
            self.wait_for_response = true;
            self.write(data);
            let ok = self.wait_done(timeout_ms);
            self.wait_for_response = false;
            return ok;
        }
        true
    }

    /// E-uart `SendCommand`.
    fn send_command(&mut self, command: &str, timeout_ms: u64) -> bool {
        self.send_command_with_data(command, timeout_ms, &[])
    }

    fn cmd(&mut self, command: &str) -> bool {
        self.send_command(command, DEFAULT_TIMEOUT_MS)
    }

    /// E-uart `DetectBaudRate`: `AT` at each rate with a 20 ms window, rounds 1 s apart.
    fn detect_baud_rate(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        loop {
            for (rate, b) in BAUD_RATES {
                self.set_baud(b);
                if self.send_command("AT", 20) {
                    self.rate = rate;
                    return true;
                }
            }
            if start.elapsed() >= timeout {
                return false;
            }
            self.delay(1000);
        }
    }

    /// E-uart `SetBaudRate`.
    fn set_baud_rate(&mut self, new_rate: u32, timeout: Duration) -> bool {
        if !self.detect_baud_rate(timeout) {
            return false;
        }
        if new_rate == self.rate {
            return true;
        }
        if !self.cmd(&format!("AT+IPR={new_rate}")) {
            return false;
        }
        let (_, b) = BAUD_RATES.iter().find(|(r, _)| *r == new_rate).unwrap();
        self.set_baud(*b);
        self.rate = new_rate;
        true
    }

    /// E-at `Detect` as ONEMO-RELATED.md §A.2 gives it (`AT+CGMR`, 3 s), then the
    /// `Ml307AtModem` constructor (`ResetConnections`: `AT+MHTTPDEL=0..3`, errors ignored).
    fn detect(&mut self, baud: u32) -> String {
        assert!(
            self.set_baud_rate(baud, Duration::from_secs(10)),
            "baud rate detection failed: {}",
            self.shown()
        );
        assert!(self.send_command("AT+CGMR", 3000), "{}", self.shown());
        let revision = self.response.clone();
        assert!(
            revision.starts_with("ML307"),
            "the driver would not take {revision:?} for an ML307"
        );
        for i in 0..4 {
            self.cmd(&format!("AT+MHTTPDEL={i}"));
        }
        revision
    }

    /// E-at `WaitForNetworkReady`, then the `Ml307AtModem` wait for an address.
    fn wait_for_network_ready(&mut self, timeout: Duration) -> Result<(), &'static str> {
        self.modem.network_ready = false;
        self.modem.cereg = Cereg::default();
        self.modem.ready_event = false;
        self.modem.error_event = false;
        let mut pin = false;
        for _ in 0..10 {
            if self.cmd("AT+CPIN?") {
                self.modem.pin_ready = true;
                pin = true;
                break;
            }
            if self.cme_error_code == 10 {
                self.modem.pin_ready = false;
                return Err("ErrorInsertPin");
            }
            self.delay(1000);
        }
        let _ = pin;
        if !self.cmd("AT+CEREG=2") || !self.cmd("AT+CEREG?") {
            return Err("Error");
        }
        // xEventGroupWaitBits(READY | ERROR, clear on exit).
        let deadline = Instant::now() + timeout;
        while !(self.modem.ready_event || self.modem.error_event) && self.receive(deadline) {}
        let (ready, error) = (self.modem.ready_event, self.modem.error_event);
        self.modem.ready_event = false;
        self.modem.error_event = false;
        if error {
            return Err(if self.modem.cereg.stat == 3 {
                "ErrorRegistrationDenied"
            } else {
                "Error"
            });
        }
        if !ready {
            return Err("ErrorTimeout");
        }
        // Ml307AtModem: AT+MIPCALL? up to 10 times, waiting 10, 20, 40 ... ms capped at 1 s.
        let mut delay_ms = 10;
        for _ in 0..10 {
            self.cmd("AT+MIPCALL?");
            let deadline = Instant::now() + Duration::from_millis(delay_ms);
            while !self.modem.ready_event && self.receive(deadline) {}
            if self.modem.ready_event {
                return Ok(());
            }
            delay_ms = (delay_ms * 2).min(1000);
        }
        Err("Network ready but no IP address")
    }

    /// `SetFlightMode` of E-at (the DTR pin has no PTY counterpart).
    fn set_flight_mode(&mut self, enable: bool) -> bool {
        if enable {
            let ok = self.cmd("AT+CFUN=4");
            self.modem.network_ready = false;
            ok
        } else {
            self.cmd("AT+CFUN=1")
        }
    }

    /// The next `+<name>:` line not yet taken, waiting for it.
    fn wait_urc(&mut self, name: &str) -> Vec<Arg> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self.urcs[self.urcs_seen..]
                .iter()
                .position(|(c, _)| c == name)
            {
                let at = self.urcs_seen + i;
                self.urcs_seen = at + 1;
                return self.urcs[at].1.clone();
            }
            assert!(
                self.receive(deadline) || Instant::now() < deadline,
                "no +{name}: {}",
                self.shown()
            );
        }
    }

    /// Marks every `+` line so far as taken.
    fn skip_urcs(&mut self) {
        self.urcs_seen = self.urcs.len();
    }

    fn shown(&self) -> String {
        String::from_utf8_lossy(&self.transcript).into_owned()
    }
}

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
    // The whole session, for `--nocapture` (the README's bring-up is taken from it).
    eprintln!("{}", d.shown());
}

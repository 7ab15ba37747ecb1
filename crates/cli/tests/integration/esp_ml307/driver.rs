//! esp-ml307's `AtUart`, `AtModem` and `Ml307AtModem` (78/esp-ml307 `src/at_uart.cc`,
//! `src/at_modem.cc`, `src/ml307/ml307_at_modem.cc`; ONEMO-RELATED.md §A.1, §A.4) as a test
//! harness: the commands in the driver's order with its time-outs and retry cadence, and its
//! parser. The receive task of the firmware runs whenever this harness waits (`receive`), so
//! bytes are parsed in the order and at the moments the driver would see them.

use nix::sys::termios::{self, BaudRate, SetArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

pub(super) const TIMEOUT: Duration = Duration::from_secs(20);

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
pub(super) enum Arg {
    Str(String),
    Int(i64),
    Double(f64),
}

impl Arg {
    /// `int_value`: 0 unless the field became an integer.
    pub(super) fn int(&self) -> i64 {
        match self {
            Arg::Int(n) => *n,
            _ => 0,
        }
    }
    /// `string_value`: the text of a string or an integer field, empty for a double.
    pub(super) fn string(&self) -> String {
        match self {
            Arg::Str(s) => s.clone(),
            Arg::Int(n) => n.to_string(),
            Arg::Double(_) => String::new(),
        }
    }
}

/// `CeregState` of E-at.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Cereg {
    pub(super) stat: i64,
    pub(super) tac: String,
    pub(super) ci: String,
    pub(super) act: i64,
}

/// What `AtModem` and `Ml307AtModem` keep from URCs (E-at, E-ml `HandleUrc`).
#[derive(Debug, Default)]
pub(super) struct Modem {
    pub(super) imei: String,
    pub(super) iccid: String,
    pub(super) carrier: String,
    pub(super) csq: i64,
    pub(super) cereg: Cereg,
    pub(super) pin_ready: bool,
    pub(super) network_ready: bool,
    /// `AT_EVENT_NETWORK_READY` / `AT_EVENT_NETWORK_ERROR` of the modem's event group.
    pub(super) ready_event: bool,
    pub(super) error_event: bool,
    /// Every call of `on_network_state_changed_`, in order.
    pub(super) state_changes: Vec<bool>,
    /// `+MATREADY` lines seen.
    pub(super) matready: usize,
}

/// The driver: E-uart's receive buffer and command state, and the modem above it.
pub(super) struct Driver {
    pub(super) tty: File,
    pub(super) rx: Vec<u8>,
    pub(super) wait_for_response: bool,
    pub(super) done: bool,
    pub(super) error: bool,
    pub(super) cme_error_code: i64,
    pub(super) response: String,
    pub(super) modem: Modem,
    /// Every `+` line as (command, arguments), for the test to wait on.
    pub(super) urcs: Vec<(String, Vec<Arg>)>,
    pub(super) urcs_seen: usize,
    /// Lines the driver's parser would misread or fail on.
    pub(super) hazards: Vec<String>,
    /// Both directions, for the failure messages.
    pub(super) transcript: Vec<u8>,
    /// What the module sent, only.
    pub(super) received: Vec<u8>,
    pub(super) rate: u32,
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
    pub(super) fn open(link: &Path) -> Driver {
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
    pub(super) fn set_baud(&mut self, rate: BaudRate) {
        let mut t = termios::tcgetattr(&self.tty).unwrap();
        termios::cfsetspeed(&mut t, rate).unwrap();
        termios::tcsetattr(&self.tty, SetArg::TCSANOW, &t).unwrap();
    }

    /// The receive task: waits for bytes until `deadline` (not past it), appends what came and
    /// parses every complete line (`while (ParseResponse()) {}`). False when nothing came.
    pub(super) fn receive(&mut self, deadline: Instant) -> bool {
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
    pub(super) fn drain(&mut self) {
        self.receive(Instant::now());
    }

    /// Lets `ms` pass as the driver's `vTaskDelay` does, the receive task parsing meanwhile.
    pub(super) fn delay(&mut self, ms: u64) {
        let until = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < until {
            self.receive(until);
        }
    }

    /// E-uart `ParseResponse`, one step.
    pub(super) fn parse_response(&mut self) -> bool {
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
    pub(super) fn split(&mut self, line: &str, values: &str) -> Vec<Arg> {
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
    pub(super) fn handle_urc(&mut self, command: &str, args: Vec<Arg>) {
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

    pub(super) fn write(&mut self, bytes: &[u8]) {
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
    pub(super) fn wait_done(&mut self, timeout_ms: u64) -> bool {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        while !(self.done || self.error) && self.receive(deadline) {}
        let done = self.done;
        self.done = false;
        self.error = false;
        done
    }

    /// E-uart `SendCommandWithData`.
    pub(super) fn send_command_with_data(
        &mut self,
        command: &str,
        timeout_ms: u64,
        data: &[u8],
    ) -> bool {
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
    pub(super) fn send_command(&mut self, command: &str, timeout_ms: u64) -> bool {
        self.send_command_with_data(command, timeout_ms, &[])
    }

    pub(super) fn cmd(&mut self, command: &str) -> bool {
        self.send_command(command, DEFAULT_TIMEOUT_MS)
    }

    /// E-uart `DetectBaudRate`: `AT` at each rate with a 20 ms window, rounds 1 s apart.
    pub(super) fn detect_baud_rate(&mut self, timeout: Duration) -> bool {
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
    pub(super) fn set_baud_rate(&mut self, new_rate: u32, timeout: Duration) -> bool {
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
    pub(super) fn detect(&mut self, baud: u32) -> String {
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
    pub(super) fn wait_for_network_ready(&mut self, timeout: Duration) -> Result<(), &'static str> {
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
    pub(super) fn set_flight_mode(&mut self, enable: bool) -> bool {
        if enable {
            let ok = self.cmd("AT+CFUN=4");
            self.modem.network_ready = false;
            ok
        } else {
            self.cmd("AT+CFUN=1")
        }
    }

    /// The next `+<name>:` line not yet taken, waiting for it.
    pub(super) fn wait_urc(&mut self, name: &str) -> Vec<Arg> {
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
    pub(super) fn skip_urcs(&mut self) {
        self.urcs_seen = self.urcs.len();
    }

    pub(super) fn shown(&self) -> String {
        String::from_utf8_lossy(&self.transcript).into_owned()
    }
}

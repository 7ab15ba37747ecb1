//! A served module with a control socket, as the tests of the test bench use it: the binary
//! started with `serve --tcp 127.0.0.1:0 --control ...`, its line reached over TCP, `ctl` run
//! as a user runs it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(15);

/// A running `ftpmodem serve`.
pub struct Served {
    pub child: Child,
    pub line_addr: String,
    pub control: String,
    pub stderr: Arc<Mutex<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Ends it with SIGTERM, as a user's Ctrl+C, and waits.
    pub fn stop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

/// Starts `serve` with `extra` arguments and waits for its start-up lines: the line's
/// address and, when `--control` is among `extra`, the control socket's.
pub fn serve(dir: &Path, extra: &[&str]) -> Served {
    serve_env(dir, extra, &[])
}

/// [`serve`] with environment variables.
pub fn serve_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--tcp", "127.0.0.1:0", "--fs-root"])
        .arg(dir.join("fs"))
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let text = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let text = text.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines() {
                let Ok(l) = l else { break };
                text.lock().unwrap().push_str(&l);
                text.lock().unwrap().push('\n');
                let _ = tx.send(l);
            }
        });
    }
    let wants_control = extra.contains(&"--control");
    let (mut line_addr, mut control) = (None, None);
    let deadline = Instant::now() + TIMEOUT;
    while line_addr.is_none() || (wants_control && control.is_none()) {
        let left = deadline.saturating_duration_since(Instant::now());
        let l = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no start-up lines: {}", text.lock().unwrap()));
        if let Some(a) = l.split(" module on tcp ").nth(1) {
            line_addr = Some(a.trim().to_string());
        }
        if let Some(c) = l.strip_prefix("ftpmodem: control socket on ") {
            control = Some(c.trim().to_string());
        }
    }
    Served {
        child,
        line_addr: line_addr.unwrap_or_default(),
        control: control.unwrap_or_default(),
        stderr: text,
    }
}

/// `serve` that must refuse to start: its stderr.
pub fn serve_refused(dir: &Path, extra: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--tcp", "127.0.0.1:0", "--fs-root"])
        .arg(dir.join("fs"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(!st.success(), "serve started");
            let mut s = String::new();
            child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
            return s;
        }
        assert!(Instant::now() < deadline, "serve did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `ftpmodem ctl --control <control> <args>`.
pub fn ctl(control: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["ctl", "--control", control])
        .args(args)
        .env_remove("FTPMODEM_CONTROL_TOKEN")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The module's serial line over TCP, echo off.
pub struct Line {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Line {
    pub fn open(addr: &str) -> Line {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut l = Line { s, buf: Vec::new() };
        l.send("ATE0");
        l.until("OK\r\n");
        l.buf.clear();
        l
    }

    pub fn send(&mut self, cmd: &str) {
        self.s.write_all(format!("{cmd}\r").as_bytes()).unwrap();
    }

    pub fn send_raw(&mut self, b: &[u8]) {
        self.s.write_all(b).unwrap();
    }

    /// Reads until `want` has arrived; returns what came up to its end and keeps the rest.
    pub fn until(&mut self, want: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        let mut chunk = [0u8; 65536];
        loop {
            if let Some(i) = self
                .buf
                .windows(want.len())
                .position(|w| w == want.as_bytes())
            {
                let rest = self.buf.split_off(i + want.len());
                let got = std::mem::replace(&mut self.buf, rest);
                return String::from_utf8_lossy(&got).into_owned();
            }
            assert!(
                Instant::now() < deadline,
                "{want:?} never came; got {:?}",
                String::from_utf8_lossy(&self.buf)
            );
            match self.s.read(&mut chunk) {
                Ok(0) => panic!("line closed"),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(_) => {}
            }
        }
    }

    /// `cmd` answered `OK`; returns the answer.
    pub fn ok(&mut self, cmd: &str) -> String {
        self.send(cmd);
        self.until("\r\nOK\r\n")
    }
}

/// Waits until `f` holds, polling a file or a status (no fixed sleeps as synchronisation).
pub fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !f() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn tmp() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().to_path_buf();
    (d, p)
}

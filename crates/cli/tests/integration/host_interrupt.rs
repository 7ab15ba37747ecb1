//! Ctrl+C and SIGTERM at random points of `ftpmodem get|put|ls` over a real PTY (`ftpmodem
//! serve --pty`, a separate process, and a real vsftpd): the command ends with 130 or 143 and
//! one message, a download leaves only `<name>.part`, and the next command on the same line
//! works within its time-out.
//!
//! The interruption point is a delay drawn from a seeded generator, counted from the command's
//! first log line (its signal handlers are in place by then), over the length of one
//! uninterrupted run. The seed is printed; `FTPMODEM_TEST_SEED=N` repeats a run,
//! `FTPMODEM_INTERRUPT_RUNS=N` changes the number of runs (50).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "12341";
/// Longest a command may take here: its own time-outs (10 s for a command, the 15 s limit of
/// the clean-up after a signal) with room for a loaded machine. A hang shows as this.
const LIMIT: Duration = Duration::from_secs(60);

/// xorshift64*: small, seeded, good enough to spread interruption points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed(test: &str) -> u64 {
    let s = std::env::var("FTPMODEM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("{test}: FTPMODEM_TEST_SEED={s}");
    s | 1
}

fn runs() -> usize {
    std::env::var("FTPMODEM_INTERRUPT_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
}

struct Serve {
    child: Child,
    link: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Serve {
    let link = dir.join("ttyML307");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .arg("serve")
        .arg("--pty")
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.join("fs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server announces the link on stderr once it exists; the rest is drained.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(link.exists(), "serve did not start: {first}");
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    Serve { child, link }
}

struct Env {
    server: Vsftpd,
    dir: PathBuf,
    serve: Serve,
    local: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
        let dir = server.fresh_user_dir().unwrap();
        let local = tempfile::tempdir().unwrap();
        let serve = serve(local.path());
        Env {
            server,
            dir,
            serve,
            local,
        }
    }
    fn url(&self, name: &str) -> String {
        format!(
            "ftp://uftp@{}:{}/%2F{}/{name}",
            self.server.host(),
            self.server.port(),
            self.dir.display().to_string().trim_start_matches('/')
        )
    }
    fn pty(&self) -> String {
        self.serve.link.display().to_string()
    }
    fn path(&self, name: &str) -> PathBuf {
        self.local.path().join(name)
    }
}

fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut v: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
    // Bytes that matter to the line, at the start where every interrupted upload has them.
    let plant = b"+++\r\nOK\r\n\x1a\x1b+MFTPRETR: 0,1,1,x\r\n";
    let n = plant.len().min(len);
    v[..n].copy_from_slice(&plant[..n]);
    v
}

/// A running command whose log lines are collected.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    started: Instant,
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(args)
        .env("FTPMODEM_PASSWORD", PASSWORD)
        // The driver logs each command it sends: the first one shows the handlers are set.
        .env("FTPMODEM_LOG", "warn,ftpmodem_host::driver=trace")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines() {
            let Ok(l) = l else { return };
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    Running {
        child,
        lines,
        started: Instant::now(),
    }
}

impl Running {
    /// Waits for the first log line: the command is past its start-up.
    fn first_line(&self) {
        self.lines
            .recv_timeout(LIMIT)
            .expect("the command logged nothing");
    }

    /// The exit status and the non-log lines of stderr; a command that does not end within
    /// `LIMIT` is killed and the test fails.
    fn finish(self) -> (ExitStatus, Vec<String>) {
        let pid = Pid::from_raw(self.child.id() as i32);
        let (tx, rx) = mpsc::channel();
        let mut child = self.child;
        std::thread::spawn(move || tx.send(child.wait().unwrap()));
        let status = match rx.recv_timeout(LIMIT) {
            Ok(s) => s,
            Err(_) => {
                let _ = kill(pid, Signal::SIGKILL);
                panic!("ftpmodem hung (killed after {LIMIT:?})");
            }
        };
        // The reader thread ends at the pipe's end. On failure, the log's tail says more.
        let all: Vec<String> = self.lines.iter().collect();
        let mut said: Vec<String> = all
            .iter()
            .filter(|l| l.starts_with("ftpmodem:"))
            // The summary after a completed transfer and the resume note are not errors: a
            // signal during the logout that follows still gives one message of its own.
            .filter(|l| !(l.contains(" bytes in ") && l.ends_with("/s)")))
            .filter(|l| !l.starts_with("ftpmodem: resumed at byte "))
            .cloned()
            .collect();
        if status.code() != Some(0) && std::env::var_os("FTPMODEM_TEST_LOG").is_some() {
            said.extend(all.iter().rev().take(80).rev().cloned());
        }
        (status, said)
    }
}

/// Runs a command to its end.
fn run(args: &[&str]) -> (ExitStatus, Vec<String>, Duration) {
    let r = start(args);
    let t = r.started;
    let (s, said) = r.finish();
    (s, said, t.elapsed())
}

/// What one interrupted run ended as.
#[derive(Default, Debug)]
struct Tally {
    interrupted: usize,
    completed: usize,
    /// Downloads interrupted with data in `.part`; uploads whose clean-up took over a second
    /// (the guarded escape from transparent mode).
    mid_transfer: usize,
    longest_stop: Duration,
    longest_next: Duration,
}

/// Starts `args`, signals it at a random point of a run that takes about `span` after its
/// first log line, and checks how it ended. Returns the message if the signal interrupted it.
fn interrupt(args: &[&str], span: Duration, rng: &mut Rng, tally: &mut Tally) -> Option<String> {
    let r = start(args);
    r.first_line();
    let at = Duration::from_micros(rng.below(span.as_micros() as u64));
    let sig = if rng.below(5) == 0 {
        Signal::SIGTERM
    } else {
        Signal::SIGINT
    };
    // The interruption point (not a wait for a result).
    std::thread::sleep(at);
    let pid = Pid::from_raw(r.child.id() as i32);
    // Not reaped yet: the pid is still this child's, even if it has exited.
    kill(pid, sig).unwrap();
    let signalled = Instant::now();
    let (status, said) = r.finish();
    tally.longest_stop = tally.longest_stop.max(signalled.elapsed());
    let code = status.code();
    match code {
        Some(0) => {
            tally.completed += 1;
            None
        }
        Some(c) => {
            let (want, name) = match sig {
                Signal::SIGTERM => (143, "SIGTERM"),
                _ => (130, "SIGINT"),
            };
            assert_eq!(c, want, "{args:?} at {at:?} ({name}): {said:?}");
            assert_eq!(said.len(), 1, "one message: {said:?}");
            assert!(
                said[0].contains(&format!("interrupted by {name}")),
                "{said:?}"
            );
            tally.interrupted += 1;
            said.into_iter().next()
        }
        None => panic!("{args:?} at {at:?}: killed by a signal: {status:?} {said:?}"),
    }
}

fn check_next(what: &str, args: &[&str], tally: &mut Tally) -> Vec<String> {
    let (status, said, took) = run(args);
    tally.longest_next = tally.longest_next.max(took);
    assert_eq!(
        status.code(),
        Some(0),
        "{what} after an interrupt: {said:?}"
    );
    said
}

#[test]
fn get_interrupted_at_random_points() {
    let mut rng = Rng(seed("get"));
    let e = Env::new();
    let content = data(1 << 20, 7);
    std::fs::write(e.dir.join("f.bin"), &content).unwrap();
    let (pty, url) = (e.pty(), e.url("f.bin"));
    let local = e.path("f.bin");
    let part = e.path("f.bin.part");
    let get = ["get", "--pty", &pty, &url, local.to_str().unwrap()];
    let resume = [
        "get",
        "--pty",
        &pty,
        "--resume",
        &url,
        local.to_str().unwrap(),
    ];
    let span = whole_run(&get);
    eprintln!("get: a whole run takes {span:?} after its first log line");
    let mut tally = Tally::default();
    let t = Instant::now();
    for _ in 0..runs() {
        let _ = std::fs::remove_file(&local);
        let _ = std::fs::remove_file(&part);
        if let Some(msg) = interrupt(&get, span, &mut rng, &mut tally) {
            if msg.contains("while logging out") {
                // The download was complete: it has its name.
                assert!(!part.exists(), "{msg}");
                assert!(std::fs::read(&local).unwrap() == content, "{msg}");
                check_next("get", &get, &mut tally);
            } else {
                // Only the .part, and only with data; the message names it.
                assert!(
                    !local.exists(),
                    "interrupted download has the final name: {msg}"
                );
                if let Ok(m) = std::fs::metadata(&part) {
                    assert!(m.len() > 0, "an empty .part was left: {msg}");
                    assert!(msg.contains("f.bin.part"), "{msg}");
                    tally.mid_transfer += 1;
                }
                check_next("get --resume", &resume, &mut tally);
            }
            assert!(!part.exists(), ".part left after a complete download");
        }
        assert!(
            std::fs::read(&local).unwrap() == content,
            "downloaded file differs"
        );
    }
    eprintln!("get: {tally:?} in {:?}", t.elapsed());
}

/// Runs `args` to its end twice and returns the shorter time it ran after its first log line:
/// the span the interruption points are drawn from (the shorter, as a loaded machine makes a
/// run longer and most points would then fall after its end).
fn whole_run(args: &[&str]) -> Duration {
    let once = || {
        let r = start(args);
        r.first_line();
        let from = Instant::now();
        let (s, said) = r.finish();
        assert!(s.success(), "{args:?}: {said:?}");
        from.elapsed().max(Duration::from_millis(10))
    };
    once().min(once())
}

#[test]
fn put_interrupted_at_random_points() {
    let mut rng = Rng(seed("put"));
    let e = Env::new();
    let content = data(256 << 10, 8);
    let src = e.path("up.bin");
    std::fs::write(&src, &content).unwrap();
    let (pty, url) = (e.pty(), e.url("up.bin"));
    let dir_url = e.url("");
    let put = |mode: &'static str| {
        [
            "put",
            "--pty",
            &pty,
            "--mode",
            mode,
            src.to_str().unwrap(),
            &url,
        ]
        .map(str::to_string)
    };
    let ls = ["ls", "--pty", &pty, &dir_url];
    let spans = ["prompt", "transparent"].map(|mode| {
        let a = put(mode);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        whole_run(&a)
    });
    eprintln!("put: whole runs take {spans:?} (prompt, transparent) after their first log line");
    let mut tally = Tally::default();
    let t = Instant::now();
    for _ in 0..runs() {
        let m = rng.below(2) as usize;
        let a = put(["prompt", "transparent"][m]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let before = tally.longest_stop;
        tally.longest_stop = Duration::ZERO;
        if interrupt(&a, spans[m], &mut rng, &mut tally).is_some() {
            if tally.longest_stop > Duration::from_secs(1) {
                tally.mid_transfer += 1;
            }
            check_next("ls", &ls, &mut tally);
        }
        tally.longest_stop = tally.longest_stop.max(before);
    }
    // And the line still carries a whole upload.
    let a = put("prompt");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    check_next("put", &a, &mut tally);
    assert!(std::fs::read(e.dir.join("up.bin")).unwrap() == content);
    eprintln!("put: {tally:?} in {:?}", t.elapsed());
}

#[test]
fn ls_interrupted_at_random_points() {
    let mut rng = Rng(seed("ls"));
    let e = Env::new();
    for i in 0..200 {
        std::fs::write(e.dir.join(format!("file-{i:03}.txt")), b"x").unwrap();
    }
    let (pty, url) = (e.pty(), e.url(""));
    let ls = ["ls", "--pty", &pty, &url];
    let span = whole_run(&ls);
    eprintln!("ls: a whole run takes {span:?} after its first log line");
    let mut tally = Tally::default();
    let t = Instant::now();
    for _ in 0..runs() {
        if interrupt(&ls, span, &mut rng, &mut tally).is_some() {
            check_next("ls", &ls, &mut tally);
        }
    }
    eprintln!("ls: {tally:?} in {:?}", t.elapsed());
}

#[test]
fn get_killed_without_clean_up_leaves_a_line_the_next_command_can_use() {
    // SIGKILL: no clean-up at all. The module goes on printing the download's chunks into the
    // line; the next command must wade through them, disconnect the channel and work.
    let mut rng = Rng(seed("get killed"));
    let e = Env::new();
    let content = data(4 << 20, 9);
    std::fs::write(e.dir.join("k.bin"), &content).unwrap();
    let (pty, url, dir_url) = (e.pty(), e.url("k.bin"), e.url(""));
    let local = e.path("k.bin");
    let get = ["get", "--pty", &pty, &url, local.to_str().unwrap()];
    let resume = [
        "get",
        "--pty",
        &pty,
        "--resume",
        &url,
        local.to_str().unwrap(),
    ];
    let ls = ["ls", "--pty", &pty, &dir_url];
    let span = whole_run(&get);
    eprintln!("get killed: a whole run takes {span:?} after its first log line");
    let mut tally = Tally::default();
    for _ in 0..runs().div_ceil(5) {
        let _ = std::fs::remove_file(&local);
        let r = start(&get);
        r.first_line();
        std::thread::sleep(Duration::from_micros(
            rng.below(span.as_micros() as u64 * 3 / 4),
        ));
        kill(Pid::from_raw(r.child.id() as i32), Signal::SIGKILL).unwrap();
        let (status, _) = r.finish();
        if status.code() == Some(0) {
            tally.completed += 1;
            continue;
        }
        tally.interrupted += 1;
        check_next("ls after SIGKILL", &ls, &mut tally);
        check_next("get --resume after SIGKILL", &resume, &mut tally);
        assert!(
            std::fs::read(&local).unwrap() == content,
            "resumed file differs"
        );
    }
    eprintln!("get killed: {tally:?}");
}

//! Every shell command of README.md and docs/HOST.md, run as written: the code blocks are
//! read from the files, only the placeholders are put in place (the device `/dev/ttyUSB2`,
//! `/dev/ttyS1` and `/tmp/ttyML307` become a virtual module's PTY, `ftp.example.net/` a
//! vsftpd on loopback with a fresh directory, `FTPMODEM_PASSWORD=...` the test password,
//! `cargo run --release --` the `ftpmodem` just built), and each must succeed. The README's
//! terminal line runs in a real picocom on a PTY. What cannot run here (`bash .ci/test`: the
//! whole suite) is listed and checked as far as it can be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "12341";
/// Commands that cannot run inside a test, with why.
const NOT_RUN_HERE: &[(&str, &str)] = &[("bash .ci/test", "the whole test suite")];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `sh` code blocks of a Markdown file, continuation lines joined.
fn sh_blocks(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<Vec<String>> = None;
    for line in text.lines() {
        match (&mut cur, line.trim_end()) {
            (None, "```sh") => cur = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(cur.take()),
            (Some(b), l) => match b.last_mut() {
                Some(prev) if prev.ends_with('\\') => {
                    prev.pop();
                    prev.push_str(l.trim_start());
                }
                _ => b.push(l.to_string()),
            },
            (None, _) => {}
        }
    }
    assert!(cur.is_none(), "{file}: unterminated code block");
    blocks
}

/// A directory whose `ftpmodem` is the binary under test, for PATH.
fn bin_dir(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ftpmodem"), bin.join("ftpmodem")).unwrap();
    bin
}

fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Output of a child, read on a thread; `until` waits for some text with a deadline.
struct Reader {
    rx: mpsc::Receiver<Vec<u8>>,
    seen: Vec<u8>,
}

impl Reader {
    fn new(mut r: impl Read + Send + 'static) -> Reader {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
        });
        Reader {
            rx,
            seen: Vec::new(),
        }
    }

    fn until(&mut self, text: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        while !String::from_utf8_lossy(&self.seen).contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(b) => self.seen.extend(b),
                Err(_) => panic!(
                    "no {text:?} in time; seen {:?}",
                    String::from_utf8_lossy(&self.seen)
                ),
            }
        }
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// Starts a serve line of the docs (`cargo run --release -- serve ...` as `ftpmodem serve
/// ...`) with its placeholders put in place; returns it and its start-up line.
fn start_serve(line: &str, link: &Path, home: &Path, bin: &Path) -> (Killed, String) {
    let cmd = line
        .replace("cargo run --release --", "ftpmodem")
        .replace("/tmp/ttyML307", link.to_str().unwrap());
    let mut child = Command::new("bash")
        .args(["-c", &format!("exec {cmd}")])
        .env("PATH", path_with(bin))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = Reader::new(child.stderr.take().unwrap());
    let banner = err.until("\n");
    (Killed(child), banner)
}

#[test]
fn the_readme_terminal_runs_in_a_real_picocom() {
    let dir = tempfile::tempdir().unwrap();
    let bin = bin_dir(dir.path());
    let link = dir.path().join("ttyML307");
    let block = sh_blocks("README.md")
        .into_iter()
        .find(|b| b.iter().any(|l| l.starts_with("picocom")))
        .expect("README has a picocom block");
    let serve_line = block.iter().find(|l| l.contains(" serve ")).unwrap();
    let (_serve, banner) = start_serve(serve_line, &link, dir.path(), &bin);
    let picocom = block.iter().find(|l| l.starts_with("picocom")).unwrap();
    let picocom = picocom
        .split('#')
        .next()
        .unwrap()
        .trim()
        .replace("/tmp/ttyML307", link.to_str().unwrap());
    // The serve banner suggests the very same terminal command.
    assert!(banner.contains(&format!("(e.g. {picocom})")), "{banner}");
    // picocom needs a terminal: script(1) gives it one; typing goes through that terminal.
    let mut child = Killed(
        Command::new("script")
            .args(["-qec", &picocom, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut out = Reader::new(child.0.stdout.take().unwrap());
    let mut keys = child.0.stdin.take().unwrap();
    // A person types once picocom shows its (empty) screen: its terminal is raw by then.
    // Typed earlier, the terminal would still be cooked and turn Enter into LF.
    wait_for_raw_picocom(child.0.id());
    // The README's first typed command, then a check that a good command is not spoilt by
    // leftovers (the failure of `--omap crlf`).
    let typed = "AT+MFTPCFG=0";
    keys.write_all(format!("{typed}\r").as_bytes()).unwrap();
    out.until("+MFTPCFG: 0,\"data_type\",0");
    let after = out.until("OK");
    assert!(!after.contains("ERROR"), "{after}");
    keys.write_all(b"ATI\r").unwrap();
    let seen = out.until("ML307R-DC-MBRH0S00");
    assert!(!seen.contains("ERROR"), "{seen}");
    // Ctrl+A Ctrl+X: picocom quits.
    keys.write_all(b"\x01\x18").unwrap();
    drop(keys);
    let deadline = Instant::now() + TIMEOUT;
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "picocom did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_shell_command_of_readme_and_host_md_runs_as_written() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let ftp_dir = server.fresh_user_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bin = bin_dir(dir.path());
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".local/share/bash-completion/completions")).unwrap();
    let link = dir.path().join("ttyML307");
    let (_serve, _) = start_serve("ftpmodem serve --pty /tmp/ttyML307", &link, &home, &bin);
    let base = format!(
        "{}:{}/%2F{}/",
        server.host(),
        server.port(),
        ftp_dir.display().to_string().trim_start_matches('/')
    );
    let mut ran = 0;
    let mut not_run = Vec::new();
    for file in ["README.md", "docs/HOST.md"] {
        for block in sh_blocks(file) {
            // What the docs' commands work on: a listed directory, a file to fetch, a
            // directory to upload into, a half-uploaded file to resume, local files to send.
            let work = tempfile::tempdir().unwrap();
            for d in ["incoming", "fw", "logs"] {
                let _ = std::fs::create_dir(ftp_dir.join(d));
            }
            std::fs::write(ftp_dir.join("fw/image.bin"), vec![7u8; 20_000]).unwrap();
            std::fs::write(ftp_dir.join("incoming/readme.txt"), b"hi\n").unwrap();
            let big: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
            std::fs::write(work.path().join("big.bin"), &big).unwrap();
            std::fs::write(ftp_dir.join("big.bin"), &big[..40_000]).unwrap();
            std::fs::write(work.path().join("log.tar"), vec![3u8; 30_000]).unwrap();
            // The FTP user owns what the server side holds, as if it had put it there.
            use std::os::unix::fs::MetadataExt;
            let owner = std::fs::metadata(&ftp_dir).unwrap();
            for p in [
                "incoming",
                "fw",
                "logs",
                "fw/image.bin",
                "big.bin",
                "incoming/readme.txt",
            ] {
                std::os::unix::fs::chown(ftp_dir.join(p), Some(owner.uid()), Some(owner.gid()))
                    .unwrap();
            }
            let mut script = String::from("set -euo pipefail\n");
            let mut any = false;
            for line in &block {
                let cmd = line.trim();
                if cmd.is_empty() || cmd.starts_with('#') {
                    continue;
                }
                if let Some((_, why)) = NOT_RUN_HERE.iter().find(|(c, _)| cmd.starts_with(c)) {
                    not_run.push(format!("{file}: {cmd} ({why})"));
                    continue;
                }
                // The serve and picocom block has its own test (a terminal, a server).
                if cmd.starts_with("picocom") || cmd.contains(" serve ") {
                    continue;
                }
                let cmd = cmd
                    .replace("cargo run --release --", "ftpmodem")
                    .replace(
                        "FTPMODEM_PASSWORD=...",
                        &format!("FTPMODEM_PASSWORD={PASSWORD}"),
                    )
                    .replace("/dev/ttyUSB2", link.to_str().unwrap())
                    .replace("/dev/ttyS1", link.to_str().unwrap())
                    .replace("/tmp/ttyML307", link.to_str().unwrap())
                    .replace("ftp.example.net/", &base);
                script.push_str(&format!("echo '>>>' {}\n{cmd}\n", shell_quote(&cmd)));
                any = true;
                ran += 1;
            }
            if !any {
                continue;
            }
            let o = Command::new("bash")
                .args(["-c", &script])
                .current_dir(work.path())
                .env("PATH", path_with(&bin))
                .env("HOME", &home)
                .env_remove("FTPMODEM_PASSWORD")
                .env_remove("FTPMODEM_DEVICE")
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&o.stdout);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.success(),
                "{file}:\n{script}\n--- stdout\n{out}\n--- stderr\n{err}"
            );
            // What the commands did, checked where they left it.
            if block.iter().any(|l| l.contains("log.tar")) {
                assert_eq!(
                    std::fs::read(ftp_dir.join("logs/log.tar")).unwrap(),
                    vec![3u8; 30_000]
                );
                assert_eq!(
                    std::fs::read(work.path().join("image.bin")).unwrap(),
                    vec![7u8; 20_000]
                );
                assert!(
                    std::fs::read(ftp_dir.join("big.bin")).unwrap() == big,
                    "put -r"
                );
                assert!(
                    out.contains("+MFTPSTATE: 0,0") && out.contains("\"name\":\"readme.txt\""),
                    "{out}"
                );
                assert!(err.contains("resuming the upload at byte 40000"), "{err}");
            }
            if block.iter().any(|l| l.contains("completions")) {
                let script = home.join(".local/share/bash-completion/completions/ftpmodem");
                assert!(std::fs::read_to_string(script)
                    .unwrap()
                    .contains("ftpmodem"));
                assert!(home.join(".local/share/man/man1/ftpmodem-get.1").exists());
            }
            if block.iter().any(|l| l.contains(" demo")) {
                assert!(out.contains("AT+MFTPCONN") || out.contains("MFTP"), "{out}");
            }
        }
    }
    assert!(ran >= 20, "only {ran} commands found");
    // What was not run is still checked as far as it can be.
    assert_eq!(not_run.len(), 1, "{not_run:?}");
    let ci = repo().join(".ci/test");
    let o = Command::new("bash").arg("-n").arg(&ci).output().unwrap();
    assert!(o.status.success(), "bash -n .ci/test");
}

/// Waits until the picocom under `script_pid` has put its terminal into raw mode.
fn wait_for_raw_picocom(script_pid: u32) {
    use nix::sys::termios::{tcgetattr, LocalFlags};
    let deadline = Instant::now() + TIMEOUT;
    loop {
        assert!(Instant::now() < deadline, "picocom did not start");
        if let Some(pid) = descendant_named(script_pid, "picocom") {
            let tty = std::fs::read_link(format!("/proc/{pid}/fd/0")).ok();
            let raw = tty
                .and_then(|t| {
                    std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .open(t)
                        .ok()
                })
                .and_then(|f| tcgetattr(&f).ok())
                .is_some_and(|t| !t.local_flags.contains(LocalFlags::ICANON));
            if raw {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A descendant of `ancestor` by command name, from /proc. Not only a child: script(1) runs
/// the command through `$SHELL -c`, and `/bin/sh` (dash, what script takes when SHELL is unset,
/// as under CI) forks picocom instead of exec-ing it.
fn descendant_named(ancestor: u32, name: &str) -> Option<u32> {
    let mut procs = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let Some(ppid) = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        procs.push((pid, ppid, comm.ends_with(&format!("({name}"))));
    }
    let mut family = vec![ancestor];
    // Walk down the tree: a pid joins once its parent is in; the tree is shallow here.
    loop {
        let before = family.len();
        for &(pid, ppid, _) in &procs {
            if family.contains(&ppid) && !family.contains(&pid) {
                family.push(pid);
            }
        }
        if family.len() == before {
            break;
        }
    }
    procs
        .iter()
        .find(|(pid, _, named)| *named && family[1..].contains(pid))
        .map(|(pid, _, _)| *pid)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

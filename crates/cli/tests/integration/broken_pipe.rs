//! A standard output whose reader has gone (`ftpmodem ... | head`): every command stops
//! quietly (no panic, no message, exit 0), a transfer it cut short is ended on the module
//! (the next command works), and a second `serve` on a link in use names the holder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

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

/// `ftpmodem serve --pty DIR/ttyML307`, once its link exists.
fn serve(dir: &Path) -> Serve {
    let link = dir.join("ttyML307");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["serve", "--pty"])
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.join("fs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(link.exists(), "serve did not start: {first}");
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    Serve { child, link }
}

/// The child's output, within `LIMIT`; one that hangs is killed and the test fails.
fn finish(child: Child) -> Output {
    let pid = Pid::from_raw(child.id() as i32);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(LIMIT) {
        Ok(o) => o,
        Err(_) => {
            let _ = kill(pid, Signal::SIGKILL);
            panic!("ftpmodem hung");
        }
    }
}

/// Runs `ftpmodem ARGS` with standard output a pipe whose reader takes `keep` bytes and goes.
fn run_cut(args: &[&str], keep: usize) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(args)
        .env("FTPMODEM_PASSWORD", "12341")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut got = vec![0u8; keep];
    out.read_exact(&mut got).unwrap();
    drop(out);
    finish(child)
}

fn quiet(what: &str, o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains("Broken pipe"), "{what}: {err}");
}

#[test]
fn demo_into_a_closed_pipe_ends_quietly() {
    let o = run_cut(&["demo", "--raw"], 1);
    quiet("demo --raw | head -c 1", &o);
    let o = run_cut(&["demo"], 1);
    quiet("demo | head -c 1", &o);
}

#[test]
fn host_commands_into_a_closed_pipe_end_quietly_and_end_the_transfer() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    // Larger than a pipe's buffer, so the writer meets the closed end.
    std::fs::write(dir.join("big.bin"), vec![b'x'; 4 << 20]).unwrap();
    for i in 0..3000 {
        std::fs::write(dir.join(format!("f{i:04}")), b"").unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let s = serve(tmp.path());
    let pty = s.link.to_str().unwrap();
    let url = |name: &str| {
        format!(
            "ftp://uftp@{}:{}/%2F{}/{name}",
            server.host(),
            server.port(),
            dir.display().to_string().trim_start_matches('/')
        )
    };
    let o = run_cut(&["cat", "--pty", pty, &url("big.bin")], 10);
    quiet("cat | head -c 10", &o);
    let o = run_cut(&["get", "--pty", pty, &url("big.bin"), "-"], 10);
    quiet("get - | head -c 10", &o);
    let o = run_cut(&["ls", "--pty", pty, &url("")], 1);
    quiet("ls | head -c 1", &o);
    let o = run_cut(&["at", "--pty", pty, "ATI", "AT+MFTPSTATE=0"], 1);
    quiet("at | head -c 1", &o);
    // The channel is free again: a whole listing comes through.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["ls", "--pty", pty, &url("")])
        .env("FTPMODEM_PASSWORD", "12341")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut listing = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut listing)
        .unwrap();
    let o = finish(child);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(listing.lines().count(), 3001, "{}", &listing[..200]);
}

#[test]
fn a_second_serve_on_a_link_in_use_names_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let first = serve(tmp.path());
    let o = finish(
        Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
            .args(["serve", "--pty"])
            .arg(&first.link)
            .arg("--fs-root")
            .arg(tmp.path().join("fs2"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        err.trim(),
        format!(
            "ftpmodem: {} is in use by pid {}",
            first.link.display(),
            first.child.id()
        )
    );
    // The first one's link is untouched and still answers.
    let o = finish(
        Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
            .args(["at", "--pty", first.link.to_str().unwrap(), "AT"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    assert_eq!(o.status.code(), Some(0));
    // A holder that died without cleaning up (SIGKILL) leaves a stale link and lock file:
    // the next serve takes them over.
    let link = first.link.clone();
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(
        std::fs::symlink_metadata(&link).is_ok(),
        "the stale link is gone"
    );
    let second = serve(tmp.path());
    let pid: u32 = std::fs::read_to_string(tmp.path().join("ttyML307.lock"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(pid, second.child.id());
    drop(second);
}

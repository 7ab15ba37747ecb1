//! Running a server binary: locating it, its process tree, killing it, waiting for its greeting.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::certs::Certs;
use crate::error::{Error, Result};

/// How long killed session processes get to disappear.
const KILL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a server gets to accept a connection and greet after being spawned.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest greeting line read while probing; anything longer is not a server we started.
const MAX_BANNER: u64 = 4096;

/// Default location of vsftpd (the Debian package's).
pub const VSFTPD_DEFAULT_PATH: &str = "/usr/sbin/vsftpd";
/// Default location of the unpacked pure-ftpd (see `.ci/install-test-servers.sh`).
pub const PUREFTPD_DEFAULT_PATH: &str = "/opt/ftpmodem-test/pure-ftpd/usr/sbin/pure-ftpd";
/// Default location of the unpacked proftpd (see `.ci/install-test-servers.sh`).
pub const PROFTPD_DEFAULT_PATH: &str = "/opt/ftpmodem-test/proftpd/usr/sbin/proftpd";
/// Environment variable overriding [`PROFTPD_DEFAULT_PATH`].
pub const PROFTPD_ENV: &str = "FTPMODEM_PROFTPD";
/// Environment variable overriding [`PUREFTPD_DEFAULT_PATH`].
pub const PUREFTPD_ENV: &str = "FTPMODEM_PUREFTPD";
/// Environment variable overriding [`VSFTPD_DEFAULT_PATH`].
pub const VSFTPD_ENV: &str = "FTPMODEM_VSFTPD";

/// The server programs the fixtures can run as child processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// vsftpd (apt package).
    Vsftpd,
    /// pure-ftpd (unpacked from the apt package).
    PureFtpd,
    /// proftpd (unpacked from the apt package `proftpd-core`).
    Proftpd,
}

impl ServerKind {
    /// Where the fixtures look for the binary (environment override first).
    pub fn binary_path(self) -> PathBuf {
        let (env, default) = match self {
            ServerKind::Vsftpd => (VSFTPD_ENV, VSFTPD_DEFAULT_PATH),
            ServerKind::PureFtpd => (PUREFTPD_ENV, PUREFTPD_DEFAULT_PATH),
            ServerKind::Proftpd => (PROFTPD_ENV, PROFTPD_DEFAULT_PATH),
        };
        match std::env::var_os(env) {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => PathBuf::from(default),
        }
    }

    /// Short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Vsftpd => "vsftpd",
            ServerKind::PureFtpd => "pure-ftpd",
            ServerKind::Proftpd => "proftpd",
        }
    }

    /// Whether the binary is installed (an executable file at [`Self::binary_path`]).
    ///
    /// Tests should not use this to skip themselves: call [`Self::require`] (or just start the
    /// server) so that a machine without the servers fails loudly.
    pub fn is_present(self) -> bool {
        is_executable(&self.binary_path())
    }

    /// The binary's path, or [`Error::MissingBinary`] telling to run the install script.
    pub fn require(self) -> Result<PathBuf> {
        let path = self.binary_path();
        if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::MissingBinary {
                server: self.name(),
                path,
            })
        }
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The servers need root: they chroot, switch to `ftp`/`uftp` and authenticate through PAM.
/// Runs `attempt` up to three times while it fails with [`Error::StartFailed`]: a port picked
/// free can be taken by someone else before the server binds it.
pub(crate) fn start_with_retries<T>(
    server: &str,
    mut attempt: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut last = None;
    for _ in 0..3 {
        match attempt() {
            Ok(v) => return Ok(v),
            Err(e @ Error::StartFailed { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Unsupported(format!("{server} start"))))
}

/// A private directory for one server instance (config, logs, scoreboard): root's, mode 755,
/// since servers refuse to keep such files in a world-writable directory.
pub(crate) fn instance_dir(server: &str) -> Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix(&format!("ftpmodem-{server}-"))
        .tempdir()
        .map_err(|e| Error::io(format!("creating {server}'s directory"), e))?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(format!("chmod {}", dir.path().display()), e))?;
    Ok(dir)
}

pub(crate) fn require_root() -> Result<()> {
    if nix::unistd::geteuid().is_root() {
        Ok(())
    } else {
        Err(Error::NotRoot)
    }
}

/// A spawned server and all processes it forks, killed together.
///
/// The servers fork a process (or two) per session that outlives the listener: vsftpd's move to
/// new sessions but stay its descendants (found through `/proc`), as proftpd's do; pure-ftpd's
/// are reparented to init but stay in the listener's process group. All of them are killed.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Child,
    stopped: bool,
}

impl ServerProcess {
    /// Spawns `cmd` as the leader of a new process group, so that session processes which stay
    /// in that group (pure-ftpd's, reparented to init) can be killed with it.
    pub(crate) fn spawn(mut cmd: Command) -> std::io::Result<Self> {
        let child = cmd.process_group(0).spawn()?;
        Ok(ServerProcess {
            child,
            stopped: false,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(description)` once the listener has exited.
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("wait failed: {e}")),
        }
    }

    /// SIGKILLs the listener and every session process, reaps the listener, and waits (bounded)
    /// until the others are dead too: they hold the listening socket, so until then the port
    /// would still accept.
    pub(crate) fn kill_all(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let root = self.child.id();
        let Ok(root_pid) = i32::try_from(root) else {
            return;
        };
        // Freeze the listener so it cannot fork while its tree is collected.
        let _ = kill(Pid::from_raw(root_pid), Signal::SIGSTOP);
        let tree = tree_of(root);
        let _ = kill(Pid::from_raw(root_pid), Signal::SIGKILL);
        // The group spawn() made: catches a session forked after the collection.
        let _ = kill(Pid::from_raw(-root_pid), Signal::SIGKILL);
        for &pid in &tree {
            if let Ok(p) = i32::try_from(pid) {
                let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
            }
        }
        let _ = self.child.wait();
        let deadline = Instant::now() + KILL_TIMEOUT;
        while tree.iter().any(|&p| alive(p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// (pid, ppid, pgrp, state) of every process, from `/proc/*/stat`.
fn processes() -> Vec<(u32, u32, u32, char)> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return out;
    };
    for entry in rd.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((state, ppid, pgrp)) = stat_of(pid) {
            out.push((pid, ppid, pgrp, state));
        }
    }
    out
}

/// (state, ppid, pgrp) of one process.
fn stat_of(pid: u32) -> Option<(char, u32, u32)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = after.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Whether `pid` still runs (zombies have released their sockets: they count as dead).
fn alive(pid: u32) -> bool {
    matches!(stat_of(pid), Some((state, _, _)) if state != 'Z' && state != 'X')
}

/// Every process below `root` (vsftpd's and proftpd's sessions) or in its process group (pure-ftpd's,
/// reparented to init), `root` excluded.
fn tree_of(root: u32) -> Vec<u32> {
    let all = processes();
    let mut out: Vec<u32> = all
        .iter()
        .filter(|&&(pid, _, pgrp, _)| pgrp == root && pid != root)
        .map(|&(pid, ..)| pid)
        .collect();
    let mut frontier = out.clone();
    frontier.push(root);
    while let Some(p) = frontier.pop() {
        for &(pid, ppid, _, _) in &all {
            if ppid == p && pid != root && !out.contains(&pid) {
                out.push(pid);
                frontier.push(pid);
            }
        }
    }
    out
}

/// How the greeting is reached: plain, or inside TLS from the first byte (implicit FTPS).
pub(crate) enum Probe<'a> {
    Plain,
    ImplicitTls(&'a Certs),
}

/// Waits until `addr` accepts and sends a `220` greeting, or the server exits, or the timeout.
///
/// Polling the connect is the only readiness signal these daemons give; each attempt is bounded,
/// and a process exit ends the wait at once with the server's own words (`diag`).
pub(crate) fn wait_for_banner(
    server: &'static str,
    proc_: &mut ServerProcess,
    addr: SocketAddr,
    probe: Probe<'_>,
    diag: &dyn Fn() -> String,
) -> Result<String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last_err = String::from("no attempt");
    loop {
        if let Some(status) = proc_.exited() {
            return Err(Error::StartFailed {
                server,
                detail: format!("exited with {status}; {}", diag()),
            });
        }
        if Instant::now() >= deadline {
            return Err(Error::StartFailed {
                server,
                detail: format!(
                    "no 220 greeting on {addr} within {START_TIMEOUT:?} (last: {last_err}); {}",
                    diag()
                ),
            });
        }
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => match read_greeting(stream, &probe) {
                Ok(line) if line.starts_with("220") => return Ok(line),
                Ok(line) => last_err = format!("unexpected greeting {line:?}"),
                Err(e) => last_err = e,
            },
            Err(e) => {
                last_err = e.to_string();
                // Not listening yet: give the daemon a moment before the next connect.
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn read_greeting(stream: TcpStream, probe: &Probe<'_>) -> std::result::Result<String, String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    match probe {
        Probe::Plain => read_line(stream),
        Probe::ImplicitTls(certs) => {
            let tls = crate::tlsprobe::connect(certs, stream)?;
            read_line(tls)
        }
    }
}

fn read_line<R: Read>(r: R) -> std::result::Result<String, String> {
    let mut line = String::new();
    BufReader::new(r.take(MAX_BANNER))
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim_end().to_string())
}

/// Reads a file the server writes (log, stderr), lossily, empty if absent.
pub(crate) fn read_lossy(p: &Path) -> String {
    fs::read(p)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The last `n` lines of `text`, for error messages.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

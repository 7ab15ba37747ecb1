//! proftpd (unpacked from Debian's `proftpd-core`) started per test with a throwaway
//! configuration file.

use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::error::{Error, IoContext, Result};
use crate::ports;
use crate::process::{read_lossy, tail, wait_for_banner, Probe, ServerKind, ServerProcess};
use crate::server::FtpServer;
use crate::userdir::{self, UserDirs};

/// How long [`Proftpd::wait_for_log`] waits.
const LOG_TIMEOUT: Duration = Duration::from_secs(10);

/// What kind of proftpd to start. `Default` is plain FTP on 127.0.0.1 that allows restarted
/// downloads.
#[derive(Clone, Debug)]
pub struct ProftpdOptions {
    /// Whether `REST` before `RETR` is honoured (`AllowRetrieveRestart`). With `false` proftpd
    /// still answers `350` to `REST`, then refuses the `RETR` with `451 ...: Restart not
    /// permitted, try again`. Default `true`.
    pub retrieve_restart: bool,
    /// Listen on `[::1]` (`UseIPv6 on`, `DefaultAddress ::1`) instead of 127.0.0.1.
    pub ipv6: bool,
    /// Extra configuration lines (`Directive value`), appended after the fixture's own. An
    /// unknown directive makes proftpd exit at once: the start then fails with its message.
    pub extra_config: Vec<String>,
}

impl Default for ProftpdOptions {
    fn default() -> Self {
        ProftpdOptions {
            retrieve_restart: true,
            ipv6: false,
            extra_config: Vec::new(),
        }
    }
}

impl ProftpdOptions {
    /// Plain FTP on 127.0.0.1, restarts allowed.
    pub fn plain() -> Self {
        Self::default()
    }
    /// The same with `AllowRetrieveRestart off`.
    pub fn no_retrieve_restart(mut self) -> Self {
        self.retrieve_restart = false;
        self
    }
    /// The same, listening on `[::1]`.
    pub fn ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }
}

/// A running proftpd on loopback; stopped (with all session processes) when dropped.
///
/// Runs `proftpd -n -q -c CONF` (foreground, standalone) with a configuration written into its
/// private directory.
/// - `uftp`/`12341` logs in through `mod_auth_unix` to `/home/uftp` (not chrooted), shared by
///   all instances: use [`Self::fresh_user_dir`].
/// - No anonymous login (no `<Anonymous>` section) and no TLS (Debian builds `mod_tls` as a
///   shared module; the fixture loads none).
/// - Passive and active mode (PASV, EPSV, PORT, EPRT), MLSD (`mod_facts`).
/// - [`Self::log_text`] is a protocol log: one line `VERB ARGS -> CODE` per command
///   (`ExtendedLog`), the password shown as `(hidden)`, written after the reply is sent: wait
///   for a line with [`Self::wait_for_log`].
#[derive(Debug)]
pub struct Proftpd {
    process: ServerProcess,
    addr: SocketAddr,
    pasv: (u16, u16),
    opts: ProftpdOptions,
    paths: Paths,
    dirs: UserDirs,
    dir: TempDir,
}

/// The files of one instance, all in its private directory.
#[derive(Debug)]
struct Paths {
    conf: PathBuf,
    commands: PathBuf,
    transfers: PathBuf,
    system: PathBuf,
    stderr: PathBuf,
}

impl Paths {
    fn new(d: &Path) -> Self {
        Paths {
            conf: d.join("proftpd.conf"),
            commands: d.join("commands.log"),
            transfers: d.join("xfer.log"),
            system: d.join("system.log"),
            stderr: d.join("stderr.txt"),
        }
    }
}

impl Proftpd {
    /// Starts an instance and returns once it has sent its `220` greeting (10 s timeout).
    ///
    /// The binary is `$FTPMODEM_PROFTPD` or [`crate::PROFTPD_DEFAULT_PATH`]; without it this
    /// fails with [`Error::MissingBinary`] naming the install script.
    pub fn start(opts: ProftpdOptions) -> Result<Proftpd> {
        let bin = ServerKind::Proftpd.require()?;
        crate::process::require_root()?;
        userdir::require_users()?;
        crate::process::start_with_retries("proftpd", || Self::try_start(&bin, opts.clone()))
    }

    fn try_start(bin: &Path, opts: ProftpdOptions) -> Result<Proftpd> {
        let ip = ports::loopback(opts.ipv6);
        let dir = crate::process::instance_dir("proftpd")?;
        let d = dir.path();
        let (port, pasv) = ports::control_and_passive(ip)?;
        let paths = Paths::new(d);
        let conf = config(&opts, ip, port, pasv, d, &paths);
        let written = fs::write(&paths.conf, conf).ctx(|| "writing proftpd.conf".into());
        if let Err(e) = written {
            ports::release_server(port, pasv);
            return Err(e);
        }

        // -n: foreground; -q: no startup chatter; -c needs an absolute path (the config path of
        // a temp dir is absolute).
        let mut cmd = Command::new(bin);
        cmd.args(["-n", "-q", "-c"]).arg(&paths.conf);
        let stderr = fs::File::create(&paths.stderr).ctx(|| "creating stderr file".into())?;
        let stdout = stderr
            .try_clone()
            .ctx(|| "duplicating stderr file".into())?;
        cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        let mut process =
            ServerProcess::spawn(cmd).ctx(|| format!("spawning {}", bin.display()))?;
        let addr = SocketAddr::new(ip, port);
        let diag = || {
            format!(
                "output: {:?}; system log: {:?}",
                tail(&read_lossy(&paths.stderr), 5),
                tail(&read_lossy(&paths.system), 5)
            )
        };
        if let Err(e) = wait_for_banner("proftpd", &mut process, addr, Probe::Plain, &diag) {
            process.kill_all();
            ports::release_server(port, pasv);
            return Err(e);
        }
        Ok(Proftpd {
            process,
            addr,
            pasv,
            opts,
            paths,
            dirs: UserDirs::default(),
            dir,
        })
    }

    /// Inclusive passive port range (`PassivePorts`).
    pub fn pasv_range(&self) -> (u16, u16) {
        self.pasv
    }
    /// The options it was started with.
    pub fn options(&self) -> &ProftpdOptions {
        &self.opts
    }
    /// The `uftp` home (`/home/uftp`), shared by every instance.
    pub fn user_home(&self) -> &'static Path {
        Path::new(userdir::USER_HOME)
    }
    /// A new empty directory `/home/uftp/test/<unique>` owned by `uftp`, removed on drop; its
    /// path relative to the login directory is `test/<name>`.
    pub fn fresh_user_dir(&self) -> Result<PathBuf> {
        self.dirs.fresh("proftpd")
    }
    /// The protocol log so far: `VERB ARGS -> CODE`, one line per command.
    pub fn log_text(&self) -> String {
        read_lossy(&self.paths.commands)
    }
    /// Waits (up to 10 s) until the protocol log holds `needle`; returns the log, or
    /// [`Error::Timeout`] carrying it. proftpd writes a command's line after sending its
    /// reply, so a client that has just read the reply can be ahead of the log.
    pub fn wait_for_log(&self, needle: &str) -> Result<String> {
        let deadline = Instant::now() + LOG_TIMEOUT;
        loop {
            let log = self.log_text();
            if log.contains(needle) {
                return Ok(log);
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout(format!(
                    "{needle:?} not in proftpd's log within {LOG_TIMEOUT:?}; log:\n{log}"
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    /// The transfer log so far (xferlog format, one line per completed upload/download).
    pub fn transfer_log_text(&self) -> String {
        read_lossy(&self.paths.transfers)
    }
    /// What proftpd printed on stdout/stderr, then its system log.
    pub fn output_text(&self) -> String {
        format!(
            "{}{}",
            read_lossy(&self.paths.stderr),
            read_lossy(&self.paths.system)
        )
    }
    /// The instance's private directory (configuration, logs, scoreboard).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// PID of the listening process.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
    /// SIGKILLs the listener and every session process now.
    pub fn kill(&mut self) {
        self.process.kill_all();
    }
}

impl FtpServer for Proftpd {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Proftpd {
    fn drop(&mut self) {
        self.process.kill_all();
        ports::release_server(self.addr.port(), self.pasv);
    }
}

/// The configuration file. Paths are quoted (proftpd's parser takes `"..."` as one word).
fn config(
    opts: &ProftpdOptions,
    ip: IpAddr,
    port: u16,
    pasv: (u16, u16),
    d: &Path,
    p: &Paths,
) -> String {
    let on_off = |b: bool| if b { "on" } else { "off" };
    let mut c = String::new();
    let mut line = |s: String| {
        c.push_str(&s);
        c.push('\n');
    };
    line("ServerType standalone".into());
    line(format!("UseIPv6 {}", on_off(opts.ipv6)));
    line(format!("DefaultAddress {ip}"));
    // Only the loopback address: no wildcard listener (DefaultServer is then moot).
    line("SocketBindTight on".into());
    line(format!("Port {port}"));
    line(format!("PassivePorts {} {}", pasv.0, pasv.1));
    line("User nobody".into());
    line("Group nogroup".into());
    line("Umask 022".into());
    line("MaxInstances 30".into());
    line(format!(
        "ScoreboardFile \"{}\"",
        d.join("scoreboard").display()
    ));
    line(format!("PidFile \"{}\"", d.join("proftpd.pid").display()));
    // No shared state with the system's proftpd (/var/lib/proftpd, wtmp, DNS).
    line("DelayTable none".into());
    line("WtmpLog off".into());
    line("UseReverseDNS off".into());
    line("AuthOrder mod_auth_unix.c".into());
    line("RequireValidShell off".into());
    line("AllowOverwrite on".into());
    line("AllowStoreRestart on".into());
    line(format!(
        "AllowRetrieveRestart {}",
        on_off(opts.retrieve_restart)
    ));
    line("TimeoutIdle 600".into());
    line(format!("SystemLog \"{}\"", p.system.display()));
    line(format!("TransferLog \"{}\"", p.transfers.display()));
    line("LogFormat commands \"%m %J -> %s\"".into());
    line(format!(
        "ExtendedLog \"{}\" ALL commands",
        p.commands.display()
    ));
    for extra in &opts.extra_config {
        line(extra.clone());
    }
    c
}

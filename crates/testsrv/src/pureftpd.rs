//! pure-ftpd (unpacked from Debian's package) started per test with command-line options only.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use crate::error::{Error, IoContext, Result};
use crate::ports;
use crate::process::{read_lossy, tail, wait_for_banner, Probe, ServerKind, ServerProcess};
use crate::server::FtpServer;
use crate::tls::Tls;
use crate::userdir::{self, UserDirs};

/// What kind of pure-ftpd to start. `Default` is plain FTP on 127.0.0.1.
#[derive(Clone, Debug, Default)]
pub struct PureFtpdOptions {
    /// [`Tls::None`] or [`Tls::Explicit`]; pure-ftpd has no implicit FTPS, so [`Tls::Implicit`]
    /// makes [`PureFtpd::start`] fail with [`Error::Unsupported`].
    pub tls: Tls,
    /// With TLS: refuse clients that do not protect the control connection (`-Y 2`) instead of
    /// merely offering TLS (`-Y 1`). Default `false`.
    pub require_tls: bool,
    /// Listen on `[::1]` (`-S ::1,PORT`) instead of 127.0.0.1.
    pub ipv6: bool,
    /// Extra command-line arguments, appended after the fixture's own.
    pub extra_args: Vec<String>,
}

impl PureFtpdOptions {
    /// Plain FTP on 127.0.0.1.
    pub fn plain() -> Self {
        Self::default()
    }
    /// Explicit FTPS offered (`-Y 1`) with the server certificate of `certs`.
    pub fn explicit_tls(certs: &crate::Certs) -> Self {
        PureFtpdOptions {
            tls: Tls::Explicit(certs.clone()),
            ..Self::default()
        }
    }
    /// The same, listening on `[::1]`.
    pub fn ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }
}

/// A running pure-ftpd on loopback; stopped (with all session processes) when dropped.
///
/// Runs `pure-ftpd -S IP,PORT -p A:B -l unix -H -M -f none -O clf:LOG [-Y 0|1|2 -2 KEYCERT]`.
/// - `uftp`/`12341` logs in through `-l unix` to `/home/uftp` (not chrooted), shared by all
///   instances: use [`Self::fresh_user_dir`].
/// - Anonymous users get the home of the `ftp` system user ([`Self::anon_root`], chrooted):
///   pure-ftpd has no option to point them elsewhere (its only per-listener anonymous root is
///   a virtual host, keyed on the local IP through a symlink in `/etc/pure-ftpd/`, which would
///   need one loopback address per instance and break the certificate's IP name). So the
///   anonymous root is SHARED by all instances: work in [`Self::fresh_anon_dir`], a unique
///   subdirectory owned by `ftp` where anonymous users may upload and make directories (`-M`).
/// - No protocol log: pure-ftpd logs sessions only to syslog, which the machines lack. The
///   transfer log ([`Self::log_text`], common log format) records each upload and download.
#[derive(Debug)]
pub struct PureFtpd {
    process: ServerProcess,
    addr: SocketAddr,
    pasv: (u16, u16),
    opts: PureFtpdOptions,
    log_path: PathBuf,
    stderr_path: PathBuf,
    dirs: UserDirs,
    dir: TempDir,
}

impl PureFtpd {
    /// Starts an instance and returns once it has sent its `220` greeting (10 s timeout).
    ///
    /// The binary is `$FTPMODEM_PUREFTPD` or [`crate::PUREFTPD_DEFAULT_PATH`]; without it this
    /// fails with [`Error::MissingBinary`] naming the install script.
    pub fn start(opts: PureFtpdOptions) -> Result<PureFtpd> {
        if matches!(opts.tls, Tls::Implicit(_)) {
            return Err(Error::Unsupported(
                "pure-ftpd has no implicit FTPS (use Vsftpd)".into(),
            ));
        }
        let bin = ServerKind::PureFtpd.require()?;
        crate::process::require_root()?;
        userdir::require_users()?;
        let anon = userdir::ftp_user()?.dir;
        if !anon.is_dir() {
            return Err(Error::StartFailed {
                server: "pure-ftpd",
                detail: format!(
                    "home of user ftp {} missing: run .ci/install-test-servers.sh",
                    anon.display()
                ),
            });
        }
        crate::process::start_with_retries("pureftpd", || Self::try_start(&bin, opts.clone()))
    }

    fn try_start(bin: &Path, opts: PureFtpdOptions) -> Result<PureFtpd> {
        let ip = ports::loopback(opts.ipv6);
        let dir = crate::process::instance_dir("pureftpd")?;
        let d = dir.path();
        let (port, pasv) = ports::control_and_passive(ip)?;
        let log_path = d.join("transfer.log");
        let stderr_path = d.join("stderr.txt");

        let mut cmd = Command::new(bin);
        cmd.arg("-S")
            .arg(format!("{ip},{port}"))
            .arg("-p")
            .arg(format!("{}:{}", pasv.0, pasv.1))
            .args(["-l", "unix", "-H", "-M", "-f", "none", "-O"])
            .arg(format!("clf:{}", log_path.display()));
        match opts.tls.certs() {
            Some(certs) => {
                cmd.arg("-Y")
                    .arg(if opts.require_tls { "2" } else { "1" })
                    .arg("-2")
                    .arg(certs.server_keycert_path());
            }
            None => {
                cmd.args(["-Y", "0"]);
            }
        }
        cmd.args(&opts.extra_args);
        let stderr = fs::File::create(&stderr_path).ctx(|| "creating stderr file".into())?;
        let stdout = stderr
            .try_clone()
            .ctx(|| "duplicating stderr file".into())?;
        cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        let mut process =
            ServerProcess::spawn(cmd).ctx(|| format!("spawning {}", bin.display()))?;
        let addr = SocketAddr::new(ip, port);
        let diag = || format!("output: {:?}", tail(&read_lossy(&stderr_path), 5));
        if let Err(e) = wait_for_banner("pure-ftpd", &mut process, addr, Probe::Plain, &diag) {
            process.kill_all();
            ports::release_server(port, pasv);
            return Err(e);
        }
        Ok(PureFtpd {
            process,
            addr,
            pasv,
            opts,
            log_path,
            stderr_path,
            dirs: UserDirs::default(),
            dir,
        })
    }

    /// Inclusive passive port range (`-p`).
    pub fn pasv_range(&self) -> (u16, u16) {
        self.pasv
    }
    /// The options it was started with.
    pub fn options(&self) -> &PureFtpdOptions {
        &self.opts
    }
    /// The anonymous root: the `ftp` user's home, SHARED by all instances (see the type docs).
    pub fn anon_root(&self) -> PathBuf {
        userdir::ftp_user()
            .map(|u| u.dir)
            .unwrap_or_else(|_| PathBuf::from("/srv/ftp"))
    }
    /// A new directory `<ftp home>/<unique>` owned by `ftp`, removed when this server is
    /// dropped. Anonymous users see it as `/<file name>`.
    pub fn fresh_anon_dir(&self) -> Result<PathBuf> {
        self.dirs.fresh_anon("pureftpd")
    }
    /// The `uftp` home (`/home/uftp`), shared by every instance.
    pub fn user_home(&self) -> &'static Path {
        Path::new(userdir::USER_HOME)
    }
    /// A new empty directory `/home/uftp/test/<unique>` owned by `uftp`, removed on drop; its
    /// path relative to the login directory is `test/<name>`.
    pub fn fresh_user_dir(&self) -> Result<PathBuf> {
        self.dirs.fresh("pureftpd")
    }
    /// The transfer log so far (one line per completed upload/download).
    pub fn log_text(&self) -> String {
        read_lossy(&self.log_path)
    }
    /// What pure-ftpd printed on stdout/stderr.
    pub fn output_text(&self) -> String {
        read_lossy(&self.stderr_path)
    }
    /// The instance's private directory.
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

impl FtpServer for PureFtpd {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for PureFtpd {
    fn drop(&mut self) {
        self.process.kill_all();
        ports::release_server(self.addr.port(), self.pasv);
    }
}

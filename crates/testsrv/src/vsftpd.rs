//! vsftpd with a throwaway configuration, one independent instance per test.

use std::fmt::Write as _;
use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use crate::certs::Certs;
use crate::error::{IoContext, Result};
use crate::ports;
use crate::process::{read_lossy, tail, wait_for_banner, Probe, ServerKind, ServerProcess};
use crate::server::FtpServer;
use crate::tls::Tls;
use crate::userdir::{self, UserDirs};

/// What kind of vsftpd to start. `Default` is plain FTP on 127.0.0.1 with active mode allowed.
#[derive(Clone, Debug)]
pub struct VsftpdOptions {
    /// Plain, explicit or implicit FTPS (with the server certificate of the given [`Certs`]).
    pub tls: Tls,
    /// With TLS: the data connection must resume the control connection's TLS session
    /// (`require_ssl_reuse`, vsftpd's default, what real servers often do). Default `true`.
    pub require_ssl_reuse: bool,
    /// With TLS: logins and data of both anonymous and local users must be protected
    /// (`force_*_ssl`). With `false`, clients may stay plain. Default `true`.
    pub force_tls: bool,
    /// With TLS: the client must present a certificate signed by [`Certs::ca`]
    /// (`require_cert`, `validate_cert`, `ca_certs_file`). Default `false`.
    pub require_client_cert: bool,
    /// Listen on `[::1]` instead of 127.0.0.1. vsftpd then answers PASV with `0,0,0,0`: clients
    /// must use EPSV. Default `false`.
    pub ipv6: bool,
    /// Accept PORT/EPRT (`port_enable`). Default `true`.
    pub allow_active: bool,
    /// Extra `key=value` lines appended to the configuration (later lines win). An unknown key
    /// makes vsftpd exit with status 2 and no message: the start then fails with that status.
    pub extra_config: Vec<(String, String)>,
}

impl Default for VsftpdOptions {
    fn default() -> Self {
        VsftpdOptions {
            tls: Tls::None,
            require_ssl_reuse: true,
            force_tls: true,
            require_client_cert: false,
            ipv6: false,
            allow_active: true,
            extra_config: Vec::new(),
        }
    }
}

impl VsftpdOptions {
    /// Plain FTP on 127.0.0.1.
    pub fn plain() -> Self {
        Self::default()
    }
    /// Explicit FTPS with `certs`.
    pub fn explicit_tls(certs: &Certs) -> Self {
        VsftpdOptions {
            tls: Tls::Explicit(certs.clone()),
            ..Self::default()
        }
    }
    /// Implicit FTPS with `certs`.
    pub fn implicit_tls(certs: &Certs) -> Self {
        VsftpdOptions {
            tls: Tls::Implicit(certs.clone()),
            ..Self::default()
        }
    }
    /// The same, listening on `[::1]`.
    pub fn ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }
}

/// A running vsftpd on loopback; stopped (with all its session processes) when dropped.
///
/// Layout, all in the instance's own temporary directory except the `uftp` home:
/// - anonymous root ([`Self::anon_root`], owned by root, not writable, as vsftpd demands) with
///   `upload/` ([`Self::upload_dir`]) owned by `ftp`, where anonymous users may upload, make
///   directories, rename and delete. Files the test puts in the root must be world-readable
///   (vsftpd's `anon_world_readable_only`).
/// - `uftp`/`12341` logs in to `/home/uftp` (not chrooted); that home is shared by all
///   instances, so tests work in [`Self::fresh_user_dir`].
/// - the protocol log ([`Self::log_text`]): every command and response, handy in assertions and
///   failure messages.
///
/// Umasks are 022, so uploaded files are readable back by anonymous users.
#[derive(Debug)]
pub struct Vsftpd {
    // Field order matters: the process dies before its directory is removed.
    process: ServerProcess,
    addr: SocketAddr,
    pasv: (u16, u16),
    opts: VsftpdOptions,
    log_path: PathBuf,
    stderr_path: PathBuf,
    anon_root: PathBuf,
    user_dirs: UserDirs,
    dir: TempDir,
}

impl Vsftpd {
    /// Starts an instance and returns once it has sent its `220` greeting (10 s timeout).
    ///
    /// Fails with [`crate::Error::MissingBinary`] when vsftpd is not installed,
    /// [`crate::Error::NotRoot`] when not run as root, [`crate::Error::StartFailed`] with the
    /// server's output otherwise.
    pub fn start(opts: VsftpdOptions) -> Result<Vsftpd> {
        let bin = ServerKind::Vsftpd.require()?;
        crate::process::require_root()?;
        userdir::require_users()?;
        crate::process::start_with_retries("vsftpd", || Self::try_start(&bin, opts.clone()))
    }

    fn try_start(bin: &Path, opts: VsftpdOptions) -> Result<Vsftpd> {
        let ip = ports::loopback(opts.ipv6);
        let dir = crate::process::instance_dir("vsftpd")?;
        let d = dir.path();
        let empty = d.join("empty");
        let anon_root = d.join("anon");
        let upload = anon_root.join("upload");
        for p in [&empty, &anon_root, &upload] {
            fs::create_dir(p).ctx(|| format!("creating {}", p.display()))?;
            set_mode(p, 0o755)?;
        }
        let ftp = userdir::ftp_user()?;
        std::os::unix::fs::chown(&upload, Some(ftp.uid.as_raw()), Some(ftp.gid.as_raw()))
            .ctx(|| format!("chown {} to ftp", upload.display()))?;

        let (port, pasv) = ports::control_and_passive(ip)?;
        let log_path = d.join("vsftpd.log");
        let stderr_path = d.join("stderr.txt");
        let conf_path = d.join("vsftpd.conf");
        let conf = config_text(&opts, ip, port, pasv, &empty, &anon_root, &log_path);
        fs::write(&conf_path, conf).ctx(|| format!("writing {}", conf_path.display()))?;

        let stderr = fs::File::create(&stderr_path).ctx(|| "creating stderr file".into())?;
        let stdout = stderr
            .try_clone()
            .ctx(|| "duplicating stderr file".into())?;
        let mut cmd = Command::new(bin);
        cmd.arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        let mut process =
            ServerProcess::spawn(cmd).ctx(|| format!("spawning {}", bin.display()))?;
        let addr = SocketAddr::new(ip, port);
        let probe = match &opts.tls {
            Tls::Implicit(c) => Probe::ImplicitTls(c),
            _ => Probe::Plain,
        };
        let diag = || {
            format!(
                "output: {:?}; log tail: {:?}",
                tail(&read_lossy(&stderr_path), 5),
                tail(&read_lossy(&log_path), 5)
            )
        };
        if let Err(e) = wait_for_banner("vsftpd", &mut process, addr, probe, &diag) {
            process.kill_all();
            ports::release_server(port, pasv);
            return Err(e);
        }
        Ok(Vsftpd {
            process,
            addr,
            pasv,
            opts,
            log_path,
            stderr_path,
            anon_root,
            user_dirs: UserDirs::default(),
            dir,
        })
    }

    /// Inclusive passive port range this instance was given.
    pub fn pasv_range(&self) -> (u16, u16) {
        self.pasv
    }
    /// The options it was started with (with TLS: [`Tls::certs`] for the CA to trust).
    pub fn options(&self) -> &VsftpdOptions {
        &self.opts
    }
    /// Local directory served as `/` to anonymous users (root-owned, not writable by them).
    pub fn anon_root(&self) -> &Path {
        &self.anon_root
    }
    /// `anon_root()/upload`, owned by `ftp`: where anonymous users can write (`/upload`).
    pub fn upload_dir(&self) -> PathBuf {
        self.anon_root.join("upload")
    }
    /// The `uftp` home (`/home/uftp`), shared by every instance: prefer
    /// [`Self::fresh_user_dir`].
    pub fn user_home(&self) -> &'static Path {
        Path::new(userdir::USER_HOME)
    }
    /// A new empty directory `/home/uftp/test/<unique>` owned by `uftp`, removed when this
    /// server is dropped. Its local path is also its absolute FTP path for `uftp`; relative to
    /// the login directory it is `test/<name>` (curl resolves URL paths that way: use
    /// `ftp://host:port/test/<name>/` or `/%2Fhome/uftp/test/<name>/`).
    pub fn fresh_user_dir(&self) -> Result<PathBuf> {
        self.user_dirs.fresh("vsftpd")
    }
    /// The protocol log so far (`log_ftp_protocol=YES`): every command and response.
    pub fn log_text(&self) -> String {
        read_lossy(&self.log_path)
    }
    /// What vsftpd printed on stdout/stderr (its `500 OOPS` messages land here).
    pub fn output_text(&self) -> String {
        read_lossy(&self.stderr_path)
    }
    /// The instance's private directory (config, log, anonymous root).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// PID of the listening process.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
    /// SIGKILLs the listener and every session process now (transfers in flight break off
    /// without a reply); later calls and the drop do nothing more.
    pub fn kill(&mut self) {
        self.process.kill_all();
    }
}

impl FtpServer for Vsftpd {
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn url(&self) -> String {
        let scheme = match self.opts.tls {
            Tls::Implicit(_) => "ftps",
            _ => "ftp",
        };
        format!("{scheme}://{}", self.addr)
    }
}

impl Drop for Vsftpd {
    fn drop(&mut self) {
        self.process.kill_all();
        ports::release_server(self.addr.port(), self.pasv);
    }
}

fn set_mode(p: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(p, fs::Permissions::from_mode(mode))
        .ctx(|| format!("chmod {}", p.display()))
}

fn yes(b: bool) -> &'static str {
    if b {
        "YES"
    } else {
        "NO"
    }
}

fn config_text(
    opts: &VsftpdOptions,
    ip: IpAddr,
    port: u16,
    pasv: (u16, u16),
    empty: &Path,
    anon_root: &Path,
    log: &Path,
) -> String {
    let mut c = String::new();
    let mut kv = |k: &str, v: &str| {
        let _ = writeln!(c, "{k}={v}");
    };
    if opts.ipv6 {
        kv("listen", "NO");
        kv("listen_ipv6", "YES");
        kv("listen_address6", &ip.to_string());
    } else {
        kv("listen", "YES");
        kv("listen_address", &ip.to_string());
        kv("pasv_address", &ip.to_string());
    }
    kv("listen_port", &port.to_string());
    kv("background", "NO");
    kv("secure_chroot_dir", &empty.display().to_string());
    kv("anonymous_enable", "YES");
    kv("anon_root", &anon_root.display().to_string());
    kv("no_anon_password", "YES");
    kv("anon_upload_enable", "YES");
    kv("anon_mkdir_write_enable", "YES");
    kv("anon_other_write_enable", "YES");
    kv("anon_umask", "022");
    kv("local_enable", "YES");
    kv("local_umask", "022");
    kv("write_enable", "YES");
    kv("pam_service_name", "vsftpd");
    kv("pasv_enable", "YES");
    kv("pasv_min_port", &pasv.0.to_string());
    kv("pasv_max_port", &pasv.1.to_string());
    kv("port_enable", yes(opts.allow_active));
    kv("connect_from_port_20", "NO");
    kv("seccomp_sandbox", "NO");
    kv("xferlog_enable", "YES");
    kv("log_ftp_protocol", "YES");
    kv("vsftpd_log_file", &log.display().to_string());
    if let Some(certs) = opts.tls.certs() {
        kv("ssl_enable", "YES");
        kv(
            "rsa_cert_file",
            &certs.server().cert_path().display().to_string(),
        );
        kv(
            "rsa_private_key_file",
            &certs.server().key_path().display().to_string(),
        );
        kv("allow_anon_ssl", "YES");
        let force = yes(opts.force_tls);
        kv("force_local_logins_ssl", force);
        kv("force_local_data_ssl", force);
        kv("force_anon_logins_ssl", force);
        kv("force_anon_data_ssl", force);
        kv("require_ssl_reuse", yes(opts.require_ssl_reuse));
        if matches!(opts.tls, Tls::Implicit(_)) {
            kv("implicit_ssl", "YES");
        }
        if opts.require_client_cert {
            kv("require_cert", "YES");
            kv("validate_cert", "YES");
            kv("ca_certs_file", &certs.ca_pem_path().display().to_string());
        }
    }
    for (k, v) in &opts.extra_config {
        kv(k, v);
    }
    c
}

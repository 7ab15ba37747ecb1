//! Real FTP servers on loopback for tests, each started per test and stopped on drop.
//!
//! The FTP client, the device engine and the CLI are tested against real servers, not mocks:
//! these fixtures start them with throwaway configurations, free ports and temporary
//! directories so that tests can run in parallel, and make the certificates TLS tests verify.
//!
//! # Installing the servers
//!
//! Run `sudo bash .ci/install-test-servers.sh` (idempotent, Debian 12). It installs vsftpd,
//! openssl and curl with apt, unpacks pure-ftpd into `/opt/ftpmodem-test/pure-ftpd` (it
//! conflicts with vsftpd as a package) and proftpd into `/opt/ftpmodem-test/proftpd`, and creates the local user `uftp` / `12341` (home
//! `/home/uftp`, with `/home/uftp/test`) and the `ftp` user. The fixtures need root (the
//! servers chroot, switch users and use PAM). A missing binary or user makes `start` fail with
//! an [`Error`] naming the script: tests fail, they never skip silently.
//! [`ServerKind::is_present`] tells whether a binary is there; `FTPMODEM_VSFTPD`,
//! `FTPMODEM_PUREFTPD` and `FTPMODEM_PROFTPD` override where they are looked for.
//!
//! # What each server offers
//!
//! Every fixture implements [`FtpServer`]: where it listens (address, port, host, base URL),
//! so a helper can take any of them. What differs is below.
//!
//! | | [`Vsftpd`] | [`PureFtpd`] | [`Unftp`] (libunftp 0.24, in-process) | [`Proftpd`] |
//! |---|---|---|---|---|
//! | plain FTP | yes | yes | yes | yes |
//! | explicit FTPS (`AUTH TLS`) | yes, forced by default ([`VsftpdOptions::force_tls`]) | yes, `-Y 1` offered / `-Y 2` required | yes, optional or required | no (`mod_tls` not loaded) |
//! | implicit FTPS | yes | no ([`Error::Unsupported`]) | no ([`Error::Unsupported`]) | no |
//! | TLS session reuse on data | required by default, switchable | not required | not required | n/a |
//! | client certificate (mutual TLS) | [`VsftpdOptions::require_client_cert`] | no | not wired | no |
//! | IPv6 `[::1]` | yes (PASV answers `0,0,0,0`: use EPSV) | yes | yes (EPSV) | yes |
//! | active mode | PORT and EPRT, on by default | PORT and EPRT | PORT only, when [`UnftpOptions::active`] | PORT and EPRT |
//! | anonymous login | yes, own root per instance, `upload/` writable | yes, but the root is the `ftp` user's home, shared: use [`PureFtpd::fresh_anon_dir`] | any user/password, or one fixed account ([`UnftpAuth`]) | no |
//! | `uftp`/`12341` login | yes (PAM), not chrooted | yes (`-l unix`), not chrooted | n/a | yes (`mod_auth_unix`), not chrooted |
//! | log for assertions | full protocol log ([`Vsftpd::log_text`]) | transfer log only | none | protocol log with reply codes ([`Proftpd::log_text`], [`Proftpd::wait_for_log`]), transfer log |
//! | MLSD | no (500) | yes | yes | yes |
//! | `REST` before `RETR` | honoured | honoured | honoured | honoured, or `350` then `451` on the `RETR` ([`ProftpdOptions::retrieve_restart`]) |
//! | [`kill`](Vsftpd::kill) mid-transfer | listener and all session processes SIGKILLed | same | control connections shut down; data connections may finish | same as vsftpd |
//!
//! `uftp`'s home is shared by every instance and every test binary: work in a
//! `fresh_user_dir()` (`/home/uftp/test/<unique>`, owned by `uftp`, removed with the server).
//! curl and most clients resolve URL paths against the login directory, so that directory is
//! `test/<unique>` in a URL.
//!
//! proftpd's listener pauses about 0.4 s after a session ends before it accepts the next one
//! (its SIGCHLD handling): a second connection to one instance waits that long for its `220`.
//!
//! # Ports
//!
//! Control ports are chosen by binding port 0 and releasing it (libunftp: the fixture's own
//! listener stays bound). Passive ranges (8 ports, 16 for libunftp) are drawn at random below
//! Linux's ephemeral range, 20000–32000, and checked free by binding them. A process-wide
//! registry keeps parallel tests of one binary from sharing ports; a start whose server exits
//! (lost race with another process for a port) is retried up to 3 times. Readiness is the
//! server's `220` greeting (read through TLS for implicit FTPS), waited for with a 10 s
//! timeout; a server that exits first fails the start with its own output.
//!
//! # Certificates
//!
//! [`Certs::generate`] makes a CA, a server certificate for `localhost`, `127.0.0.1` and `::1`
//! signed by it, an unrelated CA, and a client certificate signed by the CA (ECDSA P-256).
//!
//! # Example
//!
//! ```no_run
//! use ftpmodem_testsrv::{Certs, Vsftpd, VsftpdOptions};
//! # fn main() -> ftpmodem_testsrv::Result<()> {
//! let certs = Certs::generate()?;
//! let server = Vsftpd::start(VsftpdOptions::explicit_tls(&certs))?;
//! std::fs::write(server.anon_root().join("hello.txt"), b"hi").unwrap();
//! // connect to server.addr(), trust certs.ca().cert_der(), RETR /hello.txt ...
//! # Ok(()) }
//! ```

mod certs;
mod error;
pub mod modem;
mod ports;
mod process;
mod proftpd;
mod pureftpd;
mod server;
mod tls;
mod tlsprobe;
mod unftp;
mod userdir;
mod vsftpd;

pub use certs::{CertKey, Certs};
pub use error::{Error, Result};
pub use process::{
    ServerKind, PROFTPD_DEFAULT_PATH, PROFTPD_ENV, PUREFTPD_DEFAULT_PATH, PUREFTPD_ENV,
    VSFTPD_DEFAULT_PATH, VSFTPD_ENV,
};
pub use proftpd::{Proftpd, ProftpdOptions};
pub use pureftpd::{PureFtpd, PureFtpdOptions};
pub use server::FtpServer;
pub use tls::Tls;
pub use unftp::{Unftp, UnftpAuth, UnftpOptions};
pub use userdir::{PASSWORD, USER, USER_HOME, USER_TEST_DIR};
pub use vsftpd::{Vsftpd, VsftpdOptions};

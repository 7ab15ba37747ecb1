//! The one error type of the fixtures.

use std::path::PathBuf;

/// Why a fixture could not be set up.
///
/// Tests usually `.expect()` these; the messages are written so that the failing test's output
/// says what to do (for a missing binary: run `.ci/install-test-servers.sh`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or socket operation failed while preparing or probing a server.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// rcgen refused to make a certificate.
    #[error("certificate generation failed: {0}")]
    Cert(#[from] rcgen::Error),
    /// The server binary is not installed where the fixtures look for it.
    #[error(
        "{server} binary not found at {path}: run `sudo bash .ci/install-test-servers.sh` \
         (tests that need real FTP servers fail rather than skip without it)"
    )]
    MissingBinary {
        /// Which server.
        server: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A system user the fixtures rely on does not exist.
    #[error("system user `{0}` missing: run `sudo bash .ci/install-test-servers.sh`")]
    MissingUser(&'static str),
    /// The fixtures need root (the servers switch users, chroot and use PAM).
    #[error("FTP server fixtures must run as root (servers chroot, switch users and use PAM)")]
    NotRoot,
    /// The options asked for something the server cannot do.
    #[error("unsupported option: {0}")]
    Unsupported(String),
    /// Something the server should have done (written a log line) did not happen in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server process exited or never greeted within the timeout.
    #[error("{server} did not come up: {detail}")]
    StartFailed {
        /// Which server.
        server: &'static str,
        /// What was seen (exit status, log tail).
        detail: String,
    },
}

impl Error {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}

/// Result of the fixtures.
pub type Result<T> = std::result::Result<T, Error>;

/// Adds context to `std::io::Result`s without `map_err` noise at every call site.
pub(crate) trait IoContext<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::io(what(), e))
    }
}

//! Real FTP servers on loopback for tests, started per test and stopped on drop.
//!
//! (Full support matrix below is completed as servers are added.)

mod certs;
mod error;
mod ports;
mod process;
mod pureftpd;
mod tlsprobe;
mod userdir;
mod vsftpd;

pub use certs::{CertKey, Certs};
pub use error::{Error, Result};
pub use process::{
    ServerKind, PUREFTPD_DEFAULT_PATH, PUREFTPD_ENV, VSFTPD_DEFAULT_PATH, VSFTPD_ENV,
};
pub use pureftpd::{PureFtpd, PureFtpdOptions};
pub use userdir::{PASSWORD, USER, USER_HOME, USER_TEST_DIR};
pub use vsftpd::{Tls, Vsftpd, VsftpdOptions};

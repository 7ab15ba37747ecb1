//! FTP/FTPS client for ftpmodem.
//!
//! Two halves, on the model of smoltcp and rustls: a sans-IO protocol half ([`reply`],
//! [`command`], [`decode`], [`list`], [`ascii`], [`time`]) made of pure functions and state
//! machines fed with bytes, and a thin async half ([`Session`]) that owns the sockets, the TLS
//! state and the timeouts. The split keeps every parsing decision testable without a server
//! and keeps the I/O code small enough to read in one sitting.
//!
//! The device's channel tasks drive a [`Session`]; every failure is an [`FtpError`] whose
//! [`FtpError::result_class`] maps one-to-one to a module result code.

pub mod ascii;
pub mod command;
pub mod decode;
pub mod error;
pub mod list;
pub mod reply;
mod session;
pub mod time;
pub mod tls;

pub use error::{ErrorClass, FtpError, ProtocolError};
pub use list::{Entry, EntryKind};
pub use reply::{Reply, ReplyCode};
pub use session::net;
pub use session::{
    ConnectConfig, DataMode, DataTlsStats, Download, Listing, Security, Session, Upload,
    MAX_COLLECTED,
};
pub use time::Timestamp;
pub use tls::{ClientAuth, Resume, RootCerts, SessionCache, TlsOptions, TlsVersion};

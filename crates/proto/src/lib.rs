//! The AT protocol of the OneMO ML30x FTP service, without I/O.
//!
//! Bytes in, typed values out, and back: [`Command`] is what a host sends, [`Response`] and
//! [`Urc`] what the module prints. The device parses commands and emits responses; a host does
//! the reverse with the same types, so the two sides cannot disagree about the wire. Nothing
//! here reads a clock, a socket or a file, and nothing panics on input (fuzzed in `fuzz/`).
//!
//! Lines are handled without their framing: a command line without its CR, a response line
//! without the `\r\n` before and after.
#![cfg_attr(not(feature = "std"), no_std)]
extern crate alloc;

mod args;
pub mod clock;
pub mod codes;
pub mod command;
pub mod data_mode;
mod error;
pub mod escape;
pub mod frame;
mod line;
pub mod name;
pub mod profile;
pub mod response;
pub mod syntax;
pub mod types;
pub mod urc;

pub use clock::ClockTime;
pub use codes::{CmeError, ResultCode};
pub use command::{
    CfgRequest, Command, Conn, CredWrite, FtpOp, Retr, SslCfg, SslKey, SslValue, SslVersion,
    Upload, UploadBody,
};
pub use error::ParseError;
pub use name::Name;
pub use profile::{Model, Profile};
pub use response::{RegLocation, Response};
pub use syntax::{Param, SyntaxError};
pub use types::{
    CfgKey, CfgValue, ChannelId, ChannelState, CmeeMode, DataType, Eof, LocalFs, SslMode, TransMode,
};
pub use urc::{SimpleOp, Timestamp, UploadOp, Urc};

/// Strings are at most this long (manual: "最大长度255").
pub use args::MAX_STRING;

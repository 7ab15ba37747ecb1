//! Errors of the host driver: one variant per way a call can fail, carrying the module's own
//! numbers (CME error, result code) where the module gave one, so a program can act on them.

use ftpmodem_proto::{ChannelId, CmeError, ResultCode};
use std::time::Duration;

/// What a failed call reports. Messages never contain a password: neither commands nor their
/// echoes are ever put into an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The module refused the command: `+CME ERROR: <n>` (manual table 4 and 1050-1064).
    #[error("module error {0}")]
    Cme(CmeError),
    /// The module answered plain `ERROR` (unknown command, line too long, or `AT+CMEE=0`).
    #[error("module answered ERROR")]
    Error,
    /// The command was accepted but its report carries a non-zero result code (manual table 5).
    #[error("{op} on channel {}: result {code}", channel.get())]
    Result {
        /// The command whose report failed (`"AT+MFTPCWD"`).
        op: &'static str,
        /// Channel of the report.
        channel: ChannelId,
        /// The module's result code.
        code: ResultCode,
    },
    /// The channel was disconnected (`+MFTPURC: <id>,"conn",0`) while a call waited on it.
    #[error("channel {} was disconnected", .0.get())]
    Disconnected(ChannelId),
    /// Nothing expected arrived in time.
    #[error("timed out after {after:?} waiting for {waiting_for}")]
    Timeout {
        /// The time-out that expired.
        after: Duration,
        /// What was awaited.
        waiting_for: &'static str,
    },
    /// The module printed `+MATREADY` while a command was in progress: it restarted, and the
    /// command's answer will never come.
    #[error("the module restarted (+MATREADY) during the command")]
    Restarted,
    /// The module answered something the protocol does not allow at this point.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The line to the module failed or was closed; the driver has stopped.
    #[error("line to the module closed: {0}")]
    LineClosed(String),
    /// Reading the data to upload or writing the downloaded data failed (the caller's
    /// reader or writer, not the module's line).
    #[error("local I/O: {0}")]
    Local(#[source] std::io::Error),
    /// An argument the module could not take (a string with `"`, CR or LF, too long, a
    /// length out of range); nothing was sent.
    #[error("invalid argument: {0}")]
    Invalid(String),
}

impl Error {
    /// The module's CME error, if this is one.
    pub fn cme(&self) -> Option<CmeError> {
        match self {
            Error::Cme(e) => Some(*e),
            _ => None,
        }
    }

    /// The module's result code, if this is a failed report.
    pub fn result_code(&self) -> Option<ResultCode> {
        match self {
            Error::Result { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Results of the driver.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Errors of the host driver: one variant per way a call can fail, carrying the module's own
//! numbers (CME error, result code) where the module gave one, so a program can act on them.

use ftpmodem_proto::{ChannelId, CmeError, ResultCode};
use std::time::Duration;

/// What a failed call reports. Messages never contain a password: neither commands nor their
/// echoes are ever put into an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The module refused the command: `+CME ERROR: <n>` (manual table 4 and 1050-1064).
    #[error("the module refused the command: {} (+CME ERROR: {})", cme_cause(*.0), .0.code())]
    Cme(CmeError),
    /// The module answered plain `ERROR` (unknown command, line too long, or `AT+CMEE=0`).
    #[error("module answered ERROR")]
    Error,
    /// The command was accepted but its report carries a non-zero result code (manual table 5).
    #[error("{op} on channel {}: {} (result {})", channel.get(), result_cause(op, *code), code.code())]
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
    #[error("the module was silent: no {waiting_for} within {} s{}", after.as_secs_f64(), heard_text(.last_heard))]
    Timeout {
        /// The time-out that expired.
        after: Duration,
        /// What was awaited.
        waiting_for: &'static str,
        /// When the module last printed anything, as the driver saw it: tells a module that
        /// went quiet from one that never spoke. `None` where the waiting side does not know.
        last_heard: Option<LastHeard>,
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

/// The cause of a `+CME ERROR`, in words (manual table 4, NOTES "Errors").
pub fn cme_cause(e: CmeError) -> &'static str {
    match e {
        CmeError::ParameterError => {
            "parameter error: a value out of range, or an option this model does not have \
             (the ML30x hardware models have no FTPS and no active mode)"
        }
        CmeError::FtpUnknown => "unknown FTP error",
        CmeError::FtpNotRunning => "the channel is not connected (log in first)",
        CmeError::FtpRunning => {
            "the channel is busy: connected, or a command is still running on it"
        }
        CmeError::ConnRequest => "the connect request failed",
        CmeError::DiscRequest => "the disconnect request failed",
        CmeError::CwdRequest => "the change-directory request failed",
        CmeError::PwdRequest => "the current-directory request failed",
        CmeError::MkdRequest => "the make-directory request failed",
        CmeError::ListRequest => "the list request failed",
        CmeError::DelRequest => "the delete request failed",
        CmeError::RnRequest => "the rename request failed",
        CmeError::RetrRequest => "the download request failed",
        CmeError::StorRequest => "the upload request failed",
        CmeError::AppeRequest => "the append request failed",
        CmeError::FsError => "the module's file system failed",
        CmeError::FileNotExist => "the module's local file does not exist",
        CmeError::FileExists => "the module's local file exists already",
        CmeError::FileTooLarge => "the file is too large for the module",
        CmeError::MaxOpen => "too many files open on the module",
        CmeError::OpenFail => "the module could not open its local file",
        CmeError::AlreadyOpen => "the module's local file is already open",
        CmeError::WriteFail => "writing the module's local file failed",
        CmeError::ReadFail => "reading the module's local file failed",
        CmeError::ReadOnly => "the module's local file is read-only",
        CmeError::BadDescriptor => "bad file descriptor on the module",
        CmeError::DeleteFail => "deleting the module's local file failed",
        CmeError::ListFail => "listing the module's local files failed",
        CmeError::NoSpace => "no space left on the module",
        CmeError::FsTimeout => "the module's file operation timed out",
        CmeError::NoNetworkService => {
            "no network service: the radio is off (AT+CFUN) or the module is not attached"
        }
        CmeError::SslUnknown => "unknown SSL error",
        CmeError::SslInit => "the module could not set up SSL",
        CmeError::SslServerCert => "the server certificate did not pass the check",
        CmeError::SslHandshakeTimeout => "the TLS handshake timed out",
        CmeError::SslHandshake => "the TLS handshake failed",
        CmeError::SslCertUnknown => "unknown certificate or key",
        CmeError::SslInvalid => "the certificate or key is not valid",
        CmeError::SslNotExist => "no certificate or key of that name is stored (AT+MSSLLIST)",
        CmeError::SslExists => "a certificate or key of that name exists already",
        CmeError::SslWrite => "writing the certificate or key failed",
        CmeError::SslBusy => {
            "another certificate or key is being written in parts: finish it first"
        }
        CmeError::SslRead => "reading the certificate or key failed",
        CmeError::SslDelete => "deleting the certificate or key failed",
        CmeError::SslTooLarge => "the certificate or key is over 8192 bytes",
        CmeError::SslLoad => "loading the certificate or key failed",
        CmeError::OperationNotAllowed => {
            "operation not allowed: the file command has no such form (only AT+MFCFG has a \
             test form)"
        }
        CmeError::SimNotInserted => "SIM not inserted",
        CmeError::Other(_) => "an error code this program does not know",
    }
}

/// The cause of a failed report, in words (manual table 5, NOTES "Errors"); a server's
/// refusal (10) is told per operation, as that is what a user can act on.
pub fn result_cause(op: &str, code: ResultCode) -> &'static str {
    match code {
        ResultCode::Success => "success",
        ResultCode::InProgress => "still in progress",
        ResultCode::Unknown => "unknown result",
        ResultCode::ParameterError => "parameter error",
        ResultCode::Busy => "the channel is still busy with an earlier command",
        ResultCode::Timeout => "the server did not answer within the response time-out",
        ResultCode::ExecError => "the command failed on the module",
        ResultCode::TlsCertificate => "the server's TLS certificate did not verify",
        ResultCode::DnsError => "the server's name did not resolve",
        ResultCode::ConnectTimeout => "connecting to the server timed out",
        ResultCode::ServerError => match op {
            "AT+MFTPCONN" => "login refused by the server (wrong user or password?)",
            "AT+MFTPRETR" | "AT+MFTPSIZE" => "file missing or not permitted (server refused)",
            "AT+MFTPSTOR" | "AT+MFTPAPPE" => {
                "upload refused by the server (no permission, no space, or a bad directory)"
            }
            "AT+MFTPCWD" | "AT+MFTPLIST" => "directory missing or not permitted (server refused)",
            "AT+MFTPDEL" => "missing, not empty or not permitted (server refused)",
            "AT+MFTPMKD" => "exists already or not permitted (server refused)",
            "AT+MFTPRN" => "missing or not permitted (server refused)",
            _ => "the server refused it (a 4xx or 5xx reply)",
        },
        ResultCode::NetworkError => "network connection error (refused, reset or unreachable)",
        ResultCode::BadServerReply => "the server's reply could not be parsed",
        ResultCode::SendError => "sending data failed",
        ResultCode::EmptyDirectory => "empty or missing (the module reports both as 14)",
        ResultCode::OutOfMemory => "the module ran out of memory",
        ResultCode::StorageAccess => "the module's storage could not be accessed",
        ResultCode::TransparentError => "transparent mode failed",
        ResultCode::FileError => "a local file operation on the module failed",
        ResultCode::ZeroSizeFile => "the file to download is empty (size zero)",
        ResultCode::PdpInactive => "the PDP context is not active (no data connection)",
        ResultCode::Other(_) => "a result code this program does not know",
    }
}

/// Results of the driver.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_operation_and_the_cause_in_words() {
        let ch = ChannelId::new(0).unwrap_or_else(|| unreachable!());
        let login = Error::Result {
            op: "AT+MFTPCONN",
            channel: ch,
            code: ResultCode::ServerError,
        };
        assert_eq!(
            login.to_string(),
            "AT+MFTPCONN on channel 0: login refused by the server (wrong user or password?) (result 10)"
        );
        let get = Error::Result {
            op: "AT+MFTPRETR",
            channel: ch,
            code: ResultCode::ServerError,
        };
        assert!(get.to_string().contains("file missing or not permitted"));
        let dns = Error::Result {
            op: "AT+MFTPCONN",
            channel: ch,
            code: ResultCode::DnsError,
        };
        assert!(dns.to_string().contains("name did not resolve (result 8)"));
        let cme = Error::Cme(CmeError::ParameterError).to_string();
        assert!(cme.contains("no FTPS and no active mode") && cme.ends_with("(+CME ERROR: 50)"));
        // Every code has words of its own, not the number alone.
        for n in (0..=20).chain([99]) {
            assert!(!result_cause("AT+MFTPCWD", ResultCode::from_code(n)).is_empty());
        }
        for n in [50, 800, 801, 802, 813, 1050, 1064, 7] {
            assert!(!cme_cause(CmeError::from_code(n)).is_empty());
        }
    }
}

/// When a silent module last printed anything, for [`Error::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastHeard {
    /// Not a byte since the line was opened.
    Never,
    /// This long before the time-out expired.
    Ago(Duration),
}

fn heard_text(h: &Option<LastHeard>) -> String {
    match h {
        None => String::new(),
        Some(LastHeard::Never) => " (not a byte from it since the line was opened)".into(),
        Some(LastHeard::Ago(d)) => format!(" (silent since {:.1} s before that)", d.as_secs_f64()),
    }
}

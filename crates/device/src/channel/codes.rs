//! Outcomes to result codes (manual table 5): the only place where an error becomes a number,
//! so every report of every command uses the same mapping (see the module docs for why each
//! class maps where it does).

use crate::fs::FsError;
use ftpmodem_ftp::{ErrorClass, FtpError};
use ftpmodem_proto::ResultCode;

/// The result code of a failed FTP operation.
pub fn ftp_result_code(e: &FtpError) -> ResultCode {
    match e.result_class() {
        ErrorClass::Timeout => ResultCode::Timeout,
        ErrorClass::Certificate | ErrorClass::TlsConfig => ResultCode::TlsCertificate,
        ErrorClass::Resolve => ResultCode::DnsError,
        ErrorClass::ConnectTimeout => ResultCode::ConnectTimeout,
        ErrorClass::ServerReply => ResultCode::ServerError,
        ErrorClass::Connection => ResultCode::NetworkError,
        ErrorClass::Unparseable => ResultCode::BadServerReply,
        ErrorClass::Send => ResultCode::SendError,
        ErrorClass::InvalidInput => ResultCode::ParameterError,
    }
}

/// The result code of a failed local file operation: 16 when the storage itself failed (host
/// write or I/O failure), 18 for everything about the file (missing, not a file, unreadable,
/// invalid path, already open) and for exhausted storage, which the hardware reports as 18
/// (ONEMO-RELATED.md §D: `+MFTPRETR: 0,18,0,0`).
pub fn fs_result_code(e: &FsError) -> ResultCode {
    match e {
        FsError::WriteFailed { .. } | FsError::RootUnavailable { .. } | FsError::Io { .. } => {
            ResultCode::StorageAccess
        }
        _ => ResultCode::FileError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ftp_classes() {
        assert_eq!(
            ftp_result_code(&FtpError::Timeout(Duration::from_secs(1), "reply")),
            ResultCode::Timeout
        );
        assert_eq!(
            ftp_result_code(&FtpError::Closed(None)),
            ResultCode::NetworkError
        );
        assert_eq!(ftp_result_code(&FtpError::Broken), ResultCode::NetworkError);
        assert_eq!(
            ftp_result_code(&FtpError::TlsConfig("x".into())),
            ResultCode::TlsCertificate
        );
        assert_eq!(
            ftp_result_code(&FtpError::Send(std::io::ErrorKind::BrokenPipe.into())),
            ResultCode::SendError
        );
    }

    #[test]
    fn fs_classes() {
        let full = FsError::NoSpace {
            needed: 10,
            free: 1,
        };
        assert_eq!(fs_result_code(&full), ResultCode::FileError);
        let missing = FsError::NotFound { path: "/x".into() };
        assert_eq!(fs_result_code(&missing), ResultCode::FileError);
        let dir = FsError::IsDirectory { path: "/".into() };
        assert_eq!(fs_result_code(&dir), ResultCode::FileError);
    }
}

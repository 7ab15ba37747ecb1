//! The FTP operations a channel runs, and the one table of how each reports an outcome that
//! carries no data (result 4 for a busy channel, a failure before anything was sent).

use crate::codes::ResultCode;
use crate::types::ChannelId;
use crate::urc::{SimpleOp, UploadOp, Urc};

/// One `AT+MFTP*` operation that reports through a URC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FtpOp {
    /// `+MFTPCONN|DISC|CWD|MKD|DEL|RN: <id>,<code>`.
    Simple(SimpleOp),
    /// `+MFTPPWD: <id>,<code>` (§3.5).
    Pwd,
    /// `+MFTPLIST: <id>,<code>` (§3.7).
    List,
    /// `+MFTPRETR: <id>,<code>` (§3.10).
    Retr,
    /// `+MFTPSTOR|APPE: <id>,<code>,0` (§3.11, §3.12): nothing of the file was sent.
    Upload(UploadOp),
}

impl FtpOp {
    /// The operation's report of `code` when it produced nothing else.
    pub fn report(self, id: ChannelId, code: ResultCode) -> Urc {
        match self {
            FtpOp::Simple(op) => Urc::Result { op, id, code },
            FtpOp::Pwd => Urc::Pwd {
                id,
                code,
                path: None,
            },
            FtpOp::List => Urc::ListResult { id, code },
            FtpOp::Retr => Urc::RetrResult { id, code },
            FtpOp::Upload(op) => Urc::Upload {
                op,
                id,
                code,
                sent: 0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_reports_as_printed() {
        let id = ChannelId::new(1).unwrap();
        let busy = |op: FtpOp| op.report(id, ResultCode::Busy).to_bytes();
        assert_eq!(busy(FtpOp::Simple(SimpleOp::Cwd)), b"+MFTPCWD: 1,4");
        assert_eq!(busy(FtpOp::Pwd), b"+MFTPPWD: 1,4");
        assert_eq!(busy(FtpOp::List), b"+MFTPLIST: 1,4");
        assert_eq!(busy(FtpOp::Retr), b"+MFTPRETR: 1,4");
        assert_eq!(busy(FtpOp::Upload(UploadOp::Appe)), b"+MFTPAPPE: 1,4,0");
    }
}

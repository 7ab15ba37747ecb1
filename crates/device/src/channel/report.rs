//! What every command of a channel task shares: the context it runs in ([`Ctx`]), its last
//! report ([`Final`], sent by [`emit`]), and the one mapping of a failure to its result code
//! ([`failed`], [`fs_failed`]). The command files (`list.rs`, `retr.rs`, `upload.rs`) and the
//! task loop (`task.rs`) all sit on this file; it depends on none of them.

use super::codes::{fs_result_code, ftp_result_code};
use super::io::{Inbox, Outbox, Stop};
use super::options::ChannelOptions;
use crate::fs::Sandbox;
use ftpmodem_ftp::FtpError;
use ftpmodem_proto::{ChannelId, ChannelState, DataType, ResultCode, Urc};

/// A command's last report and the state that follows it (sent only if the session is still
/// usable; otherwise the disconnect sequence follows instead).
#[derive(Debug)]
pub(super) struct Final {
    pub(super) last: Last,
    pub(super) state: Option<ChannelState>,
}

/// What a command's last event carries.
#[derive(Debug)]
pub(super) enum Last {
    /// A report line.
    Report(Urc),
    /// The last data of a download to the serial line, `sum` bytes having been sent before.
    Download { data: bytes::Bytes, sum: u64 },
    /// The end of a download into a local file of `written` bytes (its last block report).
    Saved { written: u64 },
}

impl Final {
    /// A report with no state change.
    pub(super) fn report(urc: Urc) -> Self {
        Final {
            last: Last::Report(urc),
            state: None,
        }
    }

    /// A report followed by `State(Connected)`: the end of a transfer.
    pub(super) fn transfer_end(urc: Urc) -> Self {
        Final {
            last: Last::Report(urc),
            state: Some(ChannelState::Connected),
        }
    }

    /// A local download's last block report, then `State(Connected)`.
    pub(super) fn saved_end(written: u64) -> Self {
        Final {
            last: Last::Saved { written },
            state: Some(ChannelState::Connected),
        }
    }

    /// A download's last data, then `State(Connected)`.
    pub(super) fn download_end(data: bytes::Bytes, sum: u64) -> Self {
        Final {
            last: Last::Download { data, sum },
            state: Some(ChannelState::Connected),
        }
    }
}

/// Sends a command's last event: `done` only if the session survived, since otherwise the
/// `+MFTPURC` that follows ends the command.
pub(super) async fn emit(out: &Outbox, f: Final, usable: bool) -> Result<(), Stop> {
    match f.last {
        Last::Report(urc) => out.report(urc, usable).await?,
        Last::Download { data, sum } => out.download(data, sum, Some(usable)).await?,
        Last::Saved { written } => out.saved(written, Some(usable)).await?,
    }
    if usable {
        if let Some(s) = f.state {
            out.state(s).await?;
        }
    }
    Ok(())
}

/// What a command needs besides the session.
pub(super) struct Ctx<'a> {
    pub(super) inbox: &'a mut Inbox,
    pub(super) out: &'a Outbox,
    pub(super) fs: &'a Sandbox,
    /// `AT+MFTPCFG` data_type: TYPE I, or TYPE A with line-end conversion.
    pub(super) data_type: DataType,
    pub(super) opts: &'a ChannelOptions,
}

/// Logs a failed operation and returns its result code.
pub(super) fn failed(id: ChannelId, e: &FtpError) -> ResultCode {
    let code = ftp_result_code(e);
    tracing::info!(channel = id.get(), error = %e, code = code.code(), "FTP operation failed");
    code
}

/// Logs a failed local file operation and returns its result code.
pub(super) fn fs_failed(id: ChannelId, e: &crate::fs::FsError) -> ResultCode {
    let code = fs_result_code(e);
    tracing::info!(channel = id.get(), error = %e, code = code.code(), "local file operation failed");
    code
}

impl Ctx<'_> {
    /// The FTP client's `ascii` switch for this channel's data type.
    pub(super) fn ascii(&self) -> bool {
        self.data_type == DataType::Ascii
    }
}

//! Ending a download early with `ABOR` (length limit reached, [`super::Download::abort`]).
//!
//! A bare close of the data connection is not enough: some servers (aioftp) end the whole
//! session when a data connection breaks under them without an ABOR. So ABOR goes first,
//! while the data connection is still open, and the data is read and discarded until the
//! server closes it or answers (a server that reads its control connection during a transfer
//! stops at once), at most [`ABOR_DRAIN`] bytes and [`ABOR_DRAIN_TIME`]; then the data
//! connection is closed. A server that does not read its control connection during a
//! transfer (vsftpd without `async_abor_enable`) sees the close, reports the transfer, and
//! only then reads the ABOR.
//!
//! The replies then differ in number and order, which is why the reading is structured:
//! - `426`/`451` (the transfer failed) then the ABOR's own `225`/`226`: vsftpd, pure-ftpd,
//!   proftpd, aioftp;
//! - `226` (the transfer had completed) then `225`/`226` for the ABOR;
//! - `226` for the ABOR at once and the data connection's `426` later, from another task:
//!   libunftp;
//! - `1xx` lines before them (pure-ftpd's statistics) are skipped.
//!
//! So after the first final reply, a second is awaited for [`ABOR_GRACE`]; if none comes, a
//! `NOOP` is sent and replies are read up to its `200`, which marks the end for certain. A
//! reply that comes later still (libunftp's late `426`) is discarded before the next command
//! (`Control::command`).

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::command::Command;
use crate::error::{FtpError, ProtocolError};
use crate::reply::{Reply, ReplyCode};

use super::stream::Stream;
use super::Session;

/// Most bytes read and discarded from the data connection after ABOR before it is closed: a
/// guard against spending [`ABOR_DRAIN_TIME`] reading at loopback speed from a server that
/// does not read ABOR during the transfer, and still enough for one that does to react
/// first (a close it has not asked for ends an aioftp session).
const ABOR_DRAIN: u64 = 8 * 1024 * 1024;

/// Longest wait after ABOR for the server to close the data connection or answer, before the
/// data connection is closed by us.
const ABOR_DRAIN_TIME: Duration = Duration::from_secs(1);

/// How long the reply after the first one is awaited before a NOOP marks the end: long
/// enough for a server's second reply over a slow mobile link.
pub(crate) const ABOR_GRACE: Duration = Duration::from_secs(2);

/// Most `1xx` lines skipped while waiting for a final reply.
const MAX_PRELIMINARY: usize = 4;

/// Reads and discards until EOF, an error, `max` bytes or `until`.
async fn discard(stream: &mut Stream, max: u64, until: Instant) {
    let mut sink = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    while total < max {
        match tokio::time::timeout_at(until, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => total += n as u64,
            _ => break,
        }
    }
}

impl Session {
    /// Aborts the running RETR whose data connection is `data` (see the module docs) and
    /// brings the control connection back in step. An error leaves the session unusable.
    pub(crate) async fn abort_retrieve(&mut self, data: Option<Stream>) -> Result<(), FtpError> {
        self.ctrl.send(&Command::Abor).await?;
        let limit = self.cfg.reply_timeout;
        let early = match data {
            Some(mut d) => {
                let until = Instant::now() + ABOR_DRAIN_TIME.min(limit);
                // Both branches are cancel-safe: a reply that is half read stays buffered.
                let r = tokio::select! {
                    biased;
                    r = self.ctrl.read_reply() => Some(r),
                    () = discard(&mut d, ABOR_DRAIN, until) => None,
                };
                drop(d);
                r
            }
            None => None,
        };
        let first = match early {
            Some(r) => r?,
            None => self.ctrl.read_reply().await?,
        };
        let first = self.skip_preliminary(first, limit).await?;
        tracing::debug!(reply = %first, "transfer aborted");
        if let Some(second) = self.ctrl.read_reply_within(ABOR_GRACE.min(limit)).await? {
            let second = self.skip_preliminary(second, limit).await?;
            tracing::debug!(reply = %second, "ABOR answered");
            return Ok(());
        }
        self.flush_with_noop().await
    }

    /// Skips `1xx` lines up to a final reply, which must not be a `421`.
    async fn skip_preliminary(&mut self, mut r: Reply, limit: Duration) -> Result<Reply, FtpError> {
        for _ in 0..MAX_PRELIMINARY {
            if !r.code.is_positive_preliminary() {
                break;
            }
            r = match self.ctrl.read_reply_within(limit).await? {
                Some(next) => next,
                None => return Err(FtpError::Timeout(limit, "the reply to ABOR")),
            };
        }
        if r.code == ReplyCode::SERVICE_CLOSING {
            return Err(FtpError::Closed(Some(r)));
        }
        Ok(r)
    }

    /// Sends `NOOP` and reads replies up to its `200`: whatever the server still owed comes
    /// before it.
    pub(crate) async fn flush_with_noop(&mut self) -> Result<(), FtpError> {
        self.ctrl.send(&Command::Noop).await?;
        for _ in 0..4 {
            let r = self.ctrl.read_reply().await?;
            match r.code.as_u16() {
                200 => return Ok(()),
                421 => return Err(FtpError::Closed(Some(r))),
                _ => tracing::debug!(reply = %r, "owed reply before the NOOP's"),
            }
        }
        Err(ProtocolError::Unexpected {
            command: "NOOP",
            reply: Reply {
                code: ReplyCode::OK,
                lines: vec!["no 200 among four replies after an early end of transfer".to_owned()],
            },
        }
        .into())
    }
}

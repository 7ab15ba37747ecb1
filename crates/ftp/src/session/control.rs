//! The control connection: commands out, replies in, each wait bounded by the reply timeout.
//!
//! Received bytes go into a fixed buffer and from there through the sans-IO
//! [`ReplyDecoder`]; bytes after a reply stay buffered for the next one. Reading into the
//! buffer is the only await on the receive side, which makes [`Control::fill`] cancel-safe.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use crate::command::Command;
use crate::error::{FtpError, ProtocolError};
use crate::reply::{Reply, ReplyDecoder};

use super::stream::Stream;

const BUF: usize = 4096;

#[derive(Debug)]
pub(crate) struct Control {
    pub(crate) stream: Stream,
    buf: Box<[u8; BUF]>,
    start: usize,
    end: usize,
    decoder: ReplyDecoder,
    pub(crate) reply_timeout: Duration,
    out: Vec<u8>,
}

impl Control {
    pub(crate) fn new(stream: Stream, reply_timeout: Duration) -> Self {
        Self {
            stream,
            buf: Box::new([0; BUF]),
            start: 0,
            end: 0,
            decoder: ReplyDecoder::new(),
            reply_timeout,
            out: Vec::with_capacity(128),
        }
    }

    /// Whether received bytes are waiting to be decoded (must be none when TLS starts, or a
    /// man in the middle could have injected plaintext replies).
    pub(crate) fn has_buffered(&self) -> bool {
        self.start < self.end || self.decoder.is_mid_reply()
    }

    /// Sends one command. An argument that cannot be encoded fails before anything is sent.
    pub(crate) async fn send(&mut self, cmd: &Command<'_>) -> Result<(), FtpError> {
        self.out.clear();
        cmd.encode(&mut self.out)?;
        tracing::debug!(command = %cmd, "ftp >");
        self.write_out().await
    }

    async fn write_out(&mut self) -> Result<(), FtpError> {
        let limit = self.reply_timeout;
        let write = async {
            self.stream.write_all(&self.out).await?;
            self.stream.flush().await
        };
        match timeout(limit, write).await {
            Err(_) => Err(FtpError::Send(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "control connection not writable",
            ))),
            Ok(Err(e)) => Err(FtpError::Send(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Decodes a reply from what is buffered, without waiting.
    pub(crate) fn try_decode(&mut self) -> Result<Option<Reply>, FtpError> {
        while self.start < self.end {
            let (used, reply) = self
                .decoder
                .feed(&self.buf[self.start..self.end])
                .map_err(ProtocolError::from)?;
            self.start += used;
            if let Some(r) = reply {
                tracing::debug!(code = r.code.as_u16(), text = %r.text().escape_debug(), "ftp <");
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// Reads more bytes into the buffer. Cancel-safe. `Ok(0)` is EOF.
    pub(crate) async fn fill(&mut self) -> std::io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == BUF {
            // try_decode consumes everything it is given, so a full buffer has been
            // decoded up to `start`; compact it.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == BUF {
            return Err(std::io::Error::other(
                "control buffer full of undecoded bytes",
            ));
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    /// Waits for the next reply (of any class) within the reply timeout.
    pub(crate) async fn read_reply(&mut self) -> Result<Reply, FtpError> {
        let limit = self.reply_timeout;
        match timeout(limit, self.read_reply_unbounded()).await {
            Err(_) => Err(FtpError::Timeout(limit, "reply")),
            Ok(r) => r,
        }
    }

    async fn read_reply_unbounded(&mut self) -> Result<Reply, FtpError> {
        loop {
            if let Some(r) = self.try_decode()? {
                return Ok(r);
            }
            match self.fill().await {
                Ok(0) => return Err(FtpError::Closed(None)),
                Ok(_) => {}
                Err(e) => return Err(FtpError::Connection(e)),
            }
        }
    }

    /// Sends a command and reads its reply. Replies that arrived unasked before the command
    /// (a late `426` of a transfer a server reported from another task) are discarded first,
    /// so they cannot be taken for this command's reply; a waiting `421` ends the session.
    pub(crate) async fn command(&mut self, cmd: &Command<'_>) -> Result<Reply, FtpError> {
        self.discard_unsolicited().await?;
        self.send(cmd).await?;
        self.read_reply().await
    }

    /// Waits up to `limit` for a reply; `None` when none completed in time. Cancel-safe
    /// reading makes the wait harmless: a partial reply stays buffered.
    pub(crate) async fn read_reply_within(
        &mut self,
        limit: Duration,
    ) -> Result<Option<Reply>, FtpError> {
        match timeout(limit, self.read_reply_unbounded()).await {
            Err(_) => Ok(None),
            Ok(r) => r.map(Some),
        }
    }

    async fn discard_unsolicited(&mut self) -> Result<(), FtpError> {
        // One non-blocking read (`timeout` polls its future once before the clock), then
        // whatever complete replies are buffered.
        match timeout(Duration::ZERO, self.fill()).await {
            Err(_) | Ok(Ok(1..)) => {}
            Ok(Ok(0)) => return Err(FtpError::Closed(None)),
            Ok(Err(e)) => return Err(FtpError::Connection(e)),
        }
        while let Some(r) = self.try_decode()? {
            if r.code == crate::reply::ReplyCode::SERVICE_CLOSING {
                return Err(FtpError::Closed(Some(r)));
            }
            tracing::warn!(reply = %r, "discarding an unsolicited reply");
        }
        Ok(())
    }

    /// Sends a command and requires a positive completion (`2yz`) reply. A 4xx/5xx is a
    /// refusal; anything else is a protocol error.
    pub(crate) async fn expect_2xx(&mut self, cmd: &Command<'_>) -> Result<Reply, FtpError> {
        let reply = self.command(cmd).await?;
        check(cmd.verb(), reply, |r| r.code.is_positive_completion())
    }
}

/// Turns a reply into `Ok` when `ok` accepts it, a refusal when it is 4xx/5xx, and a
/// protocol error otherwise.
pub(crate) fn check(
    verb: &'static str,
    reply: Reply,
    ok: impl FnOnce(&Reply) -> bool,
) -> Result<Reply, FtpError> {
    if ok(&reply) {
        Ok(reply)
    } else if reply.code.is_negative() {
        Err(FtpError::Refused {
            command: verb,
            reply,
        })
    } else {
        Err(ProtocolError::Unexpected {
            command: verb,
            reply,
        }
        .into())
    }
}

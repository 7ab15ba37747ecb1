//! Streaming transfers: [`Download`] (RETR) and [`Upload`] (STOR/APPE).
//!
//! Both borrow the session for their lifetime, so no other command can interleave on the
//! control connection. Neither reads ahead: a download reads from the network only when the
//! caller asks for the next chunk, at most the caller's buffer size, so a slow serial line
//! slows the server down through TCP flow control rather than filling memory.
//!
//! When a length limit leaves at most [`TAIL_DRAIN`] bytes of the file, the rest is read and
//! discarded and the transfer ends normally. Otherwise, ending a download early (length
//! limit reached, or [`Download::abort`]) sends `ABOR` and reads the replies the server owes
//! (see `abort.rs`). Every requested byte has been handed to the caller before that starts,
//! and a download that reached its limit ends with `Ok(0)` even when the server then drops
//! the session: the transfer is complete, and [`Session::is_usable`] tells the session is
//! lost.
//!
//! An upload ended early ([`Upload::abort`]) closes the data connection and waits for the
//! reply the server owes for the transfer: vsftpd and libunftp answer `426`, pure-ftpd a
//! second `150` line with its timing statistics, any server that had already received
//! everything `226`. pure-ftpd over TLS sometimes sends nothing at all, so after a grace
//! period ([`ABANDON_GRACE`]) a `NOOP` is sent and replies are read up to its `200`.
//!
//! As a further guard, the control connection discards complete unsolicited replies that
//! are already waiting before each command is sent. If the sequence does not complete within
//! the reply timeout, the session is unusable and the caller must reconnect.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use crate::ascii::{AsciiDecoder, AsciiEncoder};
use crate::command::{Command, TransferType};
use crate::decode::parse_announced_size;
use crate::error::FtpError;
use crate::reply::ReplyCode;

use super::control::check;
use super::net::DataVerb;
use super::stream::Stream;
use super::Session;

/// Largest single network read or write of a transfer.
const CHUNK: usize = 1024 * 1024;

/// Most bytes read and discarded from an upload's data connection while closing it.
const DRAIN_LIMIT: usize = 64 * 1024;

/// When a download's length limit is reached and at most this much of the file is left (by
/// the size the server announced), the rest is read and discarded instead of closing the
/// connection early: cheaper than a round of early-end handling for a small remainder, and
/// the ordinary end of a transfer is handled alike by every server.
const TAIL_DRAIN: u64 = 64 * 1024;

/// How long the final reply of a transfer ended early is awaited before a NOOP is sent to
/// flush it (see the module docs): long enough for the server to see the closed data
/// connection over a slow mobile link.
const ABANDON_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a download aborted before its first read waits for that read (see `absorb`).
const ABSORB_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// How long an upload's data connection is still drained after the final reply came first.
const DRAIN_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Reads once, waiting at most `wait` (zero: only what has already arrived). On a TLS 1.3
/// data connection that is about to be dropped, or that only ever writes, this stores the
/// session tickets the server sent after the handshake, so the next data connection can
/// still resume.
async fn absorb(stream: &mut Stream, wait: std::time::Duration) {
    let mut sink = [0u8; 4096];
    // `timeout` polls its future once before looking at the clock, so a zero wait is one
    // non-blocking read.
    let _ = timeout(wait, stream.read(&mut sink)).await;
}

/// Reads and discards until EOF, an error or [`DRAIN_LIMIT`] bytes.
async fn drain(stream: &mut Stream) {
    let mut sink = [0u8; 4096];
    let mut total = 0usize;
    while total < DRAIN_LIMIT {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
}

/// A running download. Call [`Download::next_chunk`] until it returns 0.
///
/// Dropping it before the end (without [`Download::abort`]) makes the session unusable.
#[derive(Debug)]
pub struct Download<'a> {
    session: &'a mut Session,
    data: Option<Stream>,
    ascii: Option<AsciiDecoder>,
    raw: Vec<u8>,
    pending: Vec<u8>,
    pending_pos: usize,
    skip: u64,
    remaining: Option<u64>,
    received: u64,
    announced: Option<u64>,
    /// Where the server started (the REST offset when it was accepted).
    start: u64,
    /// Bytes read from the data connection (before conversion and skipping).
    wire_read: u64,
    eof: bool,
    done: bool,
}

/// A running upload. Write with [`Upload::write_all`], end with [`Upload::finish`].
///
/// Dropping it without `finish` or `abort` makes the session unusable.
#[derive(Debug)]
pub struct Upload<'a> {
    session: &'a mut Session,
    data: Option<Stream>,
    ascii: Option<AsciiEncoder>,
    scratch: Vec<u8>,
    sent: u64,
    done: bool,
}

impl Session {
    /// Starts downloading `path`.
    ///
    /// `offset` is a byte position in the server's file, sent as `REST`; a server that
    /// refuses REST gets a plain RETR and the first `offset` bytes are read and discarded.
    /// `limit` caps the bytes delivered; reaching it aborts the transfer (see the module
    /// docs). `ascii` selects `TYPE A` and converts CRLF to LF; offset and limit then count
    /// the server's bytes and the delivered (converted) bytes respectively.
    pub async fn retrieve(
        &mut self,
        path: &str,
        offset: u64,
        limit: Option<u64>,
        ascii: bool,
    ) -> Result<Download<'_>, FtpError> {
        self.begin()?;
        match self.start_retrieve(path, offset, ascii).await {
            Ok((stream, announced, skip)) => Ok(Download {
                start: offset - skip,
                wire_read: 0,
                session: self,
                data: Some(stream),
                ascii: ascii.then(AsciiDecoder::new),
                raw: Vec::new(),
                pending: Vec::new(),
                pending_pos: 0,
                skip,
                remaining: limit,
                received: 0,
                announced,
                eof: false,
                done: false,
            }),
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn start_retrieve(
        &mut self,
        path: &str,
        offset: u64,
        ascii: bool,
    ) -> Result<(Stream, Option<u64>, u64), FtpError> {
        Command::Retr(path).to_bytes()?;
        self.set_type(if ascii {
            TransferType::Ascii
        } else {
            TransferType::Binary
        })
        .await?;
        let mut pending = self.open_data(DataVerb::Retr).await?;
        let mut skip = 0;
        if offset == 0 {
            self.clear_rest().await?;
        } else {
            let r = self.ctrl.command(&Command::Rest(offset)).await?;
            if r.code.is_negative() {
                tracing::debug!(reply = %r, "REST refused, discarding instead");
                skip = offset;
            } else {
                check("REST", r, |r| r.code == ReplyCode::PENDING)?;
                self.rest_dirty = false;
            }
        }
        let mut r = self.ctrl.command(&Command::Retr(path)).await?;
        if skip == 0 && offset > 0 && r.code.is_negative() && r.code != ReplyCode::SERVICE_CLOSING {
            // Some servers take REST and refuse the RETR after it (proftpd with
            // `AllowRetrieveRestart off`: "451 Restart not permitted"). RFC 959 ties a REST to
            // the next transfer command only, so a plain RETR follows, its head discarded. A
            // refusal for another reason (a missing file) is refused again and reported.
            tracing::debug!(reply = %r, "RETR after REST refused, reading from the start instead");
            drop(pending);
            pending = self.open_data(DataVerb::Retr).await?;
            skip = offset;
            r = self.ctrl.command(&Command::Retr(path)).await?;
        }
        let r = check("RETR", r, |r| r.code.is_positive_preliminary())?;
        let stream = self.complete_data(pending).await?;
        Ok((stream, parse_announced_size(&r), skip))
    }

    /// Starts uploading to `path` (`STOR`, or `APPE` when `append`). `ascii` selects
    /// `TYPE A` and converts lone LF to CRLF.
    pub async fn store(
        &mut self,
        path: &str,
        append: bool,
        ascii: bool,
    ) -> Result<Upload<'_>, FtpError> {
        self.begin()?;
        match self.start_store(path, append, ascii).await {
            Ok(stream) => Ok(Upload {
                session: self,
                data: Some(stream),
                ascii: ascii.then(AsciiEncoder::new),
                scratch: Vec::new(),
                sent: 0,
                done: false,
            }),
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn start_store(
        &mut self,
        path: &str,
        append: bool,
        ascii: bool,
    ) -> Result<Stream, FtpError> {
        let cmd = if append {
            Command::Appe(path)
        } else {
            Command::Stor(path)
        };
        cmd.to_bytes()?;
        self.set_type(if ascii {
            TransferType::Ascii
        } else {
            TransferType::Binary
        })
        .await?;
        let verb = if append {
            DataVerb::Appe
        } else {
            DataVerb::Stor
        };
        let pending = self.open_data(verb).await?;
        self.clear_rest().await?;
        let r = self.ctrl.command(&cmd).await?;
        check(cmd.verb(), r, |r| r.code.is_positive_preliminary())?;
        self.complete_data(pending).await
    }

    /// Sends `REST 0` when an earlier early-ended transfer may have left its offset behind.
    async fn clear_rest(&mut self) -> Result<(), FtpError> {
        if self.rest_dirty {
            // A refusal is fine: a server without REST has no offset to forget.
            self.ctrl.command(&Command::Rest(0)).await?;
            self.rest_dirty = false;
        }
        Ok(())
    }

    /// Ends an operation that failed: the bookkeeping of `end`, returning the error.
    pub(crate) fn fail(&mut self, e: FtpError) -> FtpError {
        let r: Result<(), FtpError> = Err(e);
        self.end(&r);
        match r {
            Err(e) => e,
            Ok(()) => FtpError::Broken,
        }
    }

    /// Reads the final reply of a transfer whose data connection is closed.
    async fn transfer_reply(&mut self, verb: &'static str) -> Result<(), FtpError> {
        let r = self.ctrl.read_reply().await?;
        check(verb, r, |r| r.code.is_positive_completion()).map(|_| ())
    }

    /// After the data connection of an unfinished transfer was closed: brings the control
    /// connection back in step (see the module docs).
    async fn abandon_reply(&mut self) -> Result<(), FtpError> {
        let grace = ABANDON_GRACE.min(self.cfg.reply_timeout);
        if let Some(r) = self.ctrl.read_reply_within(grace).await? {
            if r.code == ReplyCode::SERVICE_CLOSING {
                return Err(FtpError::Closed(Some(r)));
            }
            if !r.code.is_positive_preliminary() {
                tracing::debug!(reply = %r, "transfer ended early");
                return Ok(());
            }
        }
        // No final reply (pure-ftpd over TLS sends none, or keeps it until the next
        // command): a NOOP flushes whatever is owed, and its 200 marks the end.
        self.flush_with_noop().await
    }
}

impl Download<'_> {
    /// The size the server announced in its `150` reply, if it did (vsftpd, pure-ftpd do).
    pub fn announced_size(&self) -> Option<u64> {
        self.announced
    }

    /// Bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Fills `buf` with the next bytes and returns how many. `0` means the download is over:
    /// the final reply was `2xx`, or the limit was reached and the abort completed, or the
    /// limit was reached and the server then dropped the session ([`Session::is_usable`] is
    /// false then). A refusal in the final reply (`426`, `451`) is
    /// [`FtpError::Refused`] and leaves the session usable.
    pub async fn next_chunk(&mut self, buf: &mut [u8]) -> Result<usize, FtpError> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        match self.step(buf).await {
            Ok(n) => {
                if n == 0 {
                    self.done = true;
                    self.session.end(&Ok::<(), FtpError>(()));
                }
                Ok(n)
            }
            Err(e) => {
                self.done = true;
                self.data = None;
                Err(self.session.fail(e))
            }
        }
    }

    /// Appends the next bytes to `buf`, at most `max`: [`Download::next_chunk`] for a caller
    /// that hands each buffer on. In the common case (binary, no offset to skip) the bytes go
    /// straight into `buf`'s spare capacity, which is not zeroed first.
    pub async fn next_chunk_into(
        &mut self,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> Result<usize, FtpError> {
        let direct = !self.done
            && !self.eof
            && self.ascii.is_none()
            && self.skip == 0
            && self.pending_pos >= self.pending.len()
            && self.remaining != Some(0)
            && self.data.is_some();
        if !direct || max == 0 {
            let len = buf.len();
            buf.resize(len + max, 0);
            let r = self.next_chunk(&mut buf[len..]).await;
            buf.truncate(len + r.as_ref().map_or(0, |n| *n));
            return r;
        }
        let want = match self.remaining {
            Some(rem) => max.min(usize::try_from(rem).unwrap_or(usize::MAX)),
            None => max,
        }
        .min(CHUNK);
        match self.read_data_into(buf, want).await {
            Ok(0) => {
                // End of the data: the general path reads the final reply (no byte can come).
                self.eof = true;
                let mut none = [0u8; 1];
                self.next_chunk(&mut none).await
            }
            Ok(n) => {
                self.delivered(n);
                Ok(n)
            }
            Err(e) => {
                self.done = true;
                self.data = None;
                Err(self.session.fail(e))
            }
        }
    }

    async fn step(&mut self, buf: &mut [u8]) -> Result<usize, FtpError> {
        loop {
            if self.pending_pos < self.pending.len() {
                let mut n = buf.len().min(self.pending.len() - self.pending_pos);
                if let Some(rem) = self.remaining {
                    n = n.min(usize::try_from(rem).unwrap_or(usize::MAX));
                }
                if n > 0 {
                    buf[..n].copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + n]);
                    self.pending_pos += n;
                    self.delivered(n);
                    return Ok(n);
                }
            }
            if self.eof {
                self.data = None;
                self.session.transfer_reply("RETR").await?;
                return Ok(0);
            }
            if self.remaining == Some(0) {
                let tail = self
                    .announced
                    .map(|size| size.saturating_sub(self.start + self.wire_read));
                if tail.is_some_and(|t| t <= TAIL_DRAIN) && self.drain_tail().await? {
                    // The rest of the file was small: read to the end, and the transfer
                    // ends normally, which every server handles the same way.
                    self.data = None;
                    self.session.transfer_reply("RETR").await?;
                } else {
                    let data = self.data.take();
                    self.session.rest_dirty |= self.start > 0;
                    if let Err(e) = self.session.abort_retrieve(data).await {
                        // Every requested byte was delivered: the download succeeded, and
                        // only the session is lost (aioftp ends it on an early end).
                        tracing::info!(error = %e, "session lost after the requested bytes");
                        self.session.broken = true;
                    }
                }
                return Ok(0);
            }
            let want = match self.remaining {
                Some(rem) => buf.len().min(usize::try_from(rem).unwrap_or(usize::MAX)),
                None => buf.len(),
            }
            .min(CHUNK);
            if self.ascii.is_none() && self.skip == 0 {
                // The common case: straight into the caller's buffer.
                let n = self.read_data(&mut buf[..want]).await?;
                if n == 0 {
                    self.eof = true;
                    continue;
                }
                self.delivered(n);
                return Ok(n);
            }
            self.raw.resize(want, 0);
            let mut raw = std::mem::take(&mut self.raw);
            let n = self.read_data(&mut raw[..want]).await;
            let n = match n {
                Ok(n) => n,
                Err(e) => {
                    self.raw = raw;
                    return Err(e);
                }
            };
            match (&mut self.ascii, n) {
                (Some(dec), 0) => dec.finish(&mut self.pending),
                (Some(dec), n) => {
                    dec.decode(&raw[..n], &mut self.pending);
                }
                (None, n) => {
                    self.pending.clear();
                    self.pending.extend_from_slice(&raw[..n]);
                }
            }
            self.raw = raw;
            self.eof = n == 0;
            let skip = usize::try_from(self.skip)
                .unwrap_or(usize::MAX)
                .min(self.pending.len());
            self.pending_pos = skip;
            self.skip -= skip as u64;
        }
    }

    fn delivered(&mut self, n: usize) {
        self.received += n as u64;
        if let Some(rem) = &mut self.remaining {
            *rem -= n as u64;
        }
    }

    /// Reads and discards the rest of the file; `false` when it turned out larger than
    /// announced (the caller then closes the connection instead).
    async fn drain_tail(&mut self) -> Result<bool, FtpError> {
        let mut sink = vec![0u8; 16 * 1024];
        let mut total = 0u64;
        loop {
            let n = self.read_data(&mut sink).await?;
            if n == 0 {
                return Ok(true);
            }
            total += n as u64;
            if total > 2 * TAIL_DRAIN {
                return Ok(false);
            }
        }
    }

    async fn read_data(&mut self, dst: &mut [u8]) -> Result<usize, FtpError> {
        let limit = self.session.cfg.reply_timeout;
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        let r = timeout(limit, data.read(dst)).await;
        self.count_read(r)
    }

    /// [`Download::read_data`] into the spare capacity of `dst`, at most `want` bytes.
    async fn read_data_into(&mut self, dst: &mut Vec<u8>, want: usize) -> Result<usize, FtpError> {
        let limit = self.session.cfg.reply_timeout;
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        dst.reserve(want);
        let mut room = bytes::BufMut::limit(&mut *dst, want);
        let r = timeout(limit, data.read_buf(&mut room)).await;
        self.count_read(r)
    }

    fn count_read(
        &mut self,
        r: Result<std::io::Result<usize>, tokio::time::error::Elapsed>,
    ) -> Result<usize, FtpError> {
        match r {
            Err(_) => Err(FtpError::Timeout(
                self.session.cfg.reply_timeout,
                "download data",
            )),
            Ok(Ok(n)) => {
                self.wire_read += n as u64;
                Ok(n)
            }
            // A TLS peer closing without close_notify: the end of the data; the final
            // reply tells whether the file was complete.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
            Ok(Err(e)) => Err(FtpError::Connection(e)),
        }
    }

    /// Stops the download early and brings the control connection back in step.
    pub async fn abort(mut self) -> Result<(), FtpError> {
        if self.done {
            return Ok(());
        }
        self.done = true;
        let mut data = self.data.take();
        if let Some(data) = data.as_mut() {
            if self.wire_read == 0 {
                // A download's ticket comes before its data, which flows at once: one read
                // (briefly awaited) is enough to have it.
                absorb(data, ABSORB_WAIT.min(self.session.cfg.reply_timeout)).await;
            }
        }
        self.session.rest_dirty |= self.start > 0;
        match self.session.abort_retrieve(data).await {
            Ok(()) => {
                self.session.end(&Ok::<(), FtpError>(()));
                Ok(())
            }
            Err(e) => Err(self.session.fail(e)),
        }
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.session.busy = false;
            self.session.broken = true;
        }
    }
}

impl Upload<'_> {
    /// Bytes accepted from the caller so far (before ASCII conversion).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Sends `data` on the data connection. A stall of `reply_timeout` is a timeout; a write
    /// error is a send error, or the server's refusal if it explained itself on the control
    /// connection (e.g. `552` quota exceeded).
    pub async fn write_all(&mut self, data: &[u8]) -> Result<(), FtpError> {
        if self.done {
            return Err(FtpError::Broken);
        }
        match self.write_inner(data).await {
            Ok(()) => {
                self.sent += data.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.done = true;
                self.data = None;
                let e = match e {
                    FtpError::Send(_) => self.explain(e).await,
                    e => e,
                };
                Err(self.session.fail(e))
            }
        }
    }

    async fn write_inner(&mut self, data: &[u8]) -> Result<(), FtpError> {
        let limit = self.session.cfg.reply_timeout;
        for piece in data.chunks(CHUNK) {
            let bytes: &[u8] = match &mut self.ascii {
                Some(enc) => {
                    enc.encode(piece, &mut self.scratch);
                    &self.scratch
                }
                None => piece,
            };
            let Some(stream) = self.data.as_mut() else {
                return Err(FtpError::Broken);
            };
            if self.sent == 0 {
                absorb(stream, std::time::Duration::ZERO).await;
            }
            match timeout(limit, stream.write_all(bytes)).await {
                Err(_) => return Err(FtpError::Timeout(limit, "upload data to be accepted")),
                Ok(Err(e)) => return Err(FtpError::Send(e)),
                Ok(Ok(())) => {}
            }
        }
        Ok(())
    }

    /// After a failed data write: a server that refused the upload says why on the control
    /// connection; return that refusal instead of the bare write error.
    async fn explain(&mut self, write_error: FtpError) -> FtpError {
        match self.session.ctrl.read_reply().await {
            Ok(r) if r.code.is_negative() => FtpError::Refused {
                command: "STOR",
                reply: r,
            },
            _ => write_error,
        }
    }

    /// Resolves when the server ends the upload by itself: its data connection closes or
    /// breaks, or something arrives on the control connection, where a server says nothing
    /// during an upload unless it gives up (`426`, `451`, `552`, `421`) or dies (EOF, reset).
    /// A caller waiting for its next data races this against that wait, so a dead server is
    /// noticed when it dies rather than at the next write; [`Upload::finish`] then returns
    /// the server's verdict (its refusal, or the broken connection).
    ///
    /// Cancel-safe: control bytes stay buffered for the reply that [`Upload::finish`] reads.
    /// A server sends no data on an upload's connection (TLS session tickets are taken by TLS
    /// underneath), so the few bytes a misbehaving one might send there are dropped.
    pub async fn closed(&mut self) {
        if self.done || self.session.ctrl.has_buffered() {
            return;
        }
        let Some(data) = self.data.as_mut() else {
            return;
        };
        let ctrl = &mut self.session.ctrl;
        let mut sink = [0u8; 512];
        loop {
            tokio::select! {
                r = data.read(&mut sink) => match r {
                    Ok(0) | Err(_) => return,
                    Ok(n) => tracing::debug!(bytes = n, "unexpected data from the server during an upload dropped"),
                },
                // Any byte, EOF or error on the control connection: the server acted.
                _ = ctrl.fill() => return,
            }
        }
    }

    /// Closes the data connection (TLS close_notify first) and waits for the server's
    /// confirmation (`226`). Returns the bytes accepted from the caller.
    pub async fn finish(mut self) -> Result<u64, FtpError> {
        self.done = true;
        let r = self.finish_inner().await;
        match r {
            Ok(()) => {
                self.session.end(&Ok::<(), FtpError>(()));
                Ok(self.sent)
            }
            Err(e) => Err(self.session.fail(e)),
        }
    }

    async fn finish_inner(&mut self) -> Result<(), FtpError> {
        let limit = self.session.cfg.reply_timeout;
        let Some(mut stream) = self.data.take() else {
            return self.session.transfer_reply("STOR").await;
        };
        match timeout(limit, stream.shutdown()).await {
            Err(_) => return Err(FtpError::Timeout(limit, "upload data to be accepted")),
            Ok(Err(e)) => return Err(FtpError::Send(e)),
            Ok(Ok(())) => {}
        }
        // Drain the data connection until the server closes it: closing a socket with unread
        // bytes in its receive queue (a TLS 1.3 NewSessionTicket the server sent after the
        // handshake) makes the kernel send RST, and vsftpd then reports the upload as failed
        // ("426 Failure reading network stream"). Reading also stores those tickets, without
        // which the next data connection cannot resume and vsftpd refuses it ("522 session
        // reuse required"). The drain is polled first, so that a server that closes the data
        // connection and then sends 226 (vsftpd) is drained completely; a server that keeps
        // the data connection open after its reply gets a short grace period.
        let early = tokio::select! {
            biased;
            _ = timeout(limit, drain(&mut stream)) => None,
            r = self.session.ctrl.read_reply() => Some(r),
        };
        if early.is_some() {
            let _ = timeout(DRAIN_GRACE.min(limit), drain(&mut stream)).await;
        }
        drop(stream);
        let r = match early {
            Some(r) => r?,
            None => self.session.ctrl.read_reply().await?,
        };
        check("STOR", r, |r| r.code.is_positive_completion()).map(|_| ())
    }

    /// Abandons the upload: closes the data connection and aborts (the server may keep what
    /// it received so far).
    pub async fn abort(mut self) -> Result<(), FtpError> {
        self.done = true;
        if let Some(mut data) = self.data.take() {
            absorb(&mut data, std::time::Duration::ZERO).await;
        }
        match self.session.abandon_reply().await {
            Ok(()) => {
                self.session.end(&Ok::<(), FtpError>(()));
                Ok(())
            }
            Err(e) => Err(self.session.fail(e)),
        }
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.session.busy = false;
            self.session.broken = true;
        }
    }
}

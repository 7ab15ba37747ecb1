//! File transfers of a channel: `AT+MFTPRETR` (§3.10), `AT+MFTPSTOR` (§3.12) and
//! `AT+MFTPAPPE` (§3.11), streamed: nothing holds more than one chunk or packet.

use crate::channel::{check, join_opt, sleep_opt, state_of, Channel};
use crate::driver::Data;
use crate::error::{Error, Result};
use crate::types::{arg, Range, UploadMode};
use crate::upload_name;
use ftpmodem_proto::command::PROMPT_DATA_MAX;
use ftpmodem_proto::{
    ChannelState, Command, Eof, ResultCode, Retr, Upload, UploadBody, UploadOp, Urc,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use ftpmodem_proto::data_mode::CTRL_Z;

/// Chunks read ahead of the line in transparent mode.
const TRANSPARENT_QUEUE: usize = 4;
/// Bytes per transparent-mode write.
const TRANSPARENT_CHUNK: usize = 4096;

impl Channel {
    /// Downloads `file` (or the part `range` says) into `out`, through the serial line
    /// (local_fs 0). Returns the bytes written. An empty file (result 19) is 0 bytes, and so is
    /// an offset at or past the end (result 3 with an offset).
    ///
    /// The module marks no last chunk: when chunks pause, the call asks `AT+MFTPSTATE`, which
    /// turns back from 2 to 1 only after the last chunk was printed (spec NOTES.md
    /// "AT+MFTPRETR").
    pub async fn retrieve<W>(&self, file: &str, out: &mut W, range: Range) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let id = self.id;
        let mut sub = self.subscribe().await;
        let cmd = Command::MftpRetr(Retr {
            id,
            file: arg("file name", file)?,
            local: None,
            offset: (range.offset > 0).then_some(range.offset),
            length: range.length,
        });
        if range.length == Some(0) {
            return Err(Error::Invalid("a length of 0 bytes".into()));
        }
        sub.command(&cmd).await?;
        let mut total = 0u64;
        let mut largest = 0usize;
        let mut poll: Option<tokio::task::JoinHandle<Result<ChannelState>>> = None;
        let mut last = Instant::now();
        let idle = self.modem.opts.poll_idle;
        let timeout = self.report_timeout();
        loop {
            let poll_at = (total > 0 && poll.is_none()).then_some(last + idle);
            tokio::select! {
                u = sub.next(timeout, "+MFTPRETR") => match u? {
                    Urc::RetrData { sum, data, .. } => {
                        last = Instant::now();
                        let n = data.len() as u64;
                        if sum != total + n {
                            return Err(Error::Protocol(format!(
                                "+MFTPRETR sum {sum} after {total} bytes and a chunk of {n}"
                            )));
                        }
                        out.write_all(&data).await.map_err(Error::Local)?;
                        total = sum;
                        if range.length.is_some_and(|l| total >= l) {
                            break;
                        }
                        // A chunk shorter than the ones before is most likely the last.
                        if data.len() < largest {
                            last = Instant::now().checked_sub(idle).unwrap_or(last);
                        }
                        largest = largest.max(data.len());
                    }
                    Urc::RetrResult { code: ResultCode::ZeroSizeFile, .. } if total == 0 => break,
                    // An offset at or past the end (ONEMO-RELATED.md §D): nothing from there,
                    // as an empty file is nothing (a resumed download that was complete).
                    Urc::RetrResult { code: ResultCode::ParameterError, .. }
                        if total == 0 && range.offset > 0 => break,
                    Urc::RetrResult { code, .. } => {
                        check("AT+MFTPRETR", id, code)?;
                        return Err(Error::Protocol("+MFTPRETR result 0 without data".into()));
                    }
                    Urc::ConnState { .. } => return Err(Error::Disconnected(id)),
                    _ => {}
                },
                s = join_opt(&mut poll) => {
                    poll = None;
                    last = Instant::now();
                    match s? {
                        ChannelState::Downloading => {}
                        ChannelState::Disconnected => return Err(Error::Disconnected(id)),
                        ChannelState::Connected | ChannelState::Uploading => break,
                    }
                }
                () = sleep_opt(poll_at) => {
                    let m = self.modem.clone();
                    poll = Some(tokio::spawn(async move { state_of(&m, id).await }));
                }
            }
        }
        out.flush().await.map_err(Error::Local)?;
        Ok(total)
    }

    /// Downloads `file` into the module's own file system as `local` (local_fs 1). Returns
    /// the bytes saved; an empty file (result 19, the local file is left empty) is 0.
    ///
    /// The module reports every 1024-byte block written (`+MFTPRETR: <id>,0,<sum>,<this>`,
    /// ONEMO-RELATED.md §D) and marks no last one: as for [`Channel::retrieve`], when the
    /// reports pause the call asks `AT+MFTPSTATE`, which turns back to 1 only after the last.
    pub async fn retrieve_local(&self, file: &str, local: &str, range: Range) -> Result<u64> {
        let id = self.id;
        let mut sub = self.subscribe().await;
        let cmd = Command::MftpRetr(Retr {
            id,
            file: arg("file name", file)?,
            local: Some(arg("local file name", local)?),
            offset: (range.offset > 0).then_some(range.offset),
            length: range.length,
        });
        sub.command(&cmd).await?;
        let mut total = 0u64;
        let mut poll: Option<tokio::task::JoinHandle<Result<ChannelState>>> = None;
        let mut last = Instant::now();
        let idle = self.modem.opts.poll_idle;
        let timeout = self.report_timeout();
        loop {
            let poll_at = (total > 0 && poll.is_none()).then_some(last + idle);
            tokio::select! {
                u = sub.next(timeout, "+MFTPRETR") => match u? {
                    Urc::RetrSaved { sum, .. } => {
                        total = sum;
                        last = Instant::now();
                        if range.length.is_some_and(|l| l > 0 && total >= l) {
                            break;
                        }
                    }
                    Urc::RetrResult {
                        code: ResultCode::ZeroSizeFile,
                        ..
                    } if total == 0 => return Ok(0),
                    // An offset at or past the end: nothing from there (see `retrieve`).
                    Urc::RetrResult {
                        code: ResultCode::ParameterError,
                        ..
                    } if total == 0 && range.offset > 0 => return Ok(0),
                    Urc::RetrResult { code, .. } | Urc::RetrLocalFailed { code, .. } => {
                        check("AT+MFTPRETR", id, code)?;
                        return Err(Error::Protocol("+MFTPRETR result 0 without sizes".into()));
                    }
                    Urc::ConnState { .. } => return Err(Error::Disconnected(id)),
                    _ => {}
                },
                s = join_opt(&mut poll) => {
                    poll = None;
                    last = Instant::now();
                    match s? {
                        ChannelState::Downloading => {}
                        ChannelState::Disconnected => return Err(Error::Disconnected(id)),
                        ChannelState::Connected | ChannelState::Uploading => break,
                    }
                }
                () = sleep_opt(poll_at) => {
                    let m = self.modem.clone();
                    poll = Some(tokio::spawn(async move { state_of(&m, id).await }));
                }
            }
        }
        Ok(total)
    }

    /// Uploads `src` as `file`, replacing it (`AT+MFTPSTOR`, local_fs 0). Returns the bytes
    /// the module reports sent.
    pub async fn store<R>(&self, file: &str, src: &mut R, mode: UploadMode) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        self.upload(UploadOp::Stor, file, src, mode).await
    }

    /// Uploads `src` to the end of `file` (`AT+MFTPAPPE`, local_fs 0).
    pub async fn append<R>(&self, file: &str, src: &mut R, mode: UploadMode) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        self.upload(UploadOp::Appe, file, src, mode).await
    }

    /// Uploads the module's own file `local` as `file` (`AT+MFTPSTOR`, local_fs 1).
    pub async fn store_local(&self, file: &str, local: &str) -> Result<u64> {
        self.upload_local(UploadOp::Stor, file, local).await
    }

    /// Appends the module's own file `local` to `file` (`AT+MFTPAPPE`, local_fs 1).
    pub async fn append_local(&self, file: &str, local: &str) -> Result<u64> {
        self.upload_local(UploadOp::Appe, file, local).await
    }

    async fn upload_local(&self, op: UploadOp, file: &str, local: &str) -> Result<u64> {
        let mut sub = self.subscribe().await;
        let body = UploadBody::Local(arg("local file name", local)?);
        let cmd = upload_cmd(op, self.id, arg("file name", file)?, body);
        sub.command(&cmd).await?;
        self.upload_report(&mut sub, op).await
    }

    /// Waits for the `+MFTPSTOR|APPE` report of a packet or a whole upload.
    async fn upload_report(
        &self,
        sub: &mut crate::channel::Subscription,
        op: UploadOp,
    ) -> Result<u64> {
        loop {
            match sub.next(self.report_timeout(), upload_name(op)).await? {
                Urc::Upload {
                    op: o, code, sent, ..
                } if o == op => {
                    check(upload_name(op), self.id, code)?;
                    return Ok(sent);
                }
                Urc::ConnState { .. } => return Err(Error::Disconnected(self.id)),
                _ => {}
            }
        }
    }

    async fn upload<R>(
        &self,
        op: UploadOp,
        file: &str,
        src: &mut R,
        mode: UploadMode,
    ) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        let file = arg("file name", file)?;
        let mut sub = self.subscribe().await;
        match mode {
            UploadMode::Prompt => self.upload_prompt(&mut sub, op, file, src).await,
            UploadMode::Transparent => self.upload_transparent(&mut sub, op, file, src).await,
        }
    }

    async fn upload_prompt<R>(
        &self,
        sub: &mut crate::channel::Subscription,
        op: UploadOp,
        file: String,
        src: &mut R,
    ) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        let max = usize::from(PROMPT_DATA_MAX);
        let timeout = self.modem.opts.command_timeout;
        let mut packet = read_full(src, max).await?;
        if packet.is_empty() {
            // A length must be 1-4096: an empty file is an empty Ctrl+Z packet.
            let cmd = upload_cmd(op, self.id, file, UploadBody::Prompt { eof: Eof::Last });
            sub.submit(cmd.to_bytes(), Data::Prompt(vec![CTRL_Z], 0), timeout)
                .await?;
            return self.upload_report(sub, op).await;
        }
        loop {
            let next = read_full(src, max).await?;
            let eof = Eof::from(next.is_empty());
            let len = u16::try_from(packet.len()).unwrap_or(PROMPT_DATA_MAX);
            let cmd = upload_cmd(
                op,
                self.id,
                file.clone(),
                UploadBody::PromptLen { eof, len },
            );
            let echoed = packet.len() as u64;
            sub.submit(cmd.to_bytes(), Data::Prompt(packet, echoed), timeout)
                .await?;
            let sent = self.upload_report(sub, op).await?;
            if eof == Eof::Last {
                return Ok(sent);
            }
            packet = next;
        }
    }

    async fn upload_transparent<R>(
        &self,
        sub: &mut crate::channel::Subscription,
        op: UploadOp,
        file: String,
        src: &mut R,
    ) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        let cmd = upload_cmd(op, self.id, file, UploadBody::Transparent);
        let (tx, rx) = mpsc::channel(TRANSPARENT_QUEUE);
        let data = Data::Transparent {
            channel: self.id,
            chunks: rx,
        };
        let call = sub.submit(cmd.to_bytes(), data, self.modem.opts.command_timeout);
        let pump = pump(src, tx);
        let (answer, pumped) = tokio::join!(call, pump);
        answer?;
        pumped?;
        self.upload_report(sub, op).await
    }
}

fn upload_cmd(
    op: UploadOp,
    id: ftpmodem_proto::ChannelId,
    file: String,
    body: UploadBody,
) -> Command {
    let u = Upload { id, file, body };
    match op {
        UploadOp::Stor => Command::MftpStor(u),
        UploadOp::Appe => Command::MftpAppe(u),
    }
}

/// Reads until `max` bytes or the end of `src`.
async fn read_full<R>(src: &mut R, max: usize) -> Result<Vec<u8>>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let mut buf = vec![0u8; max];
    let mut n = 0;
    while n < max {
        let got = src
            .read(buf.get_mut(n..).unwrap_or_default())
            .await
            .map_err(Error::Local)?;
        if got == 0 {
            break;
        }
        n += got;
    }
    buf.truncate(n);
    Ok(buf)
}

/// Feeds transparent mode from `src`. Trailing `+` of a read are held back and sent with
/// what follows, so that data never ends a write with `+` that a pause of the source could
/// turn into the guarded escape (V.25ter: `+++` after and before a second of silence).
async fn pump<R>(src: &mut R, tx: mpsc::Sender<Vec<u8>>) -> Result<()>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let mut held: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; TRANSPARENT_CHUNK];
    loop {
        let n = src.read(&mut buf).await.map_err(Error::Local)?;
        let got = buf.get(..n).unwrap_or_default();
        if n == 0 {
            if !held.is_empty() && tx.send(held).await.is_err() {
                return Ok(());
            }
            return Ok(());
        }
        let keep = got.iter().rev().take_while(|b| **b == b'+').count().min(3);
        let mut chunk = std::mem::take(&mut held);
        chunk.extend_from_slice(got);
        held = chunk.split_off(chunk.len() - keep);
        if chunk.is_empty() {
            continue;
        }
        if tx.send(chunk).await.is_err() {
            // The driver ended the upload (it failed); the answer says why.
            return Ok(());
        }
    }
}

//! `list`: MLSD where the server has it, LIST otherwise, MLST for a single file.

use tokio::io::AsyncReadExt;
use tokio::time::timeout;

use crate::command::Command;
use crate::error::{FtpError, ProtocolError};
use crate::list::{parse_listing, parse_mlsd_line, Entry, ListingBuffer, ListingFormat};
use crate::reply::Reply;
use crate::time::Timestamp;

use super::control::check;
use super::data::is_unimplemented;
use super::{guarded, Session};

impl Session {
    /// Lists a directory (or describes a file), `.` and `..` left out. An empty `path` lists
    /// the current directory.
    ///
    /// Order of attempts: `MLSD path` unless the server lacks it (FEAT without `MLST`, or a
    /// `500`/`502` earlier, remembered); if MLSD refuses the path (servers answer `501`/`550`
    /// for a file), `MLST path` on the control connection; if MLST is unsupported, `LIST path`.
    /// A path that MLSD and MLST both refuse is reported with the MLSD refusal.
    ///
    /// An empty directory is `Ok(vec![])`; a listing in which no line parses is a protocol
    /// error (result 12).
    pub async fn list(&mut self, path: &str) -> Result<Vec<Entry>, FtpError> {
        guarded!(self, s, {
            let arg = (!path.is_empty()).then_some(path);
            if s.features.params("MLST").is_none() && !s.features.entries_empty() {
                s.mlsd_refused = true;
            }
            if !s.mlsd_refused {
                match s.listing(Command::Mlsd(arg), ListingFormat::Mlsd).await {
                    Ok(v) => return Ok(v),
                    Err(FtpError::Refused { reply, .. }) if is_unimplemented(&reply) => {
                        s.mlsd_refused = true;
                    }
                    Err(FtpError::Refused { command, reply }) if arg.is_some() => {
                        match s.mlst(path).await {
                            Ok(v) => return Ok(v),
                            Err(FtpError::Refused { reply: r2, .. }) if is_unimplemented(&r2) => {}
                            Err(FtpError::Refused { .. }) => {
                                return Err(FtpError::Refused { command, reply })
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            s.listing(Command::List(arg), ListingFormat::List).await
        })
    }

    async fn mlst(&mut self, path: &str) -> Result<Vec<Entry>, FtpError> {
        let r = self.ctrl.expect_2xx(&Command::Mlst(Some(path))).await?;
        let facts = fact_line(&r).ok_or_else(|| ProtocolError::Undecodable {
            command: "MLST",
            reply: r.clone(),
        })?;
        let mut entry = parse_mlsd_line(facts.trim_start()).ok_or(ProtocolError::Undecodable {
            command: "MLST",
            reply: r.clone(),
        })?;
        // MLST names the path as given; the device lists names.
        if let Some(base) = entry.name.rsplit('/').find(|s| !s.is_empty()) {
            entry.name = base.to_owned();
        }
        Ok(vec![entry])
    }

    /// Runs a listing command over a data connection and parses the result.
    async fn listing(
        &mut self,
        cmd: Command<'_>,
        format: ListingFormat,
    ) -> Result<Vec<Entry>, FtpError> {
        let pending = self.open_data().await?;
        let r = self.ctrl.command(&cmd).await?;
        if r.code.is_positive_completion() {
            // No data connection at all: some servers answer an empty listing this way.
            return Ok(Vec::new());
        }
        check(cmd.verb(), r, |r| r.code.is_positive_preliminary())?;
        let mut data = self.complete_data(pending).await?;
        let mut buf = ListingBuffer::default();
        let mut chunk = vec![0u8; 16 * 1024];
        let limit = self.cfg.reply_timeout;
        loop {
            match timeout(limit, data.read(&mut chunk)).await {
                Err(_) => return Err(FtpError::Timeout(limit, "listing data")),
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => buf.push(&chunk[..n]).map_err(ProtocolError::from)?,
                // A TLS peer that closes without close_notify: the end of the data, and the
                // final reply tells whether it was complete.
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Ok(Err(e)) => return Err(FtpError::Connection(e)),
            }
        }
        drop(data);
        let fin = self.ctrl.read_reply().await?;
        check(cmd.verb(), fin, |r| r.code.is_positive_completion())?;
        let lines = buf.finish().map_err(ProtocolError::from)?;
        let entries = parse_listing(lines.iter().map(String::as_str), format, Timestamp::now())
            .map_err(ProtocolError::from)?;
        Ok(entries)
    }
}

/// The fact line of an MLST reply: the line after the first, starting with a space.
fn fact_line(r: &Reply) -> Option<&str> {
    r.lines
        .iter()
        .skip(1)
        .find(|l| l.starts_with(' '))
        .map(String::as_str)
}

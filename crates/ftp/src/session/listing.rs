//! `list`: MLSD where the server has it, LIST otherwise, MLST for a single file.
//!
//! [`Listing`] streams the entries as their lines arrive, so a directory of any size costs
//! one line and one network read of memory; [`Session::list`] collects them for callers that
//! want a `Vec` (bounded by [`MAX_COLLECTED`]).

use std::collections::VecDeque;

use tokio::io::AsyncReadExt;
use tokio::time::timeout;

use crate::command::Command;
use crate::error::{FtpError, ProtocolError};
use crate::list::{
    parse_mlsd_line, Entry, FinishError, ListingFormat, ListingLimitError, ListingParser,
};
use crate::reply::Reply;
use crate::time::Timestamp;

use super::control::check;
use super::data::is_unimplemented;
use super::stream::Stream;
use super::Session;

/// Most entries [`Session::list`] collects into its `Vec`; a larger directory is an error
/// there (result 12), and is listed with [`Session::list_stream`] instead.
pub const MAX_COLLECTED: usize = 200_000;

/// Bytes per network read of a listing.
const READ: usize = 16 * 1024;

/// A running listing. Call [`Listing::next`] until it returns `None`.
///
/// Dropping it before the end makes the session unusable (the server is still sending).
#[derive(Debug)]
pub struct Listing<'a> {
    session: &'a mut Session,
    /// The transfer command's verb, for errors.
    verb: &'static str,
    data: Option<Stream>,
    parser: ListingParser,
    ready: VecDeque<Entry>,
    chunk: Vec<u8>,
    /// The data connection ended and the final reply is owed.
    awaiting_final: bool,
    done: bool,
    returned: u64,
    /// The path of an MLSD listing, kept for the fallbacks should its final reply refuse it.
    mlsd_path: Option<String>,
}

impl Session {
    /// Lists a directory (or describes a file), `.` and `..` left out, all entries in one
    /// `Vec`: [`Session::list_stream`] collected, at most [`MAX_COLLECTED`] entries (more is
    /// a protocol error that leaves the session unusable). An empty `path` lists the current
    /// directory.
    ///
    /// An empty directory is `Ok(vec![])`; a listing in which no line parses is a protocol
    /// error (result 12).
    pub async fn list(&mut self, path: &str) -> Result<Vec<Entry>, FtpError> {
        let mut listing = self.list_stream(path).await?;
        let mut entries = Vec::new();
        while let Some(e) = listing.next().await? {
            if entries.len() == MAX_COLLECTED {
                // Dropping the listing mid-way marks the session unusable.
                return Err(
                    ProtocolError::ListingLimit(ListingLimitError::TooManyEntries(MAX_COLLECTED))
                        .into(),
                );
            }
            entries.push(e);
        }
        Ok(entries)
    }

    /// Starts listing a directory (or describing a file); the entries come from
    /// [`Listing::next`] as the server sends them. An empty `path` lists the current
    /// directory.
    ///
    /// Order of attempts: `MLSD path` unless the server lacks it (FEAT without `MLST`, or a
    /// `500`/`502` earlier, remembered); if MLSD refuses the path (servers answer `501`/`550`
    /// for a file), `MLST path` on the control connection; if MLST is unsupported, `LIST path`.
    /// A path that MLSD and MLST both refuse is reported with the MLSD refusal.
    pub async fn list_stream(&mut self, path: &str) -> Result<Listing<'_>, FtpError> {
        self.begin()?;
        match self.start_listing(path).await {
            Ok(start) => {
                let mut l = Listing::new(self, start);
                if l.verb == "MLSD" {
                    l.mlsd_path = Some(path.to_owned());
                }
                Ok(l)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn start_listing(&mut self, path: &str) -> Result<Start, FtpError> {
        let arg = (!path.is_empty()).then_some(path);
        if self.features.params("MLST").is_none() && !self.features.entries_empty() {
            self.mlsd_refused = true;
        }
        if !self.mlsd_refused {
            match self
                .open_listing(Command::Mlsd(arg), ListingFormat::Mlsd)
                .await
            {
                Err(FtpError::Refused { command, reply }) => {
                    return self.after_mlsd_refusal(path, command, reply).await
                }
                other => return other,
            }
        }
        self.open_listing(Command::List(arg), ListingFormat::List)
            .await
    }

    /// The fallbacks after MLSD was refused, at once or in its final reply (libunftp answers
    /// `150` and then `550` for a file): LIST when MLSD is unknown, else MLST for a path; a
    /// path that MLST refuses too is reported with the MLSD refusal.
    async fn after_mlsd_refusal(
        &mut self,
        path: &str,
        command: &'static str,
        reply: Reply,
    ) -> Result<Start, FtpError> {
        let arg = (!path.is_empty()).then_some(path);
        if is_unimplemented(&reply) {
            self.mlsd_refused = true;
        } else if arg.is_some() {
            match self.mlst(path).await {
                Ok(e) => return Ok(Start::One(e)),
                Err(FtpError::Refused { reply: r2, .. }) if is_unimplemented(&r2) => {}
                Err(FtpError::Refused { .. }) => return Err(FtpError::Refused { command, reply }),
                Err(e) => return Err(e),
            }
        } else {
            return Err(FtpError::Refused { command, reply });
        }
        self.open_listing(Command::List(arg), ListingFormat::List)
            .await
    }

    async fn mlst(&mut self, path: &str) -> Result<Entry, FtpError> {
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
        Ok(entry)
    }

    /// Sends a listing command and opens its data connection.
    async fn open_listing(
        &mut self,
        cmd: Command<'_>,
        format: ListingFormat,
    ) -> Result<Start, FtpError> {
        let pending = self.open_data(super::net::DataVerb::List).await?;
        let r = self.ctrl.command(&cmd).await?;
        if r.code.is_positive_completion() {
            // No data connection at all: some servers answer an empty listing this way.
            return Ok(Start::Empty);
        }
        check(cmd.verb(), r, |r| r.code.is_positive_preliminary())?;
        let data = self.complete_data(pending).await?;
        Ok(Start::Data {
            verb: cmd.verb(),
            data,
            format,
        })
    }
}

/// How a listing starts: entries on a data connection, one entry from MLST, or nothing.
enum Start {
    Data {
        verb: &'static str,
        data: Stream,
        format: ListingFormat,
    },
    One(Entry),
    Empty,
}

impl<'a> Listing<'a> {
    fn new(session: &'a mut Session, start: Start) -> Self {
        let mut l = Listing {
            session,
            verb: "LIST",
            data: None,
            parser: ListingParser::new(ListingFormat::List, Timestamp::now()),
            ready: VecDeque::new(),
            chunk: Vec::new(),
            awaiting_final: false,
            done: false,
            returned: 0,
            mlsd_path: None,
        };
        l.restart(start);
        l
    }

    /// Takes up a (new) start: the first, or the fallback after a refused MLSD.
    fn restart(&mut self, start: Start) {
        let (verb, data, format) = match start {
            Start::Data { verb, data, format } => (verb, Some(data), format),
            Start::One(e) => {
                self.ready.push_back(e);
                ("MLST", None, ListingFormat::Mlsd)
            }
            Start::Empty => ("LIST", None, ListingFormat::List),
        };
        self.verb = verb;
        self.awaiting_final = data.is_some();
        self.data = data;
        self.parser = ListingParser::new(format, Timestamp::now());
    }

    /// The next entry, `None` at the end (the final reply was `2xx`, the session is free
    /// again). An error ends the listing: a refusal in the final reply, or a listing no line
    /// of which parsed, leaves the session usable; anything else does not.
    pub async fn next(&mut self) -> Result<Option<Entry>, FtpError> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                self.returned += 1;
                return Ok(Some(e));
            }
            if self.done {
                return Ok(None);
            }
            match self.step().await {
                Ok(()) => {}
                Err(e) => {
                    self.done = true;
                    self.data = None;
                    self.ready.clear();
                    return Err(self.session.fail(e));
                }
            }
        }
    }

    /// Entries returned by [`Listing::next`] so far.
    pub fn count(&self) -> u64 {
        self.returned
    }

    /// One network read (or the end of the listing).
    async fn step(&mut self) -> Result<(), FtpError> {
        let Some(data) = self.data.as_mut() else {
            if self.awaiting_final {
                self.awaiting_final = false;
                let fin = self.session.ctrl.read_reply().await?;
                match check(self.verb, fin, |r| r.code.is_positive_completion()) {
                    Ok(_) => {}
                    Err(FtpError::Refused { command, reply })
                        if self.returned == 0 && self.parser.entries() == 0 =>
                    {
                        let Some(path) = self.mlsd_path.take() else {
                            return Err(FtpError::Refused { command, reply });
                        };
                        let start = self
                            .session
                            .after_mlsd_refusal(&path, command, reply)
                            .await?;
                        self.restart(start);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                }
                self.parser.finish(&mut self.ready).map_err(|e| match e {
                    FinishError::Limit(l) => ProtocolError::from(l),
                    FinishError::Unparseable(u) => ProtocolError::from(u),
                })?;
            }
            self.done = true;
            self.session.end(&Ok::<(), FtpError>(()));
            return Ok(());
        };
        let limit = self.session.cfg.reply_timeout;
        self.chunk.resize(READ, 0);
        match timeout(limit, data.read(&mut self.chunk)).await {
            Err(_) => Err(FtpError::Timeout(limit, "listing data")),
            Ok(Ok(0)) => {
                self.data = None;
                Ok(())
            }
            Ok(Ok(n)) => {
                let Self {
                    parser,
                    ready,
                    chunk,
                    ..
                } = self;
                parser
                    .push(&chunk[..n], ready)
                    .map_err(ProtocolError::from)?;
                Ok(())
            }
            // A TLS peer that closes without close_notify: the end of the data, and the
            // final reply tells whether it was complete.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                self.data = None;
                Ok(())
            }
            Ok(Err(e)) => Err(FtpError::Connection(e)),
        }
    }
}

impl Drop for Listing<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.session.busy = false;
            self.session.broken = true;
        }
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

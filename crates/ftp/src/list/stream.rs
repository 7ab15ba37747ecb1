//! Incremental listing parser: bytes in as they arrive, entries out as their lines complete.
//!
//! What a listing may hold is not bounded (a directory of a million files is legal), so
//! nothing here keeps more than the line being received: memory is the line limit plus the
//! entries of one pushed chunk, which the caller takes before pushing the next.

use std::collections::VecDeque;

use crate::time::Timestamp;

use super::{
    is_total_line, list_line, mlsd, Entry, ListError, ListingFormat, ListingLimitError,
    DEFAULT_MAX_LISTING_LINE,
};

/// Splits listing bytes into lines (at LF, a CR before it dropped, at most `max_line` bytes
/// each) and parses each line as it completes.
#[derive(Debug, Clone)]
pub struct ListingParser {
    format: ListingFormat,
    now: Timestamp,
    max_line: usize,
    partial: Vec<u8>,
    understood: usize,
    bad: usize,
    first_bad: Option<String>,
    entries: usize,
}

impl ListingParser {
    /// A parser for `format`, with `now` for the year of Unix dates and the default line
    /// limit.
    pub fn new(format: ListingFormat, now: Timestamp) -> Self {
        Self::with_max_line(format, now, DEFAULT_MAX_LISTING_LINE)
    }

    /// A parser with an explicit line limit.
    pub fn with_max_line(format: ListingFormat, now: Timestamp, max_line: usize) -> Self {
        Self {
            format,
            now,
            max_line,
            partial: Vec::new(),
            understood: 0,
            bad: 0,
            first_bad: None,
            entries: 0,
        }
    }

    /// Entries produced so far.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Adds bytes as they arrive; the entries of the lines they complete are appended to
    /// `out`.
    pub fn push(
        &mut self,
        data: &[u8],
        out: &mut VecDeque<Entry>,
    ) -> Result<(), ListingLimitError> {
        let mut rest = data;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..nl]);
            self.line(out)?;
            rest = &rest[nl + 1..];
        }
        self.partial.extend_from_slice(rest);
        if self.partial.len() > self.max_line + 1 {
            return Err(ListingLimitError::LineTooLong(self.max_line));
        }
        Ok(())
    }

    /// Ends the listing: a last line without LF counts. A listing whose every non-trivial
    /// line was garbage is an error (no entry was produced then).
    pub fn finish(&mut self, out: &mut VecDeque<Entry>) -> Result<(), FinishError> {
        if !self.partial.is_empty() {
            self.line(out)?;
        }
        if self.understood == 0 && self.bad > 0 {
            return Err(FinishError::Unparseable(ListError {
                lines: self.bad,
                first: self.first_bad.take().unwrap_or_default(),
            }));
        }
        Ok(())
    }

    fn line(&mut self, out: &mut VecDeque<Entry>) -> Result<(), ListingLimitError> {
        if self.partial.last() == Some(&b'\r') {
            self.partial.pop();
        }
        if self.partial.len() > self.max_line {
            return Err(ListingLimitError::LineTooLong(self.max_line));
        }
        let text = String::from_utf8_lossy(&self.partial);
        let line = text.trim_end_matches(['\r', '\n']);
        if !(line.trim().is_empty() || is_total_line(line)) {
            let parsed = match self.format {
                ListingFormat::Mlsd => mlsd::parse_line(line),
                ListingFormat::List => list_line(line, self.now),
            };
            match parsed {
                Some(p) => {
                    self.understood += 1;
                    if let Some(e) = p.entry() {
                        self.entries += 1;
                        out.push_back(e);
                    }
                }
                None => {
                    self.bad += 1;
                    if self.first_bad.is_none() {
                        self.first_bad = Some(line.chars().take(120).collect());
                    }
                }
            }
        }
        self.partial.clear();
        Ok(())
    }
}

/// Why a listing could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinishError {
    /// The last line was over the limit.
    #[error(transparent)]
    Limit(#[from] ListingLimitError),
    /// No line could be understood.
    #[error(transparent)]
    Unparseable(#[from] ListError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::parse_listing;

    fn now() -> Timestamp {
        Timestamp::new(2024, 3, 10, 12, 0, 0).unwrap()
    }

    const LISTING: &str = "total 8\r\n-rw-r--r--   1 u  g   42 Jan 05  2021 a.txt\r\n\
        drwxr-xr-x   2 u  g 4096 Mar 01 10:00 dir\r\nnot a line\r\n\
        lrwxrwxrwx   1 u  g    3 Mar 01 10:00 l -> a.txt";

    #[test]
    fn any_split_gives_what_the_whole_listing_gives() {
        let want = parse_listing(LISTING.split('\n'), ListingFormat::List, now()).unwrap();
        assert_eq!(want.len(), 3);
        for step in [1, 2, 7, 64, LISTING.len()] {
            let mut p = ListingParser::new(ListingFormat::List, now());
            let mut out = VecDeque::new();
            for piece in LISTING.as_bytes().chunks(step) {
                p.push(piece, &mut out).unwrap();
            }
            p.finish(&mut out).unwrap();
            assert_eq!(Vec::from(out), want, "chunks of {step}");
            assert_eq!(p.entries(), 3);
        }
    }

    #[test]
    fn entries_come_as_their_lines_complete() {
        let mut p = ListingParser::new(ListingFormat::Mlsd, now());
        let mut out = VecDeque::new();
        p.push(b"type=file;size=1; one\r\ntype=file;size=2; tw", &mut out)
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out.pop_front().unwrap().name, "one");
        p.push(b"o\r\n", &mut out).unwrap();
        assert_eq!(out.pop_front().unwrap().name, "two");
        p.finish(&mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn garbage_only_and_long_lines_are_errors() {
        let mut p = ListingParser::new(ListingFormat::List, now());
        let mut out = VecDeque::new();
        p.push(b"<html>\r\nnope\r\n", &mut out).unwrap();
        assert!(matches!(
            p.finish(&mut out),
            Err(FinishError::Unparseable(ListError { lines: 2, .. }))
        ));
        let mut p = ListingParser::with_max_line(ListingFormat::List, now(), 10);
        assert_eq!(
            p.push(&[b'x'; 12], &mut out),
            Err(ListingLimitError::LineTooLong(10))
        );
        let mut p = ListingParser::new(ListingFormat::List, now());
        p.push(b"total 0\r\n", &mut out).unwrap();
        p.finish(&mut out).unwrap();
        assert!(out.is_empty());
    }
}

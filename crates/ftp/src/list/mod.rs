//! Directory listings: MLSD facts (RFC 3659), Unix `ls -l` lines and DOS/IIS lines, parsed
//! into one [`Entry`] type.
//!
//! Parsing is pure: the data connection's bytes go in through [`ListingParser`] (one line
//! buffered at a time) or [`ListingBuffer`] (the whole listing, bounded), the caller supplies
//! `now` for the year of Unix dates, and entries come out.
//!
//! Unparseable lines are skipped as long as at least one line parsed, because servers mix in
//! banners and notes; a listing where every non-trivial line is garbage is an error, which the
//! device reports as result 12 ("unparseable server reply"). A listing with nothing in it (or
//! only `.`, `..` and `total N`) is an empty `Vec`, not an error.

mod dos;
mod entry;
mod mlsd;
mod stream;
mod unix;

use entry::Parsed;
pub use entry::{Entry, EntryKind};
pub use mlsd::perm_fact_to_triplet;
pub use stream::{FinishError, ListingParser};

use crate::time::Timestamp;

/// Which parser a listing needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingFormat {
    /// MLSD / MLST fact lines.
    Mlsd,
    /// LIST output: Unix `ls -l` lines or DOS/IIS lines, detected per line.
    List,
}

/// A listing none of whose lines could be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unparseable listing: {lines} line(s), none understood (first: {first:?})")]
pub struct ListError {
    /// How many non-trivial lines there were.
    pub lines: usize,
    /// The first of them, truncated to 120 characters.
    pub first: String,
}

/// Parses one MLSD/MLST fact line. `None` for garbage and for the `cdir`/`pdir` entries.
pub fn parse_mlsd_line(line: &str) -> Option<Entry> {
    mlsd::parse_line(line)?.entry()
}

/// Parses one LIST line, Unix or DOS. `None` for garbage, `total N`, `.` and `..`.
pub fn parse_list_line(line: &str, now: Timestamp) -> Option<Entry> {
    list_line(line, now)?.entry()
}

fn list_line(line: &str, now: Timestamp) -> Option<Parsed> {
    unix::parse_line(line, now).or_else(|| dos::parse_line(line))
}

/// Parses a whole listing. See the module documentation for what counts as an error.
pub fn parse_listing<'a, I>(
    lines: I,
    format: ListingFormat,
    now: Timestamp,
) -> Result<Vec<Entry>, ListError>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut entries = Vec::new();
    let mut bad = 0usize;
    let mut first_bad = None;
    let mut understood = 0usize;
    for line in lines {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() || is_total_line(line) {
            continue;
        }
        let parsed = match format {
            ListingFormat::Mlsd => mlsd::parse_line(line),
            ListingFormat::List => list_line(line, now),
        };
        match parsed {
            Some(p) => {
                understood += 1;
                entries.extend(p.entry());
            }
            None => {
                bad += 1;
                if first_bad.is_none() {
                    first_bad = Some(line.chars().take(120).collect::<String>());
                }
            }
        }
    }
    if understood == 0 && bad > 0 {
        return Err(ListError {
            lines: bad,
            first: first_bad.unwrap_or_default(),
        });
    }
    Ok(entries)
}

/// `total 123` (Unix `ls` prints the block count first).
fn is_total_line(line: &str) -> bool {
    let mut it = line.split_whitespace();
    matches!(
        (it.next(), it.next(), it.next()),
        (Some(t), Some(n), None) if t.eq_ignore_ascii_case("total") && n.bytes().all(|b| b.is_ascii_digit())
    )
}

/// Splits listing bytes from the data connection into lines, bounded in line length and in
/// total size so that a server streaming garbage cannot exhaust memory.
#[derive(Debug, Clone)]
pub struct ListingBuffer {
    lines: Vec<String>,
    partial: Vec<u8>,
    total: usize,
    max_line: usize,
    max_total: usize,
}

/// Why listing data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingLimitError {
    /// A line longer than the limit.
    #[error("listing line longer than {0} bytes")]
    LineTooLong(usize),
    /// More listing data than the limit.
    #[error("listing larger than {0} bytes")]
    TooLarge(usize),
    /// More entries than a caller that collects them all accepts (`Session::list`).
    #[error("listing of more than {0} entries")]
    TooManyEntries(usize),
}

/// Longest listing line accepted by default.
pub const DEFAULT_MAX_LISTING_LINE: usize = 8192;
/// Largest listing accepted by default (a directory of ~100k entries).
pub const DEFAULT_MAX_LISTING: usize = 16 * 1024 * 1024;

impl Default for ListingBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LISTING_LINE, DEFAULT_MAX_LISTING)
    }
}

impl ListingBuffer {
    /// A buffer with explicit limits.
    pub fn new(max_line: usize, max_total: usize) -> Self {
        Self {
            lines: Vec::new(),
            partial: Vec::new(),
            total: 0,
            max_line,
            max_total,
        }
    }

    /// Adds bytes as they arrive.
    pub fn push(&mut self, data: &[u8]) -> Result<(), ListingLimitError> {
        self.total += data.len();
        if self.total > self.max_total {
            return Err(ListingLimitError::TooLarge(self.max_total));
        }
        let mut rest = data;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..nl]);
            self.finish_line()?;
            rest = &rest[nl + 1..];
        }
        self.partial.extend_from_slice(rest);
        if self.partial.len() > self.max_line + 1 {
            return Err(ListingLimitError::LineTooLong(self.max_line));
        }
        Ok(())
    }

    fn finish_line(&mut self) -> Result<(), ListingLimitError> {
        if self.partial.last() == Some(&b'\r') {
            self.partial.pop();
        }
        if self.partial.len() > self.max_line {
            return Err(ListingLimitError::LineTooLong(self.max_line));
        }
        let line = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial.clear();
        self.lines.push(line);
        Ok(())
    }

    /// Ends the listing (a last line without LF counts) and returns its lines.
    pub fn finish(mut self) -> Result<Vec<String>, ListingLimitError> {
        if !self.partial.is_empty() {
            self.finish_line()?;
        }
        Ok(self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> Timestamp {
        Timestamp::new(2024, 3, 10, 12, 0, 0).unwrap()
    }

    #[test]
    fn empty_listings_are_ok() {
        assert_eq!(parse_listing([], ListingFormat::List, now()), Ok(vec![]));
        let l = [
            "total 0",
            "drwxr-xr-x    2 0        0            6 Mar 01 10:00 .",
            "drwxr-xr-x    3 0        0           18 Mar 01 10:00 ..",
        ];
        assert_eq!(parse_listing(l, ListingFormat::List, now()), Ok(vec![]));
        let m = [
            "type=cdir;modify=20240301100000; /x",
            "type=pdir;modify=20240301100000; /",
        ];
        assert_eq!(parse_listing(m, ListingFormat::Mlsd, now()), Ok(vec![]));
    }

    #[test]
    fn garbage_listing_is_an_error() {
        let err = parse_listing(["hello world", "<html>"], ListingFormat::List, now()).unwrap_err();
        assert_eq!(err.lines, 2);
        assert_eq!(err.first, "hello world");
        assert!(parse_listing(["garbage"], ListingFormat::Mlsd, now()).is_err());
    }

    #[test]
    fn mixed_listing_keeps_good_lines() {
        let l = [
            "some banner",
            "-rw-r--r--    1 1000     1000           12 Mar 01 10:00 a.txt",
            "08-16-22  05:38PM       <DIR>          win dir",
        ];
        let v = parse_listing(l, ListingFormat::List, now()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].name, "a.txt");
        assert_eq!(v[1].name, "win dir");
        assert_eq!(v[1].kind, EntryKind::Dir);
    }

    #[test]
    fn listing_buffer_splits_and_bounds() {
        let mut b = ListingBuffer::new(10, 100);
        b.push(b"ab\r\ncd").unwrap();
        b.push(b"ef\nlast").unwrap();
        assert_eq!(b.finish().unwrap(), vec!["ab", "cdef", "last"]);
        let mut b = ListingBuffer::new(10, 100);
        assert_eq!(b.push(&[b'x'; 12]), Err(ListingLimitError::LineTooLong(10)));
        let mut b = ListingBuffer::new(10, 20);
        b.push(b"123456789\n").unwrap();
        b.push(b"123456789\n").unwrap();
        assert_eq!(b.push(b"1"), Err(ListingLimitError::TooLarge(20)));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(line in "[ -~\u{80}-\u{2000}]{0,120}") {
            let _ = parse_list_line(&line, now());
            let _ = parse_mlsd_line(&line);
        }

        #[test]
        fn unix_like_lines_never_panic(
            mode in "[-dlcbps][-rwxsStT]{9}[+@.]?",
            fields in proptest::collection::vec("[A-Za-z0-9:,-]{1,6}", 0..8),
            name in "[ -~]{0,20}",
        ) {
            let line = format!("{mode} {} {name}", fields.join(" "));
            let _ = parse_list_line(&line, now());
        }
    }
}

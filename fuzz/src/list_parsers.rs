//! Directory listings from the data connection (`ftpmodem_ftp::list`): the bounded line
//! splitter, MLSD fact lines, Unix and DOS LIST lines, and the whole-listing parse.
//!
//! Input: `[flags, now (5 bytes, little-endian Unix seconds), split seed]` + the listing bytes.
//! Bit 0 of `flags` picks small limits (64-byte lines, 2 KiB listings); `now` sets the year
//! the Unix parser infers, clamped by `Timestamp::from_unix` to 1970-9999, so the year edges
//! are reached.

use ftpmodem_ftp::list::{
    parse_list_line, parse_listing, parse_mlsd_line, Entry, EntryKind, ListingBuffer,
    ListingFormat, DEFAULT_MAX_LISTING, DEFAULT_MAX_LISTING_LINE,
};
use ftpmodem_ftp::Timestamp;

/// Splits the listing into lines through `ListingBuffer`, fed piece by piece.
fn lines(pieces: &[&[u8]], max_line: usize, max_total: usize) -> Option<Vec<String>> {
    let mut buf = ListingBuffer::new(max_line, max_total);
    for piece in pieces {
        buf.push(piece).ok()?;
    }
    buf.finish().ok()
}

/// What every entry must satisfy, whatever the server sent.
fn check_entry(e: &Entry) {
    assert!(
        !e.name.is_empty() && e.name != "." && e.name != "..",
        "entry name {:?}",
        e.name
    );
    assert!(!e.name.contains('\n'), "name holds LF: {:?}", e.name);
    let p = e.perm.as_bytes();
    assert!(
        p.is_empty()
            || (p.len() == 3
                && matches!(p[0], b'r' | b'-')
                && matches!(p[1], b'w' | b'-')
                && matches!(p[2], b'x' | b'-')),
        "permission triplet {:?}",
        e.perm
    );
    if let Some(t) = e.modified {
        assert_eq!(
            Timestamp::new(t.year, t.month, t.day, t.hour, t.minute, t.second),
            Some(t),
            "impossible time"
        );
        assert_eq!(Timestamp::parse_compact(&t.to_compact()), Some(t));
    }
    if e.link_target.is_some() {
        assert_eq!(e.kind, EntryKind::Link, "link target on a {:?}", e.kind);
    }
}

/// The whole-listing parse agrees with the line parsers, keeps only well-formed entries,
/// never more entries than lines, and fails only when no line was understood.
fn check_listing(lines: &[String], format: ListingFormat, now: Timestamp) {
    let parsed = parse_listing(lines.iter().map(String::as_str), format, now);
    let one = |l: &str| match format {
        ListingFormat::Mlsd => parse_mlsd_line(l),
        ListingFormat::List => parse_list_line(l, now),
    };
    match parsed {
        Ok(entries) => {
            assert!(entries.len() <= lines.len());
            for e in &entries {
                check_entry(e);
            }
            // The same lines one by one, less the ones the listing skips before parsing.
            let by_line: Vec<Entry> = lines
                .iter()
                .map(|l| l.trim_end_matches(['\r', '\n']))
                .filter(|l| !l.trim().is_empty())
                .filter_map(one)
                .collect();
            assert_eq!(entries, by_line, "listing and line parsers disagree");
        }
        Err(err) => {
            assert!(err.lines >= 1 && err.lines <= lines.len(), "{err:?}");
            assert!(err.first.chars().count() <= 120);
            assert!(
                lines
                    .iter()
                    .all(|l| one(l.trim_end_matches(['\r', '\n'])).is_none()),
                "listing refused although a line parses"
            );
        }
    }
}

/// Listing bytes split at any point give the same lines; every parser accepts any line
/// without panicking and returns only well-formed entries.
pub fn list_parsers(data: &[u8]) {
    let [flags, n0, n1, n2, n3, n4, seed, listing @ ..] = data else {
        return;
    };
    let secs = u64::from_le_bytes([*n0, *n1, *n2, *n3, *n4, 0, 0, 0]);
    let now = Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX));
    let (max_line, max_total) = if flags & 1 == 1 {
        (64, 2048)
    } else {
        (DEFAULT_MAX_LISTING_LINE, DEFAULT_MAX_LISTING)
    };
    let whole = lines(&[listing], max_line, max_total);
    let max_piece = 1 + usize::from(flags >> 1);
    let pieces = crate::chunks::split(listing, *seed, max_piece);
    let split = lines(&pieces, max_line, max_total);
    assert_eq!(
        whole, split,
        "line splitting depends on the split: {pieces:?}"
    );
    let Some(lines) = whole else {
        return;
    };
    assert!(lines.len() <= listing.iter().filter(|&&b| b == b'\n').count() + 1);
    for l in &lines {
        assert!(
            l.len() <= 3 * max_line,
            "line of {} bytes (limit {max_line})",
            l.len()
        );
        for e in [parse_mlsd_line(l), parse_list_line(l, now)]
            .into_iter()
            .flatten()
        {
            check_entry(&e);
        }
    }
    check_listing(&lines, ListingFormat::Mlsd, now);
    check_listing(&lines, ListingFormat::List, now);
}

//! Unix `ls -l` style LIST lines, as vsftpd, pure-ftpd, ProFTPD and libunftp send them:
//!
//! ```text
//! drwxr-xr-x    2 1000     1000         4096 Aug 16 17:38 dir name
//! -rw-r--r--    1 ftp      ftp            12 Aug 16  2022 file
//! lrwxrwxrwx    1 0        0               7 Jan  1 12:00 link -> target
//! -rw-r--r--    1 owner                   12 Aug 16 17:38 no group column
//! -rw-r--r--    1 owner group             12 2022-08-16 17:38 iso date
//! ```
//!
//! The columns between the mode and the date vary between servers (link count, group), so
//! the parser finds the date (month, day, time-or-year) and takes the number before it as
//! the size and everything after it, less one separating space, as the name. Scanning from
//! the left means a date-like file name cannot confuse it.

use super::entry::{entry_or_skip, Entry, EntryKind, Parsed};
use crate::time::Timestamp;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A whitespace-separated token and its byte offsets in the line.
struct Tok<'a> {
    text: &'a str,
    end: usize,
}

fn tokens(line: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\t' {
            if let Some(s) = start.take() {
                out.push(Tok {
                    text: &line[s..i],
                    end: i,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Tok {
            text: &line[s..],
            end: line.len(),
        });
    }
    out
}

/// The kind and owner triplet of a mode column such as `drwxr-x---` or `-rw-r--r--+`.
fn parse_mode(mode: &str) -> Option<(EntryKind, String)> {
    let b = mode.as_bytes();
    if b.len() < 10 || b.len() > 11 {
        return None;
    }
    let kind = match b[0] {
        b'-' => EntryKind::File,
        b'd' => EntryKind::Dir,
        b'l' => EntryKind::Link,
        b'c' | b'b' | b'p' | b's' | b'D' => EntryKind::Other,
        _ => return None,
    };
    if !b[1..10].iter().all(|c| b"rwxsStTlL-".contains(c))
        || (b.len() == 11 && !b"+@.".contains(&b[10]))
    {
        return None;
    }
    let triplet = [b[1], b[2], b[3]]
        .iter()
        .enumerate()
        .map(|(i, &c)| match (i, c) {
            (0, b'r') => 'r',
            (1, b'w') => 'w',
            (2, b'x' | b's' | b't') => 'x',
            _ => '-',
        })
        .collect();
    Some((kind, triplet))
}

fn month(s: &str) -> Option<u8> {
    if s.len() != 3 {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower)
        .and_then(|i| u8::try_from(i + 1).ok())
}

fn num<T: std::str::FromStr>(s: &str, max_len: usize) -> Option<T> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn hh_mm(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.split_once(':')?;
    let (h, m) = (num::<u8>(h, 2)?, num::<u8>(m, 2)?);
    (h < 24 && m < 60 && s.len() <= 5).then_some((h, m))
}

/// `Mon DD HH:MM` has no year: it is the most recent such date not in the future (`ls`
/// shows a time instead of a year for dates within the last six months). One day of slack
/// absorbs the difference between the server's zone and UTC.
fn infer_year(now: Timestamp, month: u8, day: u8, hour: u8, minute: u8) -> Option<Timestamp> {
    let this_year = Timestamp::new(now.year, month, day, hour, minute, 0);
    match this_year {
        Some(t) if t.to_unix() <= now.to_unix() + 86_400 => Some(t),
        _ => Timestamp::new(now.year.checked_sub(1)?, month, day, hour, minute, 0),
    }
}

/// A date at tokens `i..`: returns the timestamp (if valid) and the index of its last token.
fn date_at(toks: &[Tok<'_>], i: usize, now: Timestamp) -> Option<(Option<Timestamp>, usize)> {
    let t0 = toks.get(i)?.text;
    if let Some(m) = month(t0) {
        let day: u8 = num(toks.get(i + 1)?.text, 2)?;
        if !(1..=31).contains(&day) {
            return None;
        }
        let t2 = toks.get(i + 2)?.text;
        let ts = if let Some((h, mi)) = hh_mm(t2) {
            infer_year(now, m, day, h, mi)
        } else {
            let year: u16 = num(t2, 4).filter(|_| t2.len() == 4)?;
            Timestamp::new(year, m, day, 0, 0, 0)
        };
        return Some((ts, i + 2));
    }
    // ISO form (`ls --time-style=long-iso`): 2022-08-16 17:38
    let mut parts = t0.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (h, mi) = hh_mm(toks.get(i + 1)?.text)?;
    let ts = Timestamp::new(num(y, 4)?, num(m, 2)?, num(d, 2)?, h, mi, 0);
    Some((ts, i + 1))
}

/// Parses a line keeping `.` and `..`.
fn parse_raw(line: &str, now: Timestamp) -> Option<Entry> {
    let toks = tokens(line);
    let (kind, perm) = parse_mode(toks.first()?.text)?;
    for i in 2..toks.len() {
        let Some((modified, last)) = date_at(&toks, i, now) else {
            continue;
        };
        let size_tok = toks[i - 1].text;
        let Some(size) = num::<u64>(size_tok, 20) else {
            continue;
        };
        let name_start = toks[last].end + 1;
        let Some(full_name) = line.get(name_start..).filter(|n| !n.is_empty()) else {
            continue;
        };
        let (name, link_target) = match (kind, full_name.split_once(" -> ")) {
            (EntryKind::Link, Some((n, t))) => (n.to_owned(), Some(t.to_owned())),
            _ => (full_name.to_owned(), None),
        };
        let device = toks[0].text.starts_with(['c', 'b']);
        return Some(Entry {
            name,
            kind,
            size: (!device).then_some(size),
            modified,
            perm,
            link_target,
        });
    }
    None
}

/// Parses one Unix LIST line.
pub(super) fn parse_line(line: &str, now: Timestamp) -> Option<Parsed> {
    parse_raw(line, now).map(entry_or_skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::new(2024, 3, 10, 12, 0, 0).unwrap()
    }

    fn p(line: &str) -> Entry {
        match parse_line(line, now()) {
            Some(Parsed::Entry(e)) => e,
            other => panic!("{line:?} -> {other:?}"),
        }
    }

    #[test]
    fn vsftpd_lines() {
        let e = p("-rw-r--r--    1 1000     1000         4096 Feb 28 17:38 a file.txt");
        assert_eq!(e.name, "a file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.modified.unwrap().to_compact(), "20240228173800");
        assert_eq!(e.perm, "rw-");
        let d = p("drwx------    2 0        0            6 Aug 16  2022 sub");
        assert_eq!(d.kind, EntryKind::Dir);
        assert_eq!(d.modified.unwrap().to_compact(), "20220816000000");
        assert_eq!(d.perm, "rwx");
    }

    #[test]
    fn time_means_within_six_months() {
        // Now is 2024-03-10: "Dec 24" is last December, "Mar 10 23:00" is today (slack).
        assert_eq!(
            p("-rw-r--r-- 1 u g 1 Dec 24 10:00 x")
                .modified
                .unwrap()
                .year,
            2023
        );
        assert_eq!(
            p("-rw-r--r-- 1 u g 1 Mar 10 23:00 x")
                .modified
                .unwrap()
                .year,
            2024
        );
        assert_eq!(
            p("-rw-r--r-- 1 u g 1 Mar 12 10:00 x")
                .modified
                .unwrap()
                .year,
            2023
        );
        // Feb 29 exists in 2024 but not in 2023.
        assert_eq!(
            p("-rw-r--r-- 1 u g 1 Feb 29 10:00 x")
                .modified
                .unwrap()
                .year,
            2024
        );
    }

    #[test]
    fn no_group_and_no_link_count() {
        let e = p("-rw-r--r--    1 owner        12 Aug 16 17:38 nogroup");
        assert_eq!((e.name.as_str(), e.size), ("nogroup", Some(12)));
        let e = p("-r--r--r-- owner 77 Aug 16 2022 bare");
        assert_eq!(
            (e.name.as_str(), e.size, e.perm.as_str()),
            ("bare", Some(77), "r--")
        );
    }

    #[test]
    fn links_specials_and_odd_names() {
        let l = p("lrwxrwxrwx    1 0        0               7 Jan  1 12:00 link -> target dir");
        assert_eq!(l.kind, EntryKind::Link);
        assert_eq!(l.name, "link");
        assert_eq!(l.link_target.as_deref(), Some("target dir"));
        let f = p("-rw-r--r--    1 0        0               7 Jan  1 12:00 a -> b");
        assert_eq!(f.name, "a -> b");
        let s = p("-rwsr-Sr-T+   1 0 0 7 Jan  1 12:00  lead space");
        assert_eq!(s.name, " lead space");
        assert_eq!(s.perm, "rwx");
        let c = p("crw-rw----    1 0 5 4, 1 Jan  1 12:00 tty1");
        assert_eq!((c.kind, c.size), (EntryKind::Other, None));
        let d = p("-rw-r--r-- 1 Mar Mar 5 Mar 01 10:00 Mar 02 10:00 x");
        assert_eq!((d.name.as_str(), d.size), ("Mar 02 10:00 x", Some(5)));
        let i = p("-rw-r--r-- 1 u g 9 2022-08-16 17:38 iso name");
        assert_eq!(i.modified.unwrap().to_compact(), "20220816173800");
        assert_eq!(i.name, "iso name");
        let t = p("-rw-r--r--\t1 u g 9 Aug 16 2022 tab");
        assert_eq!(t.name, "tab");
    }

    #[test]
    fn dots_and_garbage() {
        assert!(matches!(
            parse_line("drwxr-xr-x 2 0 0 6 Mar 01 10:00 ..", now()),
            Some(Parsed::Skip)
        ));
        for bad in [
            "",
            "total 12",
            "-rw-r--r-- 1 u g x Aug 16 2022 f",
            "-rw-r--r-- 1 u g 1 Aug 16 2022",
            "-rw-r--r-- 1 u g 1 Aug 32 2022 f",
            "-rw-r--r-- 1 u g 1 Aug 16 202 f",
            "-rw-r--r-- 1 u g 1 Foo 16 2022 f",
            "?rw-r--r-- 1 u g 1 Aug 16 2022 f",
            "-rw-r--r--- 1 u g 1 Aug 16 2022 f",
            "08-16-22  05:38PM       <DIR>          name",
        ] {
            assert!(parse_line(bad, now()).is_none(), "{bad}");
        }
        // An impossible date keeps the entry, without a time.
        assert_eq!(p("-rw-r--r-- 1 u g 1 Feb 30 2022 f").modified, None);
    }
}

//! DOS / Windows (IIS) LIST lines:
//!
//! ```text
//! 08-16-22  05:38PM       <DIR>          name with spaces
//! 08-16-22  05:38PM                   10 file.txt
//! 08-16-2022  17:38                1,234 file.txt
//! ```
//!
//! These lines carry no permissions: [`Entry::perm`] stays empty.

use super::entry::{entry_or_skip, Entry, EntryKind, Parsed};
use crate::time::Timestamp;

fn digits(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<u16> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `MM-DD-YY` or `MM-DD-YYYY` (two-digit years below 70 are 20xx, as IIS means them).
fn date(s: &str) -> Option<(u16, u8, u8)> {
    let mut it = s.split(['-', '/']);
    let (m, d, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let m = u8::try_from(digits(m, 2..=2)?).ok()?;
    let d = u8::try_from(digits(d, 2..=2)?).ok()?;
    let y = match y.len() {
        2 => {
            let y = digits(y, 2..=2)?;
            if y < 70 {
                2000 + y
            } else {
                1900 + y
            }
        }
        _ => digits(y, 4..=4)?,
    };
    Some((y, m, d))
}

/// `05:38PM`, `12:00AM` or 24-hour `17:38`.
fn time(s: &str) -> Option<(u8, u8)> {
    let upper = s.to_ascii_uppercase();
    let (clock, pm) = if let Some(c) = upper.strip_suffix("PM") {
        (c, Some(true))
    } else if let Some(c) = upper.strip_suffix("AM") {
        (c, Some(false))
    } else {
        (upper.as_str(), None)
    };
    let (h, m) = clock.split_once(':')?;
    let h = u8::try_from(digits(h, 1..=2)?).ok()?;
    let m = u8::try_from(digits(m, 2..=2)?).ok()?;
    let h = match pm {
        None if h < 24 => h,
        Some(_) if h == 0 || h > 12 => return None,
        Some(false) => h % 12,
        Some(true) => h % 12 + 12,
        None => return None,
    };
    (m < 60).then_some((h, m))
}

/// Splits off the next whitespace-separated field.
fn field(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() {
        return None;
    }
    let end = s.find([' ', '\t']).unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

fn parse_raw(line: &str) -> Option<Entry> {
    let (d, rest) = field(line)?;
    let (t, rest) = field(rest)?;
    let (what, rest) = field(rest)?;
    let (y, mo, da) = date(d)?;
    let (h, mi) = time(t)?;
    let name = rest.trim_start_matches([' ', '\t']);
    if name.is_empty() {
        return None;
    }
    let (kind, size) = match what.to_ascii_uppercase().as_str() {
        "<DIR>" => (EntryKind::Dir, None),
        "<JUNCTION>" | "<SYMLINKD>" | "<SYMLINK>" => (EntryKind::Link, None),
        _ => {
            let plain: String = what.chars().filter(|&c| c != ',' && c != '.').collect();
            if plain.is_empty() || plain.len() > 20 || !plain.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (EntryKind::File, Some(plain.parse().ok()?))
        }
    };
    Some(Entry {
        name: name.to_owned(),
        kind,
        size,
        modified: Timestamp::new(y, mo, da, h, mi, 0),
        perm: String::new(),
        link_target: None,
    })
}

/// Parses one DOS LIST line.
pub(super) fn parse_line(line: &str) -> Option<Parsed> {
    parse_raw(line).map(entry_or_skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Entry {
        match parse_line(line) {
            Some(Parsed::Entry(e)) => e,
            other => panic!("{line:?} -> {other:?}"),
        }
    }

    #[test]
    fn iis_lines() {
        let d = p("08-16-22  05:38PM       <DIR>          name with spaces");
        assert_eq!(d.kind, EntryKind::Dir);
        assert_eq!(d.name, "name with spaces");
        assert_eq!(d.size, None);
        assert_eq!(d.modified.unwrap().to_compact(), "20220816173800");
        assert_eq!(d.perm, "");
        let f = p("08-16-22  05:38AM                   10 file.txt");
        assert_eq!((f.kind, f.size), (EntryKind::File, Some(10)));
        assert_eq!(f.modified.unwrap().to_compact(), "20220816053800");
        let g = p("12-31-1999  12:00AM        1,234,567 big.bin");
        assert_eq!(g.size, Some(1_234_567));
        assert_eq!(g.modified.unwrap().to_compact(), "19991231000000");
        let h = p("01-02-75  23:59  5 x");
        assert_eq!(h.modified.unwrap().to_compact(), "19750102235900");
    }

    #[test]
    fn garbage_and_dots() {
        assert!(matches!(
            parse_line("08-16-22  05:38PM       <DIR>          .."),
            Some(Parsed::Skip)
        ));
        for bad in [
            "08-16-22  05:38PM       <DIR>",
            "08-16-22  13:38PM  1 f",
            "8-16-22  05:38PM  1 f",
            "08-16-22  05:38PM  1x f",
            "08-16-22-1  05:38PM  1 f",
            "drwxr-xr-x 2 0 0 6 Mar 01 10:00 x",
            "",
        ] {
            assert!(parse_line(bad).is_none(), "{bad}");
        }
    }
}

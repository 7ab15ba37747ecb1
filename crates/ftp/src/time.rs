//! A calendar timestamp in UTC, without a date-time crate.
//!
//! The device prints modification times as `YYYYMMDDHHMMSS` and the listing parsers need to
//! compare dates ("within the last six months"); nothing here needs time zones or arithmetic
//! beyond days since the epoch, so a small value type keeps the dependency tree small and the
//! parsers free of any clock.

use std::fmt;

/// A point in time to the second, in UTC (as MLSD and MDTM define it; Unix and DOS listings
/// give server-local time, which is taken as is because the server's zone is unknowable).
///
/// Fields are ordered from year to second so that the derived `Ord` is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Full year, e.g. 2024.
    pub year: u16,
    /// 1-12.
    pub month: u8,
    /// 1-31, valid for the month.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-60 (60 only for a leap second, which servers occasionally report).
    pub second: u8,
}

impl Timestamp {
    /// Builds a timestamp, refusing impossible dates so that a parser can use this as its
    /// validation step.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        Some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Converts seconds since the Unix epoch, so that a caller can turn `SystemTime::now()` into
    /// the `now` that the listing parser takes. Times before 1970 or after 9999 are clamped.
    pub fn from_unix(secs: i64) -> Self {
        let secs = secs.clamp(0, 253_402_300_799); // 9999-12-31T23:59:59
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        Self {
            year: y as u16,
            month: m as u8,
            day: d as u8,
            hour: (rem / 3600) as u8,
            minute: ((rem % 3600) / 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// The current time from the system clock; only the I/O half calls this.
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Self::from_unix(secs)
    }

    /// Seconds since the Unix epoch (inverse of [`Timestamp::from_unix`]).
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Parses `YYYYMMDDHHMMSS` with an optional `.fraction` (MLSD `modify`, MDTM 213 replies).
    /// The fraction is dropped: the device reports whole seconds.
    pub fn parse_compact(s: &str) -> Option<Self> {
        let s = s.trim();
        let main = match s.split_once('.') {
            Some((main, frac)) => {
                if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                main
            }
            None => s,
        };
        if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| main.get(r).and_then(|t| t.parse::<u16>().ok());
        Self::new(
            n(0..4)?,
            u8::try_from(n(4..6)?).ok()?,
            u8::try_from(n(6..8)?).ok()?,
            u8::try_from(n(8..10)?).ok()?,
            u8::try_from(n(10..12)?).ok()?,
            u8::try_from(n(12..14)?).ok()?,
        )
    }

    /// `YYYYMMDDHHMMSS`, the form the module prints in `+MFTPLIST`.
    pub fn to_compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Whether `year` is a Gregorian leap year.
pub(crate) fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`; 0 for an invalid month.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's algorithms (public domain), proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Timestamp::from_unix(0).to_compact(), "19700101000000");
        // 2000-02-29T12:34:56Z
        assert_eq!(
            Timestamp::from_unix(951_827_696).to_compact(),
            "20000229123456"
        );
        assert_eq!(Timestamp::from_unix(-5).to_compact(), "19700101000000");
    }

    #[test]
    fn compact_parsing() {
        let t = Timestamp::parse_compact("20220816173801.123").unwrap();
        assert_eq!(t.to_compact(), "20220816173801");
        assert!(Timestamp::parse_compact("20220230000000").is_none());
        assert!(Timestamp::parse_compact("2022081617380").is_none());
        assert!(Timestamp::parse_compact("20220816173801.").is_none());
        assert!(Timestamp::parse_compact("2022081617380x").is_none());
        assert!(Timestamp::parse_compact("+0220816173801").is_none());
        assert!(Timestamp::parse_compact("20240229000000").is_some());
        assert!(Timestamp::parse_compact("21000229000000").is_none());
    }

    proptest! {
        #[test]
        fn unix_roundtrip(secs in 0i64..253_402_300_799) {
            let t = Timestamp::from_unix(secs);
            prop_assert_eq!(t.to_unix(), secs);
            prop_assert!(Timestamp::new(t.year, t.month, t.day, t.hour, t.minute, t.second).is_some());
            prop_assert_eq!(Timestamp::parse_compact(&t.to_compact()), Some(t));
        }

        #[test]
        fn order_is_chronological(a in 0i64..4_000_000_000, b in 0i64..4_000_000_000) {
            let (ta, tb) = (Timestamp::from_unix(a), Timestamp::from_unix(b));
            prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
        }

        #[test]
        fn parse_compact_never_panics(s in ".{0,24}") {
            let _ = Timestamp::parse_compact(&s);
        }
    }
}

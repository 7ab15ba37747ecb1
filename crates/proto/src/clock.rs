//! The time of `AT+CCLK`: `"yy/MM/dd,hh:mm:ss±zz"` (27.007 §8.15; ONEMO-RELATED.md §A.5), the
//! zone in quarter hours. Only the shape and the calendar are checked here; which years and
//! zones a model takes is the profile's ([`crate::Profile::clock_years`]).

use alloc::string::String;

/// Largest zone 27.007 allows, in quarter hours (±24 h).
pub const ZONE_MAX: i8 = 96;

/// One `AT+CCLK` time. The year has two digits on the wire; which century it is in is the
/// model's year range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime {
    /// Year modulo 100.
    pub yy: u8,
    /// 1-12.
    pub month: u8,
    /// 1-31, valid for the month.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
    /// Local time minus UTC in quarter hours, -96..=96.
    pub zone: i8,
}

/// Whether `yy` is a leap year in any century the ML30x ranges cover (1901-2099, where every
/// fourth year is one).
fn leap(yy: u8) -> bool {
    yy % 4 == 0
}

/// Days in `month` of year `yy`.
pub fn days_in_month(yy: u8, month: u8) -> u8 {
    match month {
        2 if leap(yy) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl ClockTime {
    /// Parses the quoted field's contents, exactly `yy/MM/dd,hh:mm:ss±zz` (20 bytes). `None`
    /// for any other shape, an impossible date or time, or a zone beyond ±96.
    pub fn parse(s: &[u8]) -> Option<ClockTime> {
        if s.len() != 20 {
            return None;
        }
        let two = |i: usize| -> Option<u8> {
            let (a, b) = (*s.get(i)?, *s.get(i + 1)?);
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
        };
        let seps = [(2, b'/'), (5, b'/'), (8, b','), (11, b':'), (14, b':')];
        if seps.iter().any(|(i, c)| s.get(*i) != Some(c)) {
            return None;
        }
        let sign: i8 = match s.get(17) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let t = ClockTime {
            yy: two(0)?,
            month: two(3)?,
            day: two(6)?,
            hour: two(9)?,
            minute: two(12)?,
            second: two(15)?,
            zone: sign * i8::try_from(two(18)?).ok()?,
        };
        let valid = (1..=12).contains(&t.month)
            && (1..=days_in_month(t.yy, t.month)).contains(&t.day)
            && t.hour <= 23
            && t.minute <= 59
            && t.second <= 59
            && t.zone.unsigned_abs() <= ZONE_MAX.unsigned_abs();
        valid.then_some(t)
    }

    /// The field's contents as the module prints them (without the quotes).
    pub fn to_text(&self) -> String {
        let sign = if self.zone < 0 { '-' } else { '+' };
        alloc::format!(
            "{:02}/{:02}/{:02},{:02}:{:02}:{:02}{sign}{:02}",
            self.yy,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.zone.unsigned_abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_27007_form() {
        let t = ClockTime::parse(b"26/12/02,03:50:09+32").unwrap();
        assert_eq!(
            t,
            ClockTime {
                yy: 26,
                month: 12,
                day: 2,
                hour: 3,
                minute: 50,
                second: 9,
                zone: 32
            }
        );
        assert_eq!(t.to_text(), "26/12/02,03:50:09+32");
        let w = ClockTime::parse(b"70/01/01,00:00:00-96").unwrap();
        assert_eq!(
            (w.zone, w.to_text().as_str()),
            (-96, "70/01/01,00:00:00-96")
        );
        assert_eq!(
            ClockTime::parse(b"00/01/01,00:00:00-00").unwrap().to_text(),
            "00/01/01,00:00:00+00"
        );
        assert!(ClockTime::parse(b"24/02/29,23:59:59+00").is_some());
    }

    #[test]
    fn refuses_every_other_shape() {
        for bad in [
            &b"26/12/02,03:50:09"[..],
            b"26/12/02,03:50:09+321",
            b"26/12/02 03:50:09+32",
            b"2026/12/02,03:50:09",
            b"26/13/02,03:50:09+32",
            b"26/00/02,03:50:09+32",
            b"26/02/29,03:50:09+32",
            b"26/04/31,03:50:09+32",
            b"26/12/00,03:50:09+32",
            b"26/12/02,24:00:00+32",
            b"26/12/02,23:60:00+32",
            b"26/12/02,23:59:60+32",
            b"26/12/02,23:59:59+97",
            b"26/12/02,23:59:59*32",
            b"26/12/02,23:59:59+3a",
            b"",
        ] {
            assert_eq!(
                ClockTime::parse(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

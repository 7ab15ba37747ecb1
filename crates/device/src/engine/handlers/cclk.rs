//! `AT+CCLK?` and `AT+CCLK="yy/MM/dd,hh:mm:ss±zz"` (27.007 §8.15; ONEMO-RELATED.md §A.5): the
//! module's real-time clock, which runs on the host's clock from start-up (see
//! [`ClockConfig`](crate::engine::ClockConfig)). Setting it moves it to the given local time
//! and zone; a year outside the model's range or a zone it refuses is `+CME ERROR: 50`.

use crate::engine::ctx::Ctx;
use ftpmodem_ftp::Timestamp;
use ftpmodem_proto::{ClockTime, CmeError, Command, Name, Response};

/// Seconds per quarter hour, the unit of `<zz>`.
const QUARTER: i64 = 900;

/// The one year of `years` whose last two digits are `yy`.
fn full_year(yy: u8, (lo, hi): (u16, u16)) -> Option<u16> {
    (lo..=hi).find(|y| y % 100 == u16::from(yy))
}

pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Read(Name::Cclk) => {
            let zone = cx.clock.zone;
            let local = cx.clock.utc(cx.now) + i64::from(zone) * QUARTER;
            let t = Timestamp::from_unix(local);
            let time = ClockTime {
                yy: (t.year % 100) as u8,
                month: t.month,
                day: t.day,
                hour: t.hour,
                minute: t.minute,
                second: t.second,
                zone,
            };
            cx.reply.respond(&Response::Cclk(time));
            cx.reply.ok();
        }
        Command::Cclk(t) => {
            let p = &cx.cfg.profile;
            let zone_ok = !(p.clock_refuses_zone_one && t.zone.unsigned_abs() == 1);
            let local = full_year(t.yy, p.clock_years)
                .filter(|_| zone_ok)
                .and_then(|y| Timestamp::new(y, t.month, t.day, t.hour, t.minute, t.second));
            let Some(local) = local else {
                return cx.reply.error(CmeError::ParameterError);
            };
            let utc = local.to_unix() - i64::from(t.zone) * QUARTER;
            cx.clock.set(cx.now, utc, t.zone);
            cx.reply.ok();
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

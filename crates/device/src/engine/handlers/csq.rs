//! `AT+CSQ` (27.007 §8.5; ONEMO-RELATED.md §A.5): signal quality. There is no radio; the
//! values are the profile's (or the configured overrides), so a host that waits for a usable signal sees one.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::{Command, Name, Param, Profile, Response};

/// `AT+CSQ`: `+CSQ: <rssi>,<ber>`, then `OK`.
pub(crate) fn run(cx: &mut Ctx<'_>, _cmd: Command) {
    let id = super::identity::Identity::of(cx.cfg);
    let line = Response::Csq {
        rssi: id.rssi,
        ber: id.ber,
    };
    cx.reply.respond(&line);
    cx.reply.ok();
}

/// `AT+CSQ=?`: `+CSQ: (0-31,99),(0-7,99)`.
pub(crate) fn test_lines(_name: Name, _p: &Profile) -> Vec<Vec<Param>> {
    let list = |s: &str| Param::Bare(s.as_bytes().to_vec());
    vec![vec![list("(0-31,99)"), list("(0-7,99)")]]
}

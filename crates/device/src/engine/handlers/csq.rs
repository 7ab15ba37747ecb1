//! `AT+CSQ` (27.007 §8.5) and `AT+CESQ` (§8.69) (ONEMO-RELATED.md §A.5): signal quality. There is no radio; the
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

/// `AT+CESQ`: `+CESQ: 99,99,255,255,<rsrq>,<rsrp>,255,255,255`, then `OK`. An LTE-only module
/// has no GSM (rxlev, ber), UTRA (rscp, ecno) or NR (ss_*) values; nine fields because the
/// ML30x test tool expects nine (§A.5).
pub(crate) fn cesq(cx: &mut Ctx<'_>, _cmd: Command) {
    let id = super::identity::Identity::of(cx.cfg);
    let line = Response::Cesq([99, 99, 255, 255, id.rsrq, id.rsrp, 255, 255, 255]);
    cx.reply.respond(&line);
    cx.reply.ok();
}

/// `AT+CESQ=?`: the 27.007 §8.69 ranges.
pub(crate) fn cesq_test_lines(_name: Name, _p: &Profile) -> Vec<Vec<Param>> {
    let list = |s: &str| Param::Bare(s.as_bytes().to_vec());
    vec![[
        "(0-63,99)",
        "(0-7,99)",
        "(0-96,255)",
        "(0-49,255)",
        "(0-34,255)",
        "(0-97,255)",
        "(0-127,255)",
        "(0-127,255)",
        "(0-127,255)",
    ]
    .iter()
    .map(|s| list(s))
    .collect()]
}

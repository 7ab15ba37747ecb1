//! Network state (ONEMO-RELATED.md §A.4-A.5; 27.007 §7.3, §8.2, §10.1.9, §10.1.20-22):
//! `AT+CEREG`, `AT+CGREG`, `AT+COPS?`, `AT+CGATT`, `AT+CFUN`. There is no radio: the module is
//! registered whenever it is fully on and attached. Leaving that state (flight mode, detach)
//! takes down every PDP context, and with them the FTP channels (`+MFTPURC: <id>,"conn",0`);
//! coming back activates cid 1, the default bearer of an LTE attach.

use super::identity::Identity;
use super::pdp::set_pdp;
use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command, Name, Param, Profile, RegLocation, Response, Urc};

/// Tracking area code printed with n 2 or more (4 hex digits; a fixed, plausible cell).
const TAC: &str = "5A1F";
/// Cell identity (28 bits as 8 hex digits).
const CI: &str = "0C8E2A01";
/// E-UTRAN (27.007 `<AcT>` 7).
const ACT_EUTRAN: u8 = 7;

fn location() -> RegLocation {
    RegLocation {
        tac: TAC.into(),
        ci: CI.into(),
        act: ACT_EUTRAN,
    }
}

/// `<stat>`: 1 registered (home network), 2 searching, 0 not registered and not searching.
fn stat(cx: &Ctx<'_>) -> u8 {
    cx.net.stat()
}

/// The location for URC mode `n`: with n 2 or more, and only while registered (27.007).
fn location_for(n: u8, registered: bool) -> Option<RegLocation> {
    (n >= 2 && registered).then(location)
}

/// `AT+CEREG=<n>`, `AT+CGREG=<n>` and their read forms.
pub(crate) fn reg(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Cereg(n) => cx.net.cereg_n = n,
        Command::Cgreg(n) => cx.net.cgreg_n = n,
        Command::Read(name @ (Name::Cereg | Name::Cgreg)) => {
            let n = if name == Name::Cereg {
                cx.net.cereg_n
            } else {
                cx.net.cgreg_n
            };
            let line = Response::Reg {
                name,
                n,
                stat: stat(cx),
                loc: location_for(n, cx.net.registered()),
            };
            cx.reply.respond(&line);
        }
        _ => return cx.reply.error(CmeError::ParameterError),
    }
    cx.reply.ok();
}

/// `AT+COPS?`: `+COPS: 0,0,"<oper>",7` while registered, `+COPS: 0` when not.
pub(crate) fn cops(cx: &mut Ctx<'_>, cmd: Command) {
    if cmd != Command::Read(Name::Cops) {
        return cx.reply.error(CmeError::ParameterError);
    }
    let oper = cx.net.registered().then(|| Identity::of(cx.cfg).operator);
    cx.reply.respond(&Response::Cops(oper));
    cx.reply.ok();
}

/// `AT+CGATT=<0|1>` and `AT+CGATT?`. Attaching needs the radio on (`+CME ERROR: 30`).
pub(crate) fn cgatt(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Read(Name::Cgatt) => {
            let on = u8::from(cx.net.attached && cx.net.fun == 1);
            cx.reply.respond(&Response::Number(Name::Cgatt, on));
            cx.reply.ok();
        }
        Command::Cgatt(true) if cx.net.fun != 1 => cx.reply.error(CmeError::NoNetworkService),
        Command::Cgatt(on) => {
            cx.reply.ok();
            change(cx, |net| net.attached = on);
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

/// `AT+CFUN=<fun>[,<rst>]` and `AT+CFUN?`. The levels the model lacks, and `<rst>` on a model
/// without it, are `+CME ERROR: 50`; `<rst>` 1 (reset) is not modelled and refused the same way.
pub(crate) fn cfun(cx: &mut Ctx<'_>, cmd: Command) {
    let p = &cx.cfg.profile;
    match cmd {
        Command::Read(Name::Cfun) => {
            let fun = cx.net.fun;
            cx.reply.respond(&Response::Number(Name::Cfun, fun));
            cx.reply.ok();
        }
        Command::Cfun { fun, rst }
            if p.cfun_levels.contains(&fun)
                && (rst.is_none() || (p.cfun_rst && rst == Some(0))) =>
        {
            cx.reply.ok();
            change(cx, |net| net.fun = fun);
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

/// Applies `f` to the network state; if registration changes, prints the URCs `AT+CEREG`
/// and `AT+CGREG` ask for and takes the contexts down or brings cid 1 up. The test bench's
/// SIM and coverage faults come through here too (engine/faults.rs).
pub(crate) fn change(cx: &mut Ctx<'_>, f: impl FnOnce(&mut crate::engine::contexts::NetState)) {
    let was = cx.net.registered();
    f(cx.net);
    let now = cx.net.registered();
    if now == was {
        return;
    }
    for (name, n) in [(Name::Cereg, cx.net.cereg_n), (Name::Cgreg, cx.net.cgreg_n)] {
        if n >= 1 {
            let urc = Urc::Reg {
                name,
                stat: cx.net.stat(),
                loc: location_for(n, now),
            };
            cx.reply.urc(&urc);
        }
    }
    if now {
        set_pdp(cx, 1, true, false);
    } else {
        let active: Vec<u8> = cx
            .pdp
            .iter()
            .filter(|(_, p)| p.active)
            .map(|(c, _)| c)
            .collect();
        for cid in active {
            set_pdp(cx, cid, false, false);
        }
    }
}

/// `AT+CGPADDR[=<cid>...]`: `+CGPADDR: <cid>,"<addr>"` per context, the address left out
/// while the context is inactive; without cids, every defined context. A cid above the
/// model's range is `+CME ERROR: 50` (§A.4).
pub(crate) fn cgpaddr(cx: &mut Ctx<'_>, cmd: Command) {
    let Command::Cgpaddr(cids) = cmd else {
        return cx.reply.error(CmeError::ParameterError);
    };
    if cids.iter().any(|c| *c > cx.cfg.profile.cid_max) {
        return cx.reply.error(CmeError::ParameterError);
    }
    let cids: Vec<u8> = if cids.is_empty() {
        cx.pdp
            .iter()
            .filter(|(c, p)| p.defined && *c <= cx.cfg.profile.cid_max)
            .map(|(c, _)| c)
            .collect()
    } else {
        cids
    };
    for cid in cids {
        let active = cx.pdp.get(cid).is_some_and(|p| p.active);
        let addr = active.then(|| cx.pdp.address(cid, cx.cfg.identity.address));
        cx.reply.respond(&Response::Cgpaddr(cid, addr));
    }
    cx.reply.ok();
}

/// `AT+<NAME>=?` for the network commands.
pub(crate) fn test_lines(name: Name, p: &Profile) -> Vec<Vec<Param>> {
    let bare = |s: String| Param::Bare(s.into_bytes());
    match name {
        Name::Cereg => vec![vec![bare("(0-5)".into())]],
        Name::Cgreg => vec![vec![bare("(0-3)".into())]],
        Name::Cgatt => vec![vec![bare("(0,1)".into())]],
        Name::Cgpaddr => vec![vec![bare(format!("(1-{})", p.cid_max))]],
        Name::Cfun => {
            let levels: Vec<String> = p.cfun_levels.iter().map(u8::to_string).collect();
            let mut l = vec![bare(format!("({})", levels.join(",")))];
            if p.cfun_rst {
                l.push(bare("(0,1)".into()));
            }
            vec![l]
        }
        _ => Vec::new(),
    }
}

//! PDP contexts: `AT+CGDCONT`, `AT+CGACT`, `AT+MIPCALL` (NOTES "PDP contexts"). Dropping a
//! context disconnects the channels that use it, each with `+MFTPURC: <id>,"conn",0`.

use crate::engine::action::ChannelRequest;
use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command, Name, Response, Urc};

/// `AT+CGDCONT`, `AT+CGACT`, `AT+MIPCALL`, their read forms included.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    let cid_max = cx.cfg.profile.cid_max;
    match cmd {
        Command::Read(name) => read_form(cx, name),
        Command::Cgdcont { cid, pdp_type, apn } => {
            if cid > cid_max {
                return cx.reply.error(CmeError::ParameterError);
            }
            let Some(p) = cx.pdp.get_mut(cid) else {
                return cx.reply.error(CmeError::ParameterError);
            };
            p.defined = true;
            if let Some(t) = pdp_type {
                p.pdp_type = t;
            }
            if let Some(a) = apn {
                p.apn = a;
            }
            cx.reply.ok();
        }
        Command::Cgact { active: true, .. } | Command::Mipcall { active: true, .. }
            if !cx.net.registered() =>
        {
            // No bearer without a network (27.007 §10.1.10 attaches first; flight mode cannot).
            cx.reply.error(CmeError::NoNetworkService)
        }
        Command::Cgact { active, cid } => {
            let cids: Vec<u8> = match cid {
                Some(c) if c > cid_max => return cx.reply.error(CmeError::ParameterError),
                Some(c) => vec![c],
                None => cx
                    .pdp
                    .iter()
                    .filter(|(_, p)| p.defined)
                    .map(|(c, _)| c)
                    .collect(),
            };
            cx.reply.ok();
            for c in cids {
                set_pdp(cx, c, active, false);
            }
        }
        Command::Mipcall { active, cid } => {
            if cid > cid_max {
                return cx.reply.error(CmeError::ParameterError);
            }
            cx.reply.ok();
            set_pdp(cx, cid, active, true);
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

/// Activates or deactivates `cid`; a context going down disconnects its channels.
pub(crate) fn set_pdp(cx: &mut Ctx<'_>, cid: u8, active: bool, report: bool) {
    let Some(p) = cx.pdp.get_mut(cid) else {
        return;
    };
    let was = p.active;
    p.defined = true;
    p.active = active;
    if report {
        let ip = active.then(|| cx.pdp.address(cid, cx.cfg.identity.address));
        cx.reply.urc(&Urc::Mipcall { cid, active, ip });
    }
    if was && !active {
        let victims: Vec<_> = cx
            .channels
            .iter()
            .filter(|(_, ch)| ch.settings.cid == cid && ch.running())
            .map(|(id, _)| id)
            .collect();
        for id in victims {
            cx.act(id, ChannelRequest::PdpDown);
        }
    }
}

/// `AT+CGDCONT?`, `AT+CGACT?`, `AT+MIPCALL?`.
fn read_form(cx: &mut Ctx<'_>, name: Name) {
    match name {
        Name::Cgdcont => {
            let lines: Vec<Response> = cx
                .pdp
                .iter()
                .filter(|(_, p)| p.defined)
                .map(|(cid, p)| Response::Cgdcont {
                    cid,
                    pdp_type: p.pdp_type.clone(),
                    apn: p.apn.clone(),
                })
                .collect();
            lines.iter().for_each(|r| cx.reply.respond(r));
        }
        Name::Cgact => {
            let lines: Vec<Response> = cx
                .pdp
                .iter()
                .filter(|(_, p)| p.defined)
                .map(|(cid, p)| Response::Cgact {
                    cid,
                    active: p.active,
                })
                .collect();
            lines.iter().for_each(|r| cx.reply.respond(r));
        }
        Name::Mipcall => {
            let lines: Vec<ftpmodem_proto::Urc> = cx
                .pdp
                .iter()
                .filter(|(_, p)| p.active)
                .map(|(cid, _)| ftpmodem_proto::Urc::Mipcall {
                    cid,
                    active: true,
                    ip: Some(cx.pdp.address(cid, cx.cfg.identity.address)),
                })
                .collect();
            // Command mode: printed at once, as the read form's lines.
            lines.iter().for_each(|u| cx.reply.urc(u));
        }
        _ => return cx.reply.error(CmeError::ParameterError),
    }
    cx.reply.ok();
}

//! PDP contexts: `AT+CGDCONT`, `AT+CGACT`, `AT+MIPCALL` (NOTES "PDP contexts"). Dropping a
//! context disconnects the channels that use it, each with `+MFTPURC: <id>,"conn",0`.

use crate::engine::{ChannelRequest, Engine};
use ftpmodem_proto::{CmeError, Command, Urc};

impl Engine {
    pub(super) fn pdp_command(&mut self, cmd: Command) {
        let cid_max = self.cfg.profile.cid_max;
        match cmd {
            Command::Cgdcont { cid, pdp_type, apn } => {
                if cid > cid_max {
                    return self.error(CmeError::ParameterError);
                }
                let Some(p) = self.pdp.get_mut(cid) else {
                    return self.error(CmeError::ParameterError);
                };
                p.defined = true;
                if let Some(t) = pdp_type {
                    p.pdp_type = t;
                }
                if let Some(a) = apn {
                    p.apn = a;
                }
                self.ok();
            }
            Command::Cgact { active, cid } => {
                let cids: Vec<u8> = match cid {
                    Some(c) if c > cid_max => return self.error(CmeError::ParameterError),
                    Some(c) => vec![c],
                    None => self
                        .pdp
                        .iter()
                        .filter(|(_, p)| p.defined)
                        .map(|(c, _)| c)
                        .collect(),
                };
                self.ok();
                for c in cids {
                    self.set_pdp(c, active, false);
                }
            }
            Command::Mipcall { active, cid } => {
                if cid > cid_max {
                    return self.error(CmeError::ParameterError);
                }
                self.ok();
                self.set_pdp(cid, active, true);
            }
            _ => self.error(CmeError::ParameterError),
        }
    }

    fn set_pdp(&mut self, cid: u8, active: bool, report: bool) {
        let Some(p) = self.pdp.get_mut(cid) else {
            return;
        };
        let was = p.active;
        p.defined = true;
        p.active = active;
        if report {
            let ip = active.then(|| self.pdp.address(cid));
            self.urc(&Urc::Mipcall { cid, active, ip });
        }
        if was && !active {
            let victims: Vec<_> = self
                .channels
                .iter()
                .filter(|(_, ch)| ch.settings.cid == cid && ch.running())
                .map(|(id, _)| id)
                .collect();
            for id in victims {
                self.act(id, ChannelRequest::PdpDown);
            }
        }
    }
}

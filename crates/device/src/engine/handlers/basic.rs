//! V.25ter and 27.007 basics: identification, factory defaults, read forms.

use crate::engine::channels::Channels;
use crate::engine::contexts::PdpTable;
use crate::engine::Engine;
use ftpmodem_proto::{CmeError, CmeeMode, Command, Name, Response};

impl Engine {
    /// `ATI`: manufacturer, model and revision lines (NOTES "Framing"; wording: docs/PROTOCOL.md).
    pub(super) fn identify(&mut self) {
        let p = self.cfg.profile.clone();
        self.respond(&Response::Text(p.manufacturer.into()));
        self.respond(&Response::Text(p.name.into()));
        self.respond(&Response::Text(format!("Revision: {}", p.revision)));
        self.ok();
    }

    /// `AT+CGMI`, `AT+CGMM`, `AT+CGMR`: one bare line each (27.007 §5.1-5.3).
    pub(super) fn identity_line(&mut self, cmd: &Command) {
        let p = &self.cfg.profile;
        let text = match cmd {
            Command::Cgmi => p.manufacturer,
            Command::Cgmm => p.name,
            _ => p.revision,
        };
        self.respond(&Response::Text(text.into()));
        self.ok();
    }

    /// `AT&F`: echo on, numeric errors, factory channel settings and TLS contexts. Channels
    /// that are connected keep their settings: they are frozen while a session runs.
    pub(super) fn factory_defaults(&mut self) {
        self.echo = true;
        self.cmee = CmeeMode::Numeric;
        let mut fresh = Channels::default();
        for (id, ch) in self.channels.iter() {
            if ch.running() {
                *fresh.get_mut(id) = ch.clone();
            }
        }
        self.channels = fresh;
        self.ssl.reset();
        self.pdp = PdpTable::new(&self.cfg.pdp);
        self.ok();
    }

    /// `AT+<NAME>?` for the commands that have a read form.
    pub(super) fn read_form(&mut self, name: Name) {
        match name {
            Name::Cmee => self.respond(&Response::Cmee(self.cmee)),
            Name::Cgdcont => {
                let lines: Vec<Response> = self
                    .pdp
                    .iter()
                    .filter(|(_, p)| p.defined)
                    .map(|(cid, p)| Response::Cgdcont {
                        cid,
                        pdp_type: p.pdp_type.clone(),
                        apn: p.apn.clone(),
                    })
                    .collect();
                lines.iter().for_each(|r| self.respond(r));
            }
            Name::Cgact => {
                let lines: Vec<Response> = self
                    .pdp
                    .iter()
                    .filter(|(_, p)| p.defined)
                    .map(|(cid, p)| Response::Cgact {
                        cid,
                        active: p.active,
                    })
                    .collect();
                lines.iter().for_each(|r| self.respond(r));
            }
            Name::Mipcall => {
                let lines: Vec<ftpmodem_proto::Urc> = self
                    .pdp
                    .iter()
                    .filter(|(_, p)| p.active)
                    .map(|(cid, _)| ftpmodem_proto::Urc::Mipcall {
                        cid,
                        active: true,
                        ip: Some(self.pdp.address(cid)),
                    })
                    .collect();
                // Command mode: printed at once, as the read form's lines.
                lines.iter().for_each(|u| self.urc(u));
            }
            _ => return self.error(CmeError::ParameterError),
        }
        self.ok();
    }
}

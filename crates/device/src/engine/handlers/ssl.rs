//! TLS contexts: `AT+MSSLCFG`, `AT+MSSLCERTWR`, `AT+MSSLKEYWR` (NOTES "PDP contexts and TLS
//! contexts"). The files live in the module's local file system.

use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use crate::engine::Engine;
use ftpmodem_proto::{CmeError, Command, Param, Response, SslCfg, SslKey, SslValue};

fn s(v: &Option<String>) -> Param {
    Param::Str(v.clone().unwrap_or_default().into_bytes())
}

impl Engine {
    pub(super) fn ssl_command(&mut self, cmd: Command) {
        match cmd {
            Command::MsslCfg(SslCfg::Read(key, id)) => {
                let Some(c) = self.ssl.0.get(usize::from(id)) else {
                    return self.error(CmeError::ParameterError);
                };
                let values = match key {
                    SslKey::Auth => vec![Param::Int(u64::from(c.auth))],
                    SslKey::Cert => vec![s(&c.ca), s(&c.cert), s(&c.key)],
                    SslKey::Sni => vec![s(&c.sni)],
                    SslKey::Version => vec![Param::Int(u64::from(c.version))],
                    SslKey::IgnoreVerify => vec![Param::Int(u64::from(c.ignore_verify))],
                };
                self.respond(&Response::MsslCfg { key, id, values });
                self.ok();
            }
            Command::MsslCfg(SslCfg::Set(id, value)) => {
                let Some(c) = self.ssl.0.get_mut(usize::from(id)) else {
                    return self.error(CmeError::ParameterError);
                };
                match value {
                    SslValue::Auth(a) => c.auth = a,
                    SslValue::Cert { ca, cert, key } => {
                        c.ca = Some(ca);
                        c.cert = cert;
                        c.key = key;
                    }
                    SslValue::Sni(n) => c.sni = Some(n),
                    SslValue::Version(v) => c.version = v,
                    SslValue::IgnoreVerify(b) => c.ignore_verify = b,
                }
                self.ok();
            }
            Command::MsslCertWr { path, len } | Command::MsslKeyWr { path, len } => {
                let now = self.now;
                let end = PromptEnd::Length(len as usize);
                self.start_prompt(Prompt::new(PromptPurpose::Credential { path }, end, now));
            }
            _ => self.error(CmeError::ParameterError),
        }
    }
}

//! TLS contexts: `AT+MSSLCFG`, `AT+MSSLCERTWR`, `AT+MSSLKEYWR` (NOTES "PDP contexts and TLS
//! contexts"). The files live in the module's local file system.

use crate::engine::ctx::Ctx;
use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use ftpmodem_proto::{CmeError, Command, Param, Response, SslCfg, SslKey, SslValue};

fn s(v: &Option<String>) -> Param {
    Param::Str(v.clone().unwrap_or_default().into_bytes())
}

/// `AT+MSSLCFG`, `AT+MSSLCERTWR`, `AT+MSSLKEYWR`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::MsslCfg(SslCfg::Read(key, id)) => {
            let Some(c) = cx.ssl.0.get(usize::from(id)) else {
                return cx.reply.error(CmeError::ParameterError);
            };
            let values = match key {
                SslKey::Auth => vec![Param::Int(u64::from(c.auth))],
                SslKey::Cert => vec![s(&c.ca), s(&c.cert), s(&c.key)],
                SslKey::Sni => vec![s(&c.sni)],
                SslKey::Version => vec![Param::Int(u64::from(c.version))],
                SslKey::IgnoreVerify => vec![Param::Int(u64::from(c.ignore_verify))],
            };
            cx.reply.respond(&Response::MsslCfg { key, id, values });
            cx.reply.ok();
        }
        Command::MsslCfg(SslCfg::Set(id, value)) => {
            let Some(c) = cx.ssl.0.get_mut(usize::from(id)) else {
                return cx.reply.error(CmeError::ParameterError);
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
            cx.reply.ok();
        }
        Command::MsslCertWr { path, len } | Command::MsslKeyWr { path, len } => {
            let now = cx.now;
            let end = PromptEnd::Length(len as usize);
            cx.start_prompt(Prompt::new(PromptPurpose::Credential { path }, end, now));
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

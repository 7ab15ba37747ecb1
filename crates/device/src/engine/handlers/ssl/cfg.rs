//! `AT+MSSLCFG` (ONEMO-RELATED.md §B.1): read all contexts, read one, set one.

use super::store::{self, Kind};
use crate::engine::ctx::Ctx;
use crate::engine::TlsContext;
use ftpmodem_proto::{CmeError, Response, SslCfg, SslKey, SslValue};

pub(super) fn run(cx: &mut Ctx<'_>, c: SslCfg) {
    let key = match &c {
        SslCfg::ReadAll(k) | SslCfg::Read(k, _) => *k,
        SslCfg::Set(_, v) => v.key(),
    };
    if !supported(cx, key) {
        return cx.reply.error(CmeError::ParameterError);
    }
    match c {
        SslCfg::ReadAll(key) => {
            for (id, t) in cx.ssl.0.iter().enumerate() {
                let values = value(t, key).params();
                cx.reply.respond(&Response::MsslCfg {
                    key,
                    id: id as u8,
                    values,
                });
            }
            cx.reply.ok();
        }
        SslCfg::Read(key, id) => {
            let Some(t) = cx.ssl.0.get(usize::from(id)) else {
                return cx.reply.error(CmeError::ParameterError);
            };
            let values = value(t, key).params();
            cx.reply.respond(&Response::MsslCfg { key, id, values });
            cx.reply.ok();
        }
        SslCfg::Set(id, v) => match set(cx, id, v) {
            Ok(()) => cx.reply.ok(),
            Err(e) => cx.reply.error(e),
        },
    }
}

/// PSK is not supported on the 4G series (§B.1, SSLM): the module refuses the key like one it
/// does not know. `"sni"` is the MR880A's, so only profiles with it take the key.
fn supported(cx: &Ctx<'_>, key: SslKey) -> bool {
    match key {
        SslKey::Psk => false,
        SslKey::Sni => cx.cfg.profile.ssl_sni,
        _ => true,
    }
}

fn set(cx: &mut Ctx<'_>, id: u8, v: SslValue) -> Result<(), CmeError> {
    // Values the parser lets through but the module refuses.
    match &v {
        SslValue::Encoding(n) if *n != 2 => return Err(CmeError::ParameterError),
        SslValue::Cert { ca, cert, key } => {
            // §B.1: a name that is not stored is 762; all three empty is accepted.
            for (name, kind) in [(ca, Kind::Cert), (cert, Kind::Cert), (key, Kind::Key)] {
                if !name.is_empty() {
                    store::check_name(name)?;
                    if !store::exists(cx, kind, name)? {
                        return Err(CmeError::SslNotExist);
                    }
                }
            }
        }
        _ => {}
    }
    let t = cx
        .ssl
        .0
        .get_mut(usize::from(id))
        .ok_or(CmeError::ParameterError)?;
    match v {
        SslValue::Auth(a) => t.auth = a,
        SslValue::Cert { ca, cert, key } => {
            t.ca = ca;
            t.cert = cert;
            t.key = key;
        }
        SslValue::NegoTime(s) => t.negotime = s,
        SslValue::Version(v) => t.version = v,
        SslValue::CipherSuite(c) => t.cipher_suite = c,
        SslValue::Session(b) => t.session = b,
        SslValue::IgnoreStamp(b) => t.ignore_stamp = b,
        SslValue::IgnoreVerify(b) => t.ignore_verify = b,
        SslValue::Sni(b) => t.sni = b,
        // Encoding has one value (checked above); PSK never gets here.
        SslValue::Encoding(_) | SslValue::Psk(_) => {}
    }
    Ok(())
}

/// The value of `key` in context `t`, as the read reply prints it.
fn value(t: &TlsContext, key: SslKey) -> SslValue {
    match key {
        SslKey::Auth => SslValue::Auth(t.auth),
        SslKey::Cert => SslValue::Cert {
            ca: t.ca.clone(),
            cert: t.cert.clone(),
            key: t.key.clone(),
        },
        SslKey::Psk => SslValue::Psk(String::new()),
        SslKey::Encoding => SslValue::Encoding(2),
        SslKey::NegoTime => SslValue::NegoTime(t.negotime),
        SslKey::Version => SslValue::Version(t.version),
        SslKey::CipherSuite => SslValue::CipherSuite(t.cipher_suite),
        SslKey::Session => SslValue::Session(t.session),
        SslKey::IgnoreStamp => SslValue::IgnoreStamp(t.ignore_stamp),
        SslKey::IgnoreVerify => SslValue::IgnoreVerify(t.ignore_verify),
        SslKey::Sni => SslValue::Sni(t.sni),
    }
}

//! `AT+MFTPCFG` (§3.1): per-channel settings, read in three forms, set while disconnected.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::{
    CfgKey, CfgRequest, CfgValue, ChannelId, CmeError, Command, Response, SslMode, TransMode,
};
use std::time::Duration;

/// `AT+MFTPCFG`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    let Command::MftpCfg(req) = cmd else {
        return cx.reply.error(CmeError::ParameterError);
    };
    match req {
        CfgRequest::ReadAll(id) => {
            for k in CfgKey::ALL {
                let v = cfg_value(cx, id, k);
                cx.reply.respond(&Response::MftpCfg(id, v));
            }
            cx.reply.ok();
        }
        CfgRequest::Read(id, k) => {
            let v = cfg_value(cx, id, k);
            cx.reply.respond(&Response::MftpCfg(id, v));
            cx.reply.ok();
        }
        CfgRequest::Set(id, v) => match cfg_set(cx, id, v) {
            Ok(()) => cx.reply.ok(),
            Err(e) => cx.reply.error(e),
        },
    }
}

fn cfg_value(cx: &Ctx<'_>, id: ChannelId, k: CfgKey) -> CfgValue {
    let s = &cx.channels.get(id).settings;
    match k {
        CfgKey::DataType => CfgValue::DataType(s.data_type),
        CfgKey::TransMode => CfgValue::TransMode(s.trans_mode),
        CfgKey::RspTimeout => CfgValue::RspTimeout(s.rsp_timeout.as_secs().min(255) as u8),
        CfgKey::Ssl => CfgValue::Ssl(s.ssl_mode, s.ssl_id),
        CfgKey::LocalFs => CfgValue::LocalFs(s.local_fs),
        CfgKey::Cid => CfgValue::Cid(s.cid),
    }
}

/// Profile restrictions first (footnotes 1-3: 50), then the frozen-while-connected rule
/// (802), so an invalid value is reported as such even on a busy channel.
fn cfg_set(cx: &mut Ctx<'_>, id: ChannelId, v: CfgValue) -> Result<(), CmeError> {
    let p = &cx.cfg.profile;
    let allowed = match v {
        CfgValue::TransMode(TransMode::Active) => p.active_mode,
        // Without FTPS the test form offers ssl_id 0 only (ONEMO-RELATED.md §D).
        CfgValue::Ssl(mode, ssl_id) => (mode == SslMode::Plain && ssl_id == 0) || p.ftps,
        CfgValue::Cid(c) => c <= p.cid_max,
        _ => true,
    };
    if !allowed {
        return Err(CmeError::ParameterError);
    }
    let ch = cx.channels.get_mut(id);
    if ch.running() {
        return Err(CmeError::FtpRunning);
    }
    let s = &mut ch.settings;
    match v {
        CfgValue::DataType(d) => s.data_type = d,
        CfgValue::TransMode(t) => s.trans_mode = t,
        CfgValue::RspTimeout(t) => s.rsp_timeout = Duration::from_secs(u64::from(t)),
        CfgValue::Ssl(m, i) => {
            s.ssl_mode = m;
            s.ssl_id = i;
        }
        CfgValue::LocalFs(l) => s.local_fs = l,
        CfgValue::Cid(c) => s.cid = c,
    }
    Ok(())
}

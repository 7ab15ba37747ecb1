//! `AT+MLPMCFG` (ONEMO-RELATED.md §A.6, T-pm): low-power keys, kept and read back. There is
//! no sleep to enter: a host that allows it (`"sleepmode",2`) finds the module awake anyway,
//! which every host must cope with since a wake-up is always possible.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::{LpmCfg, LpmKey};
use ftpmodem_proto::{CmeError, Command, Model, Name, Param, Profile, Response};

/// The keys a model has: the ML305U only `"sleepmode"` (T-pm), the others all three.
fn keys(p: &Profile) -> &'static [LpmKey] {
    match p.model {
        Model::Ml305u => &[LpmKey::SleepMode],
        _ => &LpmKey::ALL,
    }
}

/// `AT+MLPMCFG="<key>"[,<values>]` and `AT+MLPMCFG?`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    let keys = keys(&cx.cfg.profile);
    match cmd {
        Command::Mlpmcfg(LpmCfg::Read(k)) if keys.contains(&k) => {
            let v = cx.settings.lpm.get(k);
            cx.reply.respond(&Response::Mlpmcfg(v));
        }
        Command::Mlpmcfg(LpmCfg::Set(v)) if keys.contains(&v.key()) => {
            let before = cx.settings.lpm;
            cx.settings.lpm.set(v);
            if v.key() == LpmKey::SleepMode {
                if let Err(e) = cx.settings.store_lpm(cx.fs) {
                    tracing::warn!("AT+MLPMCFG: the sleep mode could not be stored: {e}");
                    cx.settings.lpm = before;
                    return cx.reply.error(CmeError::FsError);
                }
            }
        }
        Command::Read(Name::Mlpmcfg) => {
            for k in keys {
                let v = cx.settings.lpm.get(*k);
                cx.reply.respond(&Response::Mlpmcfg(v));
            }
        }
        _ => return cx.reply.error(CmeError::ParameterError),
    }
    cx.reply.ok();
}

/// One line per key with its ranges: `+MLPMCFG: "sleepmode",(0-2),(0,1)`.
pub(crate) fn test_lines(_: Name, p: &Profile) -> Vec<Vec<Param>> {
    let bare = |s: &str| Param::Bare(s.as_bytes().to_vec());
    keys(p)
        .iter()
        .map(|k| {
            let mut l = vec![Param::Str(k.as_str().as_bytes().to_vec())];
            match k {
                LpmKey::SleepInd => l.push(bare("(0-2)")),
                LpmKey::SleepMode => l.extend([bare("(0-2)"), bare("(0,1)")]),
                LpmKey::DelaySleep => l.push(bare("(0-300)")),
            }
            l
        })
        .collect()
}

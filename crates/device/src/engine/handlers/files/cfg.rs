//! `AT+MFCFG` (§C.3): the data modes' timeout and the encodings of file data in and out.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::{mfcfg_test_lines, MfCfgRequest, MfCfgValue};
use ftpmodem_proto::{Name, Param, Profile, Response};

pub(crate) fn run(cx: &mut Ctx<'_>, r: MfCfgRequest) {
    let s = &mut cx.files.settings;
    let line = match r {
        MfCfgRequest::ReadTimeout => Some(MfCfgValue::Timeout(s.timeout)),
        MfCfgRequest::ReadEncoding => Some(MfCfgValue::Encoding(s.input, s.output)),
        MfCfgRequest::SetTimeout(t) => {
            s.timeout = t;
            None
        }
        MfCfgRequest::SetEncoding(input, output) => {
            s.input = input;
            if let Some(o) = output {
                s.output = o;
            }
            None
        }
    };
    if let Some(v) = line {
        cx.reply.respond(&Response::MfCfg(v));
    }
    cx.reply.ok();
}

/// `AT+MFCFG=?`: the one test form among the file commands.
pub(crate) fn test_lines(_: Name, _: &Profile) -> Vec<Vec<Param>> {
    mfcfg_test_lines()
}

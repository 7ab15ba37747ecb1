//! `AT+IPR` (V.250 §6.2.10; ONEMO-RELATED.md §A.3): the UART rate. The new rate takes effect
//! once the command line is answered (`restart.rs` marks it in the output after the result);
//! a UART transport switches then, the others only report it.

use crate::engine::ctx::Ctx;
use ftpmodem_proto::command::IPR_RATES;
use ftpmodem_proto::{CmeError, Command, Name, Param, Profile, Response};

/// `AT+IPR=<rate>`, `AT+IPR?`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Ipr(rate) if IPR_RATES.contains(&rate) => {
            cx.settings.rate = rate;
            cx.reply.ok();
        }
        Command::Read(Name::Ipr) => {
            let rate = cx.settings.rate;
            cx.reply.respond(&Response::Ipr(rate));
            cx.reply.ok();
        }
        // A rate the hardware list lacks (autobaud 0 included): parameter error.
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

/// `+IPR: (),(9600,...,921600)`: no autodetected rates, then the fixed ones (V.250 §6.2.10).
pub(crate) fn test_lines(_: Name, _: &Profile) -> Vec<Vec<Param>> {
    let fixed: Vec<String> = IPR_RATES.iter().map(u32::to_string).collect();
    vec![vec![
        Param::Bare(b"()".to_vec()),
        Param::Bare(format!("({})", fixed.join(",")).into_bytes()),
    ]]
}

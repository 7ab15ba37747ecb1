//! V.25ter and 27.007 basics: `AT`, echo, identification (in `identity.rs`), factory
//! defaults, `AT+CMEE`.

use crate::engine::channels::Channels;
use crate::engine::contexts::PdpTable;
use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command, Response};

/// `AT&F`: echo on, numeric errors, factory channel settings and TLS contexts. Channels
/// that are connected keep their settings: they are frozen while a session runs.
fn factory_defaults(cx: &mut Ctx<'_>) {
    // The factory profile (echo, V1, Q0, S3/S4/S5, numeric errors); the UART keeps its rate.
    let factory = crate::engine::settings::Profile::factory(cx.settings.rate);
    super::v25::apply(cx, &factory);
    let mut fresh = Channels::default();
    for (id, ch) in cx.channels.iter() {
        if ch.running() {
            *fresh.get_mut(id) = ch.clone();
        }
    }
    *cx.channels = fresh;
    cx.ssl.reset();
    *cx.pdp = PdpTable::new(&cx.cfg.pdp);
    cx.reply.ok();
}

/// The basic commands: `AT`, `ATE<n>`, `ATI`, `AT&F`.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::At => cx.reply.ok(),
        Command::Echo(on) => {
            *cx.echo = on;
            cx.reply.ok();
        }
        Command::Identify => super::identity::ati(cx),
        Command::FactoryDefaults => factory_defaults(cx),
        other => super::v25::run(cx, other),
    }
}

/// `AT+CMEE=<n>` and `AT+CMEE?`.
pub(crate) fn cmee(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::Cmee(m) => cx.reply.cmee = m,
        Command::Read(_) => {
            let m = cx.reply.cmee;
            cx.reply.respond(&Response::Cmee(m));
        }
        _ => return cx.reply.error(CmeError::ParameterError),
    }
    cx.reply.ok();
}

//! V.25ter and 27.007 basics: `AT`, echo, identification, factory defaults, `AT+CMEE`.

use crate::engine::channels::Channels;
use crate::engine::contexts::PdpTable;
use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, CmeeMode, Command, Response};

/// `ATI`: manufacturer, model and revision lines (NOTES "Framing"; wording: docs/PROTOCOL.md).
fn identify(cx: &mut Ctx<'_>) {
    let p = cx.cfg.profile.clone();
    cx.reply.respond(&Response::Text(p.manufacturer.into()));
    cx.reply.respond(&Response::Text(p.name.into()));
    cx.reply
        .respond(&Response::Text(format!("Revision: {}", p.revision)));
    cx.reply.ok();
}

/// `AT+CGMI`, `AT+CGMM`, `AT+CGMR`: one bare line each (27.007 §5.1-5.3).
pub(crate) fn identity_line(cx: &mut Ctx<'_>, cmd: Command) {
    let p = &cx.cfg.profile;
    let text = match cmd {
        Command::Cgmi => p.manufacturer,
        Command::Cgmm => p.name,
        _ => p.revision,
    };
    cx.reply.respond(&Response::Text(text.into()));
    cx.reply.ok();
}

/// `AT&F`: echo on, numeric errors, factory channel settings and TLS contexts. Channels
/// that are connected keep their settings: they are frozen while a session runs.
fn factory_defaults(cx: &mut Ctx<'_>) {
    *cx.echo = true;
    cx.reply.cmee = CmeeMode::Numeric;
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
        Command::Identify => identify(cx),
        Command::FactoryDefaults => factory_defaults(cx),
        _ => cx.reply.error(CmeError::ParameterError),
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

//! Identity as the hardware prints it (ONEMO-RELATED.md §A.2, §A.5): `ATI`, `AT+CGMI/CGMM/
//! CGMR`, `AT+CGSN`, `AT+GSN`, `AT+CIMI`, `AT+MCCID`, `AT+ICCID`, `AT+CPIN?`. Values come from
//! the model profile unless the configuration file overrides them.

use crate::engine::config::{luhn_digit, EngineConfig};
use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command, Name, Response};

/// Serial part of the default IMEI: one module per model, so one fixed serial.
const SERIAL: &str = "012345";
/// Default IMSI: MCC 460, MNC 08 (China Mobile), a fixed subscriber number.
const IMSI: &str = "460081234567890";
/// Default ICCID body (issuer 898600, China Mobile); the Luhn digit makes it 20 digits.
const ICCID_BODY: &str = "8986001234567890123";
/// Default operator of `AT+COPS?`: the CMCC network the default IMSI belongs to.
const OPERATOR: &str = "CHINA MOBILE";
/// Software version number of `AT+CGSN=2/3` (27.007 §5.4).
const SVN: &str = "01";

/// The identity one engine prints.
pub(crate) struct Identity {
    pub(crate) manufacturer: String,
    pub(crate) model: &'static str,
    pub(crate) revision: String,
    pub(crate) imei: String,
    pub(crate) imsi: String,
    pub(crate) iccid: String,
    pub(crate) operator: String,
    pub(crate) rssi: u8,
    pub(crate) ber: u8,
    pub(crate) rsrq: u8,
    pub(crate) rsrp: u8,
}

/// `body` completed with its Luhn digit.
fn with_luhn(body: &str) -> String {
    let mut s = body.to_string();
    s.push(char::from(luhn_digit(body).unwrap_or(b'0')));
    s
}

impl Identity {
    /// The profile's identity with the configured overrides applied.
    pub(crate) fn of(cfg: &EngineConfig) -> Identity {
        let p = &cfg.profile;
        let o = &cfg.identity;
        let or = |v: &Option<String>, d: String| v.clone().unwrap_or(d);
        Identity {
            manufacturer: or(&o.manufacturer, p.manufacturer.into()),
            model: p.name,
            revision: or(&o.revision, p.revision.into()),
            imei: or(&o.imei, with_luhn(&format!("{}{SERIAL}", p.tac))),
            imsi: or(&o.imsi, IMSI.into()),
            iccid: or(&o.iccid, with_luhn(ICCID_BODY)),
            operator: or(&o.operator, OPERATOR.into()),
            rssi: o.rssi.unwrap_or(p.rssi),
            ber: o.ber.unwrap_or(p.ber),
            rsrq: o.rsrq.unwrap_or(p.rsrq),
            rsrp: o.rsrp.unwrap_or(p.rsrp),
        }
    }
}

/// `ATI`: manufacturer, model and revision. Hardware models print the three bare lines with
/// one CRLF between them (§A.2); `generic` keeps `Revision: <rev>` on separate lines.
pub(crate) fn ati(cx: &mut Ctx<'_>) {
    let id = Identity::of(cx.cfg);
    if cx.cfg.profile.ati_hardware {
        let lines = vec![id.manufacturer, id.model.into(), id.revision];
        cx.reply.respond(&Response::Lines(lines));
    } else {
        cx.reply.respond(&Response::Text(id.manufacturer));
        cx.reply.respond(&Response::Text(id.model.into()));
        cx.reply
            .respond(&Response::Text(format!("Revision: {}", id.revision)));
    }
    cx.reply.ok();
}

/// `AT+CGMI`, `AT+CGMM`, `AT+CGMR`, `AT+GSN`, `AT+CIMI`: one bare line each (27.007 §5.1-5.3,
/// §5.6; a host takes a bare line as the answer, §A.1).
pub(crate) fn bare_line(cx: &mut Ctx<'_>, cmd: Command) {
    let id = Identity::of(cx.cfg);
    let text = match cmd {
        Command::Cgmi => id.manufacturer,
        Command::Cgmm => id.model.into(),
        Command::Cgmr => id.revision,
        Command::Gsn | Command::Cgsn(None) | Command::Cgsn(Some(0)) => id.imei,
        Command::Cimi => id.imsi,
        _ => return cx.reply.error(CmeError::ParameterError),
    };
    cx.reply.respond(&Response::Text(text));
    cx.reply.ok();
}

/// `AT+CGSN[=<snt>]` (27.007 §5.4): 0 or none the bare IMEI, 1 `+CGSN: <imei>` (what esp-ml307
/// sends, §A.5), 2 `+CGSN: <imeisv>`, 3 `+CGSN: <svn>`.
pub(crate) fn cgsn(cx: &mut Ctx<'_>, cmd: Command) {
    let imei = Identity::of(cx.cfg).imei;
    let value = match cmd {
        Command::Cgsn(None) | Command::Cgsn(Some(0)) => return bare_line(cx, cmd),
        Command::Cgsn(Some(1)) => imei,
        Command::Cgsn(Some(2)) => format!("{}{SVN}", imei.get(..14).unwrap_or(&imei)),
        Command::Cgsn(Some(3)) => SVN.into(),
        _ => return cx.reply.error(CmeError::ParameterError),
    };
    cx.reply.respond(&Response::Value(Name::Cgsn, value));
    cx.reply.ok();
}

/// `AT+MCCID` and `AT+ICCID`: `+<NAME>: <iccid>`, unquoted (§A.5).
pub(crate) fn iccid(cx: &mut Ctx<'_>, cmd: Command) {
    let name = match cmd {
        Command::Mccid => Name::Mccid,
        Command::Iccid => Name::Iccid,
        _ => return cx.reply.error(CmeError::ParameterError),
    };
    let iccid = Identity::of(cx.cfg).iccid;
    cx.reply.respond(&Response::Value(name, iccid));
    cx.reply.ok();
}

/// `AT+CPIN?`: the SIM needs no PIN, `+CPIN: READY` (27.007 §8.3; esp-ml307 takes the `OK` as
/// ready, §A.4). There is no PIN to enter: `AT+CPIN=<pin>` does not parse (`+CME ERROR: 50`).
pub(crate) fn cpin(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        // The test bench's SIM-removed fault (27.007 §9.2.1 code 10).
        Command::Read(Name::Cpin) if !cx.net.sim => cx.reply.error(CmeError::SimNotInserted),
        Command::Read(Name::Cpin) => {
            cx.reply
                .respond(&Response::Value(Name::Cpin, "READY".into()));
            cx.reply.ok();
        }
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

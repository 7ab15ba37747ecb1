//! Parsing and emitting `AT+<NAME>...` lines.

use super::def::{CfgRequest, Command, Conn, Retr, SslCfg, SslKey, SslValue, MAX_CID};
use super::upload::Upload;
use crate::args::{Args, MAX_STRING};
use crate::error::ParseError;
use crate::name::Name;
use crate::syntax::{self, Param};
use crate::types::{CfgKey, CfgValue, CmeeMode, DataType, LocalFs, SslMode, TransMode};
use alloc::vec::Vec;

/// Most bytes the host library sends in one `AT+MFPUT` prompt. The module itself takes any
/// length (ONEMO-RELATED.md §C.3), streaming the data to the file as it comes.
pub const MFPUT_MAX: u32 = 65536;
/// Certificate and key files.
pub const CERT_MAX: u32 = 16384;

/// Parses what follows `AT+`.
pub(super) fn parse(body: &[u8]) -> Result<Command, ParseError> {
    let name_len = body
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = Name::from_bytes(&body[..name_len]).ok_or(ParseError::Unknown)?;
    if matches!(name, Name::MftpUrc | Name::MatReady) {
        return Err(ParseError::Unknown);
    }
    let rest = &body[name_len..];
    if let Some(form) = super::file::check_form(name, rest) {
        return form;
    }
    if let Some(parsed) = super::v25::parse_extended(name, rest) {
        return parsed;
    }
    match rest {
        b"=?" => Ok(Command::Test(name)),
        b"?" => match name {
            Name::Cmee
            | Name::Cgdcont
            | Name::Cgact
            | Name::Mipcall
            | Name::Cpin
            | Name::Cereg
            | Name::Cgreg
            | Name::Cops
            | Name::Cgatt
            | Name::Cfun => Ok(Command::Read(name)),
            _ => Err(ParseError::Param),
        },
        b"" => execute(name),
        [b'=', params @ ..] => {
            let params = syntax::split(params).map_err(ParseError::Syntax)?;
            set(name, &mut Args::new(&params))
        }
        _ => Err(ParseError::Param),
    }
}

fn execute(name: Name) -> Result<Command, ParseError> {
    match name {
        Name::Cgmi => Ok(Command::Cgmi),
        Name::Cgmm => Ok(Command::Cgmm),
        Name::Cgmr => Ok(Command::Cgmr),
        Name::Csq => Ok(Command::Csq),
        Name::Cesq => Ok(Command::Cesq),
        Name::Cgpaddr => Ok(Command::Cgpaddr(Vec::new())),
        Name::Cgsn => Ok(Command::Cgsn(None)),
        Name::Gsn => Ok(Command::Gsn),
        Name::Cimi => Ok(Command::Cimi),
        Name::Mccid => Ok(Command::Mccid),
        Name::Iccid => Ok(Command::Iccid),
        Name::MfSinfo => Ok(Command::MfSinfo),
        Name::MfList => Ok(Command::MfList(None)),
        Name::MfDelete => Ok(Command::MfDeleteAll),
        _ => Err(ParseError::Param),
    }
}

fn set(name: Name, a: &mut Args<'_>) -> Result<Command, ParseError> {
    if let Some(file) = super::file::parse_set(name, a) {
        return file;
    }
    let cmd = match name {
        Name::Cmee => Command::Cmee(CmeeMode::from_u8(a.u8_in(0, 2)?).ok_or(ParseError::Param)?),
        Name::MftpCfg => Command::MftpCfg(cfg(a)?),
        Name::MftpConn => Command::MftpConn(Conn {
            id: a.channel()?,
            host: a.string(MAX_STRING)?,
            user: a.opt_string_allow_empty(MAX_STRING)?,
            pass: a.opt_string_allow_empty(MAX_STRING)?,
            port: a.opt_int(0, 65535)?.map(|p| p as u16),
        }),
        Name::MftpDisc => Command::MftpDisc(a.channel()?),
        Name::MftpCwd => Command::MftpCwd(a.channel()?, a.string(MAX_STRING)?),
        Name::MftpPwd => Command::MftpPwd(a.channel()?),
        Name::MftpMkd => Command::MftpMkd(a.channel()?, a.string(MAX_STRING)?),
        Name::MftpList => Command::MftpList(a.channel()?, a.string(MAX_STRING)?),
        Name::MftpDel => Command::MftpDel(a.channel()?, a.string(MAX_STRING)?),
        Name::MftpRn => Command::MftpRn(a.channel()?, a.string(MAX_STRING)?, a.string(MAX_STRING)?),
        Name::MftpRetr => Command::MftpRetr(Retr {
            id: a.channel()?,
            file: a.string(MAX_STRING)?,
            local: a.opt_string(MAX_STRING)?,
            offset: a.opt_int(0, u64::from(u32::MAX))?,
            length: a.opt_int(1, u64::from(u32::MAX))?,
        }),
        Name::MftpAppe => return Upload::parse(a).map(Command::MftpAppe),
        Name::MftpStor => return Upload::parse(a).map(Command::MftpStor),
        Name::MftpState => Command::MftpState(a.channel()?),
        // §C.3: any length (0 = the string's length inline, or "until Ctrl+Z" in the data
        // mode); whether it matches the data depends on `AT+MFCFG="encoding"`, so the engine
        // checks it, after truncating the file as the hardware does.
        Name::MfPut => {
            let path = a.string(MAX_STRING)?;
            let len = a.int(0, u64::from(u32::MAX))? as u32;
            let data = if a.at_end() {
                None
            } else {
                Some(a.bytes(0, super::file::INLINE_FILE_MAX)?)
            };
            Command::MfPut { path, len, data }
        }
        Name::MfGet => Command::MfGet(a.string(MAX_STRING)?),
        Name::MfList => Command::MfList(Some(a.string(MAX_STRING)?)),
        Name::MfSize => Command::MfSize(a.string(MAX_STRING)?),
        Name::MfDelete => Command::MfDelete(a.string(MAX_STRING)?),
        Name::MfMove => Command::MfMove(a.string(MAX_STRING)?, a.string(MAX_STRING)?),
        Name::Cgdcont => Command::Cgdcont {
            cid: a.u8_in(1, MAX_CID)?,
            pdp_type: a.opt_string(16)?,
            apn: a.opt_string_allow_empty(100)?,
        },
        Name::Cgact => Command::Cgact {
            active: a.int(0, 1)? == 1,
            cid: a.opt_int(1, u64::from(MAX_CID))?.map(|c| c as u8),
        },
        Name::Mipcall => Command::Mipcall {
            active: a.int(0, 1)? == 1,
            cid: a.u8_in(1, MAX_CID)?,
        },
        Name::MsslCfg => Command::MsslCfg(ssl(a)?),
        Name::MsslCertWr => Command::MsslCertWr {
            path: a.string(MAX_STRING)?,
            len: a.int(1, u64::from(CERT_MAX))? as u32,
        },
        Name::MsslKeyWr => Command::MsslKeyWr {
            path: a.string(MAX_STRING)?,
            len: a.int(1, u64::from(CERT_MAX))? as u32,
        },
        Name::Cgsn => Command::Cgsn(Some(a.u8_in(0, 3)?)),
        // 27.007 §10.1.22 n 0-5, §10.1.20 n 0-3 (ONEMO-RELATED.md §A.4 for the ML30x).
        Name::Cereg => Command::Cereg(a.u8_in(0, 5)?),
        Name::Cgreg => Command::Cgreg(a.u8_in(0, 3)?),
        Name::Cgatt => Command::Cgatt(a.int(0, 1)? == 1),
        // §A.4: cid 0 or 16 is refused; at least one cid after `=`.
        Name::Cgpaddr => {
            let mut cids = alloc::vec![a.u8_in(1, MAX_CID)?];
            while !a.at_end() {
                cids.push(a.u8_in(1, MAX_CID)?);
            }
            Command::Cgpaddr(cids)
        }
        Name::Cfun => Command::Cfun {
            fun: a.u8_in(0, 127)?,
            rst: a.opt_int(0, 1)?.map(|r| r as u8),
        },
        Name::Cgmi
        | Name::Cgmm
        | Name::Cgmr
        | Name::Csq
        | Name::Cesq
        | Name::Cops
        | Name::Gsn
        | Name::Cimi
        | Name::Mccid
        | Name::Iccid
        | Name::Cpin
        | Name::MfSinfo
        | Name::MftpUrc
        | Name::MatReady => return Err(ParseError::Param),
        Name::MfOpen
        | Name::MfRead
        | Name::MfWrite
        | Name::MfSeek
        | Name::MfClose
        | Name::MfTrunc
        | Name::MfSync
        | Name::MfCheck
        | Name::MfCfg => return Err(ParseError::Param),
        // Parsed in `v25.rs` before this point.
        Name::Mreboot | Name::Ipr | Name::Mlpmcfg => return Err(ParseError::Param),
    };
    a.end()?;
    Ok(cmd)
}

fn cfg(a: &mut Args<'_>) -> Result<CfgRequest, ParseError> {
    let id = a.channel()?;
    if a.at_end() {
        return Ok(CfgRequest::ReadAll(id));
    }
    let key = match a.peek() {
        Some(Param::Str(k)) => CfgKey::from_bytes(k).ok_or(ParseError::Param)?,
        _ => return Err(ParseError::Param),
    };
    let _ = a.string(MAX_STRING)?;
    if a.at_end() {
        return Ok(CfgRequest::Read(id, key));
    }
    let value = match key {
        CfgKey::DataType => {
            CfgValue::DataType(DataType::from_u8(a.u8_in(0, 1)?).ok_or(ParseError::Param)?)
        }
        CfgKey::TransMode => {
            CfgValue::TransMode(TransMode::from_u8(a.u8_in(0, 1)?).ok_or(ParseError::Param)?)
        }
        CfgKey::RspTimeout => CfgValue::RspTimeout(a.u8_in(2, 30)?),
        CfgKey::Ssl => {
            let mode = SslMode::from_u8(a.u8_in(0, 2)?).ok_or(ParseError::Param)?;
            CfgValue::Ssl(mode, a.u8_in(0, 5)?)
        }
        CfgKey::LocalFs => {
            CfgValue::LocalFs(LocalFs::from_u8(a.u8_in(0, 1)?).ok_or(ParseError::Param)?)
        }
        CfgKey::Cid => CfgValue::Cid(a.u8_in(1, MAX_CID)?),
    };
    a.end()?;
    Ok(CfgRequest::Set(id, value))
}

fn ssl(a: &mut Args<'_>) -> Result<SslCfg, ParseError> {
    let key = match a.peek() {
        Some(Param::Str(k)) => SslKey::from_bytes(k).ok_or(ParseError::Param)?,
        _ => return Err(ParseError::Param),
    };
    let _ = a.string(MAX_STRING)?;
    let id = a.u8_in(0, 5)?;
    if a.at_end() {
        return Ok(SslCfg::Read(key, id));
    }
    let value = match key {
        SslKey::Auth => SslValue::Auth(a.u8_in(0, 2)?),
        SslKey::Cert => SslValue::Cert {
            ca: a.string(MAX_STRING)?,
            cert: a.opt_string(MAX_STRING)?,
            key: a.opt_string(MAX_STRING)?,
        },
        SslKey::Sni => SslValue::Sni(a.string(MAX_STRING)?),
        SslKey::Version => SslValue::Version(a.u8_in(0, 4)?),
        SslKey::IgnoreVerify => SslValue::IgnoreVerify(a.int(0, 1)? == 1),
    };
    a.end()?;
    Ok(SslCfg::Set(id, value))
}

fn int(n: impl Into<u64>) -> Param {
    Param::Int(n.into())
}

fn s(v: &str) -> Param {
    Param::Str(crate::escape::escape_param(v.as_bytes()))
}

fn opt_s(v: &Option<alloc::string::String>) -> Param {
    v.as_deref().map_or(Param::Empty, s)
}

fn opt_int(v: Option<impl Into<u64>>) -> Param {
    v.map_or(Param::Empty, int)
}

/// Emits everything but the basic commands, after `AT`.
pub(super) fn emit(cmd: &Command, out: &mut Vec<u8>) {
    let simple = |out: &mut Vec<u8>, name: Name, suffix: &[u8]| {
        out.push(b'+');
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(suffix);
    };
    let id = |c: crate::types::ChannelId| int(c.get());
    match cmd {
        Command::At | Command::Echo(_) | Command::Identify | Command::FactoryDefaults => {}
        // Written by `v25.rs`.
        Command::Verbose(_)
        | Command::Quiet(_)
        | Command::ResetProfile
        | Command::SaveProfile
        | Command::SRegRead(_)
        | Command::SRegSet(..)
        | Command::Reboot(_)
        | Command::Ipr(_)
        | Command::Mlpmcfg(_) => {}
        Command::Test(n) => simple(out, *n, b"=?"),
        Command::Read(n) => simple(out, *n, b"?"),
        Command::Cgmi => simple(out, Name::Cgmi, b""),
        Command::Cgmm => simple(out, Name::Cgmm, b""),
        Command::Cgmr => simple(out, Name::Cgmr, b""),
        Command::Csq => simple(out, Name::Csq, b""),
        Command::Cesq => simple(out, Name::Cesq, b""),
        Command::Cereg(n) => push_set(out, Name::Cereg, &[int(*n)]),
        Command::Cgreg(n) => push_set(out, Name::Cgreg, &[int(*n)]),
        Command::Cgatt(on) => push_set(out, Name::Cgatt, &[int(u8::from(*on))]),
        Command::Cgpaddr(cids) if cids.is_empty() => simple(out, Name::Cgpaddr, b""),
        Command::Cgpaddr(cids) => {
            let p: Vec<Param> = cids.iter().map(|c| int(*c)).collect();
            push_set(out, Name::Cgpaddr, &p)
        }
        Command::Cfun { fun, rst } => {
            let mut p = alloc::vec![int(*fun)];
            p.extend(rst.map(int));
            push_set(out, Name::Cfun, &p)
        }
        Command::Cgsn(None) => simple(out, Name::Cgsn, b""),
        Command::Cgsn(Some(snt)) => push_set(out, Name::Cgsn, &[int(*snt)]),
        Command::Gsn => simple(out, Name::Gsn, b""),
        Command::Cimi => simple(out, Name::Cimi, b""),
        Command::Mccid => simple(out, Name::Mccid, b""),
        Command::Iccid => simple(out, Name::Iccid, b""),
        Command::MfSinfo => simple(out, Name::MfSinfo, b""),
        Command::MfList(None) => simple(out, Name::MfList, b""),
        Command::Cmee(m) => push_set(out, Name::Cmee, &[int(m.as_u8())]),
        Command::MftpCfg(req) => {
            let mut p = Vec::new();
            match req {
                CfgRequest::ReadAll(c) => p.push(id(*c)),
                CfgRequest::Read(c, k) => p.extend([id(*c), s(k.as_str())]),
                CfgRequest::Set(c, v) => {
                    p.extend([id(*c), s(v.key().as_str())]);
                    p.extend(v.params());
                }
            }
            push_set(out, Name::MftpCfg, &p);
        }
        Command::MftpConn(c) => push_set(
            out,
            Name::MftpConn,
            &[
                id(c.id),
                s(&c.host),
                opt_s(&c.user),
                opt_s(&c.pass),
                opt_int(c.port),
            ],
        ),
        Command::MftpDisc(c) => push_set(out, Name::MftpDisc, &[id(*c)]),
        Command::MftpPwd(c) => push_set(out, Name::MftpPwd, &[id(*c)]),
        Command::MftpState(c) => push_set(out, Name::MftpState, &[id(*c)]),
        Command::MftpCwd(c, p) => push_set(out, Name::MftpCwd, &[id(*c), s(p)]),
        Command::MftpMkd(c, p) => push_set(out, Name::MftpMkd, &[id(*c), s(p)]),
        Command::MftpList(c, p) => push_set(out, Name::MftpList, &[id(*c), s(p)]),
        Command::MftpDel(c, p) => push_set(out, Name::MftpDel, &[id(*c), s(p)]),
        Command::MftpRn(c, a, b) => push_set(out, Name::MftpRn, &[id(*c), s(a), s(b)]),
        Command::MftpRetr(r) => push_set(
            out,
            Name::MftpRetr,
            &[
                id(r.id),
                s(&r.file),
                opt_s(&r.local),
                opt_int(r.offset),
                opt_int(r.length),
            ],
        ),
        Command::MftpAppe(u) => push_set(out, Name::MftpAppe, &u.params()),
        Command::MftpStor(u) => push_set(out, Name::MftpStor, &u.params()),
        Command::MfPut { path, len, data } => {
            let d = data
                .as_ref()
                .map_or(Param::Empty, |d| Param::Str(d.clone()));
            push_set(out, Name::MfPut, &[s(path), int(*len), d]);
        }
        Command::MfGet(p) => push_set(out, Name::MfGet, &[s(p)]),
        Command::MfList(Some(p)) => push_set(out, Name::MfList, &[s(p)]),
        Command::MfSize(p) => push_set(out, Name::MfSize, &[s(p)]),
        Command::MfDelete(p) => push_set(out, Name::MfDelete, &[s(p)]),
        Command::MfMove(a, b) => push_set(out, Name::MfMove, &[s(a), s(b)]),
        Command::Cgdcont { cid, pdp_type, apn } => {
            push_set(
                out,
                Name::Cgdcont,
                &[int(*cid), opt_s(pdp_type), opt_s(apn)],
            );
        }
        Command::Cgact { active, cid } => {
            push_set(out, Name::Cgact, &[int(*active), opt_int(*cid)]);
        }
        Command::Mipcall { active, cid } => {
            push_set(out, Name::Mipcall, &[int(*active), int(*cid)])
        }
        Command::MsslCfg(SslCfg::Read(k, i)) => {
            push_set(out, Name::MsslCfg, &[s(k.as_str()), int(*i)])
        }
        Command::MsslCfg(SslCfg::Set(i, v)) => {
            let mut p = alloc::vec![s(v.key().as_str()), int(*i)];
            p.extend(v.params());
            push_set(out, Name::MsslCfg, &p);
        }
        Command::MsslCertWr { path, len } => push_set(out, Name::MsslCertWr, &[s(path), int(*len)]),
        Command::MsslKeyWr { path, len } => push_set(out, Name::MsslKeyWr, &[s(path), int(*len)]),
        Command::MfDeleteAll => simple(out, Name::MfDelete, b""),
        other => {
            super::file::emit(other, out);
        }
    }
}

/// Fields of a set command, with `AT+NAME=` prefix handling shared by all.
fn push_set(out: &mut Vec<u8>, name: Name, params: &[Param]) {
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.push(b'=');
    syntax::emit(params, out);
}

#[cfg(test)]
mod tests {
    use crate::{Command, Name, Response};

    #[test]
    fn csq_parses_and_prints() {
        // ONEMO-RELATED.md §A.5: `AT+CSQ` answers `+CSQ: <rssi>,<ber>`, seen `+CSQ: 13,99`.
        assert_eq!(Command::parse(b"AT+CSQ"), Ok(Command::Csq));
        assert_eq!(Command::parse(b"at+csq"), Ok(Command::Csq));
        assert_eq!(Command::Csq.to_bytes(), b"AT+CSQ");
        assert_eq!(Command::parse(b"AT+CSQ=?"), Ok(Command::Test(Name::Csq)));
        assert!(Command::parse(b"AT+CSQ=1").is_err());
        assert!(Command::parse(b"AT+CSQ?").is_err());
        let seen = Response::Csq { rssi: 13, ber: 99 };
        assert_eq!(seen.to_bytes(), b"+CSQ: 13,99");
        assert_eq!(Response::parse(b"+CSQ: 13,99"), Ok(seen));
    }

    #[test]
    fn cesq_parses_and_prints() {
        // ONEMO-RELATED.md §A.5: the ML30x test tool expects nine integers.
        assert_eq!(Command::parse(b"AT+CESQ"), Ok(Command::Cesq));
        assert_eq!(Command::Cesq.to_bytes(), b"AT+CESQ");
        assert!(Command::parse(b"AT+CESQ=1").is_err());
        assert!(Command::parse(b"AT+CESQ?").is_err());
        let r = Response::Cesq([99, 99, 255, 255, 20, 50, 255, 255, 255]);
        assert_eq!(r.to_bytes(), b"+CESQ: 99,99,255,255,20,50,255,255,255");
        assert_eq!(
            Response::parse(b"+CESQ: 99,99,255,255,20,50,255,255,255"),
            Ok(r)
        );
        assert!(Response::parse(b"+CESQ: 99,99,255,255,20,50").is_err());
    }

    #[test]
    fn network_commands_parse_and_print() {
        for (line, cmd) in [
            (&b"AT+CEREG=2"[..], Command::Cereg(2)),
            (b"AT+CEREG=5", Command::Cereg(5)),
            (b"AT+CGREG=3", Command::Cgreg(3)),
            (b"AT+CGATT=0", Command::Cgatt(false)),
            (b"AT+CGATT=1", Command::Cgatt(true)),
            (b"AT+CFUN=4", Command::Cfun { fun: 4, rst: None }),
            (
                b"AT+CFUN=1,0",
                Command::Cfun {
                    fun: 1,
                    rst: Some(0),
                },
            ),
        ] {
            assert_eq!(Command::parse(line), Ok(cmd.clone()), "{line:?}");
            assert_eq!(cmd.to_bytes(), line);
        }
        for n in [
            Name::Cereg,
            Name::Cgreg,
            Name::Cops,
            Name::Cgatt,
            Name::Cfun,
        ] {
            let line = alloc::format!("AT+{}?", n.as_str());
            assert_eq!(Command::parse(line.as_bytes()), Ok(Command::Read(n)));
        }
        for bad in [
            &b"AT+CEREG=6"[..],
            b"AT+CGREG=4",
            b"AT+CGATT=2",
            b"AT+CFUN=1,2",
            b"AT+CFUN=128",
            b"AT+CFUN",
            b"AT+CEREG",
            b"AT+COPS",
            b"AT+CEREG=\"1\"",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad:?}");
        }
        // The read form `<n>,<stat>[,"<tac>","<ci>",<AcT>]`: a TAC stays quoted (§A.1).
        let loc = crate::RegLocation {
            tac: "5A1F".into(),
            ci: "0C8E2A01".into(),
            act: 7,
        };
        let read = Response::Reg {
            name: Name::Cereg,
            n: 2,
            stat: 1,
            loc: Some(loc.clone()),
        };
        assert_eq!(read.to_bytes(), b"+CEREG: 2,1,\"5A1F\",\"0C8E2A01\",7");
        assert_eq!(Response::parse(&read.to_bytes()), Ok(read));
        let seen = Response::Reg {
            name: Name::Cereg,
            n: 0,
            stat: 1,
            loc: None,
        };
        assert_eq!(Response::parse(b"+CEREG: 0,1"), Ok(seen));
        let cops = Response::Cops(Some("CHINA MOBILE".into()));
        assert_eq!(cops.to_bytes(), b"+COPS: 0,0,\"CHINA MOBILE\",7");
        assert_eq!(Response::parse(&cops.to_bytes()), Ok(cops));
        assert_eq!(Response::Cops(None).to_bytes(), b"+COPS: 0");
        assert_eq!(Response::parse(b"+COPS: 0"), Ok(Response::Cops(None)));
        let n = Response::Number(Name::Cfun, 4);
        assert_eq!(n.to_bytes(), b"+CFUN: 4");
        assert_eq!(Response::parse(b"+CFUN: 4"), Ok(n));
        assert_eq!(
            Response::parse(b"+CGATT: 1"),
            Ok(Response::Number(Name::Cgatt, 1))
        );
        // CGPADDR: every defined cid, or a list; cid 0 and 16 refused (§A.4).
        assert_eq!(
            Command::parse(b"AT+CGPADDR"),
            Ok(Command::Cgpaddr(alloc::vec![]))
        );
        let two = Command::Cgpaddr(alloc::vec![1, 15]);
        assert_eq!(Command::parse(b"AT+CGPADDR=1,15"), Ok(two.clone()));
        assert_eq!(two.to_bytes(), b"AT+CGPADDR=1,15");
        assert_eq!(Command::Cgpaddr(alloc::vec![]).to_bytes(), b"AT+CGPADDR");
        for bad in [
            &b"AT+CGPADDR=0"[..],
            b"AT+CGPADDR=16",
            b"AT+CGPADDR=1,",
            b"AT+CGPADDR?",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad:?}");
        }
        let addr = Response::Cgpaddr(1, Some("10.0.0.2".into()));
        assert_eq!(addr.to_bytes(), b"+CGPADDR: 1,\"10.0.0.2\"");
        assert_eq!(Response::parse(&addr.to_bytes()), Ok(addr));
        assert_eq!(
            Response::parse(b"+CGPADDR: 2"),
            Ok(Response::Cgpaddr(2, None))
        );
        // URC forms: `<stat>` alone (n 1) or with tac, ci, AcT (n 2).
        let urc = crate::Urc::Reg {
            name: Name::Cereg,
            stat: 1,
            loc: Some(loc),
        };
        assert_eq!(urc.to_bytes(), b"+CEREG: 1,\"5A1F\",\"0C8E2A01\",7");
        assert_eq!(crate::Urc::parse(&urc.to_bytes()), Ok(urc));
        let off = crate::Urc::Reg {
            name: Name::Cgreg,
            stat: 0,
            loc: None,
        };
        assert_eq!(crate::Urc::parse(b"+CGREG: 0"), Ok(off));
        assert!(crate::Urc::parse(b"+CEREG: 1,2").is_err());
    }

    #[test]
    fn identity_commands_parse_and_print() {
        // 27.007 §5.4: AT+CGSN[=<snt>], snt 0-3; ONEMO-RELATED.md §A.5: esp-ml307 sends =1.
        assert_eq!(Command::parse(b"AT+CGSN"), Ok(Command::Cgsn(None)));
        assert_eq!(Command::parse(b"AT+CGSN=1"), Ok(Command::Cgsn(Some(1))));
        assert_eq!(Command::Cgsn(Some(1)).to_bytes(), b"AT+CGSN=1");
        assert_eq!(Command::Cgsn(None).to_bytes(), b"AT+CGSN");
        assert!(Command::parse(b"AT+CGSN=4").is_err());
        assert!(Command::parse(b"AT+CGSN=1,2").is_err());
        assert!(Command::parse(b"AT+CGSN?").is_err());
        for (line, cmd) in [
            (&b"AT+GSN"[..], Command::Gsn),
            (b"AT+CIMI", Command::Cimi),
            (b"AT+MCCID", Command::Mccid),
            (b"AT+ICCID", Command::Iccid),
        ] {
            assert_eq!(Command::parse(line), Ok(cmd.clone()));
            assert_eq!(cmd.to_bytes(), line);
            let mut set = line.to_vec();
            set.extend_from_slice(b"=1");
            assert!(Command::parse(&set).is_err());
        }
        assert_eq!(Command::parse(b"AT+CPIN?"), Ok(Command::Read(Name::Cpin)));
        assert_eq!(Command::Read(Name::Cpin).to_bytes(), b"AT+CPIN?");
        // Unquoted values: a 20-digit ICCID is longer than any integer field (§A.1).
        for (line, name, v) in [
            (
                &b"+CGSN: 864123050001238"[..],
                Name::Cgsn,
                "864123050001238",
            ),
            (
                b"+MCCID: 89860012345678901234",
                Name::Mccid,
                "89860012345678901234",
            ),
            (
                b"+ICCID: 89860012345678901234",
                Name::Iccid,
                "89860012345678901234",
            ),
            (b"+CPIN: READY", Name::Cpin, "READY"),
        ] {
            let r = Response::Value(name, v.into());
            assert_eq!(r.to_bytes(), line);
            assert_eq!(Response::parse(line), Ok(r));
        }
    }
}

//! V.25ter (ITU-T V.250) basic commands, the splitting of a command line into its commands
//! (V.250 §5.2.1), and the module-level commands around them: `AT+MREBOOT`, `AT+IPR`,
//! `AT+MLPMCFG` (ONEMO-RELATED.md §A.3, §A.6).

use super::def::Command;
use crate::args::Args;
use crate::error::ParseError;
use crate::name::Name;
use crate::syntax::{self, push_u64, Param};
use alloc::vec::Vec;

/// The UART rates `AT+IPR` accepts: exactly the ones esp-ml307 probes (ONEMO-RELATED.md §A.3,
/// E-uart DetectBaudRate), in ascending order as `AT+IPR=?` lists them.
pub const IPR_RATES: [u32; 8] = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/// The rate of a module fresh from the factory (E-uart default, D captures).
pub const IPR_DEFAULT: u32 = 115_200;

/// Splits what follows `AT` into its commands (V.250 §5.2.1): basic commands follow each
/// other without a separator (`E0V1`, `S3=13`), an extended command (`+NAME...`) runs up to a
/// `;` outside a quoted string. Each piece is what [`Command::parse_body`] takes. Spaces and
/// empty commands (`;;`) between commands are skipped. A piece that is not a command is
/// returned as it is, so its parse fails where it stands and the commands after it are not run.
pub fn split_line(body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b' ' | b';' => i += 1,
            b'+' => {
                let start = i;
                let mut quoted = false;
                while i < body.len() {
                    match body[i] {
                        b'"' => quoted = !quoted,
                        b';' if !quoted => break,
                        _ => {}
                    }
                    i += 1;
                }
                out.push(trim_end(&body[start..i]));
            }
            _ => {
                let end = basic_end(body, i);
                out.push(&body[i..end]);
                i = end;
            }
        }
    }
    out
}

/// Where the basic command starting at `i` ends: its letter (or `&` and a letter), then a
/// number; an S-parameter takes `<n>?` or `<n>=<value>` (V.250 §5.3). Anything else is not a
/// basic command: the rest of the line is one piece that will not parse.
fn basic_end(b: &[u8], i: usize) -> usize {
    let digits = |mut j: usize| {
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    match b[i].to_ascii_uppercase() {
        b'&' if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => digits(i + 2),
        b'S' => {
            let j = digits(i + 1);
            match b.get(j) {
                Some(b'?') => j + 1,
                Some(b'=') if b.get(j + 1) == Some(&b'?') => j + 2,
                Some(b'=') => digits(j + 1),
                _ => j,
            }
        }
        // Dialling takes the rest of the line (V.250 §6.3.1); the module has no dialling.
        b'D' => b.len(),
        c if c.is_ascii_alphabetic() => digits(i + 1),
        _ => b.len(),
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|c| *c != b' ').map_or(0, |e| e + 1);
    &b[..end]
}

/// A basic command's number: none (`E`), or decimal digits that fit `max` (V.250 §5.3.1: a
/// missing number is 0).
fn number(digits: &[u8], max: u32) -> Result<u32, ParseError> {
    if digits.is_empty() {
        return Ok(0);
    }
    if digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::Param);
    }
    let n = digits
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    if n > max {
        return Err(ParseError::Param);
    }
    Ok(n)
}

/// Parses one basic command (`E0`, `V1`, `Q0`, `Z`, `I`, `&F`, `&W`, `S3?`, `S3=13`).
pub(super) fn parse_basic(body: &[u8]) -> Result<Command, ParseError> {
    let upper: Vec<u8> = body.iter().map(u8::to_ascii_uppercase).collect();
    let (letter, rest) = match upper.as_slice() {
        [b'&', l, rest @ ..] => ([b'&', *l], rest),
        [l, rest @ ..] => ([*l, 0], rest),
        [] => return Ok(Command::At),
    };
    let zero_only = |cmd: Command| number(rest, 0).map(|_| cmd);
    match letter {
        [b'E', 0] => Ok(Command::Echo(number(rest, 1)? == 1)),
        [b'V', 0] => Ok(Command::Verbose(number(rest, 1)? == 1)),
        [b'Q', 0] => Ok(Command::Quiet(number(rest, 1)? == 1)),
        [b'I', 0] => zero_only(Command::Identify),
        [b'Z', 0] => zero_only(Command::ResetProfile),
        [b'&', b'F'] => zero_only(Command::FactoryDefaults),
        [b'&', b'W'] => zero_only(Command::SaveProfile),
        [b'S', 0] => parse_s(rest),
        _ => Err(ParseError::Unknown),
    }
}

/// `S<n>?` and `S<n>=[<value>]` (V.250 §5.3.2: a missing value is 0). Which registers exist
/// and their ranges are the engine's; here a register number and a value are 0-255.
fn parse_s(rest: &[u8]) -> Result<Command, ParseError> {
    let n_len = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    if n_len == 0 {
        return Err(ParseError::Param);
    }
    let reg = number(&rest[..n_len], 255)? as u8;
    match &rest[n_len..] {
        b"?" => Ok(Command::SRegRead(reg)),
        [b'=', value @ ..] => Ok(Command::SRegSet(reg, number(value, 255)? as u8)),
        _ => Err(ParseError::Param),
    }
}

/// Writes a basic command (after `AT`); `false` for any other command.
pub(super) fn emit_basic(cmd: &Command, out: &mut Vec<u8>) -> bool {
    let flag =
        |out: &mut Vec<u8>, l: u8, on: bool| out.extend_from_slice(&[l, b'0' + u8::from(on)]);
    match cmd {
        Command::At => {}
        Command::Echo(on) => flag(out, b'E', *on),
        Command::Verbose(on) => flag(out, b'V', *on),
        Command::Quiet(on) => flag(out, b'Q', *on),
        Command::Identify => out.push(b'I'),
        Command::ResetProfile => out.push(b'Z'),
        Command::FactoryDefaults => out.extend_from_slice(b"&F"),
        Command::SaveProfile => out.extend_from_slice(b"&W"),
        Command::SRegRead(n) => {
            out.push(b'S');
            push_u64(out, u64::from(*n));
            out.push(b'?');
        }
        Command::SRegSet(n, v) => {
            out.push(b'S');
            push_u64(out, u64::from(*n));
            out.push(b'=');
            push_u64(out, u64::from(*v));
        }
        _ => return false,
    }
    true
}

/// `AT+MLPMCFG` keys (ONEMO-RELATED.md §A.6, T-pm). `psind` and `dtr` of the tool config are
/// not ML30x keys: they are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LpmKey {
    /// `"sleepind"`: 0-2, whether `+MLPMENTER`/`+MLPMEXIT` are printed.
    SleepInd,
    /// `"sleepmode"`: 0-2 with a permanent flag 0/1 (esp-ml307: 2 allows sleep, 0 forbids it).
    SleepMode,
    /// `"delaysleep"`: 0-300 seconds before sleeping.
    DelaySleep,
}

impl LpmKey {
    /// Every key, in the order `AT+MLPMCFG?` lists them.
    pub const ALL: [LpmKey; 3] = [LpmKey::SleepInd, LpmKey::SleepMode, LpmKey::DelaySleep];

    /// The key as written, without quotes.
    pub fn as_str(self) -> &'static str {
        match self {
            LpmKey::SleepInd => "sleepind",
            LpmKey::SleepMode => "sleepmode",
            LpmKey::DelaySleep => "delaysleep",
        }
    }

    fn from_bytes(b: &[u8]) -> Option<LpmKey> {
        LpmKey::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(b))
    }
}

/// A value of `AT+MLPMCFG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpmValue {
    /// `"sleepind",<0-2>`.
    SleepInd(u8),
    /// `"sleepmode",<0-2>,<permanent 0/1>`.
    SleepMode {
        /// 0-2.
        mode: u8,
        /// Kept across a restart (1) or until the next one (0).
        permanent: bool,
    },
    /// `"delaysleep",<0-300>`.
    DelaySleep(u16),
}

impl LpmValue {
    /// Its key.
    pub fn key(&self) -> LpmKey {
        match self {
            LpmValue::SleepInd(_) => LpmKey::SleepInd,
            LpmValue::SleepMode { .. } => LpmKey::SleepMode,
            LpmValue::DelaySleep(_) => LpmKey::DelaySleep,
        }
    }

    /// The key and the values, as the set form and the read line write them.
    pub fn params(&self) -> Vec<Param> {
        let key = Param::Str(self.key().as_str().as_bytes().to_vec());
        match self {
            LpmValue::SleepInd(n) => alloc::vec![key, Param::Int(u64::from(*n))],
            LpmValue::SleepMode { mode, permanent } => alloc::vec![
                key,
                Param::Int(u64::from(*mode)),
                Param::Int(u64::from(*permanent))
            ],
            LpmValue::DelaySleep(s) => alloc::vec![key, Param::Int(u64::from(*s))],
        }
    }

    /// From the fields after the key (the set form's and the read line's).
    pub(crate) fn parse(key: LpmKey, a: &mut Args<'_>) -> Result<LpmValue, ParseError> {
        Ok(match key {
            LpmKey::SleepInd => LpmValue::SleepInd(a.u8_in(0, 2)?),
            LpmKey::SleepMode => LpmValue::SleepMode {
                mode: a.u8_in(0, 2)?,
                // esp-ml307 always sends the flag; without it the setting is not permanent.
                permanent: a.opt_int(0, 1)? == Some(1),
            },
            LpmKey::DelaySleep => LpmValue::DelaySleep(a.int(0, 300)? as u16),
        })
    }

    /// Reads `"<key>",<values>` (a `+MLPMCFG:` line's fields).
    pub(crate) fn from_params(p: &[Param]) -> Result<LpmValue, ParseError> {
        let mut a = Args::new(p);
        let key = key_arg(&mut a)?;
        let v = LpmValue::parse(key, &mut a)?;
        a.end()?;
        Ok(v)
    }
}

/// `AT+MLPMCFG` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpmCfg {
    /// `AT+MLPMCFG="<key>"`: `+MLPMCFG: "<key>",<values>`.
    Read(LpmKey),
    /// `AT+MLPMCFG="<key>",<values>`.
    Set(LpmValue),
}

fn key_arg(a: &mut Args<'_>) -> Result<LpmKey, ParseError> {
    let key = match a.peek() {
        Some(Param::Str(k)) => LpmKey::from_bytes(k).ok_or(ParseError::Param)?,
        _ => return Err(ParseError::Param),
    };
    let _ = a.string(16)?;
    Ok(key)
}

/// The extended commands of this file: `AT+MREBOOT`, `AT+IPR`, `AT+MLPMCFG` after their
/// name (`rest` is what follows it). `None` for any other name.
pub(super) fn parse_extended(name: Name, rest: &[u8]) -> Option<Result<Command, ParseError>> {
    if !matches!(name, Name::Mreboot | Name::Ipr | Name::Mlpmcfg) {
        return None;
    }
    Some(match (name, rest) {
        (_, b"=?") => Ok(Command::Test(name)),
        (Name::Ipr | Name::Mlpmcfg, b"?") => Ok(Command::Read(name)),
        (Name::Mreboot, b"") => Ok(Command::Reboot(None)),
        (_, [b'=', params @ ..]) => syntax::split(params)
            .map_err(ParseError::Syntax)
            .and_then(|p| set(name, &mut Args::new(&p))),
        _ => Err(ParseError::Param),
    })
}

fn set(name: Name, a: &mut Args<'_>) -> Result<Command, ParseError> {
    let cmd = match name {
        // esp-ml307 sends `=0` (E-ml); what other values mean is not documented (§E 15).
        Name::Mreboot => Command::Reboot(Some(a.u8_in(0, 0)?)),
        Name::Ipr => {
            let rate = a.int(0, u64::from(u32::MAX))? as u32;
            Command::Ipr(rate)
        }
        _ => {
            let key = key_arg(a)?;
            if a.at_end() {
                Command::Mlpmcfg(LpmCfg::Read(key))
            } else {
                Command::Mlpmcfg(LpmCfg::Set(LpmValue::parse(key, a)?))
            }
        }
    };
    a.end()?;
    Ok(cmd)
}

/// Writes `+MREBOOT`, `+IPR`, `+MLPMCFG` commands (after `AT`); `false` for any other.
pub(super) fn emit_extended(cmd: &Command, out: &mut Vec<u8>) -> bool {
    let set = |out: &mut Vec<u8>, name: Name, p: &[Param]| {
        out.push(b'+');
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(b'=');
        syntax::emit(p, out);
    };
    match cmd {
        Command::Reboot(None) => out.extend_from_slice(b"+MREBOOT"),
        Command::Reboot(Some(n)) => set(out, Name::Mreboot, &[Param::Int(u64::from(*n))]),
        Command::Ipr(r) => set(out, Name::Ipr, &[Param::Int(u64::from(*r))]),
        Command::Mlpmcfg(LpmCfg::Read(k)) => set(
            out,
            Name::Mlpmcfg,
            &[Param::Str(k.as_str().as_bytes().to_vec())],
        ),
        Command::Mlpmcfg(LpmCfg::Set(v)) => set(out, Name::Mlpmcfg, &v.params()),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Parse and emit agree: each vector is a line as a host writes it and the command.
    fn both_ways(line: &[u8], cmd: Command) {
        assert_eq!(Command::parse(line), Ok(cmd.clone()), "{line:?}");
        assert_eq!(cmd.to_bytes(), line, "{cmd:?}");
    }

    #[test]
    fn basic_commands_both_ways() {
        both_ways(b"ATV0", Command::Verbose(false));
        both_ways(b"ATV1", Command::Verbose(true));
        both_ways(b"ATQ0", Command::Quiet(false));
        both_ways(b"ATQ1", Command::Quiet(true));
        both_ways(b"ATZ", Command::ResetProfile);
        both_ways(b"AT&W", Command::SaveProfile);
        both_ways(b"AT&F", Command::FactoryDefaults);
        both_ways(b"ATS3?", Command::SRegRead(3));
        both_ways(b"ATS3=13", Command::SRegSet(3, 13));
        both_ways(b"ATS5=8", Command::SRegSet(5, 8));
        both_ways(b"ATE0", Command::Echo(false));
        both_ways(b"ATI", Command::Identify);
    }

    #[test]
    fn basic_command_forms() {
        // V.250 §5.3.1: a missing number is 0.
        assert_eq!(Command::parse(b"ATV"), Ok(Command::Verbose(false)));
        assert_eq!(Command::parse(b"atq"), Ok(Command::Quiet(false)));
        assert_eq!(Command::parse(b"ATZ0"), Ok(Command::ResetProfile));
        assert_eq!(Command::parse(b"AT&W0"), Ok(Command::SaveProfile));
        assert_eq!(Command::parse(b"ATS3="), Ok(Command::SRegSet(3, 0)));
        assert_eq!(Command::parse(b"ats004?"), Ok(Command::SRegRead(4)));
        for bad in [
            &b"ATV2"[..],
            b"ATQ9",
            b"ATZ1",
            b"AT&W1",
            b"ATS3=256",
            b"ATS3=1x",
            b"ATS?",
            b"ATS3",
            b"ATS3=?",
            b"ATE0001",
        ] {
            assert_eq!(Command::parse(bad), Err(ParseError::Param), "{bad:?}");
        }
        assert_eq!(Command::parse(b"ATX"), Err(ParseError::Unknown));
        assert_eq!(Command::parse(b"AT&K3"), Err(ParseError::Unknown));
    }

    #[test]
    fn lines_split_into_commands() {
        let s = |b: &'static [u8]| split_line(b);
        assert_eq!(s(b"E0V1"), vec![&b"E0"[..], b"V1"]);
        assert_eq!(s(b"+CMEE=1;+CEREG?"), vec![&b"+CMEE=1"[..], b"+CEREG?"]);
        assert_eq!(
            s(b"E0 Q0 S3=13S4?;"),
            vec![&b"E0"[..], b"Q0", b"S3=13", b"S4?"]
        );
        assert_eq!(s(b"&F&W"), vec![&b"&F"[..], b"&W"]);
        assert_eq!(s(b"E1+CMEE=2"), vec![&b"E1"[..], b"+CMEE=2"]);
        assert_eq!(s(b""), Vec::<&[u8]>::new());
        assert_eq!(s(b";;"), Vec::<&[u8]>::new());
        // A `;` inside a quoted string does not end the command.
        assert_eq!(
            s(br#"+MFTPCWD=0,"a;b";+CSQ"#),
            vec![&br#"+MFTPCWD=0,"a;b""#[..], b"+CSQ"]
        );
        // Junk is one piece: its parse fails there.
        assert_eq!(s(b"E0#x;V1"), vec![&b"E0"[..], b"#x;V1"]);
        assert_eq!(s(b"S3=?V1"), vec![&b"S3=?"[..], b"V1"]);
        for line in [&b"E0V1"[..], b"+CMEE=1;+CEREG?", b"I"] {
            for piece in split_line(line) {
                assert!(Command::parse_body(piece).is_ok(), "{piece:?}");
            }
        }
    }

    #[test]
    fn extended_commands_both_ways() {
        both_ways(b"AT+MREBOOT", Command::Reboot(None));
        both_ways(b"AT+MREBOOT=0", Command::Reboot(Some(0)));
        both_ways(b"AT+IPR=921600", Command::Ipr(921_600));
        both_ways(b"AT+IPR?", Command::Read(Name::Ipr));
        both_ways(b"AT+IPR=?", Command::Test(Name::Ipr));
        both_ways(b"AT+MLPMCFG?", Command::Read(Name::Mlpmcfg));
        both_ways(b"AT+MREBOOT=?", Command::Test(Name::Mreboot));
        both_ways(
            br#"AT+MLPMCFG="sleepmode",2,0"#,
            Command::Mlpmcfg(LpmCfg::Set(LpmValue::SleepMode {
                mode: 2,
                permanent: false,
            })),
        );
        both_ways(
            br#"AT+MLPMCFG="delaysleep",300"#,
            Command::Mlpmcfg(LpmCfg::Set(LpmValue::DelaySleep(300))),
        );
        both_ways(
            br#"AT+MLPMCFG="sleepind",2"#,
            Command::Mlpmcfg(LpmCfg::Set(LpmValue::SleepInd(2))),
        );
        both_ways(
            br#"AT+MLPMCFG="sleepind""#,
            Command::Mlpmcfg(LpmCfg::Read(LpmKey::SleepInd)),
        );
        assert_eq!(
            Command::parse(br#"AT+MLPMCFG="SleepMode",1"#),
            Ok(Command::Mlpmcfg(LpmCfg::Set(LpmValue::SleepMode {
                mode: 1,
                permanent: false
            })))
        );
    }

    #[test]
    fn extended_commands_refuse_bad_parameters() {
        for bad in [
            &b"AT+MREBOOT=1"[..],
            b"AT+MREBOOT?",
            b"AT+MREBOOT=x",
            b"AT+IPR",
            b"AT+IPR=",
            b"AT+IPR=-1",
            b"AT+IPR=99999999999",
            b"AT+IPR=115200,1",
            br#"AT+MLPMCFG="sleepind",3"#,
            br#"AT+MLPMCFG="sleepmode",3,0"#,
            br#"AT+MLPMCFG="sleepmode",2,2"#,
            br#"AT+MLPMCFG="delaysleep",301"#,
            br#"AT+MLPMCFG="psind",1"#,
            br#"AT+MLPMCFG="dtr",1"#,
            br#"AT+MLPMCFG=sleepind,1"#,
            b"AT+MLPMCFG",
            b"AT+MLPMCFG=",
            br#"AT+MLPMCFG="sleepind",1,1"#,
        ] {
            assert_eq!(Command::parse(bad), Err(ParseError::Param), "{bad:?}");
        }
    }
}

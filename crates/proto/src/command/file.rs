//! The module's file commands that work on open files and on settings (ONEMO-RELATED.md §C.3:
//! `AT+MFOPEN`, `AT+MFREAD`, `AT+MFWRITE`, `AT+MFSEEK`, `AT+MFCLOSE`, `AT+MFTRUNC`,
//! `AT+MFSYNC`, `AT+MFCHECK`, `AT+MFCFG`), and the rule every file command shares: a form it
//! does not implement answers `+CME ERROR: 3` ([`ParseError::NotAllowed`]), and only
//! `AT+MFCFG` has a test form.
//!
//! Length checks that depend on `AT+MFCFG="encoding"` (inline data is ASCII or HEX) are the
//! engine's: the parser cannot know the setting, and the hardware truncates the file of an
//! `AT+MFPUT` before it looks at the data (§C.3), so the check must come after that.

use super::def::Command;
use crate::args::{Args, MAX_STRING};
use crate::error::ParseError;
use crate::name::Name;
use crate::syntax::{self, Param};
use alloc::vec::Vec;

/// Bytes of one `+MFREAD` fragment (`FS_DEFAULT_FRAG_SIZE`, §C.1); with HEX output, half as
/// many bytes (printed as this many characters).
pub const FILE_FRAGMENT: usize = 8192;

/// Longest inline data string of `AT+MFPUT`/`AT+MFWRITE` (§C.3: up to 65535 characters).
pub const INLINE_FILE_MAX: usize = 65535;

/// Largest `AT+MFSEEK` offset either way (§C.3: ±2^31−1).
pub const SEEK_MAX: i64 = i32::MAX as i64;

/// `<mode>` of `AT+MFOPEN` (§C.3, the vendor's `fopen` modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OpenMode {
    /// 0, `r`: read only; the file must exist.
    Read = 0,
    /// 1, `w`: write only; created, or truncated if it exists.
    Write = 1,
    /// 2, `a`: write only at the end; created if missing.
    Append = 2,
    /// 3, `w+`: read and write; created, or truncated if it exists.
    ReadWrite = 3,
    /// 4, `a+`: read anywhere, write at the end; created if missing.
    ReadAppend = 4,
}

impl OpenMode {
    /// The mode for its number.
    pub fn from_u8(n: u8) -> Option<OpenMode> {
        Some(match n {
            0 => OpenMode::Read,
            1 => OpenMode::Write,
            2 => OpenMode::Append,
            3 => OpenMode::ReadWrite,
            4 => OpenMode::ReadAppend,
            _ => return None,
        })
    }

    /// Its number on the wire.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// `AT+MFREAD` is allowed (§C.3: not for modes 1 and 2).
    pub fn reads(self) -> bool {
        matches!(
            self,
            OpenMode::Read | OpenMode::ReadWrite | OpenMode::ReadAppend
        )
    }

    /// `AT+MFWRITE` is allowed (§C.3: not for mode 0).
    pub fn writes(self) -> bool {
        self != OpenMode::Read
    }

    /// Every write goes to the end of the file, wherever the position is (`a`, `a+`).
    pub fn appends(self) -> bool {
        matches!(self, OpenMode::Append | OpenMode::ReadAppend)
    }

    /// The file is created when missing.
    pub fn creates(self) -> bool {
        self != OpenMode::Read
    }

    /// The file is emptied on opening (`w`, `w+`).
    pub fn truncates(self) -> bool {
        matches!(self, OpenMode::Write | OpenMode::ReadWrite)
    }
}

/// `<whence>` of `AT+MFSEEK` (§C.3: 0 start, 1 current, 2 end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Whence {
    /// 0: from the start of the file.
    Start = 0,
    /// 1: from the current position.
    Current = 1,
    /// 2: from the end of the file.
    End = 2,
}

impl Whence {
    /// The whence for its number.
    pub fn from_u8(n: u8) -> Option<Whence> {
        Some(match n {
            0 => Whence::Start,
            1 => Whence::Current,
            2 => Whence::End,
            _ => return None,
        })
    }
}

/// `<in>` of `AT+MFCFG="encoding"` (§C.3): how inline and data-mode data is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum InputEncoding {
    /// 0: the bytes as typed.
    #[default]
    Ascii = 0,
    /// 1: two hex digits per byte.
    Hex = 1,
}

/// `<out>` of `AT+MFCFG="encoding"` (§C.3): how `+MFGET` and `+MFREAD` print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum OutputEncoding {
    /// 0: raw bytes.
    #[default]
    Raw = 0,
    /// 1: two uppercase hex digits per byte; the lengths still count bytes.
    Hex = 1,
}

/// The forms of `AT+MFCFG` (§C.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfCfgRequest {
    /// `AT+MFCFG="timeout"`: `+MFCFG: "timeout",<s>`.
    ReadTimeout,
    /// `AT+MFCFG="timeout",<1-120>`: the data modes' inactivity timeout in seconds.
    SetTimeout(u8),
    /// `AT+MFCFG="encoding"`: `+MFCFG: "encoding",<in>,<out>`.
    ReadEncoding,
    /// `AT+MFCFG="encoding",<in>[,<out>]`: `<out>` unchanged when omitted.
    SetEncoding(InputEncoding, Option<OutputEncoding>),
}

/// A value `AT+MFCFG` reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfCfgValue {
    /// `+MFCFG: "timeout",<s>`.
    Timeout(u8),
    /// `+MFCFG: "encoding",<in>,<out>`.
    Encoding(InputEncoding, OutputEncoding),
}

impl MfCfgValue {
    /// The fields after `+MFCFG: `.
    pub(crate) fn params(&self) -> Vec<Param> {
        match self {
            MfCfgValue::Timeout(s) => alloc::vec![key("timeout"), Param::Int(u64::from(*s))],
            MfCfgValue::Encoding(i, o) => alloc::vec![
                key("encoding"),
                Param::Int(*i as u64),
                Param::Int(*o as u64)
            ],
        }
    }

    /// From the fields after `+MFCFG: `.
    pub(crate) fn from_params(p: &[Param]) -> Result<MfCfgValue, ParseError> {
        let n = |i: usize| match p.get(i) {
            Some(Param::Int(n)) => u8::try_from(*n).map_err(|_| ParseError::Param),
            _ => Err(ParseError::Param),
        };
        match (p.first(), p.len()) {
            (Some(Param::Str(k)), 2) if k == b"timeout" => Ok(MfCfgValue::Timeout(n(1)?)),
            (Some(Param::Str(k)), 3) if k == b"encoding" => Ok(MfCfgValue::Encoding(
                input(n(1)?).ok_or(ParseError::Param)?,
                output(n(2)?).ok_or(ParseError::Param)?,
            )),
            _ => Err(ParseError::Param),
        }
    }
}

fn key(k: &str) -> Param {
    Param::Str(k.as_bytes().to_vec())
}

fn input(n: u8) -> Option<InputEncoding> {
    match n {
        0 => Some(InputEncoding::Ascii),
        1 => Some(InputEncoding::Hex),
        _ => None,
    }
}

fn output(n: u8) -> Option<OutputEncoding> {
    match n {
        0 => Some(OutputEncoding::Raw),
        1 => Some(OutputEncoding::Hex),
        _ => None,
    }
}

/// The test lines of `AT+MFCFG=?` (§C.3; builds with escape input would print `(0-2)`).
pub fn mfcfg_test_lines() -> Vec<Vec<Param>> {
    let range = |r: &str| Param::Bare(r.as_bytes().to_vec());
    alloc::vec![
        alloc::vec![key("timeout"), range("(1-120)")],
        alloc::vec![key("encoding"), range("(0-1)"), range("(0-1)")],
    ]
}

/// Which forms a file command has (§C.3); `None` for a name that is not a file command.
/// `(execute, set)`: the test form exists for `AT+MFCFG` only, the read form for none.
fn forms(name: Name) -> Option<(bool, bool)> {
    Some(match name {
        Name::MfSinfo => (true, false),
        Name::MfList | Name::MfDelete => (true, true),
        Name::MfPut
        | Name::MfGet
        | Name::MfSize
        | Name::MfMove
        | Name::MfOpen
        | Name::MfRead
        | Name::MfWrite
        | Name::MfSeek
        | Name::MfClose
        | Name::MfTrunc
        | Name::MfSync
        | Name::MfCheck
        | Name::MfCfg => (false, true),
        _ => return None,
    })
}

/// The form rule of the file commands: `Some(Err(NotAllowed))` for a form the command does not
/// have, `Some(Ok(..))` for the test form of `AT+MFCFG`, `None` to go on parsing.
pub(super) fn check_form(name: Name, rest: &[u8]) -> Option<Result<Command, ParseError>> {
    let (execute, set) = forms(name)?;
    match rest {
        b"=?" if name == Name::MfCfg => Some(Ok(Command::Test(name))),
        b"=?" | b"?" => Some(Err(ParseError::NotAllowed)),
        b"" if !execute => Some(Err(ParseError::NotAllowed)),
        [b'=', ..] if !set => Some(Err(ParseError::NotAllowed)),
        _ => None,
    }
}

/// A handle parameter, 0-65535 (§C.1).
fn handle(a: &mut Args<'_>) -> Result<u16, ParseError> {
    a.int(0, u64::from(u16::MAX)).map(|h| h as u16)
}

/// Optional inline data: `None` when absent (the data mode), else its raw bytes.
fn data(a: &mut Args<'_>) -> Result<Option<Vec<u8>>, ParseError> {
    if a.at_end() {
        return Ok(None);
    }
    a.bytes(0, INLINE_FILE_MAX).map(Some)
}

/// A signed decimal field: `Int` for digits, `Bare` for a leading minus.
fn signed(p: Option<&Param>) -> Result<i64, ParseError> {
    let v = match p {
        Some(Param::Int(n)) => i64::try_from(*n).map_err(|_| ParseError::Param)?,
        Some(Param::Bare(b)) => {
            let digits = b.strip_prefix(b"-").ok_or(ParseError::Param)?;
            if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
                return Err(ParseError::Param);
            }
            let mut n: i64 = 0;
            for d in digits {
                n = n * 10 + i64::from(d - b'0');
            }
            -n
        }
        _ => return Err(ParseError::Param),
    };
    if !(-SEEK_MAX..=SEEK_MAX).contains(&v) {
        return Err(ParseError::Param);
    }
    Ok(v)
}

/// Parses the set form of a file command added with the open-file commands; `None` for other
/// names.
pub(super) fn parse_set(name: Name, a: &mut Args<'_>) -> Option<Result<Command, ParseError>> {
    let cmd = (|| {
        Ok(match name {
            Name::MfOpen => Command::MfOpen {
                path: a.string(MAX_STRING)?,
                mode: OpenMode::from_u8(a.u8_in(0, 4)?).ok_or(ParseError::Param)?,
            },
            Name::MfRead => Command::MfRead {
                handle: handle(a)?,
                len: a.opt_int(0, u64::from(u16::MAX))?.map(|n| n as u16),
            },
            Name::MfWrite => Command::MfWrite {
                handle: handle(a)?,
                len: a.int(0, u64::from(u32::MAX))? as u32,
                data: data(a)?,
            },
            Name::MfSeek => {
                let h = handle(a)?;
                if a.at_end() {
                    Command::MfSeek {
                        handle: h,
                        to: None,
                    }
                } else {
                    let rest = a.rest();
                    // Exactly three fields: `AT+MFSEEK=<h>,<offset>` alone is 50 (§C.3).
                    let [off, whence] = rest else {
                        return Err(ParseError::Param);
                    };
                    let offset = signed(Some(off))?;
                    let whence = match whence {
                        Param::Int(n) => u8::try_from(*n).ok().and_then(Whence::from_u8),
                        _ => None,
                    }
                    .ok_or(ParseError::Param)?;
                    Command::MfSeek {
                        handle: h,
                        to: Some((offset as i32, whence)),
                    }
                }
            }
            Name::MfClose => Command::MfClose(handle(a)?),
            Name::MfTrunc => Command::MfTrunc {
                handle: handle(a)?,
                len: a.int(0, u64::from(u32::MAX))? as u32,
            },
            Name::MfSync => Command::MfSync(handle(a)?),
            Name::MfCheck => Command::MfCheck {
                path: a.string(MAX_STRING)?,
                // Only MD5 (0) exists.
                md5: a.opt_int(0, 0)?.is_some(),
            },
            Name::MfCfg => Command::MfCfg(cfg(a)?),
            _ => return Err(ParseError::Unknown),
        })
    })();
    match cmd {
        Err(ParseError::Unknown) => None,
        Err(e) => Some(Err(e)),
        Ok(c) => Some(a.end().map(|()| c)),
    }
}

fn cfg(a: &mut Args<'_>) -> Result<MfCfgRequest, ParseError> {
    let k = match a.peek() {
        Some(Param::Str(k)) => k.clone(),
        _ => return Err(ParseError::Param),
    };
    let _ = a.string(MAX_STRING)?;
    match k.as_slice() {
        b"timeout" if a.at_end() => Ok(MfCfgRequest::ReadTimeout),
        b"timeout" => Ok(MfCfgRequest::SetTimeout(a.u8_in(1, 120)?)),
        b"encoding" if a.at_end() => Ok(MfCfgRequest::ReadEncoding),
        b"encoding" => {
            let i = input(a.u8_in(0, 1)?).ok_or(ParseError::Param)?;
            let o = a
                .opt_int(0, 1)?
                .map(|n| output(n as u8).ok_or(ParseError::Param))
                .transpose()?;
            Ok(MfCfgRequest::SetEncoding(i, o))
        }
        // "fragment" and anything else (§C.3).
        _ => Err(ParseError::Param),
    }
}

fn int(n: impl Into<u64>) -> Param {
    Param::Int(n.into())
}

fn s(v: &str) -> Param {
    Param::Str(crate::escape::escape_param(v.as_bytes()))
}

/// Emits the set form of the open-file commands after `AT`; false for other commands.
pub(super) fn emit(cmd: &Command, out: &mut Vec<u8>) -> bool {
    let (name, p): (Name, Vec<Param>) = match cmd {
        Command::MfOpen { path, mode } => (Name::MfOpen, alloc::vec![s(path), int(mode.as_u8())]),
        Command::MfRead { handle, len } => {
            let mut p = alloc::vec![int(*handle)];
            p.extend(len.map(int));
            (Name::MfRead, p)
        }
        Command::MfWrite { handle, len, data } => {
            let mut p = alloc::vec![int(*handle), int(*len)];
            p.extend(data.iter().map(|d| Param::Str(d.clone())));
            (Name::MfWrite, p)
        }
        Command::MfSeek { handle, to } => {
            let mut p = alloc::vec![int(*handle)];
            if let Some((off, whence)) = to {
                let off = if *off < 0 {
                    Param::Bare(alloc::format!("{off}").into_bytes())
                } else {
                    int(*off as u64)
                };
                p.extend([off, int(*whence as u8)]);
            }
            (Name::MfSeek, p)
        }
        Command::MfClose(h) => (Name::MfClose, alloc::vec![int(*h)]),
        Command::MfTrunc { handle, len } => (Name::MfTrunc, alloc::vec![int(*handle), int(*len)]),
        Command::MfSync(h) => (Name::MfSync, alloc::vec![int(*h)]),
        Command::MfCheck { path, md5 } => {
            let mut p = alloc::vec![s(path)];
            if *md5 {
                p.push(int(0u8));
            }
            (Name::MfCheck, p)
        }
        Command::MfCfg(r) => {
            let p = match r {
                MfCfgRequest::ReadTimeout => alloc::vec![key("timeout")],
                MfCfgRequest::SetTimeout(t) => alloc::vec![key("timeout"), int(*t)],
                MfCfgRequest::ReadEncoding => alloc::vec![key("encoding")],
                MfCfgRequest::SetEncoding(i, o) => {
                    let mut p = alloc::vec![key("encoding"), int(*i as u8)];
                    p.extend(o.map(|o| int(o as u8)));
                    p
                }
            };
            (Name::MfCfg, p)
        }
        _ => return false,
    };
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.push(b'=');
    syntax::emit_all(&p, out);
    true
}

/// The command's name, for the open-file commands.
pub(super) fn name(cmd: &Command) -> Option<Name> {
    Some(match cmd {
        Command::MfOpen { .. } => Name::MfOpen,
        Command::MfRead { .. } => Name::MfRead,
        Command::MfWrite { .. } => Name::MfWrite,
        Command::MfSeek { .. } => Name::MfSeek,
        Command::MfClose(_) => Name::MfClose,
        Command::MfTrunc { .. } => Name::MfTrunc,
        Command::MfSync(_) => Name::MfSync,
        Command::MfCheck { .. } => Name::MfCheck,
        Command::MfCfg(_) => Name::MfCfg,
        Command::MfDeleteAll => Name::MfDelete,
        _ => return None,
    })
}

/// Upper-case hex of `data` (HEX output, §C.3; MFCHECK prints its digest the same way).
pub fn hex_upper(data: &[u8], out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(data.len() * 2);
    for b in data {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// Bytes of hex text (either case); `None` for an odd length or a non-hex character.
pub fn from_hex(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

/// One `+MFREAD` fragment (§C.3): `+MFREAD: <h>,<total>,<cumulative>,<this>,<data>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChunk {
    /// The handle read.
    pub handle: u16,
    /// Bytes this `AT+MFREAD` reads in all.
    pub total: u64,
    /// Bytes of this read up to the end of this fragment.
    pub cumulative: u64,
    /// The fragment's bytes (`<this>` is their count, also with HEX output).
    pub data: Vec<u8>,
    /// Printed as hex text (`AT+MFCFG="encoding",<in>,1`).
    pub hex: bool,
}

impl FileChunk {
    /// Writes the line without framing.
    pub(crate) fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"+MFREAD: ");
        let head = [
            int(self.handle),
            int(self.total),
            int(self.cumulative),
            int(self.data.len() as u64),
        ];
        syntax::emit_all(&head, out);
        out.push(b',');
        if self.hex {
            hex_upper(&self.data, out);
        } else {
            out.extend_from_slice(&self.data);
        }
    }

    /// From what follows `+MFREAD: `: raw data of `<this>` bytes, or hex text of twice that.
    pub(crate) fn parse(rest: &[u8]) -> Result<FileChunk, ParseError> {
        let (head, tail) = syntax::split_with_tail(rest, 4).map_err(ParseError::Syntax)?;
        let n = |i: usize| match head.get(i) {
            Some(Param::Int(n)) => Ok(*n),
            _ => Err(ParseError::Param),
        };
        let handle = u16::try_from(n(0)?).map_err(|_| ParseError::Param)?;
        let this = usize::try_from(n(3)?).map_err(|_| ParseError::Param)?;
        let tail = tail.ok_or(ParseError::Param)?;
        let (data, hex) = if tail.len() == this {
            (tail.to_vec(), false)
        } else if Some(tail.len()) == this.checked_mul(2) {
            (from_hex(tail).ok_or(ParseError::Param)?, true)
        } else {
            return Err(ParseError::Param);
        };
        Ok(FileChunk {
            handle,
            total: n(1)?,
            cumulative: n(2)?,
            data,
            hex,
        })
    }
}

//! Helpers for `+NAME: fields` lines, shared by responses and URCs.

use crate::error::ParseError;
use crate::name::Name;
use crate::syntax::{self, Param};
use alloc::vec::Vec;

/// Splits `+NAME: rest` (or a bare `+NAME`) into the name and what follows `: `.
pub(crate) fn header(line: &[u8]) -> Option<(Name, &[u8])> {
    let body = line.strip_prefix(b"+")?;
    let end = body
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = Name::from_bytes(&body[..end])?;
    let rest = &body[end..];
    if rest.is_empty() {
        return Some((name, rest));
    }
    let rest = rest.strip_prefix(b":")?;
    Some((name, rest.strip_prefix(b" ").unwrap_or(rest)))
}

/// Writes `+NAME: ` then the fields.
pub(crate) fn emit(out: &mut Vec<u8>, name: Name, params: &[Param]) {
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.extend_from_slice(b": ");
    syntax::emit(params, out);
}

/// Like [`emit`] but keeps trailing empty fields.
pub(crate) fn emit_all(out: &mut Vec<u8>, name: Name, params: &[Param]) {
    out.push(b'+');
    out.extend_from_slice(name.as_str().as_bytes());
    out.extend_from_slice(b": ");
    syntax::emit_all(params, out);
}

pub(crate) fn fields(rest: &[u8]) -> Result<Vec<Param>, ParseError> {
    syntax::split(rest).map_err(ParseError::Syntax)
}

/// The field as an integer that fits `T`.
pub(crate) fn num<T: TryFrom<u64>>(p: Option<&Param>) -> Result<T, ParseError> {
    match p {
        Some(Param::Int(n)) => T::try_from(*n).map_err(|_| ParseError::Param),
        _ => Err(ParseError::Param),
    }
}

/// A quoted field as UTF-8 text; lossy so a hostile name cannot stop a host from reading.
pub(crate) fn text(p: Option<&Param>) -> Result<alloc::string::String, ParseError> {
    match p {
        Some(Param::Str(s)) => Ok(alloc::string::String::from_utf8_lossy(s).into_owned()),
        _ => Err(ParseError::Param),
    }
}

pub(crate) fn int(n: impl Into<u64>) -> Param {
    Param::Int(n.into())
}

pub(crate) fn string(s: &str) -> Param {
    Param::Str(s.as_bytes().to_vec())
}

//! The parameter syntax shared by command lines and response lines (manual §2.1): comma
//! separated fields, double-quoted strings, bare integers, and empty fields for omitted
//! optional parameters (`AT+MFTPRETR=0,"f",,5`).
//!
//! This layer knows nothing of individual commands; the typed layers on top decide what a
//! field may be.

use alloc::vec::Vec;

/// One comma-separated field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// Nothing between two commas: an omitted optional parameter.
    Empty,
    /// Decimal digits only.
    Int(u64),
    /// A double-quoted string, quotes removed. Bytes, because inline upload data is bytes.
    Str(Vec<u8>),
    /// Anything else, trimmed: ranges like `(0-5)`, negative numbers, an unquoted path.
    Bare(Vec<u8>),
}

/// Why a field list could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// A `"` with no closing `"`.
    #[error("unterminated string")]
    UnterminatedString,
    /// Characters after a closing quote other than spaces before the next comma.
    #[error("junk after a quoted string")]
    JunkAfterString,
    /// More fields than any command or response has.
    #[error("too many parameters")]
    TooManyParams,
}

/// No command or response of the module has more fields; a longer list is hostile input.
pub const MAX_PARAMS: usize = 16;

/// Splits `input` into fields.
pub fn split(input: &[u8]) -> Result<Vec<Param>, SyntaxError> {
    let (params, _) = split_with_tail(input, usize::MAX)?;
    Ok(params)
}

/// Splits at most `n` fields; when more follows, the rest after the `n`th comma is returned
/// untouched. Data-carrying lines (`+MFTPRETR: 0,0,10,10,<raw>`) need this: their last field
/// is raw bytes that may hold commas, quotes or CRLF.
pub fn split_with_tail(input: &[u8], n: usize) -> Result<(Vec<Param>, Option<&[u8]>), SyntaxError> {
    let mut params = Vec::new();
    let mut rest = input;
    loop {
        if params.len() == n {
            return Ok((params, Some(rest)));
        }
        if params.len() >= MAX_PARAMS {
            return Err(SyntaxError::TooManyParams);
        }
        let (param, after) = field(rest)?;
        params.push(param);
        match after {
            Some(next) => rest = next,
            None => return Ok((params, None)),
        }
    }
}

/// One field and what follows its comma (`None` at the end of the input).
fn field(input: &[u8]) -> Result<(Param, Option<&[u8]>), SyntaxError> {
    let start = input.iter().position(|b| *b != b' ').unwrap_or(input.len());
    let body = &input[start..];
    if let Some(quoted) = body.strip_prefix(b"\"") {
        let close = quoted
            .iter()
            .position(|b| *b == b'"')
            .ok_or(SyntaxError::UnterminatedString)?;
        let value = quoted[..close].to_vec();
        let after = &quoted[close + 1..];
        let skip = after.iter().position(|b| *b != b' ').unwrap_or(after.len());
        let after = &after[skip..];
        return match after.first() {
            None => Ok((Param::Str(value), None)),
            Some(b',') => Ok((Param::Str(value), Some(&after[1..]))),
            Some(_) => Err(SyntaxError::JunkAfterString),
        };
    }
    // Bare fields may hold commas inside parentheses: `(0-5)` lists like `(0,1)`.
    let mut depth = 0usize;
    let mut end = body.len();
    for (i, b) in body.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let raw = trim(&body[..end]);
    let next = if end < body.len() {
        Some(&body[end + 1..])
    } else {
        None
    };
    Ok((classify(raw), next))
}

fn classify(raw: &[u8]) -> Param {
    if raw.is_empty() {
        return Param::Empty;
    }
    // Every u64 that `push_u64` writes reads back as `Int`, 20-digit values included; only a
    // number above u64::MAX stays `Bare`.
    if raw.iter().all(u8::is_ascii_digit) {
        let n = raw.iter().try_fold(0u64, |n, d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        });
        if let Some(n) = n {
            return Param::Int(n);
        }
    }
    Param::Bare(raw.to_vec())
}

fn trim(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|c| *c != b' ').unwrap_or(b.len());
    let e = b.iter().rposition(|c| *c != b' ').map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

/// Writes fields back, dropping trailing empty ones so that omitted optional parameters
/// disappear as the manual writes them.
pub fn emit(params: &[Param], out: &mut Vec<u8>) {
    let used = params
        .iter()
        .rposition(|p| *p != Param::Empty)
        .map_or(0, |i| i + 1);
    emit_all(&params[..used], out);
}

/// Writes every field, trailing empty ones included: test-form lines such as
/// `+MFTPCWD: (0-5),` end in an empty field (manual §3.4).
pub fn emit_all(params: &[Param], out: &mut Vec<u8>) {
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match p {
            Param::Empty => {}
            Param::Int(n) => push_u64(out, *n),
            Param::Str(s) => {
                out.push(b'"');
                out.extend_from_slice(s);
                out.push(b'"');
            }
            Param::Bare(b) => out.extend_from_slice(b),
        }
    }
}

/// Decimal without allocation or `core::fmt`.
pub fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn empty_fields_and_strings() {
        let p = split(br#"0,"test1.txt",,5"#).unwrap();
        assert_eq!(
            p,
            vec![
                Param::Int(0),
                Param::Str(b"test1.txt".to_vec()),
                Param::Empty,
                Param::Int(5)
            ]
        );
        let mut out = Vec::new();
        emit(&p, &mut out);
        assert_eq!(out, br#"0,"test1.txt",,5"#);
    }

    #[test]
    fn commas_inside_quotes_and_parens() {
        let p = split(br#""a,b",(0,1),(0-5)"#).unwrap();
        assert_eq!(p[0], Param::Str(b"a,b".to_vec()));
        assert_eq!(p[1], Param::Bare(b"(0,1)".to_vec()));
        assert_eq!(p[2], Param::Bare(b"(0-5)".to_vec()));
    }

    #[test]
    fn errors() {
        assert_eq!(split(b"0,\"abc"), Err(SyntaxError::UnterminatedString));
        assert_eq!(split(b"\"a\"b"), Err(SyntaxError::JunkAfterString));
        assert_eq!(split(&[b','; 40]), Err(SyntaxError::TooManyParams));
        assert_eq!(
            split(b"99999999999999999999").unwrap()[0],
            Param::Bare(b"99999999999999999999".to_vec())
        );
        assert_eq!(
            split(b"18446744073709551615").unwrap()[0],
            Param::Int(u64::MAX)
        );
        assert_eq!(
            split(b"18446744073709551616").unwrap()[0],
            Param::Bare(b"18446744073709551616".to_vec())
        );
        assert_eq!(split(b"-1").unwrap()[0], Param::Bare(b"-1".to_vec()));
    }

    #[test]
    fn tail_keeps_raw_bytes() {
        let (p, tail) = split_with_tail(b"0,0,10,10,1,2\"\r\n3", 4).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(tail, Some(&b"1,2\"\r\n3"[..]));
    }
}

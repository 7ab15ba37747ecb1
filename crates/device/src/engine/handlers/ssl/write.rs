//! `AT+MSSLCERTWR`/`AT+MSSLKEYWR="<name>",<remain_length>,<length>[,"<data>"]`
//! (ONEMO-RELATED.md §B.2).
//!
//! - Inline: `<length>` counts the characters as typed (escape mode, the only encoding of the
//!   ML30x: `\r\n` is four characters); 0 means no check. The text is decoded when the file is
//!   complete, so an escape split between two parts still reads as one.
//! - Prompt: `>` takes exactly `<length>` raw bytes, stored verbatim; `<length>` 0 is refused.
//! - Parts: `<remain_length>` is what still follows this part. A part continues the write in
//!   progress of the same name and kind when the previous part's `<remain_length>` equals this
//!   part's `<remain_length>` + `<length>`; anything else is 50 and the write is dropped. The
//!   file is written, atomically, only when the part with `<remain_length>` 0 arrives, so a write
//!   that fails or is abandoned leaves the old file as it was.
//! - A write of another name while one is in progress is 765, until the one in progress has had
//!   no part for the prompt time-out (60 s); then it is dropped.
//! - More than 8192 bytes in all is 768; overwriting a name replaces the file (SSLM note 9).

use super::store::{check_name, Kind, MAX_CRED};
use crate::engine::ctx::Ctx;
use crate::engine::modes::{Prompt, PromptEnd, PromptPurpose};
use ftpmodem_proto::{CmeError, CredWrite};
use std::time::Instant;

/// One part announced by a command: what its data (inline or from the prompt) belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredPart {
    kind: Kind,
    name: String,
    remain: usize,
}

/// A write of several parts between its first and its last part.
#[derive(Debug, Clone)]
pub(crate) struct PendingWrite {
    kind: Kind,
    name: String,
    /// The `<remain_length>` of the last part received.
    remain: usize,
    /// Decoded bytes so far.
    out: Vec<u8>,
    /// Typed escape text not yet decoded (inline parts since the last prompt part).
    typed: Vec<u8>,
    /// Units (typed characters or raw bytes) received so far, for the 8192 limit.
    units: usize,
    last: Instant,
}

/// The data of one part.
enum Data {
    /// Inline, as typed.
    Typed(Vec<u8>),
    /// From the prompt.
    Raw(Vec<u8>),
}

pub(super) fn start(cx: &mut Ctx<'_>, kind: Kind, w: CredWrite) {
    match check(cx, kind, &w) {
        Err(e) => cx.reply.error(e),
        Ok(part) => match w.data {
            Some(d) => accept(cx, part, Data::Typed(d)),
            None => {
                let now = cx.now;
                let end = PromptEnd::Length(w.len as usize);
                cx.start_prompt(Prompt::new(PromptPurpose::Credential(part), end, now));
            }
        },
    }
}

/// Everything that can be checked before the part's data is taken.
fn check(cx: &mut Ctx<'_>, kind: Kind, w: &CredWrite) -> Result<CredPart, CmeError> {
    check_name(&w.name)?;
    let len = match &w.data {
        None if w.len == 0 => return Err(CmeError::ParameterError),
        None => w.len as usize,
        Some(d) if w.len == 0 => d.len(),
        Some(d) if d.len() != w.len as usize => return Err(CmeError::ParameterError),
        Some(d) => d.len(),
    };
    let remain = w.remain as usize;
    let timeout = cx.cfg.prompt_timeout;
    let now = cx.now;
    if let Some(p) = &cx.ssl.1 {
        if now.saturating_duration_since(p.last) >= timeout {
            cx.ssl.1 = None;
        }
    }
    let before = match &cx.ssl.1 {
        Some(p) if p.kind == kind && p.name == w.name => {
            if p.remain != remain + len {
                cx.ssl.1 = None;
                return Err(CmeError::ParameterError);
            }
            p.units
        }
        Some(_) => return Err(CmeError::SslBusy),
        None => 0,
    };
    if before + len + remain > MAX_CRED {
        cx.ssl.1 = None;
        return Err(CmeError::SslTooLarge);
    }
    Ok(CredPart {
        kind,
        name: w.name.clone(),
        remain,
    })
}

/// The prompt's bytes for `part` arrived.
pub(crate) fn prompt_data(cx: &mut Ctx<'_>, part: CredPart, data: Vec<u8>) {
    accept(cx, part, Data::Raw(data));
}

fn accept(cx: &mut Ctx<'_>, part: CredPart, data: Data) {
    let mut p = match cx.ssl.1.take() {
        Some(p) if p.kind == part.kind && p.name == part.name => p,
        _ => PendingWrite {
            kind: part.kind,
            name: part.name.clone(),
            remain: 0,
            out: Vec::new(),
            typed: Vec::new(),
            units: 0,
            last: cx.now,
        },
    };
    match data {
        Data::Typed(t) => {
            p.units += t.len();
            p.typed.extend_from_slice(&t);
        }
        Data::Raw(r) => {
            p.units += r.len();
            let typed = std::mem::take(&mut p.typed);
            p.out.extend(unescape(&typed));
            p.out.extend_from_slice(&r);
        }
    }
    p.remain = part.remain;
    p.last = cx.now;
    if part.remain > 0 {
        cx.ssl.1 = Some(p);
        return cx.reply.ok();
    }
    let mut out = p.out;
    out.extend(unescape(&p.typed));
    match cx.fs.write(&part.kind.path(&part.name), &out) {
        Ok(_) => cx.reply.ok(),
        Err(e) => {
            tracing::info!(error = %e, "credential not written");
            cx.reply.error(CmeError::SslWrite);
        }
    }
}

/// Escape mode (`"encoding"` 2, SSLM note 6/9): `\r`, `\n`, `\t`, `\\` and `\` + two hex
/// digits stand for their byte; any other `\` is kept as it is.
fn unescape(typed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(typed.len());
    let mut i = 0;
    while let Some(&b) = typed.get(i) {
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let simple = match typed.get(i + 1) {
            Some(b'r') => Some(b'\r'),
            Some(b'n') => Some(b'\n'),
            Some(b't') => Some(b'\t'),
            Some(b'\\') => Some(b'\\'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        let hex = typed
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(c) => {
                out.push(c);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn escape_mode_decodes_what_the_manual_types() {
        assert_eq!(unescape(br"a\r\nb"), b"a\r\nb");
        assert_eq!(unescape(br"\\\t\41"), b"\\\tA");
        // A lone or unknown escape is kept.
        assert_eq!(unescape(br"x\q\"), br"x\q\");
        assert_eq!(unescape(br"\4"), br"\4");
        assert_eq!(unescape(br"\+1"), br"\+1");
    }
}

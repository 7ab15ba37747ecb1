//! Escaping of text that comes from an FTP server (listed names, permissions, the PWD path)
//! before it goes into a quoted field of an AT line, and the reverse for string parameters.
//!
//! A server chooses these bytes, so they must not be able to break the line they are printed
//! in: a `"` would end the quoted field early (`"x",9999,...` forges a size), a CR or LF would
//! end the line (a firmware that splits at CR reads a forged URC), and a `,` splits the field
//! for hosts that cut a line at every comma regardless of quotes (esp-ml307, ONEMO-RELATED
//! §A.1). The rule is the string-constant escape of V.250 §5.4.2.2: `\` followed by two
//! hexadecimal digits stands for that byte. Escaped: every byte outside printable ASCII
//! (`0x20..=0x7E`) that is not part of a valid UTF-8 character, plus `"`, `\` and `,`. A valid
//! UTF-8 multibyte character is printed as it is, since ML307 firmwares print UTF-8 text
//! (ONEMO-RELATED §D), and DEL (`0x7F`) is escaped as the control byte it is.
//!
//! Decoding ([`unescape`]) accepts `\` + two hex digits (either case) in quoted string
//! parameters, so a host can pass a name it was given back unchanged (`AT+MFTPRETR=0,"a\2Cb"`).
//! A `\` not followed by two hex digits is kept as it is: strings that never used the escape
//! (a password holding a lone `\`) keep meaning what they meant.

use alloc::vec::Vec;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `text` to `out` in escaped form (without quotes). `text` may be any bytes: a
/// sequence that is not valid UTF-8 is escaped byte by byte, valid multibyte characters are
/// kept.
pub fn escape_into(text: &[u8], out: &mut Vec<u8>) {
    let mut rest = text;
    while !rest.is_empty() {
        let (valid, bad) = match core::str::from_utf8(rest) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (ok, after) = rest.split_at(e.valid_up_to());
                // `valid_up_to` guarantees this prefix is UTF-8.
                (core::str::from_utf8(ok).unwrap_or_default(), after)
            }
        };
        for c in valid.chars() {
            if c.is_ascii() {
                push_ascii(c as u8, out);
            } else {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
        // The first byte of an invalid sequence is escaped; decoding resumes after it.
        match bad.split_first() {
            Some((b, after)) => {
                push_hex(*b, out);
                rest = after;
            }
            None => rest = &[],
        }
    }
}

/// [`escape_into`] into a new vector.
pub fn escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

/// Escapes a string parameter of a command a host sends: only `\` and `"`, the two bytes
/// that [`unescape`] and the field splitter would otherwise read differently, so that every
/// string reads back as it was written (a name holding `"` can be sent at all).
pub fn escape_param(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &b in text {
        match b {
            b'\\' | b'"' => push_hex(b, &mut out),
            _ => out.push(b),
        }
    }
    out
}

/// Whether `text` would be printed unchanged by [`escape_into`].
pub fn is_plain(text: &[u8]) -> bool {
    core::str::from_utf8(text)
        .is_ok_and(|s| s.chars().all(|c| !c.is_ascii() || plain_ascii(c as u8)))
}

/// Decodes `\XX` escapes (see the module docs). Never fails: a `\` without two hex digits
/// after it is an ordinary byte.
pub fn unescape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        if b == b'\\' {
            if let (Some(hi), Some(lo)) = (
                text.get(i + 1).and_then(|h| hex_value(*h)),
                text.get(i + 2).and_then(|l| hex_value(*l)),
            ) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn plain_ascii(b: u8) -> bool {
    (0x20..=0x7E).contains(&b) && !matches!(b, b'"' | b'\\' | b',')
}

fn push_ascii(b: u8, out: &mut Vec<u8>) {
    if plain_ascii(b) {
        out.push(b);
    } else {
        push_hex(b, out);
    }
}

fn push_hex(b: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[b'\\', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_bytes_are_escaped() {
        assert_eq!(escape(b"q\"uote.txt"), b"q\\22uote.txt");
        assert_eq!(escape(b"a,b"), b"a\\2Cb");
        assert_eq!(escape(b"back\\slash"), b"back\\5Cslash");
        assert_eq!(escape(b"/cr\rinj"), b"/cr\\0Dinj");
        assert_eq!(escape(b"lf\n\0\x07\x7F"), b"lf\\0A\\00\\07\\7F");
        assert_eq!(
            escape(b"x\",9999,20200101000000,\"rwx"),
            b"x\\22\\2C9999\\2C20200101000000\\2C\\22rwx"
        );
        assert_eq!(escape(b"plain name-1.txt"), b"plain name-1.txt");
    }

    #[test]
    fn utf8_is_kept_and_invalid_bytes_are_escaped() {
        assert_eq!(escape("中文.txt".as_bytes()), "中文.txt".as_bytes());
        assert_eq!(escape(b"bad\xFFname"), b"bad\\FFname");
        // A truncated multibyte sequence: each byte escaped, the rest kept.
        assert_eq!(escape(b"\xE4\xB8x"), b"\\E4\\B8x");
        assert!(is_plain("中文 a.txt".as_bytes()));
        assert!(!is_plain(b"a,b"));
        assert!(!is_plain(b"\xFF"));
    }

    #[test]
    fn unescape_reverses_escape() {
        for s in [
            &b"q\"uote,\r\n\0\x07\\41"[..],
            b"bad\xFF\xE4\xB8",
            "中文".as_bytes(),
            b"",
        ] {
            assert_eq!(unescape(&escape(s)), s);
        }
    }

    #[test]
    fn unescape_keeps_a_lone_backslash() {
        assert_eq!(unescape(b"a\\b"), b"a\\b");
        assert_eq!(unescape(b"a\\4"), b"a\\4");
        assert_eq!(unescape(b"a\\2c\\2C"), b"a,,");
        assert_eq!(unescape(b"\\"), b"\\");
    }
}

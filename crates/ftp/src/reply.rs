//! FTP replies and an incremental, bounded reply decoder (RFC 959 §4.2).
//!
//! The decoder never touches a socket: the I/O half feeds it whatever bytes arrived and gets
//! back how many it consumed and, once the last line of a reply is in, the reply. Bytes after
//! a reply stay with the caller, so a `226` that arrives in the same read as a `150` is not
//! lost. Every buffer is bounded so that a hostile server cannot make us allocate without end.

use std::fmt;

/// A three-digit reply code, `100`-`599`.
///
/// The first digit is what the protocol logic branches on (RFC 959 §4.2.1); the full number is
/// kept for error reports and for the few replies with a specific meaning (`227`, `229`, `257`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

/// The first digit of a reply code: whether and how a command succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// `1yz`: the action has started; expect another reply (e.g. `150` before a transfer).
    PositivePreliminary,
    /// `2yz`: the action completed.
    PositiveCompletion,
    /// `3yz`: the command was accepted, another command must follow (e.g. `331` wants PASS).
    PositiveIntermediate,
    /// `4yz`: failed, may work if retried (e.g. `421`, `425`, `450`).
    TransientNegative,
    /// `5yz`: failed, will fail again (e.g. `500`, `530`, `550`).
    PermanentNegative,
}

impl ReplyCode {
    /// `150` file status okay, about to open the data connection.
    pub const OPENING_DATA: Self = Self(150);
    /// `200` command okay.
    pub const OK: Self = Self(200);
    /// `213` file status (SIZE, MDTM).
    pub const FILE_STATUS: Self = Self(213);
    /// `220` service ready.
    pub const SERVICE_READY: Self = Self(220);
    /// `221` closing control connection (QUIT).
    pub const CLOSING: Self = Self(221);
    /// `226` closing data connection, transfer complete.
    pub const TRANSFER_COMPLETE: Self = Self(226);
    /// `227` entering passive mode.
    pub const PASSIVE: Self = Self(227);
    /// `229` entering extended passive mode.
    pub const EXTENDED_PASSIVE: Self = Self(229);
    /// `230` user logged in.
    pub const LOGGED_IN: Self = Self(230);
    /// `234` security exchange accepted (AUTH TLS).
    pub const AUTH_OK: Self = Self(234);
    /// `250` requested file action completed.
    pub const FILE_ACTION_OK: Self = Self(250);
    /// `257` pathname created / current directory.
    pub const PATHNAME: Self = Self(257);
    /// `331` user name okay, need password.
    pub const NEED_PASSWORD: Self = Self(331);
    /// `332` need account for login.
    pub const NEED_ACCOUNT: Self = Self(332);
    /// `350` requested file action pending further information (REST, RNFR).
    pub const PENDING: Self = Self(350);
    /// `421` service not available, closing control connection.
    pub const SERVICE_CLOSING: Self = Self(421);
    /// `500` syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Self = Self(500);
    /// `502` command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);

    /// Accepts only codes whose first digit is 1-5: anything else is not an FTP reply.
    pub const fn new(code: u16) -> Option<Self> {
        if code >= 100 && code <= 599 {
            Some(Self(code))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// What the first digit says.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            1 => ReplyClass::PositivePreliminary,
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// `1yz`.
    pub const fn is_positive_preliminary(self) -> bool {
        self.0 / 100 == 1
    }

    /// `2yz`.
    pub const fn is_positive_completion(self) -> bool {
        self.0 / 100 == 2
    }

    /// `3yz`.
    pub const fn is_positive_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// `4yz`.
    pub const fn is_transient_negative(self) -> bool {
        self.0 / 100 == 4
    }

    /// `5yz`.
    pub const fn is_permanent_negative(self) -> bool {
        self.0 / 100 == 5
    }

    /// `4yz` or `5yz`: the server refused (module result code 10).
    pub const fn is_negative(self) -> bool {
        self.0 >= 400
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One complete reply.
///
/// `lines` holds the text without line ends. The `NNN-` / `NNN ` prefix is removed from the
/// first and the last line; lines in between are kept verbatim (FEAT puts its features there,
/// with their leading space). A single-line reply has exactly one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code.
    pub code: ReplyCode,
    /// The text lines, at least one (possibly empty).
    pub lines: Vec<String>,
}

impl Reply {
    /// All lines joined with `\n`: what an error message shows.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The first line's text, where single-line replies (227, 257, 213) carry their data.
    pub fn first_line(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or("")
    }
}

/// The reply as one log or error line. The server chose the text, so control characters
/// (CR, LF, NUL, ESC...) and `\\` are escaped (`escape_debug`): a reply cannot forge or break a
/// log line.
impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.code)?;
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str(" / ")?;
            }
            write!(f, "{}", line.escape_debug())?;
        }
        Ok(())
    }
}

/// Why bytes from the server are not a reply; all of these are "unparseable server reply"
/// (module result code 12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A line longer than the limit, without its end in sight.
    #[error("reply line longer than {max} bytes")]
    LineTooLong {
        /// The limit in force.
        max: usize,
    },
    /// A multi-line reply with more lines than the limit.
    #[error("multi-line reply longer than {max} lines")]
    TooManyLines {
        /// The limit in force.
        max: usize,
    },
    /// A line where a reply should start that does not begin with a code and a separator.
    #[error("malformed reply line {line:?}")]
    Malformed {
        /// The offending line (lossily decoded, truncated to 80 characters).
        line: String,
    },
}

/// Longest reply line accepted by [`ReplyDecoder::new`]; real servers stay well under 512.
pub const DEFAULT_MAX_LINE: usize = 4096;
/// Most lines in one reply accepted by [`ReplyDecoder::new`]; FEAT lists a few dozen.
pub const DEFAULT_MAX_LINES: usize = 512;

/// Incremental reply decoder. Holds at most one partial line and the lines of at most one
/// unfinished multi-line reply, both bounded.
#[derive(Debug, Clone)]
pub struct ReplyDecoder {
    line: Vec<u8>,
    pending: Option<(ReplyCode, Vec<String>)>,
    max_line: usize,
    max_lines: usize,
}

impl Default for ReplyDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplyDecoder {
    /// A decoder with the default limits.
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_MAX_LINE, DEFAULT_MAX_LINES)
    }

    /// A decoder with explicit limits (both at least 1).
    pub fn with_limits(max_line: usize, max_lines: usize) -> Self {
        Self {
            line: Vec::new(),
            pending: None,
            max_line: max_line.max(4),
            max_lines: max_lines.max(1),
        }
    }

    /// Whether part of a reply has been seen; a server that hangs up now cut a reply short.
    pub fn is_mid_reply(&self) -> bool {
        !self.line.is_empty() || self.pending.is_some()
    }

    /// Consumes bytes up to and including the end of the next complete reply.
    ///
    /// Returns how many bytes of `input` were consumed and the reply if one completed; when no
    /// reply completed, all of `input` was consumed. After an error the decoder's state is
    /// unspecified: the control connection is out of step and must be dropped.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Option<Reply>), ReplyError> {
        let mut pos = 0;
        while pos < input.len() {
            let rest = &input[pos..];
            match rest.iter().position(|&b| b == b'\n') {
                None => {
                    // One byte of slack for a CR whose LF has not arrived yet.
                    if self.line.len() + rest.len() > self.max_line + 1 {
                        return Err(ReplyError::LineTooLong { max: self.max_line });
                    }
                    self.line.extend_from_slice(rest);
                    return Ok((input.len(), None));
                }
                Some(nl) => {
                    if self.line.len() + nl > self.max_line + 1 {
                        return Err(ReplyError::LineTooLong { max: self.max_line });
                    }
                    self.line.extend_from_slice(&rest[..nl]);
                    pos += nl + 1;
                    if self.line.last() == Some(&b'\r') {
                        self.line.pop();
                    }
                    if self.line.len() > self.max_line {
                        return Err(ReplyError::LineTooLong { max: self.max_line });
                    }
                    let line = std::mem::take(&mut self.line);
                    if let Some(reply) = self.take_line(&line)? {
                        return Ok((pos, Some(reply)));
                    }
                }
            }
        }
        Ok((pos, None))
    }

    fn take_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        match self.pending.take() {
            None => {
                if line.is_empty() {
                    // Stray blank lines between replies occur (some servers pad banners); they
                    // carry nothing and cost nothing to skip.
                    return Ok(None);
                }
                let (code, sep, text) = split_code(line).ok_or_else(|| malformed(line))?;
                let text = String::from_utf8_lossy(text).into_owned();
                if sep == b'-' {
                    self.pending = Some((code, vec![text]));
                    Ok(None)
                } else {
                    Ok(Some(Reply {
                        code,
                        lines: vec![text],
                    }))
                }
            }
            Some((code, mut lines)) => {
                if let Some((c, sep, text)) = split_code(line) {
                    if c == code && sep == b' ' {
                        lines.push(String::from_utf8_lossy(text).into_owned());
                        return Ok(Some(Reply { code, lines }));
                    }
                }
                if lines.len() + 1 >= self.max_lines {
                    return Err(ReplyError::TooManyLines {
                        max: self.max_lines,
                    });
                }
                lines.push(String::from_utf8_lossy(line).into_owned());
                self.pending = Some((code, lines));
                Ok(None)
            }
        }
    }
}

/// Splits `NNN<sep>text`; a bare `NNN` counts as `NNN ` with empty text (some servers send it).
fn split_code(line: &[u8]) -> Option<(ReplyCode, u8, &[u8])> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let code = ReplyCode::new(n)?;
    match line.get(3) {
        None => Some((code, b' ', &[])),
        Some(&sep @ (b' ' | b'-')) => Some((code, sep, line.get(4..).unwrap_or(&[]))),
        Some(_) => None,
    }
}

fn malformed(line: &[u8]) -> ReplyError {
    let text: String = String::from_utf8_lossy(line).chars().take(80).collect();
    ReplyError::Malformed { line: text }
}

/// Decodes every complete reply in `input`; for tests and for callers holding a whole
/// transcript.
pub fn decode_all(input: &[u8]) -> Result<Vec<Reply>, ReplyError> {
    let mut dec = ReplyDecoder::new();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < input.len() {
        let (used, reply) = dec.feed(&input[pos..])?;
        pos += used;
        out.extend(reply);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_server_text() {
        let r = Reply {
            code: ReplyCode::PATHNAME,
            lines: vec![
                "\"/cr\rinj\nx\0\u{7}\\\" created".to_owned(),
                "b".to_owned(),
            ],
        };
        let shown = r.to_string();
        assert_eq!(shown, r#"257 \"/cr\rinj\nx\0\u{7}\\\" created / b"#);
        assert!(!shown.chars().any(char::is_control));
    }
    use proptest::prelude::*;

    fn one(input: &str) -> Reply {
        let v = decode_all(input.as_bytes()).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn single_line() {
        let r = one("220 (vsFTPd 3.0.3)\r\n");
        assert_eq!(r.code, ReplyCode::SERVICE_READY);
        assert_eq!(r.lines, vec!["(vsFTPd 3.0.3)"]);
        assert!(r.code.is_positive_completion());
    }

    #[test]
    fn bare_code_and_bare_lf() {
        let r = one("200\n");
        assert_eq!(r.code.as_u16(), 200);
        assert_eq!(r.lines, vec![""]);
    }

    #[test]
    fn multi_line_with_inner_codes() {
        let r = one("211-Features:\r\n MDTM\r\n211-not the end\r\n 211 nor this\r\n211 End\r\n");
        assert_eq!(r.code.as_u16(), 211);
        assert_eq!(
            r.lines,
            vec![
                "Features:",
                " MDTM",
                "211-not the end",
                " 211 nor this",
                "End"
            ]
        );
    }

    #[test]
    fn multi_line_other_code_does_not_end() {
        let r = one("220-hello\r\n230 not an end\r\n220 done\r\n");
        assert_eq!(r.lines.len(), 3);
    }

    #[test]
    fn bytes_after_a_reply_are_left() {
        let mut d = ReplyDecoder::new();
        let input = b"150 go\r\n226 done\r\n";
        let (used, r) = d.feed(input).unwrap();
        assert_eq!(used, 8);
        assert_eq!(r.unwrap().code.as_u16(), 150);
        let (used2, r2) = d.feed(&input[used..]).unwrap();
        assert_eq!(used2, 10);
        assert_eq!(r2.unwrap().code.as_u16(), 226);
    }

    #[test]
    fn partial_lines_are_kept() {
        let mut d = ReplyDecoder::new();
        assert_eq!(d.feed(b"22").unwrap(), (2, None));
        assert!(d.is_mid_reply());
        assert_eq!(d.feed(b"0 hi\r").unwrap(), (5, None));
        let (n, r) = d.feed(b"\n").unwrap();
        assert_eq!(n, 1);
        assert_eq!(r.unwrap().lines, vec!["hi"]);
        assert!(!d.is_mid_reply());
    }

    #[test]
    fn blank_lines_between_replies_are_skipped() {
        let v = decode_all(b"\r\n\n200 a\r\n\r\n200 b\r\n").unwrap();
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn non_utf8_is_lossy_not_fatal() {
        let r = decode_all(b"550 caf\xe9 \xff\r\n").unwrap();
        assert_eq!(r[0].code.as_u16(), 550);
        assert!(r[0].lines[0].starts_with("caf"));
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            "hello\r\n",
            "22 x\r\n",
            "2200 x\r\n",
            "099 x\r\n",
            "600 x\r\n",
            "22a x\r\n",
        ] {
            assert!(
                matches!(
                    decode_all(bad.as_bytes()),
                    Err(ReplyError::Malformed { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn endless_line_is_bounded() {
        let mut d = ReplyDecoder::with_limits(100, 10);
        let chunk = [b'2'; 64];
        assert!(d.feed(&chunk).is_ok());
        assert_eq!(d.feed(&chunk), Err(ReplyError::LineTooLong { max: 100 }));
        let mut d = ReplyDecoder::with_limits(100, 10);
        let mut long = vec![b'x'; 150];
        long.extend_from_slice(b"\r\n");
        assert_eq!(d.feed(&long), Err(ReplyError::LineTooLong { max: 100 }));
    }

    #[test]
    fn line_at_the_limit_passes() {
        let mut d = ReplyDecoder::with_limits(10, 10);
        let (_, r) = d.feed(b"200 678901\r\n").unwrap();
        assert_eq!(r.unwrap().lines, vec!["678901"]);
        let mut d = ReplyDecoder::with_limits(10, 10);
        assert!(d.feed(b"200 6789012\r\n").is_err());
    }

    #[test]
    fn endless_multi_line_is_bounded() {
        let mut d = ReplyDecoder::with_limits(100, 10);
        let mut err = None;
        for _ in 0..100 {
            if let Err(e) = d.feed(b"220-more\r\n") {
                err = Some(e);
                break;
            }
        }
        assert_eq!(err, Some(ReplyError::TooManyLines { max: 10 }));
    }

    #[test]
    fn code_classes() {
        let c = |n| ReplyCode::new(n).unwrap();
        assert_eq!(c(150).class(), ReplyClass::PositivePreliminary);
        assert_eq!(c(331).class(), ReplyClass::PositiveIntermediate);
        assert_eq!(c(421).class(), ReplyClass::TransientNegative);
        assert_eq!(c(550).class(), ReplyClass::PermanentNegative);
        assert!(c(450).is_negative() && !c(350).is_negative());
        assert!(c(125).is_positive_preliminary() && c(452).is_transient_negative());
        assert!(c(530).is_permanent_negative() && c(350).is_positive_intermediate());
        assert!(ReplyCode::new(99).is_none() && ReplyCode::new(600).is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut d = ReplyDecoder::with_limits(64, 8);
            let mut pos = 0;
            while pos < data.len() {
                match d.feed(&data[pos..]) {
                    Ok((used, _)) => { prop_assert!(used > 0); pos += used; }
                    Err(_) => break,
                }
            }
        }

        #[test]
        fn chunking_does_not_matter(
            replies in proptest::collection::vec((100u16..600, proptest::collection::vec("[ -~]{0,20}", 1..4)), 1..5),
            split in 1usize..7,
        ) {
            let mut wire = Vec::new();
            for (code, lines) in &replies {
                for (i, l) in lines.iter().enumerate() {
                    let last = i + 1 == lines.len();
                    // Inner lines must not look like the end line.
                    let text = if !last && i > 0 { format!(" {l}") } else { l.clone() };
                    let prefix = if i == 0 { format!("{code}{}", if last { ' ' } else { '-' }) }
                                 else if last { format!("{code} ") } else { String::new() };
                    wire.extend_from_slice(format!("{prefix}{text}\r\n").as_bytes());
                }
            }
            let whole = decode_all(&wire).unwrap();
            let mut d = ReplyDecoder::new();
            let mut pieces = Vec::new();
            let mut buf: Vec<u8> = Vec::new();
            for chunk in wire.chunks(split) {
                buf.extend_from_slice(chunk);
                loop {
                    let (used, r) = d.feed(&buf).unwrap();
                    buf.drain(..used);
                    match r { Some(r) => pieces.push(r), None => break }
                }
            }
            prop_assert_eq!(&whole, &pieces);
            prop_assert_eq!(whole.len(), replies.len());
            for (r, (code, lines)) in whole.iter().zip(&replies) {
                prop_assert_eq!(r.code.as_u16(), *code);
                prop_assert_eq!(r.lines.len(), lines.len());
            }
        }
    }
}

//! Command-line assembly (manual §2.1, V.25ter §5.2): bytes up to the S3 character (CR),
//! the S5 character (backspace) edits, LF and other control characters ignored, a hard length
//! bound, and `A/` (V.25ter §5.2.4: repeat the last command line, taken at the `/` without a
//! terminator). S3 and S5 are whatever `ATS3=`/`ATS5=` set ([`LineBuffer::set_chars`]).

/// V.250 defaults of S3 and S5.
const CR: u8 = b'\r';
const BS: u8 = 0x08;

/// What a CR completed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Completed {
    /// A line without its CR.
    Line(Vec<u8>),
    /// The line grew past the limit after an `AT` (its bytes were dropped): answered `ERROR`.
    Overflow,
    /// The line grew past the limit and never held an `AT`/`at`: noise, which gets no answer,
    /// however long (a short line without `AT` gets none either).
    Noise,
    /// `A/` or `a/` at the start of a line: run the previous command line again.
    Repeat,
}

/// The bounded buffer of the command line being typed.
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    max: usize,
    overflow: bool,
    /// Since the overflow: whether an `AT`/`at` was among the line's bytes, and the last
    /// byte looked at (the pair may straddle the cut).
    overflow_at: bool,
    prev: u8,
    /// S3: ends a command line.
    cr: u8,
    /// S5: deletes the previous character (DEL, 0x7f, too).
    bs: u8,
}

impl LineBuffer {
    pub(crate) fn new(max: usize) -> LineBuffer {
        LineBuffer {
            buf: Vec::new(),
            max,
            overflow: false,
            overflow_at: false,
            prev: 0,
            cr: CR,
            bs: BS,
        }
    }

    /// The S3 (terminator) and S5 (backspace) characters in force from the next byte on.
    pub(crate) fn set_chars(&mut self, cr: u8, bs: u8) {
        self.cr = cr;
        self.bs = bs;
    }

    /// Consumes bytes up to and including the first CR; returns how many were used and the
    /// completed line if a CR was among them. The rest belongs to whatever mode the line
    /// starts (a `>` prompt's data may follow in the same read).
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> (usize, Option<Completed>) {
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                _ if b == self.cr => {
                    let done = if std::mem::take(&mut self.overflow) {
                        self.buf.clear();
                        if std::mem::take(&mut self.overflow_at) {
                            Completed::Overflow
                        } else {
                            Completed::Noise
                        }
                    } else {
                        Completed::Line(std::mem::take(&mut self.buf))
                    };
                    return (i + 1, Some(done));
                }
                b'/' if !self.overflow && matches!(self.buf[..], [b'A'] | [b'a']) => {
                    self.buf.clear();
                    return (i + 1, Some(Completed::Repeat));
                }
                _ if b == self.bs || b == 0x7f => {
                    self.buf.pop();
                }
                // LF (after CR or not), NUL and the other C0 controls are not part of a
                // command (V.25ter §5.2.1 ignores them); 8-bit bytes are kept for UTF-8 names.
                0x00..=0x1f => {}
                _ if self.overflow => self.see(b),
                _ if self.buf.len() >= self.max => {
                    self.overflow = true;
                    self.overflow_at = ftpmodem_proto::command::find_prefix(&self.buf).is_some();
                    self.prev = self.buf.last().copied().unwrap_or(0);
                    self.buf.clear();
                    self.see(b);
                }
                _ => self.buf.push(b),
            }
        }
        (bytes.len(), None)
    }

    /// A byte of an overflowed line: only whether an `AT` passes is kept.
    fn see(&mut self, b: u8) {
        if matches!((self.prev, b), (b'A', b'T') | (b'a', b't')) {
            self.overflow_at = true;
        }
        self.prev = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_cr_and_edits() {
        let mut l = LineBuffer::new(10);
        assert_eq!(
            l.feed(b"ATX\x08E0\r\nAT"),
            (7, Some(Completed::Line(b"ATE0".to_vec())))
        );
        assert_eq!(
            l.feed(b"\nAT\r"),
            (4, Some(Completed::Line(b"AT".to_vec())))
        );
    }

    #[test]
    fn overflow_drops_line_and_recovers() {
        let mut l = LineBuffer::new(4);
        assert_eq!(l.feed(b"ATATAT"), (6, None));
        assert_eq!(l.feed(b"AT\r"), (3, Some(Completed::Overflow)));
        assert_eq!(l.feed(b"AT\r"), (3, Some(Completed::Line(b"AT".to_vec()))));
    }

    #[test]
    fn an_overflowing_line_without_at_is_noise() {
        let mut l = LineBuffer::new(4);
        assert_eq!(l.feed(b"xxxxxxAtaTxx\r"), (13, Some(Completed::Noise)));
        // An AT kept before the cut, one straddling it, one after it: a command that was cut.
        assert_eq!(l.feed(b"xATxxx\r"), (7, Some(Completed::Overflow)));
        assert_eq!(l.feed(b"xxxAT\r"), (6, Some(Completed::Overflow)));
        assert_eq!(l.feed(b"xxxxxxxat\r"), (10, Some(Completed::Overflow)));
        assert_eq!(l.feed(b"AT\r"), (3, Some(Completed::Line(b"AT".to_vec()))));
    }

    #[test]
    fn terminator_and_backspace_follow_s3_and_s5() {
        let mut l = LineBuffer::new(10);
        l.set_chars(b'#', b'!');
        // CR is now an ignored control character, `#` ends the line, `!` deletes.
        assert_eq!(
            l.feed(b"ATX!E0\r#"),
            (8, Some(Completed::Line(b"ATE0".to_vec())))
        );
        // The old backspace is an ignored control character now.
        assert_eq!(
            l.feed(b"AT\x08I#"),
            (5, Some(Completed::Line(b"ATI".to_vec())))
        );
        l.set_chars(CR, BS);
        assert_eq!(l.feed(b"AT\r"), (3, Some(Completed::Line(b"AT".to_vec()))));
    }

    #[test]
    fn a_slash_repeats_at_the_start_of_a_line_only() {
        let mut l = LineBuffer::new(10);
        assert_eq!(l.feed(b"A/AT"), (2, Some(Completed::Repeat)));
        assert_eq!(l.feed(b"a/"), (2, Some(Completed::Repeat)));
        assert_eq!(
            l.feed(b"xA/\r"),
            (4, Some(Completed::Line(b"xA/".to_vec())))
        );
        assert_eq!(
            l.feed(b"AT+X=\"a/\"\r"),
            (10, Some(Completed::Line(b"AT+X=\"a/\"".to_vec())))
        );
    }
}

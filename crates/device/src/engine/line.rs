//! Command-line assembly (manual §2.1, V.25ter §5.2): bytes up to CR, backspace edits, LF and
//! other control characters ignored, a hard length bound.

const CR: u8 = b'\r';
const BS: u8 = 0x08;

/// What a CR completed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Completed {
    /// A line without its CR.
    Line(Vec<u8>),
    /// The line grew past the limit; its bytes were dropped.
    Overflow,
}

/// The bounded buffer of the command line being typed.
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    max: usize,
    overflow: bool,
}

impl LineBuffer {
    pub(crate) fn new(max: usize) -> LineBuffer {
        LineBuffer {
            buf: Vec::new(),
            max,
            overflow: false,
        }
    }

    /// Consumes bytes up to and including the first CR; returns how many were used and the
    /// completed line if a CR was among them. The rest belongs to whatever mode the line
    /// starts (a `>` prompt's data may follow in the same read).
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> (usize, Option<Completed>) {
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                CR => {
                    let done = if std::mem::take(&mut self.overflow) {
                        self.buf.clear();
                        Completed::Overflow
                    } else {
                        Completed::Line(std::mem::take(&mut self.buf))
                    };
                    return (i + 1, Some(done));
                }
                BS | 0x7f => {
                    self.buf.pop();
                }
                // LF (after CR or not), NUL and the other C0 controls are not part of a
                // command (V.25ter §5.2.1 ignores them); 8-bit bytes are kept for UTF-8 names.
                0x00..=0x1f => {}
                _ if self.overflow => {}
                _ if self.buf.len() >= self.max => {
                    self.overflow = true;
                    self.buf.clear();
                }
                _ => self.buf.push(b),
            }
        }
        (bytes.len(), None)
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
}

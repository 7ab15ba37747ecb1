//! Line-end conversion for ASCII-type transfers (RFC 959 §3.1.1.1: the wire uses CRLF).
//!
//! The module's local side uses LF, so downloads turn CRLF into LF and uploads turn a lone LF
//! into CRLF. Both directions are streaming state machines, because a CR at the end of one
//! chunk may pair with an LF at the start of the next. They live here, away from sockets,
//! so that chunk boundaries can be tested exhaustively.

/// Wire (CRLF) to local (LF).
///
/// A CR not followed by LF is kept: it is data, not a line end.
#[derive(Debug, Clone, Default)]
pub struct AsciiDecoder {
    pending_cr: bool,
}

impl AsciiDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts `input` into `out` (cleared first) and returns the number of bytes written.
    ///
    /// `out` needs at most `input.len() + 1` bytes (a CR held from the previous chunk).
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        out.clear();
        for &b in input {
            if self.pending_cr {
                self.pending_cr = false;
                if b != b'\n' {
                    out.push(b'\r');
                }
            }
            if b == b'\r' {
                self.pending_cr = true;
            } else {
                out.push(b);
            }
        }
        out.len()
    }

    /// Whether a CR is held back, waiting to see the next byte.
    pub fn has_pending(&self) -> bool {
        self.pending_cr
    }

    /// Ends the stream: a CR held back is data after all.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        out.clear();
        if std::mem::take(&mut self.pending_cr) {
            out.push(b'\r');
        }
    }
}

/// Local (LF) to wire (CRLF).
///
/// An LF already preceded by CR is left alone, so a file that already has CRLF line ends is
/// not doubled into CRCRLF.
#[derive(Debug, Clone, Default)]
pub struct AsciiEncoder {
    last_cr: bool,
}

impl AsciiEncoder {
    /// An encoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts `input` into `out` (cleared first). `out` needs at most twice `input.len()`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(input.len() + input.len() / 8);
        for &b in input {
            if b == b'\n' && !self.last_cr {
                out.push(b'\r');
            }
            out.push(b);
            self.last_cr = b == b'\r';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec_chunks(data: &[u8], size: usize) -> Vec<u8> {
        let mut d = AsciiDecoder::new();
        let mut all = Vec::new();
        let mut out = Vec::new();
        for c in data.chunks(size.max(1)) {
            d.decode(c, &mut out);
            assert!(out.len() <= c.len() + 1);
            all.extend_from_slice(&out);
        }
        d.finish(&mut out);
        all.extend_from_slice(&out);
        all
    }

    fn enc_chunks(data: &[u8], size: usize) -> Vec<u8> {
        let mut e = AsciiEncoder::new();
        let mut all = Vec::new();
        let mut out = Vec::new();
        for c in data.chunks(size.max(1)) {
            e.encode(c, &mut out);
            all.extend_from_slice(&out);
        }
        all
    }

    #[test]
    fn examples() {
        assert_eq!(dec_chunks(b"a\r\nb\r\n", 100), b"a\nb\n");
        assert_eq!(dec_chunks(b"a\r\nb\r\n", 2), b"a\nb\n");
        assert_eq!(dec_chunks(b"a\rb\r", 1), b"a\rb\r");
        assert_eq!(dec_chunks(b"\r\r\n", 1), b"\r\n");
        assert_eq!(enc_chunks(b"a\nb\r\nc\r", 1), b"a\r\nb\r\nc\r");
        assert_eq!(enc_chunks(b"\n\n", 1), b"\r\n\r\n");
        assert_eq!(enc_chunks(b"\r", 1), b"\r");
    }

    proptest! {
        #[test]
        fn chunking_does_not_matter(data in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), any::<u8>()], 0..200), a in 1usize..9) {
            prop_assert_eq!(dec_chunks(&data, a), dec_chunks(&data, data.len()));
            prop_assert_eq!(enc_chunks(&data, a), enc_chunks(&data, data.len()));
        }

        #[test]
        fn lf_text_roundtrips(data in proptest::collection::vec(prop_oneof![Just(b'\n'), any::<u8>().prop_filter("no CR", |b| *b != b'\r')], 0..200), a in 1usize..9) {
            let wire = enc_chunks(&data, a);
            // On the wire every LF is preceded by CR.
            for (i, &b) in wire.iter().enumerate() {
                if b == b'\n' { prop_assert!(i > 0 && wire[i - 1] == b'\r'); }
            }
            prop_assert_eq!(dec_chunks(&wire, a), data);
        }
    }
}

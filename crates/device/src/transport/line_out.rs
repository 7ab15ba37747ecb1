//! [`LineOut`]: one batch of the module's output on its way to the line.
//!
//! A batch is a list of shared pieces (usually one: the engine's output), so batches queued
//! behind each other can be gathered without copying each into the next. A piece may carry
//! more than its bytes until it is dropped after the write: its buffer goes back to a pool, and
//! the download blocks it holds release their share of the in-flight budget (the runtime builds
//! the piece from the engine's batch with [`crate::pool::BufPool::share`]).

use bytes::Bytes;

/// Bytes for the line, in order, as shared pieces. Cheap to build from a `Vec<u8>` or a
/// static string; [`LineOut::into_vec`] joins it for readers that want one buffer.
#[derive(Debug, Clone, Default)]
pub struct LineOut {
    pieces: Vec<Bytes>,
    len: usize,
    /// Once these bytes are on the wire, the line runs at this rate (`AT+IPR`, a restart).
    rate_after: Option<u32>,
}

impl LineOut {
    /// An empty batch.
    pub fn new() -> LineOut {
        LineOut::default()
    }

    /// Appends `piece` (empty pieces are dropped, so a batch never holds one).
    pub fn push(&mut self, piece: Bytes) {
        if !piece.is_empty() {
            self.len += piece.len();
            self.pieces.push(piece);
        }
    }

    /// Appends every piece of `other`, and its rate change. Do not append to a batch that
    /// has a rate change already ([`LineOut::rate_after`]): its bytes belong before the change.
    pub fn append(&mut self, other: LineOut) {
        self.len += other.len;
        self.pieces.extend(other.pieces);
        if other.rate_after.is_some() {
            self.rate_after = other.rate_after;
        }
    }

    /// The rate the line runs at once this batch is written, if it changes then: a UART
    /// transport drains the batch and switches; a pacing transport paces the next bytes to it.
    pub fn rate_after(&self) -> Option<u32> {
        self.rate_after
    }

    /// Sets what [`LineOut::rate_after`] returns.
    pub fn set_rate_after(&mut self, rate: Option<u32>) {
        self.rate_after = rate;
    }

    /// Total bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is nothing to write (there may still be a rate change).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[Bytes] {
        &self.pieces
    }

    /// The bytes as one buffer.
    pub fn into_vec(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len);
        for p in self.pieces() {
            v.extend_from_slice(p);
        }
        v
    }
}

impl From<Vec<u8>> for LineOut {
    fn from(v: Vec<u8>) -> LineOut {
        LineOut::from(Bytes::from(v))
    }
}

impl From<&'static [u8]> for LineOut {
    fn from(s: &'static [u8]) -> LineOut {
        LineOut::from(Bytes::from_static(s))
    }
}

impl From<Bytes> for LineOut {
    fn from(b: Bytes) -> LineOut {
        let mut out = LineOut::new();
        out.push(b);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LineOut {
        let mut out = LineOut::from(b"\r\n+MFTPRETR: 0,0,3,3,".to_vec());
        out.push(Bytes::from_static(b"abc"));
        out.push(Bytes::new());
        out.push(Bytes::from_static(b"\r\n"));
        out
    }

    #[test]
    fn joins_in_order_and_counts() {
        let out = sample();
        assert_eq!(out.pieces().len(), 3, "the empty piece is dropped");
        assert_eq!(out.len(), 26);
        assert_eq!(out.into_vec(), b"\r\n+MFTPRETR: 0,0,3,3,abc\r\n");
    }

    #[test]
    fn append_keeps_both() {
        let mut a = LineOut::from(&b"OK"[..]);
        a.append(sample());
        assert_eq!(a.len(), 28);
        assert!(a.into_vec().starts_with(b"OK\r\n+MFTPRETR"));
    }
}

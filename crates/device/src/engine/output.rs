//! The engine's output buffer for the line.
//!
//! Download data is copied into it right after its `+MFTPRETR` header, so a batch leaves as
//! one contiguous write; `writev` of header and data pieces was measured slower on loopback
//! (BENCHMARKS.md). The buffer the data came from is held with the batch until the transport
//! has written it: a download's read buffers carry its share of the in-flight budget, so the
//! memory a download occupies stays bounded by that budget however the queues fill. Buffers
//! big enough for download data come from, and return to, a pool.

use crate::pool::BufPool;
use crate::transport::LineOut;
use bytes::Bytes;

/// Output buffers at least this large are pooled.
const POOLED: usize = 64 * 1024;
/// Spare output buffers kept.
const SPARE: usize = 4;

#[derive(Debug)]
pub(crate) struct Output {
    buf: Vec<u8>,
    /// Sources copied into `buf`, held until it is written.
    hold: Vec<Bytes>,
    pool: BufPool,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            buf: Vec::new(),
            hold: Vec::new(),
            pool: BufPool::new(SPARE),
        }
    }
}

impl Output {
    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The buffer itself, for emitters that write into a `Vec`.
    pub(crate) fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Room for `n` more bytes, so a large block is not copied again as the buffer grows.
    pub(crate) fn reserve(&mut self, n: usize) {
        if n >= POOLED && self.buf.capacity() < POOLED {
            let mut pooled = self.pool.take(self.buf.len() + n);
            pooled.extend_from_slice(&self.buf);
            self.buf = pooled;
        }
        self.buf.reserve(n);
    }

    /// Holds `source` (already copied in) until this output has been written.
    pub(crate) fn hold(&mut self, source: Bytes) {
        self.hold.push(source);
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub(crate) fn take(&mut self) -> LineOut {
        let buf = std::mem::take(&mut self.buf);
        if buf.capacity() < POOLED && self.hold.is_empty() {
            return LineOut::from(buf);
        }
        let hold = std::mem::take(&mut self.hold);
        LineOut::from(self.pool.share(buf, hold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_everything_once() {
        let mut o = Output::default();
        assert!(o.is_empty());
        o.extend_from_slice(b"head,");
        o.buf_mut().extend_from_slice(b"data");
        assert_eq!(o.len(), 9);
        let out = o.take();
        assert_eq!(out.pieces().len(), 1);
        assert_eq!(out.into_vec(), b"head,data");
        assert!(o.is_empty());
        o.extend_from_slice(b"OK");
        assert_eq!(o.take().into_vec(), b"OK");
    }

    #[test]
    fn holds_sources_until_written_and_reuses_large_buffers() {
        let mut o = Output::default();
        let source = Bytes::from(vec![7u8; POOLED]);
        o.reserve(POOLED + 10);
        o.extend_from_slice(b"h,");
        o.extend_from_slice(&source);
        o.hold(source.clone());
        let out = o.take();
        assert!(!source.is_unique(), "held by the output");
        assert_eq!(o.pool.spare(), 0);
        drop(out);
        assert!(source.is_unique(), "released once written");
        assert_eq!(o.pool.spare(), 1, "the buffer went back to the pool");
    }
}

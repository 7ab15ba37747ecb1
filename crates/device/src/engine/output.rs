//! The engine's output buffer for the line.
//!
//! Download data is copied into it right after its `+MFTPRETR` header, so a batch leaves as
//! one contiguous write; `writev` of header and data pieces was measured slower on loopback
//! (BENCHMARKS.md). The buffers the data came from are held with the batch ([`Batch::held`])
//! until the transport has written it: a download's read buffers carry its share of the
//! in-flight budget, so the memory a download occupies stays bounded by that budget however
//! the queues fill.
//!
//! Large output buffers are reused: the caller hands spare ones back with
//! [`Engine::give_spare`](super::Engine::give_spare) (the runtime keeps them in its pool), so
//! the engine itself owns no pool and knows nothing of the transports.

use bytes::Bytes;
use std::collections::VecDeque;

/// Output buffers at least this large are worth reusing (the runtime pools them).
pub const LARGE_OUTPUT: usize = 64 * 1024;
/// Spare buffers the engine keeps at most.
const SPARE: usize = 2;

/// One batch of output for the line: bytes in order, and the sources that must live until
/// they are written.
#[derive(Debug, Default)]
pub struct Batch {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Buffers copied into `bytes` whose release waits for the write (download blocks
    /// carrying their in-flight budget share).
    pub held: Vec<Bytes>,
    /// Once `bytes` are on the wire, the line runs at this rate (`AT+IPR`, a restart): a
    /// UART transport switches after draining them; others may pace to it.
    pub rate_after: Option<u32>,
}

impl Batch {
    /// The bytes alone, releasing what was held (tests and simple callers).
    pub fn into_vec(self) -> Vec<u8> {
        self.bytes
    }
}

#[derive(Debug, Default)]
pub(crate) struct Output {
    buf: Vec<u8>,
    /// Sources copied into `buf`, held until it is written.
    hold: Vec<Bytes>,
    /// Large empty buffers given back by the caller.
    spare: Vec<Vec<u8>>,
    /// Rate changes not handed over yet: the line runs at `.1` after the first `.0` bytes of
    /// `buf`, in order.
    rate_marks: VecDeque<(usize, u32)>,
}

impl Output {
    /// The buffer itself, for the frame encoder.
    pub(crate) fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Room for `n` more bytes, so a large block is not copied again as the buffer grows.
    pub(crate) fn reserve(&mut self, n: usize) {
        if n >= LARGE_OUTPUT && self.buf.capacity() < LARGE_OUTPUT {
            if let Some(mut spare) = self.spare.pop() {
                spare.clear();
                spare.extend_from_slice(&self.buf);
                self.buf = spare;
            }
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

    /// Nothing to write and no rate change to pass on.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty() && self.rate_marks.is_empty()
    }

    /// The line runs at `rate` after the bytes written so far; bytes written from now on go
    /// in a later batch. A mark with no byte between it and the previous one replaces it.
    pub(crate) fn mark_rate(&mut self, rate: u32) {
        let at = self.buf.len();
        if let Some(last) = self.rate_marks.back_mut().filter(|(a, _)| *a == at) {
            last.1 = rate;
            return;
        }
        self.rate_marks.push_back((at, rate));
    }

    /// What is to be written: up to the first rate change if one is marked (the rest stays
    /// for the next calls), else everything.
    pub(crate) fn take(&mut self) -> Batch {
        let Some((at, rate)) = self.rate_marks.pop_front() else {
            return Batch {
                bytes: std::mem::take(&mut self.buf),
                held: std::mem::take(&mut self.hold),
                rate_after: None,
            };
        };
        let rest = self.buf.split_off(at.min(self.buf.len()));
        for m in &mut self.rate_marks {
            m.0 -= at;
        }
        Batch {
            bytes: std::mem::replace(&mut self.buf, rest),
            held: std::mem::take(&mut self.hold),
            rate_after: Some(rate),
        }
    }

    /// Whether a spare large buffer would be used.
    pub(crate) fn wants_spare(&self) -> bool {
        self.spare.len() < SPARE
    }

    pub(crate) fn give_spare(&mut self, buf: Vec<u8>) {
        if buf.capacity() >= LARGE_OUTPUT && self.wants_spare() {
            self.spare.push(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_everything_once() {
        let mut o = Output::default();
        assert!(o.is_empty());
        o.buf_mut().extend_from_slice(b"head,");
        o.buf_mut().extend_from_slice(b"data");
        assert_eq!(o.len(), 9);
        let out = o.take();
        assert!(out.held.is_empty());
        assert_eq!(out.into_vec(), b"head,data");
        assert!(o.is_empty());
        o.buf_mut().extend_from_slice(b"OK");
        assert_eq!(o.take().into_vec(), b"OK");
    }

    #[test]
    fn a_rate_change_cuts_the_batch() {
        let mut o = Output::default();
        o.buf_mut().extend_from_slice(b"OK");
        o.mark_rate(921_600);
        o.buf_mut().extend_from_slice(b"+MATREADY");
        let first = o.take();
        assert_eq!(first.rate_after, Some(921_600));
        assert_eq!(first.bytes, b"OK");
        let second = o.take();
        assert_eq!(second.rate_after, None);
        assert_eq!(second.bytes, b"+MATREADY");
        assert!(o.is_empty());
        // Two changes with bytes between them: two batches, each with its rate.
        o.buf_mut().extend_from_slice(b"OK");
        o.mark_rate(9600);
        o.buf_mut().extend_from_slice(b"REBOOTING");
        o.mark_rate(19200);
        o.mark_rate(38400);
        o.buf_mut().extend_from_slice(b"+MATREADY");
        let a = o.take();
        assert_eq!((a.bytes.as_slice(), a.rate_after), (&b"OK"[..], Some(9600)));
        let b = o.take();
        assert_eq!(
            (b.bytes.as_slice(), b.rate_after),
            (&b"REBOOTING"[..], Some(38400))
        );
        let c = o.take();
        assert_eq!(
            (c.bytes.as_slice(), c.rate_after),
            (&b"+MATREADY"[..], None)
        );
        // A change with nothing before it is still something to hand over.
        o.mark_rate(9600);
        assert!(!o.is_empty());
        let only = o.take();
        assert!(only.bytes.is_empty());
        assert_eq!(only.rate_after, Some(9600));
    }

    #[test]
    fn holds_sources_until_taken_and_reuses_spare_buffers() {
        let mut o = Output::default();
        let spare = Vec::with_capacity(LARGE_OUTPUT * 2);
        let ptr = spare.as_ptr();
        o.give_spare(spare);
        o.give_spare(Vec::with_capacity(16)); // too small to be worth keeping
        let source = Bytes::from(vec![7u8; LARGE_OUTPUT]);
        o.buf_mut().extend_from_slice(b"h,");
        o.reserve(LARGE_OUTPUT + 10);
        assert_eq!(o.buf_mut().as_ptr(), ptr, "the spare buffer is used");
        o.buf_mut().extend_from_slice(&source);
        o.hold(source.clone());
        let out = o.take();
        assert!(!source.is_unique(), "held by the batch");
        assert_eq!(&out.bytes[..2], b"h,");
        drop(out);
        assert!(source.is_unique(), "released with the batch");
    }
}

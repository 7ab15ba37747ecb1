//! [`BufPool`]: large buffers reused for download data on its way to the line.
//!
//! A download to a fast line moves megabytes per second through a read buffer in its channel
//! task and an output buffer in the engine. Allocating those afresh each time made the
//! allocator return memory to the kernel and fault it back in (and fragment the heap): on the
//! streaming benchmark that cost half the module's CPU or a doubled peak RSS, depending on the
//! allocator's thresholds (BENCHMARKS.md). A few buffers passed around instead cost neither.

use bytes::Bytes;
use std::sync::{Arc, Mutex};

/// Larger buffers are not kept (one grown by an unusual burst of output).
const KEEP_MAX_CAPACITY: usize = 4 << 20;

/// A shared stack of spare buffers; clones share it. Spare buffers are freed with the last
/// clone.
#[derive(Debug, Clone)]
pub struct BufPool {
    free: Arc<Mutex<Vec<Vec<u8>>>>,
    keep: usize,
}

impl BufPool {
    /// An empty pool that keeps at most `keep` spare buffers.
    pub fn new(keep: usize) -> BufPool {
        BufPool {
            free: Arc::default(),
            keep,
        }
    }

    /// An empty buffer with room for at least `capacity` bytes, reused when one is spare.
    pub fn take(&self, capacity: usize) -> Vec<u8> {
        let spare = self.free.lock().ok().and_then(|mut f| f.pop());
        let mut buf = spare.unwrap_or_default();
        buf.reserve(capacity);
        buf
    }

    /// A spare buffer, if one is waiting (the caller then owns it).
    pub fn take_spare(&self) -> Option<Vec<u8>> {
        self.free.lock().ok().and_then(|mut f| f.pop())
    }

    /// Gives `buf` back for reuse (dropped if the pool is full or the buffer oversized).
    pub fn put(&self, mut buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > KEEP_MAX_CAPACITY {
            return;
        }
        if let Ok(mut free) = self.free.lock() {
            if free.len() < self.keep {
                buf.clear();
                free.push(buf);
            }
        }
    }

    /// `buf` as [`Bytes`] that give the buffer back to this pool when the last clone drops;
    /// `hold` is dropped at the same moment (a budget share that must last as long).
    pub fn share<H: Send + 'static>(&self, buf: Vec<u8>, hold: H) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            pool: self.clone(),
            _hold: hold,
        })
    }

    /// Buffers waiting for reuse.
    pub fn spare(&self) -> usize {
        self.free.lock().map_or(0, |f| f.len())
    }
}

struct Pooled<H> {
    buf: Vec<u8>,
    pool: BufPool,
    _hold: H,
}

impl<H> AsRef<[u8]> for Pooled<H> {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl<H> Drop for Pooled<H> {
    fn drop(&mut self) {
        self.pool.put(std::mem::take(&mut self.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_buffer_comes_back_after_the_last_clone() {
        let pool = BufPool::new(4);
        let mut buf = pool.take(1000);
        buf.extend_from_slice(b"data");
        let ptr = buf.as_ptr();
        let held = Arc::new(());
        let bytes = pool.share(buf, Arc::clone(&held));
        let piece = bytes.slice(1..3);
        drop(bytes);
        assert_eq!(pool.spare(), 0, "a slice still holds it");
        assert_eq!(Arc::strong_count(&held), 2);
        assert_eq!(&piece[..], b"at");
        drop(piece);
        assert_eq!(pool.spare(), 1);
        assert_eq!(
            Arc::strong_count(&held),
            1,
            "the hold is released with the buffer"
        );
        let again = pool.take(10);
        assert!(again.is_empty() && again.capacity() >= 1000);
        assert_eq!(again.as_ptr(), ptr, "the same allocation is reused");
    }

    #[test]
    fn keeps_a_bounded_number_of_reasonable_buffers() {
        let pool = BufPool::new(4);
        pool.put(Vec::with_capacity(KEEP_MAX_CAPACITY + 1));
        assert_eq!(pool.spare(), 0);
        for _ in 0..9 {
            pool.put(Vec::with_capacity(64));
        }
        assert_eq!(pool.spare(), 4);
    }
}

//! A download to the serial line cut into `+MFTPRETR` chunks (§3.10). This is the one place
//! the data is cut: the channel task hands over its network reads as they come
//! (`ChannelEvent::Download`, any length), and [`RetrCut`] prints every whole chunk it can,
//! carrying the rest over to the next read. A download into a local file is reported with the
//! same cut, one `+MFTPRETR: <id>,0,<sum>,<this>` per chunk written (`ChannelEvent::Saved`;
//! the hardware reports every 1024-byte block, ONEMO-RELATED.md §D).
//!
//! The chunk holding the download's last byte is held back until the channel says the
//! download is over (after the server's `226`), so the host sees the last chunk only when the
//! state is about to return to 1 (docs/PROTOCOL.md, §3.10). What is carried over is copied
//! (at most one chunk per read, as many bytes as a read's tail): holding a slice of the read
//! instead would keep the read's share of the in-flight budget alive, and the channel could
//! then wait for room that only its next read would free.

use super::reply::Reply;
use bytes::Bytes;
use ftpmodem_proto::ChannelId;

/// One channel's download being printed.
#[derive(Debug, Clone)]
pub(crate) struct RetrCut {
    /// Bytes per chunk, as the engine asked for when it sent the request.
    chunk: usize,
    /// The start of the next chunk: bytes received and not printed yet (at most one chunk).
    carry: Vec<u8>,
    /// A download into a local file: bytes whose block reports were printed.
    saved: u64,
}

impl Default for RetrCut {
    fn default() -> Self {
        RetrCut::new(1)
    }
}

impl RetrCut {
    /// A download printed in chunks of `chunk` bytes (at least 1).
    pub(crate) fn new(chunk: usize) -> RetrCut {
        RetrCut {
            chunk: chunk.max(1),
            carry: Vec::new(),
            saved: 0,
        }
    }

    /// Forgets what is carried (the download ended without its last data, or was dropped).
    pub(crate) fn clear(&mut self) {
        self.carry = Vec::new();
        self.saved = 0;
    }

    /// Reports a download into a local file that has `written` bytes written: one
    /// `+MFTPRETR: <id>,0,<sum>,<this>` per whole chunk, but as for the serial line the one
    /// ending at the last byte written only when `last` (after the server's 226 and the
    /// commit), when the final one may be shorter. So the last report is the end.
    pub(crate) fn saved(&mut self, reply: &mut Reply, id: ChannelId, written: u64, last: bool) {
        let chunk = self.chunk as u64;
        let upto = if last || written == 0 {
            written
        } else {
            (written - 1) / chunk * chunk
        };
        while self.saved < upto {
            let end = (self.saved + chunk).min(upto);
            reply.urc(&ftpmodem_proto::Urc::RetrSaved {
                id,
                sum: end,
                recv: end - self.saved,
            });
            self.saved = end;
        }
        if last {
            self.saved = 0;
        }
    }

    /// Prints `data`, the download's bytes after its first `sum`: every whole chunk but the
    /// one holding the last byte received, or everything when `last` (the final chunk may be
    /// shorter then). Each chunk's sum counts the bytes printed up to its end.
    pub(crate) fn feed(
        &mut self,
        reply: &mut Reply,
        id: ChannelId,
        sum: u64,
        data: Bytes,
        last: bool,
    ) {
        let chunk = self.chunk;
        let c = self.carry.len();
        let total = c + data.len();
        let print = if last || total == 0 {
            total
        } else {
            (total - 1) / chunk * chunk
        };
        // The bytes before the carried ones were printed already.
        let printed = sum.saturating_sub(c as u64);
        reply.reserve_retr(print, print.div_ceil(chunk));
        let mut a = 0;
        while a < print {
            let b = (a + chunk).min(print);
            // Only the first chunk can start in the carry (it holds less than a chunk more
            // than what follows would complete).
            let head = &self.carry[a.min(c)..b.min(c)];
            let tail = &data[a.saturating_sub(c)..b.saturating_sub(c)];
            reply.retr_chunk(id, printed + b as u64, &[head, tail]);
            a = b;
        }
        self.carry.drain(..print.min(c));
        self.carry
            .extend_from_slice(&data[print.saturating_sub(c)..]);
        if print > c {
            // Part of `data` was copied into the output: it keeps its budget share until the
            // output is written. Otherwise it was only copied into the carry and goes now.
            reply.hold(data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ChannelId {
        ChannelId::new(1).unwrap()
    }

    /// The reports printed, read back with proto's decoder.
    fn urcs(out: &[u8]) -> Vec<ftpmodem_proto::Urc> {
        use ftpmodem_proto::frame::decode::{Event, Framer};
        let mut f = Framer::default();
        let mut rest = out;
        let mut v = Vec::new();
        while !rest.is_empty() {
            let (n, frame) = f.decode(rest);
            rest = &rest[n..];
            match frame.map(Event::from) {
                Some(Event::Urc(u)) => v.push(u),
                Some(e) => panic!("not a report: {e:?}"),
                None => panic!("incomplete output"),
            }
        }
        v
    }

    /// The chunks printed, as `(sum, bytes)`.
    fn chunks(out: &[u8]) -> Vec<(u64, Vec<u8>)> {
        urcs(out)
            .into_iter()
            .map(|u| match u {
                ftpmodem_proto::Urc::RetrData { sum, data, .. } => (sum, data),
                other => panic!("not a chunk: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn reads_of_any_length_print_whole_chunks_and_hold_the_last() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        // Reads cut at odd places, one of them empty.
        let cuts = [0, 700, 700, 1024, 3000, 4096, 5000];
        let mut cut = RetrCut::new(1024);
        let mut r = Reply::default();
        let mut printed = Vec::new();
        for w in cuts.windows(2) {
            let piece = Bytes::copy_from_slice(&data[w[0]..w[1]]);
            cut.feed(&mut r, id(), w[0] as u64, piece, false);
            printed.extend(chunks(&r.out.take().into_vec()));
        }
        // 5000 bytes: four whole chunks printed; the fifth, with the last byte, waits.
        assert_eq!(printed.len(), 4);
        assert!(!cut.carry.is_empty());
        cut.feed(&mut r, id(), 5000, Bytes::new(), true);
        printed.extend(chunks(&r.out.take().into_vec()));
        let mut all = Vec::new();
        for (i, (sum, d)) in printed.iter().enumerate() {
            all.extend_from_slice(d);
            assert_eq!(*sum, all.len() as u64, "running sum of chunk {i}");
            let want = if i < 4 { 1024 } else { 5000 - 4096 };
            assert_eq!(d.len(), want, "size of chunk {i}");
        }
        assert_eq!(all, data);
        assert!(cut.carry.is_empty());
    }

    #[test]
    fn a_download_of_whole_chunks_holds_a_whole_chunk_back() {
        let mut cut = RetrCut::new(4);
        let mut r = Reply::default();
        cut.feed(&mut r, id(), 0, Bytes::from_static(b"abcdefgh"), false);
        assert_eq!(chunks(&r.out.take().into_vec()), [(4, b"abcd".to_vec())]);
        cut.feed(&mut r, id(), 8, Bytes::new(), true);
        assert_eq!(chunks(&r.out.take().into_vec()), [(8, b"efgh".to_vec())]);
        // The last data itself may come with the end.
        let mut cut = RetrCut::new(4);
        cut.feed(&mut r, id(), 0, Bytes::from_static(b"abcdef"), true);
        assert_eq!(
            chunks(&r.out.take().into_vec()),
            [(4, b"abcd".to_vec()), (6, b"ef".to_vec())]
        );
    }

    /// The block reports printed, as `(sum, this)`.
    fn saves(out: &[u8]) -> Vec<(u64, u64)> {
        urcs(out)
            .into_iter()
            .map(|u| match u {
                ftpmodem_proto::Urc::RetrSaved { sum, recv, .. } => (sum, recv),
                other => panic!("not a block report: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_local_download_reports_every_block_and_the_last_at_the_end() {
        // ONEMO-RELATED.md §D: 106688 bytes end with `+MFTPRETR: 0,0,106688,192`.
        let mut cut = RetrCut::new(1024);
        let mut r = Reply::default();
        cut.saved(&mut r, id(), 100_000, false);
        let first = saves(&r.out.take().into_vec());
        assert_eq!(first.len(), 97);
        assert_eq!(first[0], (1024, 1024));
        assert_eq!(first[96], (99_328, 1024));
        cut.saved(&mut r, id(), 106_688, false);
        let second = saves(&r.out.take().into_vec());
        // 106688 is not a whole block: the block holding its last byte waits for the end.
        assert_eq!(second.last(), Some(&(106_496, 1024)));
        cut.saved(&mut r, id(), 106_688, true);
        assert_eq!(saves(&r.out.take().into_vec()), [(106_688, 192)]);
        // Whole blocks: the last whole one waits too; a small file is one report.
        let mut cut = RetrCut::new(1024);
        cut.saved(&mut r, id(), 2048, false);
        assert_eq!(saves(&r.out.take().into_vec()), [(1024, 1024)]);
        cut.saved(&mut r, id(), 2048, true);
        assert_eq!(saves(&r.out.take().into_vec()), [(2048, 1024)]);
        cut.saved(&mut r, id(), 10, true);
        assert_eq!(saves(&r.out.take().into_vec()), [(10, 10)]);
    }

    #[test]
    fn a_read_copied_only_into_the_carry_is_released_at_once() {
        let mut cut = RetrCut::new(1024);
        let mut r = Reply::default();
        let data = Bytes::from(vec![1u8; 100]);
        cut.feed(&mut r, id(), 0, data.clone(), false);
        assert!(data.is_unique(), "nothing printed, nothing held");
        let more = Bytes::from(vec![2u8; 2000]);
        cut.feed(&mut r, id(), 100, more.clone(), false);
        assert!(!more.is_unique(), "held until its output is written");
        let out = r.out.take();
        assert_eq!(chunks(&out.bytes).len(), 2);
        drop(out);
        assert!(more.is_unique());
    }
}

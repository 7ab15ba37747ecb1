//! Cutting one input into the pieces a socket or serial line might have delivered, so that the
//! incremental decoders can be checked for chunking invariance: the same bytes in any split
//! must give the same result.

/// The lengths of the pieces `len` bytes are cut into, drawn from `seed` (a byte of the fuzz
/// input, so the fuzzer explores the splits too). Every piece is 1-`max_piece` bytes long and
/// the pieces add up to `len`.
pub fn plan(len: usize, seed: u8, max_piece: usize) -> Vec<usize> {
    // xorshift32 seeded from the byte: deterministic, so a crash replays.
    let mut x = 0x9e37_79b9u32 ^ u32::from(seed).wrapping_mul(0x0101_0101) | 1;
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = (x as usize % max_piece.max(1)) + 1;
        let n = n.min(left);
        out.push(n);
        left -= n;
    }
    out
}

/// `data` cut per [`plan`].
pub fn split(data: &[u8], seed: u8, max_piece: usize) -> Vec<&[u8]> {
    let mut rest = data;
    plan(data.len(), seed, max_piece)
        .into_iter()
        .map(|n| {
            let (head, tail) = rest.split_at(n);
            rest = tail;
            head
        })
        .collect()
}

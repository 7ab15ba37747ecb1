//! The host's decoder of what a module writes on its line (framing, echo, `>` prompt, data
//! lines with raw payloads), reached through [`crate::decode_module_output`] so that it can be
//! retargeted when the decoder moves.
//!
//! Input: `[flags, split seed]` + the bytes on the line. Bit 0 of `flags` picks small limits
//! (32-byte lines, 64-byte payloads) so the bounds are reached with short inputs; bits 1-3
//! are a number of bytes to skip at the start, as after data sent at a `>` prompt with echo on.

use crate::{decode_module_output, Decoded, DecodedKind};

/// The same bytes in any split give the same events; every event is within the limits and no
/// more events come out than bytes went in.
pub fn host_decoder(data: &[u8]) {
    let [flags, seed, stream @ ..] = data else {
        return;
    };
    let (max_line, max_data) = if flags & 1 == 1 {
        (32, 64)
    } else {
        (4096, 16 << 20)
    };
    let skip = u64::from((flags >> 1) & 7);
    let whole = decode_module_output(max_line, max_data, skip, &[stream]);
    for ev in &whole {
        check_event(ev, max_line, max_data);
    }
    assert!(
        whole.len() <= stream.len(),
        "{} events from {} bytes",
        whole.len(),
        stream.len()
    );
    let max_piece = 1 + usize::from(flags >> 4);
    let pieces = crate::chunks::split(stream, *seed, max_piece);
    let split = decode_module_output(max_line, max_data, skip, &pieces);
    assert_eq!(whole, split, "events depend on the split: {pieces:?}");
    if stream.len() <= 256 {
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        let one = decode_module_output(max_line, max_data, skip, &bytes);
        assert_eq!(whole, one, "byte-by-byte decoding differs");
    }
}

fn check_event(ev: &Decoded, max_line: usize, max_data: u64) {
    let cap = max_line + usize::try_from(max_data).unwrap_or(usize::MAX);
    match ev.kind {
        DecodedKind::Echo => {
            assert!(
                ev.bytes.len() <= max_line,
                "echo of {} bytes",
                ev.bytes.len()
            );
            assert!(
                !ev.bytes.contains(&b'\r') && !ev.bytes.contains(&b'\n'),
                "echo holds CR/LF: {ev:?}"
            );
        }
        DecodedKind::Unparsed | DecodedKind::Info | DecodedKind::Urc => {
            // A parsed line is measured by its emitted form, which may quote or pad a little.
            assert!(
                ev.bytes.len() <= 2 * cap + 64,
                "line of {} bytes held",
                ev.bytes.len()
            );
        }
        DecodedKind::Overflow => assert!(ev.bytes != b"0", "overflow of 0 bytes"),
        DecodedKind::Prompt | DecodedKind::Connect | DecodedKind::Final => {}
    }
}

//! Test payloads: binary data that carries every byte the line discipline could mistake for
//! something else (NUL, CR, LF, Ctrl+Z, ESC, `+++`, 0xFF, an `AT` command, a fake `OK`).

/// The bytes that must pass through every upload mode that allows them.
pub const SPECIALS: &[&[u8]] = &[
    b"\0",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1a",
    b"\x1b",
    b"+++",
    b"\xff",
    b"AT\r",
    b"\r\nOK\r\n",
    b"+++AT+MFTPDISC=0\r",
    b"\x1a\x1b\x00\xff+++",
];

/// `n` bytes: all [`SPECIALS`] first, then pseudo-random bytes (seeded) with the specials
/// sprinkled in. Never ends with `+`, so the data cannot run into an escape sequence.
pub fn binary(n: usize, seed: u32) -> Vec<u8> {
    let mut v: Vec<u8> = SPECIALS.concat();
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    while v.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let r = (x >> 16) as usize;
        if r % 37 == 0 {
            v.extend_from_slice(SPECIALS[r % SPECIALS.len()]);
        } else {
            v.push((r >> 3) as u8);
        }
    }
    v.truncate(n);
    if v.last() == Some(&b'+') {
        if let Some(l) = v.last_mut() {
            *l = b'.';
        }
    }
    v
}

/// [`binary`] without Ctrl+Z and ESC, for the `>` prompt that ends at Ctrl+Z.
pub fn no_ctrl_z(n: usize, seed: u32) -> Vec<u8> {
    let mut v: Vec<u8> = binary(n * 2, seed)
        .into_iter()
        .filter(|&b| b != 0x1a && b != 0x1b)
        .collect();
    v.truncate(n);
    v
}

/// Quote-free printable text for inline data (`AT+MFTPSTOR=0,"f",1,<len>,"<data>"`).
pub fn text(n: usize, seed: u32) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 ,;:+-=_.!?#$%&()[]{}<>/|~";
    let mut x = seed.wrapping_add(7);
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            ALPHABET[(x >> 16) as usize % ALPHABET.len()] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_hold_what_they_promise() {
        let b = binary(3000, 1);
        assert_eq!(b.len(), 3000);
        for s in SPECIALS {
            assert!(b.windows(s.len()).any(|w| w == *s));
        }
        let z = no_ctrl_z(2000, 2);
        assert_eq!(z.len(), 2000);
        assert!(!z.contains(&0x1a) && !z.contains(&0x1b) && z.contains(&0) && z.contains(&0xff));
        assert!(!text(500, 3).contains('"'));
    }
}

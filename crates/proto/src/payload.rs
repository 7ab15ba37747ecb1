//! Lines that carry raw bytes: `+MFTPRETR: <id>,0,<sum>,<recv>,<data>` (§3.10) and
//! `+MFGET: <size>,<data>`. Their data may hold CR, LF, commas and quotes, so a reader of the
//! module's output cannot find their end by framing; it must learn the size from the header
//! and then take exactly that many bytes. This is where the header is recognised.

use crate::name::Name;
use crate::syntax::{self, Param};

/// For the start of a line received up to and including a comma: when it is the complete
/// header of a data-carrying line, the number of raw bytes that follow (then CRLF).
pub fn payload_len(header: &[u8]) -> Option<u64> {
    let rest = header.strip_prefix(b"+")?;
    let (name, fields) = if let Some(r) = rest.strip_prefix(Name::MftpRetr.as_str().as_bytes()) {
        (r, 4)
    } else if let Some(r) = rest.strip_prefix(Name::MfGet.as_str().as_bytes()) {
        (r, 1)
    } else {
        return None;
    };
    let rest = name.strip_prefix(b":")?;
    if rest.iter().filter(|b| **b == b',').count() != fields || rest.last() != Some(&b',') {
        return None;
    }
    let p = syntax::split(&rest[..rest.len() - 1]).ok()?;
    match (fields, p.as_slice()) {
        (4, [Param::Int(_), Param::Int(0), Param::Int(_), Param::Int(recv)]) => Some(*recv),
        (1, [Param::Int(size)]) => Some(*size),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_data_lines() {
        assert_eq!(payload_len(b"+MFTPRETR: 0,0,23,23,"), Some(23));
        assert_eq!(payload_len(b"+MFGET: 7,"), Some(7));
        // Not yet complete, not a data line, or a result without data.
        assert_eq!(payload_len(b"+MFTPRETR: 0,0,"), None);
        assert_eq!(payload_len(b"+MFTPRETR: 0,19"), None);
        assert_eq!(payload_len(b"+MFTPRETR: 0,10,1,1,"), None);
        assert_eq!(payload_len(b"+MFTPCWD: 0,0,"), None);
        assert_eq!(payload_len(b"+MFGET: (0-5),"), None);
    }
}

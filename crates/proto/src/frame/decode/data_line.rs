//! Lines that carry raw bytes after their header: `+MFTPRETR: <id>,0,<sum>,<recv>,<data>`
//! (§3.10) and `+MFGET: <size>,<data>` (NOTES "local file system"). Their data may hold CR,
//! LF, commas and quotes, so a reader of the module's output cannot find their end by framing:
//! it must read the length from the header and then take exactly that many bytes.
//!
//! Each such line is one entry of [`DATA_LINES`]; the framer knows nothing else about them.
//! `+MFREAD: <h>,<total>,<cum>,<this>,<data>` (ONEMO-RELATED.md §C.3) is one more entry.

use crate::name::Name;
use crate::syntax::{self, Param};

/// Which parser reads a data line once it is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// An unsolicited report ([`crate::Urc::parse`]).
    Urc,
    /// The information response of the command in progress ([`crate::Response::parse`]).
    Info,
}

/// The shape of one data-bearing line: `+<name>: <f0>,...,<fn-1>,<data>`, every header field
/// a decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLine {
    /// The line's name.
    pub name: Name,
    /// Header fields before the data.
    pub fields: usize,
    /// The (0-based) field that holds the data's length in bytes.
    pub len_field: usize,
    /// Fields that must hold this value for the line to carry data at all: a `+MFTPRETR`
    /// with a non-zero result code is a final report without data, even with four fields.
    pub fixed: Option<(usize, u64)>,
    /// Report or information response.
    pub kind: DataKind,
    /// The module may print another line of the same name right after this one's closing
    /// CRLF, without an opener of its own (`+MFREAD` fragments, ONEMO-RELATED.md §C.3).
    pub chained: bool,
    /// The data is printed as two hex digits per counted byte when the module's file output
    /// encoding is HEX (`AT+MFCFG="encoding",<in>,1`, ONEMO-RELATED.md §C.3); the reader must
    /// be told ([`Framer::set_file_hex`](super::Framer::set_file_hex)).
    pub hex: bool,
}

/// Every line of the module's output that carries raw bytes.
pub const DATA_LINES: &[DataLine] = &[
    // §3.10: `+MFTPRETR: <id>,0,<sum>,<recv_size>,<data>`; `0` is the success code.
    DataLine {
        name: Name::MftpRetr,
        fields: 4,
        len_field: 3,
        fixed: Some((1, 0)),
        kind: DataKind::Urc,
        chained: false,
        hex: false,
    },
    // NOTES "local file system": `+MFGET: <size>,<data>`.
    DataLine {
        name: Name::MfGet,
        fields: 1,
        len_field: 0,
        fixed: None,
        kind: DataKind::Info,
        chained: false,
        hex: true,
    },
    // ONEMO-RELATED.md §C.3: `+MFREAD: <h>,<total>,<cumulative>,<this>,<data>`, fragments of
    // 8192 bytes one after the other, only the first with a CRLF before it.
    DataLine {
        name: Name::MfRead,
        fields: 4,
        len_field: 3,
        fixed: None,
        kind: DataKind::Info,
        chained: true,
        hex: true,
    },
];

/// For the start of a framed line received up to and including a comma: when it is the
/// complete header of a data line, that line's entry and the number of raw bytes that follow
/// (then CRLF).
pub fn data_header(header: &[u8]) -> Option<(&'static DataLine, u64)> {
    let rest = header.strip_prefix(b"+")?;
    DATA_LINES.iter().find_map(|d| {
        let fields = rest
            .strip_prefix(d.name.as_str().as_bytes())?
            .strip_prefix(b":")?;
        d.payload_len(fields).map(|n| (d, n))
    })
}

impl DataLine {
    /// The data length, when `fields` (what follows `+<name>:`) is exactly this line's header
    /// fields, each followed by a comma.
    fn payload_len(&self, fields: &[u8]) -> Option<u64> {
        if fields.iter().filter(|b| **b == b',').count() != self.fields {
            return None;
        }
        let head = fields.strip_suffix(b",")?;
        let p = syntax::split(head).ok()?;
        let int = |i: usize| match p.get(i) {
            Some(Param::Int(n)) => Some(*n),
            _ => None,
        };
        if p.len() != self.fields || (0..self.fields).any(|i| int(i).is_none()) {
            return None;
        }
        if let Some((i, v)) = self.fixed {
            if int(i)? != v {
                return None;
            }
        }
        int(self.len_field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(h: &[u8]) -> Option<u64> {
        data_header(h).map(|(_, n)| n)
    }

    #[test]
    fn headers_of_data_lines() {
        assert_eq!(len(b"+MFTPRETR: 0,0,23,23,"), Some(23));
        assert_eq!(len(b"+MFGET: 7,"), Some(7));
        assert_eq!(len(b"+MFREAD: 1,100,10,10,"), Some(10));
        assert_eq!(len(b"+MFREAD: 65535,9000,9000,808,"), Some(808));
        assert_eq!(len(b"+MFREAD: 1,100,10,"), None);
        assert_eq!(len(b"+MFREAD: 1,\"100\",10,10,"), None);
        assert_eq!(
            data_header(b"+MFGET: 7,").map(|(d, _)| d.kind),
            Some(DataKind::Info)
        );
        // Not yet complete, not a data line, or a result without data.
        assert_eq!(len(b"+MFTPRETR: 0,0,"), None);
        assert_eq!(len(b"+MFTPRETR: 0,19"), None);
        assert_eq!(len(b"+MFTPRETR: 0,10,1,1,"), None);
        assert_eq!(len(b"+MFTPCWD: 0,0,"), None);
        assert_eq!(len(b"+MFGET: (0-5),"), None);
        assert_eq!(len(b"+MFGET: \"7\","), None);
        assert_eq!(len(b"+MFTPRETRX: 0,0,1,1,"), None);
    }

    #[test]
    fn a_new_data_line_is_one_entry() {
        // `+MFREAD: <h>,<total>,<cum>,<this>,<data>` took one.
        let read = DATA_LINES
            .iter()
            .find(|d| d.name == Name::MfRead)
            .copied()
            .unwrap_or(DATA_LINES[0]);
        assert_eq!(read.kind, DataKind::Info);
        assert!(read.chained);
        assert_eq!(read.payload_len(b" 1,100,10,10,"), Some(10));
        assert_eq!(read.payload_len(b" 1,100,10,"), None);
    }
}

//! The module's output framing (manual §2.1: every line the module prints is `\r\n<line>\r\n`;
//! the `>` prompt is `\r\n>` with nothing after it, docs/PROTOCOL.md). Every byte the device
//! writes to the line around a response, a URC or a data chunk is written here; the device only
//! chooses what to print.
//!
//! The functions append to a `Vec<u8>` so a caller can frame a whole batch of lines into one
//! buffer (one write to the line).

use crate::command::{FileChunk, FILE_FRAGMENT};
use crate::response::Response;
use crate::types::ChannelId;
use crate::urc::{emit_retr_head, Urc};
use alloc::vec::Vec;

/// What goes before and after every line.
pub const CRLF: &[u8] = b"\r\n";

/// Most bytes [`retr_chunk`] writes around a chunk's data: CRLF, the longest header
/// (`+MFTPRETR: 5,0,<u64>,<u64>,`), CRLF. Callers reserve with it.
pub const RETR_OVERHEAD: usize = 2 + 11 + 4 + 20 + 1 + 20 + 1 + 2;

/// The framing parameters in force (V.250 §5.7.1, §6.2.5, §6.2.6): the line-ending
/// characters S3 and S4 and the result code form `ATV`/`ATQ` chose. The engine keeps the current
/// one and frames every line with it; the plain functions of this module use the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// S3, the "carriage return" character (13 by default).
    pub cr: u8,
    /// S4, the "line feed" character (10 by default).
    pub lf: u8,
    /// `ATV1` (default): `<cr><lf><text><cr><lf>`; `ATV0`: information text is `<text><cr><lf>`
    /// and a result code is its number and `<cr>` (V.250 §6.2.6).
    pub verbose: bool,
    /// `ATQ1`: result codes (`OK`, `ERROR`, `+CME ERROR`, `CONNECT`) are not sent (V.250 §6.2.5).
    pub quiet: bool,
}

impl Default for Framing {
    /// V.250's defaults: S3 13, S4 10, V1, Q0.
    fn default() -> Self {
        Framing {
            cr: b'\r',
            lf: b'\n',
            verbose: true,
            quiet: false,
        }
    }
}

impl Framing {
    /// What goes before information text: `<cr><lf>` in verbose mode, nothing in V0.
    fn open(&self, out: &mut Vec<u8>) {
        if self.verbose {
            out.extend_from_slice(&[self.cr, self.lf]);
        }
    }

    /// What ends every information line.
    fn close(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.cr, self.lf]);
    }

    /// The bytes after a `+MFTPRETR` chunk's data.
    pub fn retr_tail(&self) -> [u8; 2] {
        [self.cr, self.lf]
    }
}

/// A result code's number in V0 form (V.250 §5.7.1 table 1): `OK` 0, `CONNECT` 1, `ERROR` 4.
/// `+CME ERROR` has none: in V0 it keeps its text (27.007 §9.2 gives it no number). `None`
/// for a line that is not a result code.
fn result_code(r: &Response) -> Option<Option<u8>> {
    match r {
        Response::Ok => Some(Some(0)),
        Response::Connect => Some(Some(1)),
        Response::Error => Some(Some(4)),
        Response::CmeError(_) | Response::CmeErrorText(_) => Some(None),
        _ => None,
    }
}

/// A response line in framing `f`: a result code as `ATV`/`ATQ` ask, information text
/// between `f`'s line endings (the lines of [`Response::Lines`] too).
pub fn response_with(out: &mut Vec<u8>, f: &Framing, r: &Response) {
    match result_code(r) {
        Some(_) if f.quiet => {}
        Some(Some(n)) if !f.verbose => {
            crate::syntax::push_u64(out, u64::from(n));
            out.push(f.cr);
        }
        Some(None) if !f.verbose => {
            r.emit(out);
            out.push(f.cr);
        }
        _ => {
            f.open(out);
            match r {
                Response::Lines(ls) => {
                    for (i, l) in ls.iter().enumerate() {
                        if i > 0 {
                            f.close(out);
                        }
                        out.extend_from_slice(l.as_bytes());
                    }
                }
                _ => r.emit(out),
            }
            f.close(out);
        }
    }
}

/// An unsolicited line in framing `f`: framed as information text (`ATQ1` does not suppress
/// it: the module's reports are not result codes of a command).
pub fn urc_with(out: &mut Vec<u8>, f: &Framing, u: &Urc) {
    f.open(out);
    u.emit(out);
    f.close(out);
}

/// [`retr_chunk`] in framing `f`.
pub fn retr_chunk_with(out: &mut Vec<u8>, f: &Framing, id: ChannelId, sum: u64, pieces: &[&[u8]]) {
    let len = pieces.iter().map(|p| p.len()).sum();
    f.open(out);
    emit_retr_head(out, id, sum, len);
    for p in pieces {
        out.extend_from_slice(p);
    }
    f.close(out);
}

/// The `>` prompt in framing `f`: `<cr><lf>>` in verbose mode, `>` alone in V0 (the prompt
/// opens like information text).
pub fn prompt_with(out: &mut Vec<u8>, f: &Framing) {
    f.open(out);
    out.push(b'>');
}

/// `\r\n<content>\r\n`: one line whose content is already spelled.
pub fn line(out: &mut Vec<u8>, content: &[u8]) {
    out.extend_from_slice(CRLF);
    out.extend_from_slice(content);
    out.extend_from_slice(CRLF);
}

/// A response line (`OK`, `+CME ERROR: 50`, `+MFTPSTATE: 0,1`, `+MFGET: <n>,<data>` ...).
pub fn response(out: &mut Vec<u8>, r: &Response) {
    out.extend_from_slice(CRLF);
    r.emit(out);
    out.extend_from_slice(CRLF);
}

/// An unsolicited line (`+MFTPCONN: 0,0`, `+MATREADY` ...).
pub fn urc(out: &mut Vec<u8>, u: &Urc) {
    out.extend_from_slice(CRLF);
    u.emit(out);
    out.extend_from_slice(CRLF);
}

/// [`urc`] into a new buffer (a line queued while a data mode holds the line).
pub fn urc_bytes(u: &Urc) -> Vec<u8> {
    let mut v = Vec::new();
    urc(&mut v, u);
    v
}

/// One `+MFTPRETR: <id>,0,<sum>,<len>,<data>` chunk (§3.10), framed, from its data in one or
/// more pieces (a chunk may start in one network read and end in the next). `sum` counts the
/// bytes delivered so far, this chunk included. The same bytes as [`Urc::RetrData`].
pub fn retr_chunk(out: &mut Vec<u8>, id: ChannelId, sum: u64, pieces: &[&[u8]]) {
    let len = pieces.iter().map(|p| p.len()).sum();
    out.extend_from_slice(CRLF);
    emit_retr_head(out, id, sum, len);
    for p in pieces {
        out.extend_from_slice(p);
    }
    out.extend_from_slice(RETR_TAIL);
}

/// Bytes that go after a chunk's data: its closing CRLF.
pub const RETR_TAIL: &[u8] = CRLF;

/// How many bytes go before a `+MFTPRETR` chunk's data (CRLF and `+MFTPRETR: <id>,0,<sum>,
/// <len>,`), for a caller that reads data straight into its place and frames it after
/// ([`RetrAround`]).
pub fn retr_head_len(id: ChannelId, sum: u64, len: usize) -> usize {
    const FIXED: usize = CRLF.len() + "+MFTPRETR: ".len() + ",0,".len() + ",".len() + ",".len();
    FIXED + digits(u64::from(id.get())) + digits(sum) + digits(len as u64)
}

fn digits(mut v: u64) -> usize {
    let mut d = 1;
    while v >= 10 {
        v /= 10;
        d += 1;
    }
    d
}

/// Frames `+MFTPRETR` chunks around data that already lies where it is to be written (a relay
/// that reads the network straight into its output buffer), so that such a caller spells no
/// byte of the framing either. It keeps one small buffer for the heads: framing a chunk
/// allocates nothing.
#[derive(Debug, Default)]
pub struct RetrAround {
    head: Vec<u8>,
}

impl RetrAround {
    /// Frames the chunk whose `len` bytes lie at `buf[at..at + len]`: writes its head (as
    /// long as [`retr_head_len`] says) right before `at` and [`RETR_TAIL`] right after the
    /// data. Returns where the framed chunk starts, or `None` (nothing written) when `buf`
    /// has no room for the head before `at` or the tail after the data.
    pub fn frame(
        &mut self,
        buf: &mut [u8],
        at: usize,
        id: ChannelId,
        sum: u64,
        len: usize,
    ) -> Option<usize> {
        self.head.clear();
        self.head.extend_from_slice(CRLF);
        emit_retr_head(&mut self.head, id, sum, len);
        let start = at.checked_sub(self.head.len())?;
        let end = at.checked_add(len)?;
        let tail = buf.get_mut(end..end.checked_add(RETR_TAIL.len())?)?;
        tail.copy_from_slice(RETR_TAIL);
        buf[start..at].copy_from_slice(&self.head);
        Some(start)
    }
}

/// `+MFGET: <size>,<data>` (the module's file read), framed.
pub fn mfget(out: &mut Vec<u8>, data: &[u8]) {
    // One type prints it; this only gives the call a name next to the other data lines.
    response(out, &Response::MfGet(data.to_vec()));
}

/// The `+MFREAD` fragments of one `AT+MFREAD` (ONEMO-RELATED.md §C.3), framed as the
/// hardware prints them: fragments of [`FILE_FRAGMENT`] bytes (half as many with HEX output,
/// so that each is that many characters), the first preceded by CRLF, each closed by CRLF, no
/// CRLF between them. `data` is everything this read returns; nothing is written for none.
pub fn mfread(out: &mut Vec<u8>, handle: u16, data: &[u8], hex: bool) {
    let size = if hex {
        FILE_FRAGMENT / 2
    } else {
        FILE_FRAGMENT
    };
    let total = data.len() as u64;
    let mut cumulative = 0u64;
    for (i, piece) in data.chunks(size).enumerate() {
        if i == 0 {
            out.extend_from_slice(CRLF);
        }
        cumulative += piece.len() as u64;
        let chunk = FileChunk {
            handle,
            total,
            cumulative,
            data: piece.to_vec(),
            hex,
        };
        chunk.emit(out);
        out.extend_from_slice(CRLF);
    }
}

/// The `>` prompt of an upload or a file write (§3.11): `\r\n>`, the data follows at once.
pub fn prompt(out: &mut Vec<u8>) {
    out.extend_from_slice(crate::data_mode::PROMPT);
}

/// `CONNECT`: transparent mode begins (§3.11, §3.12).
pub fn connect(out: &mut Vec<u8>) {
    response(out, &Response::Connect);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{CmeError, ResultCode};
    use crate::urc::SimpleOp;

    fn id(n: u8) -> ChannelId {
        ChannelId::new(n).unwrap()
    }

    fn framed(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut v = Vec::new();
        f(&mut v);
        v
    }

    // Golden bytes: the manual's chapter 4 examples, with the framing of §2.1.

    #[test]
    fn ok_and_cme_error() {
        assert_eq!(framed(|o| response(o, &Response::Ok)), b"\r\nOK\r\n");
        assert_eq!(
            framed(|o| response(o, &Response::CmeError(CmeError::ParameterError))),
            b"\r\n+CME ERROR: 50\r\n"
        );
    }

    #[test]
    fn conn_urc() {
        let u = Urc::Result {
            op: SimpleOp::Conn,
            id: id(0),
            code: ResultCode::Success,
        };
        assert_eq!(framed(|o| urc(o, &u)), b"\r\n+MFTPCONN: 0,0\r\n");
        assert_eq!(urc_bytes(&u), b"\r\n+MFTPCONN: 0,0\r\n");
        assert_eq!(urc_bytes(&Urc::Ready), b"\r\n+MATREADY\r\n");
    }

    #[test]
    fn retr_chunk_in_pieces_is_the_urc() {
        // §3.10 example: `+MFTPRETR: 0,0,5,5,bbbbb`.
        let whole = framed(|o| retr_chunk(o, id(0), 5, &[b"bbbbb"]));
        assert_eq!(whole, b"\r\n+MFTPRETR: 0,0,5,5,bbbbb\r\n");
        let split = framed(|o| retr_chunk(o, id(0), 5, &[b"bb", b"", b"bbb"]));
        assert_eq!(split, whole);
        let u = Urc::RetrData {
            id: id(0),
            sum: 5,
            data: b"bbbbb".to_vec(),
        };
        assert_eq!(urc_bytes(&u), whole);
    }

    #[test]
    fn retr_overhead_bounds_the_longest_header() {
        let v = framed(|o| retr_chunk(o, id(5), u64::MAX, &[&[]]));
        assert!(v.len() <= RETR_OVERHEAD, "{} > {RETR_OVERHEAD}", v.len());
    }

    #[test]
    fn retr_head_len_is_the_written_head() {
        for n in 0..=5 {
            for sum in [0, 9, 10, 1024, 99_999, 100_000, u64::MAX] {
                for len in [0, 1, 9, 10, 1024, 65_536] {
                    let data = vec![b'x'; len];
                    let v = framed(|o| retr_chunk(o, id(n), sum, &[&data]));
                    let written = v.len() - len - RETR_TAIL.len();
                    assert_eq!(retr_head_len(id(n), sum, len), written, "{n} {sum} {len}");
                }
            }
        }
    }

    #[test]
    fn framing_around_data_in_place_is_retr_chunk() {
        let data = b"ab\r\ncd";
        let head = retr_head_len(id(3), 4096, data.len());
        let mut buf = vec![0u8; 3 + head + data.len() + RETR_TAIL.len()];
        let at = 3 + head;
        buf[at..at + data.len()].copy_from_slice(data);
        let mut around = RetrAround::default();
        assert_eq!(around.frame(&mut buf, at, id(3), 4096, data.len()), Some(3));
        let want = framed(|o| retr_chunk(o, id(3), 4096, &[data]));
        assert_eq!(&buf[3..], &want[..]);
        // No room before or after: nothing is written.
        let mut short = vec![0u8; head + data.len() + 1];
        assert_eq!(
            around.frame(&mut short, head, id(3), 4096, data.len()),
            None
        );
        assert_eq!(
            around.frame(&mut buf, head - 1, id(3), 4096, data.len()),
            None
        );
        assert!(short.iter().all(|&b| b == 0));
    }

    #[test]
    fn mfread_fragments_are_consecutive_lines() {
        // §C.3: 8192-byte fragments, CRLF before the first only, CRLF after each.
        let data: Vec<u8> = (0..8195u32).map(|i| b"a\r\n,"[i as usize % 4]).collect();
        let v = framed(|o| mfread(o, 1, &data, false));
        let mut want = b"\r\n+MFREAD: 1,8195,8192,8192,".to_vec();
        want.extend_from_slice(&data[..8192]);
        want.extend_from_slice(b"\r\n+MFREAD: 1,8195,8195,3,");
        want.extend_from_slice(&data[8192..]);
        want.extend_from_slice(b"\r\n");
        assert_eq!(v, want);
        assert_eq!(
            framed(|o| mfread(o, 0, b"hi", false)),
            b"\r\n+MFREAD: 0,2,2,2,hi\r\n"
        );
        // HEX output: 4096 bytes (8192 digits) per fragment, the counts in bytes.
        assert_eq!(
            framed(|o| mfread(o, 65535, &[0x00, 0xAB, 0x1A], true)),
            b"\r\n+MFREAD: 65535,3,3,3,00AB1A\r\n"
        );
        let big = vec![0xFFu8; 4097];
        let v = framed(|o| mfread(o, 2, &big, true));
        let second = b"\r\n+MFREAD: 2,4097,4097,1,FF\r\n";
        assert!(v.ends_with(second));
        assert_eq!(
            v.len(),
            2 + "+MFREAD: 2,4097,4096,4096,".len() + 8192 + second.len()
        );
        assert!(framed(|o| mfread(o, 1, b"", false)).is_empty());
    }

    #[test]
    fn data_lines_prompt_and_connect() {
        assert_eq!(framed(|o| mfget(o, b"a\r\nb")), b"\r\n+MFGET: 4,a\r\nb\r\n");
        assert_eq!(framed(prompt), b"\r\n>");
        assert_eq!(framed(connect), b"\r\nCONNECT\r\n");
        assert_eq!(framed(|o| line(o, b"ML307R")), b"\r\nML307R\r\n");
    }

    #[test]
    fn default_framing_is_the_plain_encoder() {
        let f = Framing::default();
        for r in [
            Response::Ok,
            Response::Connect,
            Response::CmeError(CmeError::ParameterError),
            Response::Lines(vec!["CMCC".into(), "ML307R".into()]),
            Response::Ipr(921_600),
        ] {
            assert_eq!(
                framed(|o| response_with(o, &f, &r)),
                framed(|o| response(o, &r))
            );
        }
        assert_eq!(
            framed(|o| urc_with(o, &f, &Urc::Ready)),
            urc_bytes(&Urc::Ready)
        );
        assert_eq!(framed(|o| prompt_with(o, &f)), framed(prompt));
        assert_eq!(
            framed(|o| retr_chunk_with(o, &f, id(0), 5, &[b"bbbbb"])),
            framed(|o| retr_chunk(o, id(0), 5, &[b"bbbbb"]))
        );
    }

    #[test]
    fn numeric_result_codes() {
        // V.250 §6.2.6: V0 results are `<code><cr>`, information text `<text><cr><lf>`.
        let f = Framing {
            verbose: false,
            ..Framing::default()
        };
        let r = |r: Response| framed(|o| response_with(o, &f, &r));
        assert_eq!(r(Response::Ok), b"0\r");
        assert_eq!(r(Response::Connect), b"1\r");
        assert_eq!(r(Response::Error), b"4\r");
        assert_eq!(
            r(Response::CmeError(CmeError::ParameterError)),
            b"+CME ERROR: 50\r"
        );
        assert_eq!(r(Response::Ipr(115_200)), b"+IPR: 115200\r\n");
        assert_eq!(r(Response::SReg(13)), b"013\r\n");
        assert_eq!(
            r(Response::Lines(vec!["CMCC".into(), "ML307R".into()])),
            b"CMCC\r\nML307R\r\n"
        );
        assert_eq!(framed(|o| urc_with(o, &f, &Urc::Ready)), b"+MATREADY\r\n");
        assert_eq!(framed(|o| prompt_with(o, &f)), b">");
        assert_eq!(
            framed(|o| retr_chunk_with(o, &f, id(1), 2, &[b"ab"])),
            b"+MFTPRETR: 1,0,2,2,ab\r\n"
        );
    }

    #[test]
    fn quiet_and_changed_line_characters() {
        let f = Framing {
            cr: b'#',
            lf: b'$',
            verbose: true,
            quiet: true,
        };
        let r = |r: Response| framed(|o| response_with(o, &f, &r));
        assert_eq!(r(Response::Ok), b"");
        assert_eq!(r(Response::Error), b"");
        assert_eq!(r(Response::Connect), b"");
        assert_eq!(r(Response::CmeError(CmeError::ParameterError)), b"");
        assert_eq!(r(Response::SReg(35)), b"#$035#$");
        assert_eq!(
            r(Response::Lines(vec!["a".into(), "b".into()])),
            b"#$a#$b#$"
        );
        assert_eq!(
            framed(|o| urc_with(o, &f, &Urc::Rebooting)),
            b"#$REBOOTING#$"
        );
        let loud = Framing { quiet: false, ..f };
        assert_eq!(
            framed(|o| response_with(o, &loud, &Response::Ok)),
            b"#$OK#$"
        );
        assert_eq!(framed(|o| prompt_with(o, &loud)), b"#$>");
        assert_eq!(loud.retr_tail(), *b"#$");
    }
}

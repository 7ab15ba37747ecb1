//! The FTP control connection: the sans-IO reply decoder (`ftpmodem_ftp::reply`) and the
//! decoders of the replies that carry data (`ftpmodem_ftp::decode`: 227, 229, 257, 211 FEAT,
//! 213 SIZE/MDTM, the size in a 150).
//!
//! Input: `[flags, split seed]` + the bytes a server sent. Bit 0 of `flags` picks small limits
//! (16-byte lines, 4-line replies) so the bounds are reached with short inputs.

use ftpmodem_ftp::decode::{
    parse_257, parse_announced_size, parse_epsv, parse_mdtm, parse_pasv, parse_size, Features,
};
use ftpmodem_ftp::reply::{ReplyDecoder, ReplyError, DEFAULT_MAX_LINE, DEFAULT_MAX_LINES};
use ftpmodem_ftp::{Reply, ReplyCode, Timestamp};

/// What decoding a whole stream gave: the replies in order, the error that ended it (if
/// any), and whether a reply was left half-read.
#[derive(Debug, PartialEq)]
struct Outcome {
    replies: Vec<Reply>,
    error: Option<ReplyError>,
    mid_reply: bool,
}

/// Feeds `pieces` the way the I/O half does: append to a buffer, feed the buffer, drop what
/// was consumed, repeat while replies complete.
fn decode(pieces: &[&[u8]], max_line: usize, max_lines: usize) -> Outcome {
    let mut dec = ReplyDecoder::with_limits(max_line, max_lines);
    let mut replies = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        while !buf.is_empty() {
            match dec.feed(&buf) {
                Ok((used, reply)) => {
                    assert!(
                        used > 0 && used <= buf.len(),
                        "feed consumed {used} of {} bytes",
                        buf.len()
                    );
                    let done = reply.is_none();
                    assert!(
                        !done || used == buf.len(),
                        "no reply, yet {used} of {} bytes consumed",
                        buf.len()
                    );
                    buf.drain(..used);
                    replies.extend(reply);
                    if done {
                        break;
                    }
                }
                Err(error) => {
                    return Outcome {
                        replies,
                        error: Some(error),
                        mid_reply: true,
                    }
                }
            }
        }
    }
    Outcome {
        replies,
        error: None,
        mid_reply: dec.is_mid_reply(),
    }
}

/// What every complete reply must satisfy, whatever the server sent.
fn check_reply(r: &Reply, max_line: usize, max_lines: usize) {
    let code = r.code.as_u16();
    assert!((100..=599).contains(&code), "reply code {code}");
    assert_eq!(ReplyCode::new(code), Some(r.code));
    assert_eq!(r.code.is_negative(), code >= 400);
    assert!(
        !r.lines.is_empty() && r.lines.len() <= max_lines.max(1),
        "{} lines (limit {max_lines})",
        r.lines.len()
    );
    for line in &r.lines {
        assert!(!line.contains('\n'), "reply line holds LF: {line:?}");
        // Lossy UTF-8 decoding turns each bad byte into a 3-byte U+FFFD at worst.
        assert!(
            line.len() <= 3 * max_line.max(4),
            "reply line of {} bytes (limit {max_line})",
            line.len()
        );
    }
    let _ = (r.text(), r.first_line(), r.to_string());
    check_helpers(r);
}

/// The data decoders on one reply: no panic, and what they return is well-formed.
fn check_helpers(r: &Reply) {
    let _ = parse_pasv(r);
    if let Some(port) = parse_epsv(r) {
        assert_ne!(port, 0, "EPSV port 0 accepted from {r:?}");
    }
    if let Some(path) = parse_257(r) {
        // Quoting the path again, as RFC 959 Appendix II does, must give it back.
        let quoted = format!("\"{}\" is the directory", path.replace('"', "\"\""));
        let again = Reply {
            code: ReplyCode::PATHNAME,
            lines: vec![quoted],
        };
        assert_eq!(parse_257(&again).as_deref(), Some(path.as_str()));
        assert!(path.len() <= r.first_line().len());
    }
    let _ = parse_size(r);
    if let Some(t) = parse_mdtm(r) {
        let fields = (t.year, t.month, t.day, t.hour, t.minute, t.second);
        assert_eq!(
            Timestamp::new(fields.0, fields.1, fields.2, fields.3, fields.4, fields.5),
            Some(t),
            "MDTM gave an impossible time"
        );
        assert_eq!(Timestamp::parse_compact(&t.to_compact()), Some(t));
    }
    let _ = parse_announced_size(r);
    let f = Features::parse(r);
    if r.code.as_u16() != 211 {
        assert!(f.entries_empty(), "features from a {} reply", r.code);
    }
    for name in ["MLST", "mlsd", "EPSV", "SIZE", "MDTM", "UTF8", "REST", ""] {
        assert_eq!(f.has(name), f.params(name).is_some());
    }
}

/// Replies split at any point decode to the same replies, each well-formed and within the
/// limits; the data decoders accept any reply text without panicking.
pub fn ftp_reply(data: &[u8]) {
    let [flags, seed, stream @ ..] = data else {
        return;
    };
    let (max_line, max_lines) = if flags & 1 == 1 {
        (16, 4)
    } else {
        (DEFAULT_MAX_LINE, DEFAULT_MAX_LINES)
    };
    let whole = decode(&[stream], max_line, max_lines);
    for r in &whole.replies {
        check_reply(r, max_line, max_lines);
    }
    let max_piece = 1 + usize::from(flags >> 1);
    let pieces = crate::chunks::split(stream, *seed, max_piece);
    let split = decode(&pieces, max_line, max_lines);
    assert_eq!(whole, split, "decoding depends on the split: {pieces:?}");

    // The data decoders on the raw text as well, under the codes whose replies they read, so
    // they see every string and not only what the reply decoder lets through.
    let text = String::from_utf8_lossy(stream);
    let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for code in [150, 211, 213, 227, 229, 257] {
        if let Some(code) = ReplyCode::new(code) {
            check_helpers(&Reply {
                code,
                lines: lines.clone(),
            });
        }
    }
}

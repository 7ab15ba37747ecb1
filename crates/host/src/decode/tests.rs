#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use ftpmodem_proto::{ChannelId, ResultCode, SimpleOp};

fn all(d: &mut Decoder, bytes: &[u8]) -> Vec<Event> {
    d.feed(bytes);
    std::iter::from_fn(|| d.next_event()).collect()
}

/// Decodes `bytes` whole and split at every position (and byte by byte): the events must not
/// depend on how the line delivered the bytes.
fn decode(bytes: &[u8]) -> Vec<Event> {
    let whole = all(&mut Decoder::default(), bytes);
    let mut d = Decoder::default();
    let mut one: Vec<Event> = Vec::new();
    for b in bytes {
        one.extend(all(&mut d, std::slice::from_ref(b)));
    }
    assert_eq!(whole, one, "byte-by-byte differs");
    for cut in 0..bytes.len() {
        let mut d = Decoder::default();
        let mut ev = all(&mut d, &bytes[..cut]);
        ev.extend(all(&mut d, &bytes[cut..]));
        assert_eq!(whole, ev, "split at {cut} differs");
    }
    whole
}

fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

#[test]
fn echo_then_framed_answer() {
    let ev = decode(b"AT+MFTPSTATE=0\r\r\n+MFTPSTATE: 0,1\r\n\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Echo(b"AT+MFTPSTATE=0".to_vec()),
            Event::Info(Response::MftpState(
                ch(0),
                ftpmodem_proto::ChannelState::Connected
            )),
            Event::Final(Final::Ok),
        ]
    );
}

#[test]
fn echo_off_and_errors() {
    let ev = decode(b"\r\nERROR\r\n\r\n+CME ERROR: 801\r\n\r\n+CME ERROR: FTP running\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Final(Final::Error),
            Event::Final(Final::Cme(CmeError::FtpNotRunning)),
            Event::Final(Final::Cme(CmeError::FtpRunning)),
        ]
    );
}

#[test]
fn urc_printed_inside_an_echo_is_a_urc() {
    // The engine prints a URC at once while a command line is being typed.
    let ev = decode(b"AT+MF\r\n+MFTPCWD: 1,0\r\nTPSTATE=0\r\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Echo(b"AT+MF".to_vec()),
            Event::Urc(Urc::Result {
                op: SimpleOp::Cwd,
                id: ch(1),
                code: ResultCode::Success
            }),
            Event::Echo(b"TPSTATE=0".to_vec()),
            Event::Final(Final::Ok),
        ]
    );
    // Cut right before the echo's own CR.
    let ev = decode(b"AT+X\r\n+MATREADY\r\n\r\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Echo(b"AT+X".to_vec()),
            Event::Urc(Urc::Ready),
            Event::Final(Final::Ok),
        ]
    );
}

#[test]
fn prompt_and_skipped_echo_of_binary_data() {
    let data = b"\r\nOK\r\n>\x1a\x00+++\r\nERROR\r\n";
    let mut d = Decoder::default();
    assert_eq!(
        all(&mut d, b"AT+MFPUT=\"a\",20\r\r\n>"),
        vec![Event::Echo(b"AT+MFPUT=\"a\",20".to_vec()), Event::Prompt]
    );
    d.skip(data.len() as u64);
    let mut rest = data.to_vec();
    rest.extend_from_slice(b"\r\n+MFPUT: 20\r\n\r\nOK\r\n");
    assert_eq!(
        all(&mut d, &rest),
        vec![Event::Info(Response::MfPut(20)), Event::Final(Final::Ok)]
    );
}

#[test]
fn retr_chunks_carry_raw_bytes_with_crlf() {
    let chunk: &[u8] = b"\r\nOK\r\n+MFTPRETR: 0,5\r\n,,\"\x00\xff";
    let mut line = format!("\r\n+MFTPRETR: 2,0,{0},{0},", chunk.len()).into_bytes();
    line.extend_from_slice(chunk);
    line.extend_from_slice(b"\r\n\r\n+MFTPRETR: 2,0,40,0,\r\n\r\n+MFTPRETR: 2,19\r\n");
    let ev = decode(&line);
    assert_eq!(
        ev,
        vec![
            Event::Urc(Urc::RetrData {
                id: ch(2),
                sum: chunk.len() as u64,
                data: chunk.to_vec()
            }),
            Event::Urc(Urc::RetrData {
                id: ch(2),
                sum: 40,
                data: vec![]
            }),
            Event::Urc(Urc::RetrResult {
                id: ch(2),
                code: ResultCode::ZeroSizeFile
            }),
        ]
    );
}

#[test]
fn retr_saved_and_test_lines_are_not_data() {
    let ev = decode(b"\r\n+MFTPRETR: 0,0,23,23\r\n\r\n+MFTPRETR: (0-5),,,,\r\n\r\nOK\r\n");
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(
        ev[0],
        Event::Urc(Urc::RetrSaved {
            id: ch(0),
            sum: 23,
            recv: 23
        })
    );
    assert!(matches!(ev[1], Event::Info(Response::Test(..))), "{ev:?}");
}

#[test]
fn mfget_payload() {
    let ev = decode(b"\r\n+MFGET: 6,a\r\nb,\"\r\n\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Info(Response::MfGet(b"a\r\nb,\"".to_vec())),
            Event::Final(Final::Ok)
        ]
    );
}

#[test]
fn overlong_line_is_dropped_and_decoding_goes_on() {
    let mut d = Decoder::new(Limits {
        max_line: 16,
        max_data: 8,
    });
    let mut bytes = b"\r\n+MFTPLIST: 0,0,\"".to_vec();
    bytes.extend(std::iter::repeat(b'x').take(100));
    bytes.extend_from_slice(b"\"\r\n\r\nOK\r\n");
    let ev = all(&mut d, &bytes);
    assert!(matches!(ev[0], Event::Overflow { .. }), "{ev:?}");
    assert_eq!(ev[1..], [Event::Final(Final::Ok)]);
    // A payload over max_data is counted through, not stored, and the stream stays in step.
    let ev = all(
        &mut d,
        b"\r\n+MFGET: 10,0123456789\r\n\r\nOK\r\n\r\n+MFGET: 2,ab\r\n",
    );
    assert_eq!(
        ev,
        vec![
            Event::Overflow { len: 10 },
            Event::Final(Final::Ok),
            Event::Info(Response::MfGet(b"ab".to_vec()))
        ]
    );
}

#[test]
fn connect_unparsed_and_text() {
    let ev = decode(b"\r\nCONNECT\r\n\r\n+BOGUS: 1\r\n\r\nCMIOT\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Connect,
            Event::Unparsed(b"+BOGUS: 1".to_vec()),
            Event::Info(Response::Text("CMIOT".into())),
        ]
    );
}

#[test]
fn random_bytes_never_panic_and_stay_bounded() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut d = Decoder::new(Limits {
        max_line: 64,
        max_data: 64,
    });
    for _ in 0..2000 {
        let mut chunk = Vec::new();
        for _ in 0..64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Bias towards the bytes that matter to framing.
            let pick = [b'\r', b'\n', b',', b'>', b'+', b'0', b'1'];
            let b = if seed % 3 == 0 {
                pick[(seed >> 8) as usize % pick.len()]
            } else {
                (seed >> 16) as u8
            };
            chunk.push(b);
        }
        d.feed(&chunk);
        while d.next_event().is_some() {}
        assert!(d.buf.len() <= 64 + 64 + 32);
    }
}

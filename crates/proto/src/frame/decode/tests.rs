#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::{
    ChannelId, ChannelState, CmeError, Response, ResultCode, SimpleOp, Timestamp, UploadOp, Urc,
};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

fn all(d: &mut Decoder, bytes: &[u8]) -> Vec<Event> {
    d.feed(bytes);
    core::iter::from_fn(|| d.next_event()).collect()
}

/// Decodes `bytes` whole and split at every position (and byte by byte): the events must not
/// depend on how the line delivered the bytes.
fn decode(bytes: &[u8]) -> Vec<Event> {
    let whole = all(&mut Decoder::default(), bytes);
    let mut d = Decoder::default();
    let mut one: Vec<Event> = Vec::new();
    for b in bytes {
        one.extend(all(&mut d, core::slice::from_ref(b)));
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

fn s(v: &str) -> String {
    v.into()
}

#[test]
fn echo_then_framed_answer() {
    let ev = decode(b"AT+MFTPSTATE=0\r\r\n+MFTPSTATE: 0,1\r\n\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Echo(b"AT+MFTPSTATE=0".to_vec()),
            Event::Info(Response::MftpState(ch(0), ChannelState::Connected)),
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
    bytes.extend(core::iter::repeat(b'x').take(100));
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
fn a_data_line_whose_payload_does_not_parse_is_kept_unparsed() {
    // Header fields say data, but the channel is out of range: the bytes are read by length
    // all the same (the stream stays in step) and handed on unparsed.
    let ev = decode(b"\r\n+MFTPRETR: 9,0,2,2,\r\n\r\n\r\nOK\r\n");
    assert_eq!(
        ev,
        vec![
            Event::Unparsed(b"+MFTPRETR: 9,0,2,2,\r\n".to_vec()),
            Event::Final(Final::Ok)
        ]
    );
}

#[test]
fn a_data_line_without_its_closer_ends_after_its_data() {
    let mut f = Framer::default();
    let (n, frame) = f.decode(b"\r\n+MFGET: 2,abX\r\n");
    assert_eq!(n, 14);
    let frame = frame.unwrap();
    assert_eq!(frame.data(), Some(&b"ab"[..]));
    assert!(matches!(frame, Frame::Data { closed: false, .. }));
    // The byte where the closer belonged starts what follows (here unframed bytes).
    assert_eq!(f.decode(b"X\r\n").1, Some(Frame::Echo(b"X".to_vec())));
}

/// Frames end exactly at their last byte, so a reader that compares some bytes itself and
/// decodes others stays in step.
#[test]
fn frames_end_at_their_last_byte() {
    let bytes = b"\r\nOK\r\n\r\n+MFGET: 3,a\r\n\r\n\r\n>\r\n+MFTPCWD: 0,0\r\n";
    let mut f = Framer::default();
    let mut at = 0;
    let mut ends = Vec::new();
    while at < bytes.len() {
        let (n, frame) = f.decode(&bytes[at..]);
        at += n;
        assert!(frame.is_some(), "input left without a frame");
        assert!(f.at_boundary());
        ends.push((at, frame.unwrap()));
    }
    assert_eq!(ends[0], (6, Frame::Line(b"OK".to_vec())));
    assert_eq!(ends[1].0, 23);
    assert_eq!(ends[1].1.head(), Some(&b"+MFGET: 3,"[..]));
    assert_eq!(ends[1].1.data(), Some(&b"a\r\n"[..]));
    assert!(matches!(ends[1].1, Frame::Data { closed: true, .. }));
    assert_eq!(ends[2], (26, Frame::Prompt));
    assert_eq!(
        ends[3],
        (bytes.len(), Frame::Line(b"+MFTPCWD: 0,0".to_vec()))
    );
}

#[test]
fn random_bytes_never_panic_and_stay_bounded() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut f = Framer::new(Limits {
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
        // Also the names of the data lines, so that payloads are read.
        if seed % 5 == 0 {
            chunk.splice(0..0, b"\r\n+MFTPRETR: 0,0,1,".iter().copied());
        }
        let mut at = 0;
        while at < chunk.len() {
            let (n, frame) = f.decode(&chunk[at..]);
            assert!(n > 0 || frame.is_some(), "no progress");
            at += n;
            if let Some(frame) = frame {
                let _ = Event::from(frame);
            }
        }
        assert!(f.held() <= 64 + 64 + 32);
    }
}

/// The manual's chapter 4 sessions (V3.1.0 §4.1) as the module prints them, echo on: golden
/// bytes checked against values written out by hand, not against the parsers' own output.
#[test]
fn manual_chapter_4_sessions() {
    let mut bytes = Vec::new();
    let mut cmd = |line: &str, out: &str| {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\r');
        bytes.extend_from_slice(out.as_bytes());
    };
    cmd(
        "AT+MFTPCONN=0,\"115.29.109.79\",\"uftp\",\"12341\",21",
        "\r\nOK\r\n\r\n+MFTPCONN: 0,0\r\n",
    );
    cmd("AT+MFTPPWD=0", "\r\nOK\r\n\r\n+MFTPPWD: 0,0,/home/uftp\r\n");
    cmd(
        "AT+MFTPLIST=0,\"/home/uftp/test\"",
        "\r\nOK\r\n\r\n+MFTPLIST: 0,0,\"2.txt\",10,20220816173800,\"rw-\"\r\n\
         \r\n+MFTPLIST: 0,0,\"test2\",\"rwx\"\r\n",
    );
    cmd(
        "AT+MFTPAPPE=0,\"1.txt\",1,10,\"1234567890\"",
        "\r\nOK\r\n\r\n+MFTPAPPE: 0,0,10\r\n",
    );
    cmd(
        "AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\"",
        "\r\n+MFPUT: 12\r\n\r\nOK\r\n",
    );
    cmd(
        "AT+MFTPDISC=0",
        "\r\nOK\r\n\r\n+MFTPDISC: 0,0\r\n\r\n+MFTPURC: 0,\"conn\",0\r\n",
    );
    cmd(
        "AT+MFTPRETR=0,\"1.txt\"",
        "\r\nOK\r\n\r\n+MFTPRETR: 0,0,10,10,1234567890\r\n",
    );
    cmd(
        "AT+MFTPRETR=0,\"2.txt\",\"/usr/test.txt\",5,7",
        "\r\nOK\r\n\r\n+MFTPRETR: 0,0,7,7\r\n",
    );
    cmd(
        "AT+MFGET=\"/usr/test.txt\"",
        "\r\n+MFGET: 7,3333333\r\n\r\nOK\r\n",
    );
    let echo = |l: &str| Event::Echo(l.as_bytes().to_vec());
    let ok = Event::Final(Final::Ok);
    let id = ch(0);
    let want = vec![
        echo("AT+MFTPCONN=0,\"115.29.109.79\",\"uftp\",\"12341\",21"),
        ok.clone(),
        Event::Urc(Urc::Result {
            op: SimpleOp::Conn,
            id,
            code: ResultCode::Success,
        }),
        echo("AT+MFTPPWD=0"),
        ok.clone(),
        Event::Urc(Urc::Pwd {
            id,
            code: ResultCode::Success,
            path: Some(s("/home/uftp")),
        }),
        echo("AT+MFTPLIST=0,\"/home/uftp/test\""),
        ok.clone(),
        Event::Urc(Urc::ListFile {
            id,
            name: s("2.txt"),
            size: 10,
            modified: Timestamp {
                year: 2022,
                month: 8,
                day: 16,
                hour: 17,
                minute: 38,
                second: 0,
            },
            perm: s("rw-"),
        }),
        Event::Urc(Urc::ListDir {
            id,
            name: s("test2"),
            perm: s("rwx"),
        }),
        echo("AT+MFTPAPPE=0,\"1.txt\",1,10,\"1234567890\""),
        ok.clone(),
        Event::Urc(Urc::Upload {
            op: UploadOp::Appe,
            id,
            code: ResultCode::Success,
            sent: 10,
        }),
        echo("AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\""),
        Event::Info(Response::MfPut(12)),
        ok.clone(),
        echo("AT+MFTPDISC=0"),
        ok.clone(),
        Event::Urc(Urc::Result {
            op: SimpleOp::Disc,
            id,
            code: ResultCode::Success,
        }),
        Event::Urc(Urc::ConnState { id, state: 0 }),
        echo("AT+MFTPRETR=0,\"1.txt\""),
        ok.clone(),
        Event::Urc(Urc::RetrData {
            id,
            sum: 10,
            data: b"1234567890".to_vec(),
        }),
        echo("AT+MFTPRETR=0,\"2.txt\",\"/usr/test.txt\",5,7"),
        ok.clone(),
        Event::Urc(Urc::RetrSaved {
            id,
            sum: 7,
            recv: 7,
        }),
        echo("AT+MFGET=\"/usr/test.txt\""),
        Event::Info(Response::MfGet(b"3333333".to_vec())),
        ok,
    ];
    assert_eq!(decode(&bytes), want);
    // Echo off: the same session without the echoes.
    let mut quiet = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        if rest[0] == b'A' {
            let cr = rest.iter().position(|b| *b == b'\r').unwrap();
            rest = &rest[cr + 1..];
        } else {
            let next = rest
                .windows(3)
                .position(|w| w == b"\nAT")
                .map_or(rest.len(), |i| i + 1);
            quiet.extend_from_slice(&rest[..next]);
            rest = &rest[next..];
        }
    }
    let want: Vec<Event> = want
        .into_iter()
        .filter(|e| !matches!(e, Event::Echo(_)))
        .collect();
    assert_eq!(decode(&quiet), want);
}

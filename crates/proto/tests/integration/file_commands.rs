//! The module's file commands (ONEMO-RELATED.md §C.3): every command line and response line as
//! the hardware has them, parsed and emitted both ways, and the `+MFREAD` fragments through
//! the decoder with golden bytes.

use ftpmodem_proto::command::{
    FileChunk, InputEncoding, MfCfgRequest, MfCfgValue, OpenMode, OutputEncoding, Whence,
};
use ftpmodem_proto::frame::decode::{Decoder, Event, Final, Limits};
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::{CmeError, Command, Name, Param, Response};

fn both_ways(line: &str, cmd: Command) {
    assert_eq!(Command::parse(line.as_bytes()), Ok(cmd.clone()), "{line}");
    assert_eq!(cmd.to_bytes(), line.as_bytes(), "{line}");
}

#[test]
fn command_lines_both_ways() {
    both_ways(
        "AT+MFOPEN=\"/usr/log.txt\",2",
        Command::MfOpen {
            path: "/usr/log.txt".into(),
            mode: OpenMode::Append,
        },
    );
    for m in 0..=4u8 {
        let line = format!("AT+MFOPEN=\"test1.txt\",{m}");
        let mode = OpenMode::from_u8(m).expect("0-4");
        assert_eq!(mode.as_u8(), m);
        both_ways(
            &line,
            Command::MfOpen {
                path: "test1.txt".into(),
                mode,
            },
        );
    }
    both_ways(
        "AT+MFREAD=1",
        Command::MfRead {
            handle: 1,
            len: None,
        },
    );
    both_ways(
        "AT+MFREAD=65535,0",
        Command::MfRead {
            handle: 65535,
            len: Some(0),
        },
    );
    both_ways(
        "AT+MFWRITE=1,5,\"hello\"",
        Command::MfWrite {
            handle: 1,
            len: 5,
            data: Some(b"hello".to_vec()),
        },
    );
    // Length 0 inline: the string's length; with data mode: until Ctrl+Z.
    both_ways(
        "AT+MFWRITE=2,0,\"\"",
        Command::MfWrite {
            handle: 2,
            len: 0,
            data: Some(Vec::new()),
        },
    );
    both_ways(
        "AT+MFWRITE=0,4294967295",
        Command::MfWrite {
            handle: 0,
            len: u32::MAX,
            data: None,
        },
    );
    both_ways(
        "AT+MFSEEK=1",
        Command::MfSeek {
            handle: 1,
            to: None,
        },
    );
    both_ways(
        "AT+MFSEEK=1,-2147483647,2",
        Command::MfSeek {
            handle: 1,
            to: Some((-i32::MAX, Whence::End)),
        },
    );
    both_ways(
        "AT+MFSEEK=3,10,0",
        Command::MfSeek {
            handle: 3,
            to: Some((10, Whence::Start)),
        },
    );
    assert_eq!(
        Command::parse(b"AT+MFSEEK=3,-0,1"),
        Ok(Command::MfSeek {
            handle: 3,
            to: Some((0, Whence::Current)),
        })
    );
    both_ways("AT+MFCLOSE=1", Command::MfClose(1));
    both_ways("AT+MFSYNC=7", Command::MfSync(7));
    both_ways("AT+MFTRUNC=1,0", Command::MfTrunc { handle: 1, len: 0 });
    both_ways(
        "AT+MFCHECK=\"/usr/a.bin\"",
        Command::MfCheck {
            path: "/usr/a.bin".into(),
            md5: false,
        },
    );
    both_ways(
        "AT+MFCHECK=\"a.bin\",0",
        Command::MfCheck {
            path: "a.bin".into(),
            md5: true,
        },
    );
    both_ways(
        "AT+MFCFG=\"timeout\"",
        Command::MfCfg(MfCfgRequest::ReadTimeout),
    );
    both_ways(
        "AT+MFCFG=\"timeout\",120",
        Command::MfCfg(MfCfgRequest::SetTimeout(120)),
    );
    both_ways(
        "AT+MFCFG=\"encoding\"",
        Command::MfCfg(MfCfgRequest::ReadEncoding),
    );
    both_ways(
        "AT+MFCFG=\"encoding\",1",
        Command::MfCfg(MfCfgRequest::SetEncoding(InputEncoding::Hex, None)),
    );
    both_ways(
        "AT+MFCFG=\"encoding\",0,1",
        Command::MfCfg(MfCfgRequest::SetEncoding(
            InputEncoding::Ascii,
            Some(OutputEncoding::Hex),
        )),
    );
    both_ways("AT+MFCFG=?", Command::Test(Name::MfCfg));
    both_ways("AT+MFDELETE", Command::MfDeleteAll);
    // MFPUT: any length; the engine compares it with the data (it depends on the encoding).
    both_ways(
        "AT+MFPUT=\"test1.txt\",0,\"abc\"",
        Command::MfPut {
            path: "test1.txt".into(),
            len: 0,
            data: Some(b"abc".to_vec()),
        },
    );
    both_ways(
        "AT+MFPUT=\"test1.txt\",0",
        Command::MfPut {
            path: "test1.txt".into(),
            len: 0,
            data: None,
        },
    );
    both_ways(
        "AT+MFPUT=\"a\",9,\"abc\"",
        Command::MfPut {
            path: "a".into(),
            len: 9,
            data: Some(b"abc".to_vec()),
        },
    );
}

fn response_both_ways(line: &[u8], r: Response) {
    assert_eq!(Response::parse(line), Ok(r.clone()), "{line:?}");
    assert_eq!(r.to_bytes(), line, "{line:?}");
}

#[test]
fn response_lines_both_ways() {
    response_both_ways(b"+MFOPEN: 1", Response::MfOpen(1));
    response_both_ways(
        b"+MFWRITE: 1,4096",
        Response::MfWrite {
            handle: 1,
            written: 4096,
        },
    );
    response_both_ways(b"+MFSEEK: 2,17", Response::MfSeek { handle: 2, pos: 17 });
    // MD5 of the empty file, uppercase (§C.3 `%02X`), also when every digit is decimal.
    let empty = [
        0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04, 0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42,
        0x7e,
    ];
    response_both_ways(
        b"+MFCHECK: D41D8CD98F00B204E9800998ECF8427E",
        Response::MfCheck(empty),
    );
    response_both_ways(
        b"+MFCHECK: 12345678901234567890123456789012",
        Response::MfCheck([
            0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78,
            0x90, 0x12,
        ]),
    );
    assert!(Response::parse(b"+MFCHECK: D41D8CD98F00B204E9800998ECF8427").is_err());
    response_both_ways(
        b"+MFCFG: \"timeout\",10",
        Response::MfCfg(MfCfgValue::Timeout(10)),
    );
    response_both_ways(
        b"+MFCFG: \"encoding\",1,0",
        Response::MfCfg(MfCfgValue::Encoding(
            InputEncoding::Hex,
            OutputEncoding::Raw,
        )),
    );
    response_both_ways(
        b"+MFREAD: 1,10,5,5,a\r\n,\"",
        Response::MfRead(FileChunk {
            handle: 1,
            total: 10,
            cumulative: 5,
            data: b"a\r\n,\"".to_vec(),
            hex: false,
        }),
    );
    response_both_ways(
        b"+MFREAD: 1,2,2,2,0D0A",
        Response::MfRead(FileChunk {
            handle: 1,
            total: 2,
            cumulative: 2,
            data: b"\r\n".to_vec(),
            hex: true,
        }),
    );
    response_both_ways(b"+MFGET: 2,0D0A", Response::MfGetHex(b"\r\n".to_vec()));
    response_both_ways(b"+MFGET: 0,", Response::MfGet(Vec::new()));
    // The test form of MFCFG (§C.3).
    let lines: Vec<Vec<u8>> = ftpmodem_proto::command::mfcfg_test_lines()
        .into_iter()
        .map(|p| Response::Test(Name::MfCfg, p).to_bytes())
        .collect();
    assert_eq!(
        lines,
        [
            b"+MFCFG: \"timeout\",(1-120)".to_vec(),
            b"+MFCFG: \"encoding\",(0-1),(0-1)".to_vec()
        ]
    );
    assert_eq!(
        Response::parse(b"+MFCFG: \"timeout\",(1-120)"),
        Ok(Response::Test(
            Name::MfCfg,
            vec![
                Param::Str(b"timeout".to_vec()),
                Param::Bare(b"(1-120)".to_vec())
            ]
        ))
    );
    response_both_ways(
        b"+CME ERROR: 3",
        Response::CmeError(CmeError::OperationNotAllowed),
    );
}

fn events(bytes: &[u8]) -> Vec<Event> {
    let mut d = Decoder::new(Limits::default());
    d.feed(bytes);
    std::iter::from_fn(|| d.next_event()).collect()
}

#[test]
fn mfread_fragments_decode_one_by_one() {
    // Golden bytes as the vendor source prints a 8195-byte read: CRLF before the first
    // fragment only, CRLF after each, then OK. The data holds CR, LF, commas and `+`.
    let data: Vec<u8> = (0..8195u32).map(|i| b"+\r\n,x"[i as usize % 5]).collect();
    let mut wire = Vec::new();
    encode::mfread(&mut wire, 1, &data, false);
    encode::response(&mut wire, &Response::Ok);
    let mut golden = b"\r\n+MFREAD: 1,8195,8192,8192,".to_vec();
    golden.extend_from_slice(&data[..8192]);
    golden.extend_from_slice(b"\r\n+MFREAD: 1,8195,8195,3,");
    golden.extend_from_slice(&data[8192..]);
    golden.extend_from_slice(b"\r\n\r\nOK\r\n");
    assert_eq!(wire, golden);
    let chunk = |cumulative: u64, d: &[u8]| {
        Event::Info(Response::MfRead(FileChunk {
            handle: 1,
            total: 8195,
            cumulative,
            data: d.to_vec(),
            hex: false,
        }))
    };
    assert_eq!(
        events(&golden),
        vec![
            chunk(8192, &data[..8192]),
            chunk(8195, &data[8192..]),
            Event::Final(Final::Ok)
        ]
    );
    // One byte at a time: the same events.
    let mut d = Decoder::new(Limits::default());
    let mut got = Vec::new();
    for b in &golden {
        d.feed(std::slice::from_ref(b));
        got.extend(std::iter::from_fn(|| d.next_event()));
    }
    assert_eq!(got.len(), 3);
    // After a fragment, only a `+` continues without an opener; an echo is still an echo.
    assert_eq!(
        events(b"\r\n+MFREAD: 0,1,1,1,z\r\nAT\r\r\nOK\r\n"),
        vec![
            Event::Info(Response::MfRead(FileChunk {
                handle: 0,
                total: 1,
                cumulative: 1,
                data: b"z".to_vec(),
                hex: false,
            })),
            Event::Echo(b"AT".to_vec()),
            Event::Final(Final::Ok)
        ]
    );
}

#[test]
fn hex_output_decodes_when_the_reader_is_told() {
    // §C.3 output encoding 1: 4096 bytes (8192 digits) per fragment, the counts in bytes.
    let data: Vec<u8> = (0..4100u32).map(|i| (i % 256) as u8).collect();
    let mut wire = Vec::new();
    encode::mfread(&mut wire, 3, &data, true);
    encode::response(&mut wire, &Response::MfGetHex(b"\r\n".to_vec()));
    encode::response(&mut wire, &Response::Ok);
    assert!(wire.starts_with(b"\r\n+MFREAD: 3,4100,4096,4096,000102"));
    let mut d = Decoder::new(Limits::default());
    d.set_file_hex(true);
    d.feed(&wire);
    let got: Vec<Event> = std::iter::from_fn(|| d.next_event()).collect();
    let chunk = |cumulative: u64, part: &[u8]| {
        Event::Info(Response::MfRead(FileChunk {
            handle: 3,
            total: 4100,
            cumulative,
            data: part.to_vec(),
            hex: true,
        }))
    };
    assert_eq!(
        got,
        vec![
            chunk(4096, &data[..4096]),
            chunk(4100, &data[4096..]),
            Event::Info(Response::MfGetHex(b"\r\n".to_vec())),
            Event::Final(Final::Ok)
        ]
    );
    // Back to raw.
    d.set_file_hex(false);
    d.feed(b"\r\n+MFGET: 2,ab\r\n");
    assert_eq!(
        d.next_event(),
        Some(Event::Info(Response::MfGet(b"ab".to_vec())))
    );
}

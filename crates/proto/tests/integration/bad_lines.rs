//! Lines that are not what they should be, and the [`ParseError`] each gives: the variant
//! decides the device's answer (`Unknown` -> `ERROR`, anything else -> `+CME ERROR: 50`,
//! spec NOTES.md "Errors"). A table of (line, error), so a new case is one more entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_proto::{
    ChannelId, Command, Eof, ParseError, Response, SyntaxError, Upload, UploadBody, Urc,
};

fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

fn upload(file: &str, body: UploadBody) -> Upload {
    Upload {
        id: ch(0),
        file: file.to_string(),
        body,
    }
}

/// Lines that are not what they should be; the variant decides the device's answer
/// (`Unknown` -> `ERROR`, anything else -> `+CME ERROR: 50`).
fn bad_command_vectors() -> Vec<(String, ParseError)> {
    use ParseError::{NoPrefix, Param as P, Syntax, Unknown};
    let a255 = "a".repeat(255);
    let a256 = "a".repeat(256);
    let d1024 = "x".repeat(1024);
    let d1025 = "x".repeat(1025);
    let mut v: Vec<(String, ParseError)> = vec![
        // Out-of-range channel ids.
        ("AT+MFTPCFG=6".into(), P),
        ("AT+MFTPCFG=6,\"ssl\",0,0".into(), P),
        ("AT+MFTPCONN=6,\"h\"".into(), P),
        ("AT+MFTPDISC=6".into(), P),
        ("AT+MFTPCWD=6,\"/\"".into(), P),
        ("AT+MFTPPWD=6".into(), P),
        ("AT+MFTPMKD=6,\"d\"".into(), P),
        ("AT+MFTPLIST=6,\"d\"".into(), P),
        ("AT+MFTPDEL=6,\"d\"".into(), P),
        ("AT+MFTPRN=6,\"a\",\"b\"".into(), P),
        ("AT+MFTPRETR=6,\"f\"".into(), P),
        ("AT+MFTPAPPE=6,\"f\"".into(), P),
        ("AT+MFTPSTOR=6,\"f\"".into(), P),
        ("AT+MFTPSTATE=6".into(), P),
        ("AT+MFTPDISC=-1".into(), P),
        ("AT+MFTPDISC=99999999999999999999999".into(), P),
        // §3.1 ranges.
        ("AT+MFTPCFG=0,\"rsptimeout\",1".into(), P),
        ("AT+MFTPCFG=0,\"rsptimeout\",31".into(), P),
        ("AT+MFTPCFG=0,\"data_type\",2".into(), P),
        ("AT+MFTPCFG=0,\"transmode\",2".into(), P),
        ("AT+MFTPCFG=0,\"ssl\",3,0".into(), P),
        ("AT+MFTPCFG=0,\"ssl\",0,6".into(), P),
        ("AT+MFTPCFG=0,\"ssl\",0".into(), P),
        ("AT+MFTPCFG=0,\"local_fs\",2".into(), P),
        ("AT+MFTPCFG=0,\"cid\",0".into(), P),
        ("AT+MFTPCFG=0,\"cid\",16".into(), P),
        ("AT+MFTPCFG=0,\"rsptimeout\",\"10\"".into(), P),
        // Unknown config key, read or set.
        ("AT+MFTPCFG=0,\"timeout\"".into(), P),
        ("AT+MFTPCFG=0,\"timeout\",10".into(), P),
        ("AT+MFTPCFG=0,data_type,1".into(), P),
        // §3.2 port.
        ("AT+MFTPCONN=0,\"h\",\"u\",\"p\",65536".into(), P),
        // Strings: at most 255 bytes, never empty where a name is meant, UTF-8.
        (format!("AT+MFTPCWD=0,\"{a256}\""), P),
        (format!("AT+MFTPCONN=0,\"{a256}\""), P),
        (format!("AT+MFTPCONN=0,\"h\",\"{a256}\""), P),
        (format!("AT+MFTPCONN=0,\"h\",\"u\",\"{a256}\""), P),
        (format!("AT+MFTPRN=0,\"a\",\"{a256}\""), P),
        (format!("AT+MFTPRETR=0,\"f\",\"{a256}\""), P),
        (format!("AT+MFTPSTOR=0,\"{a256}\""), P),
        (format!("AT+MFGET=\"{a256}\""), P),
        (
            format!("AT+MFTPCWD=0,\"{a255}\"x"),
            Syntax(SyntaxError::JunkAfterString),
        ),
        ("AT+MFTPCWD=0,\"\"".into(), P),
        ("AT+MFTPCWD=0".into(), P),
        ("AT+MFTPCWD=0,/home".into(), P),
        // CR and LF never sit inside a command line's strings: they would not survive being
        // written back, and in a name they would smuggle a second FTP command.
        ("AT+MFTPCWD=0,\"a\r\nDELE b\"".into(), P),
        ("AT+MFTPCWD=0,\"a\nb\"".into(), P),
        ("AT+MFTPCONN=0,\"h\",\"u\r\nSITE x\"".into(), P),
        ("AT+MFTPCONN=0,\"h\",\"u\",\"p\n\"".into(), P),
        ("AT+MFTPSTOR=0,\"f\",1,3,\"a\nb\"".into(), P),
        ("AT+MFPUT=\"/usr/f\",3,\"a\rb\"".into(), P),
        // Missing closing quote.
        (
            "AT+MFTPCWD=0,\"/home".into(),
            Syntax(SyntaxError::UnterminatedString),
        ),
        (
            "AT+MFTPCONN=0,\"115.29.109.79\",\"uftp\",\"12341,21".into(),
            Syntax(SyntaxError::UnterminatedString),
        ),
        (
            "AT+MFTPCWD=0,\"a\"\"b\"".into(),
            Syntax(SyntaxError::JunkAfterString),
        ),
        (
            format!("AT+MFTPCWD={}", ",".repeat(40)),
            Syntax(SyntaxError::TooManyParams),
        ),
        // Inline data whose length differs from <length>, over 1024, length 0 and 4097.
        ("AT+MFTPSTOR=0,\"1.txt\",1,10,\"123456789\"".into(), P),
        ("AT+MFTPSTOR=0,\"1.txt\",1,10,\"12345678901\"".into(), P),
        ("AT+MFTPAPPE=0,\"1.txt\",1,10,\"\"".into(), P),
        (format!("AT+MFTPSTOR=0,\"f\",1,1025,\"{d1025}\""), P),
        (format!("AT+MFTPAPPE=0,\"f\",1,1025,\"{d1025}\""), P),
        (format!("AT+MFTPSTOR=0,\"f\",1,1023,\"{d1024}\""), P),
        ("AT+MFTPSTOR=0,\"f\",1,0".into(), P),
        ("AT+MFTPAPPE=0,\"f\",1,0".into(), P),
        ("AT+MFTPSTOR=0,\"f\",1,4097".into(), P),
        ("AT+MFTPAPPE=0,\"f\",1,4097".into(), P),
        ("AT+MFTPSTOR=0,\"f\",2".into(), P),
        ("AT+MFTPSTOR=0,\"f\",1,,\"abc\"".into(), P),
        // The file commands (ONEMO-RELATED.md §C): an inline length that differs from the data
        // is the engine's 50 (after the truncation), not the parser's; out-of-range fields are.
        ("AT+MFPUT=\"/usr/test.txt\",4294967296".into(), P),
        ("AT+MFPUT=\"/usr/test.txt\",-1".into(), P),
        ("AT+MFOPEN=\"a\",5".into(), P),
        ("AT+MFOPEN=\"a\"".into(), P),
        ("AT+MFOPEN=\"a\",1,1".into(), P),
        ("AT+MFOPEN=\"\",1".into(), P),
        ("AT+MFREAD=65536".into(), P),
        ("AT+MFREAD=1,65536".into(), P),
        ("AT+MFREAD=1,2,3".into(), P),
        ("AT+MFWRITE=1".into(), P),
        ("AT+MFWRITE=1,-1".into(), P),
        ("AT+MFSEEK=1,5".into(), P),
        ("AT+MFSEEK=1,5,3".into(), P),
        ("AT+MFSEEK=1,2147483648,0".into(), P),
        ("AT+MFSEEK=1,-2147483648,0".into(), P),
        ("AT+MFSEEK=1,--5,0".into(), P),
        ("AT+MFCLOSE=1,1".into(), P),
        ("AT+MFTRUNC=1".into(), P),
        ("AT+MFCHECK=\"a\",1".into(), P),
        ("AT+MFCFG=\"fragment\",1".into(), P),
        ("AT+MFCFG=\"timeout\",0".into(), P),
        ("AT+MFCFG=\"timeout\",121".into(), P),
        ("AT+MFCFG=\"encoding\",2".into(), P),
        ("AT+MFCFG=\"encoding\",0,2".into(), P),
        ("AT+MFCFG=\"Timeout\"".into(), P),
        // Forms a file command does not have: 3 (§C), not 50.
        ("AT+MFOPEN?".into(), ParseError::NotAllowed),
        ("AT+MFOPEN=?".into(), ParseError::NotAllowed),
        ("AT+MFREAD".into(), ParseError::NotAllowed),
        ("AT+MFPUT=?".into(), ParseError::NotAllowed),
        ("AT+MFGET".into(), ParseError::NotAllowed),
        ("AT+MFSINFO=1".into(), ParseError::NotAllowed),
        ("AT+MFSINFO=?".into(), ParseError::NotAllowed),
        ("AT+MFLIST?".into(), ParseError::NotAllowed),
        ("AT+MFCFG".into(), ParseError::NotAllowed),
        ("AT+MFCFG?".into(), ParseError::NotAllowed),
        // Read form of a command that has none; execute form of one that needs parameters.
        ("AT+MFTPCFG?".into(), P),
        ("AT+MFTPCONN?".into(), P),
        ("AT+MFTPCFG".into(), P),
        ("AT+MFTPSTATE".into(), P),
        ("AT+MFTPCFG=".into(), P),
        ("AT+MFTPCFG=?x".into(), P),
        // Extra parameters.
        ("AT+MFTPDISC=0,1".into(), P),
        ("AT+MFTPPWD=0,\"x\"".into(), P),
        ("AT+MFTPSTATE=0,0".into(), P),
        ("AT+MFTPCWD=0,\"a\",\"b\"".into(), P),
        ("AT+MFTPRN=0,\"a\",\"b\",\"c\"".into(), P),
        ("AT+MFTPCFG=0,\"ssl\",0,0,0".into(), P),
        ("AT+MFTPCFG=0,\"cid\",1,1".into(), P),
        ("AT+MFTPCONN=0,\"h\",\"u\",\"p\",21,1".into(), P),
        ("AT+MFTPRETR=0,\"f\",\"l\",1,2,3".into(), P),
        ("AT+MFTPSTOR=0,\"f\",1,5,\"12345\",1".into(), P),
        ("AT+MFTPSTOR=0,\"f\",\"/usr/l\",1".into(), P),
        ("AT+MFGET=\"a\",\"b\"".into(), P),
        ("AT+CMEE=3".into(), P),
        ("ATE2".into(), P),
        // Only `AT` and `at` start a command (§2.1).
        ("At+MFTPCFG=0".into(), NoPrefix),
        ("aT+MFTPCFG=0".into(), NoPrefix),
        ("At".into(), NoPrefix),
        ("+MFTPCFG=0".into(), NoPrefix),
        ("".into(), NoPrefix),
        ("A".into(), NoPrefix),
        // Names the module does not have.
        ("AT+FOO=1".into(), Unknown),
        ("AT+MFTPFOO=0".into(), Unknown),
        ("ATX".into(), Unknown),
        ("ATD123".into(), Unknown),
        ("AT+MFTPURC=?".into(), Unknown),
        ("AT+MATREADY".into(), Unknown),
        ("AT+".into(), Unknown),
    ];
    v.push((format!("AT+MFTPLIST=0,\"{a255}\",\"x\""), P));
    v
}

#[test]
fn bad_command_lines_give_the_error_that_decides_the_answer() {
    let table = bad_command_vectors();
    for (line, want) in &table {
        assert_eq!(Command::parse(line.as_bytes()), Err(*want), "{line:?}");
    }
    // Bytes that are not UTF-8 inside a string.
    assert_eq!(
        Command::parse(b"AT+MFTPCWD=0,\"\xff\xfe\""),
        Err(ParseError::Param)
    );
    // The limits themselves are accepted.
    let a255 = "a".repeat(255);
    let line = format!("AT+MFTPCWD=0,\"{a255}\"");
    assert_eq!(
        Command::parse(line.as_bytes()),
        Ok(Command::MftpCwd(ch(0), a255))
    );
    let d1024 = vec![b'x'; 1024];
    let mut line = b"AT+MFTPSTOR=0,\"f\",1,1024,\"".to_vec();
    line.extend_from_slice(&d1024);
    line.push(b'"');
    let want = Command::MftpStor(upload(
        "f",
        UploadBody::Inline {
            eof: Eof::Last,
            len: 1024,
            data: d1024,
        },
    ));
    assert_eq!(Command::parse(&line), Ok(want.clone()));
    assert_eq!(want.to_bytes(), line);
    assert!(table.len() >= 90, "{} negative vectors", table.len());
}

#[test]
fn bad_response_and_urc_lines_are_refused() {
    let responses: &[(&[u8], ParseError)] = &[
        (b"+MFTPSTATE: 0,4", ParseError::Param),
        (b"+MFTPSTATE: 6,1", ParseError::Param),
        (b"+MFTPCFG: 0,\"timeout\",10", ParseError::Param),
        (b"+MFTPCFG: 0,\"ssl\",0", ParseError::Param),
        (b"+MFGET: 8,3333333", ParseError::Param),
        (b"+MFGET: 7", ParseError::Param),
        (b"+CME ERROR: bogus", ParseError::Param),
        (b"+FOO: 1", ParseError::Unknown),
        (b"+MFTPCONN: 0,0", ParseError::Unknown),
        (b"OK\xff", ParseError::Param),
    ];
    for (line, want) in responses {
        assert_eq!(
            Response::parse(line),
            Err(*want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    let urcs: &[(&[u8], ParseError)] = &[
        (b"+MFTPCONN: 6,0", ParseError::Param),
        (b"+MFTPCONN: 0,0,1", ParseError::Param),
        (b"+MFTPCONN: 0", ParseError::Param),
        (b"+MFTPRETR: 0,0,10,9,1234567890", ParseError::Param),
        (b"+MFTPRETR: 0,0,10,11,1234567890", ParseError::Param),
        (b"+MFTPRETR: 0,5,10,10,1234567890", ParseError::Param),
        (b"+MFTPRETR: 0,0,10", ParseError::Param),
        (
            b"+MFTPLIST: 0,0,\"a\",9,20221318074000,\"rw-\"",
            ParseError::Param,
        ),
        (
            b"+MFTPLIST: 0,0,\"a\",9,2022081807400,\"rw-\"",
            ParseError::Param,
        ),
        (b"+MFTPLIST: 0,0,\"a\"", ParseError::Param),
        (b"+MFTPLIST: 0,5,\"a\",\"rwx\"", ParseError::Param),
        (
            b"+MFTPLIST: 0,5,\"a\",9,20220818074000,\"rw-\"",
            ParseError::Param,
        ),
        (b"+MFTPURC: 0,\"data\",0", ParseError::Param),
        (b"+MATREADY: 1", ParseError::Param),
        (b"+MFTPSTATE: 0,1", ParseError::Unknown),
        (b"MFTPCONN: 0,0", ParseError::Unknown),
        (
            b"+MFTPCWD: 0,\"0",
            ParseError::Syntax(SyntaxError::UnterminatedString),
        ),
    ];
    for (line, want) in urcs {
        assert_eq!(
            Urc::parse(line),
            Err(*want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn vector_count() {
    // Printed with --nocapture; the report counts these.
    println!("negative command vectors: {}", bad_command_vectors().len());
    assert!(bad_command_vectors().len() >= 90);
}

//! The FTP lines testers recorded on real modules (ONEMO-RELATED.md §D), parsed into the value
//! they mean and emitted back byte for byte, plus the lines the hardware refuses. A host reading
//! a real module and the emulator printing one go through the same tables.

use ftpmodem_proto::frame::decode::{Event, Framer};
use ftpmodem_proto::{
    CfgKey, CfgRequest, ChannelId, Command, Eof, Name, Param, Response, ResultCode, Retr, SimpleOp,
    Upload, UploadBody, UploadOp, Urc,
};

fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

fn retr(offset: Option<u64>, length: Option<u64>) -> Command {
    Command::MftpRetr(Retr {
        id: ch(0),
        file: "1000.txt".into(),
        local: None,
        offset,
        length,
    })
}

fn inline(op: UploadOp, eof: Eof, data: &[u8]) -> Command {
    let u = Upload {
        id: ch(0),
        file: "f".into(),
        body: UploadBody::Inline {
            eof,
            len: data.len() as u16,
            data: data.to_vec(),
        },
    };
    match op {
        UploadOp::Stor => Command::MftpStor(u),
        UploadOp::Appe => Command::MftpAppe(u),
    }
}

fn prompt(len: u16) -> Command {
    Command::MftpStor(Upload {
        id: ch(0),
        file: "f".into(),
        body: UploadBody::PromptLen {
            eof: Eof::Last,
            len,
        },
    })
}

/// Command lines of §D with their values.
fn commands() -> Vec<(String, Command)> {
    let k1024 = "a".repeat(1024);
    vec![
        // Offsets and lengths: past the end, zero (= the rest), clipped.
        (
            r#"AT+MFTPRETR=0,"1000.txt",,1001,10"#.into(),
            retr(Some(1001), Some(10)),
        ),
        (
            r#"AT+MFTPRETR=0,"1000.txt",,0,0"#.into(),
            retr(Some(0), Some(0)),
        ),
        (
            r#"AT+MFTPRETR=0,"1000.txt",,900,1001"#.into(),
            retr(Some(900), Some(1001)),
        ),
        (
            r#"AT+MFTPRETR=0,"1000.txt",,900,0"#.into(),
            retr(Some(900), Some(0)),
        ),
        // The test form and the read forms of AT+MFTPCFG.
        ("AT+MFTPCFG=?".into(), Command::Test(Name::MftpCfg)),
        (
            "AT+MFTPCFG=3".into(),
            Command::MftpCfg(CfgRequest::ReadAll(ch(3))),
        ),
        (
            r#"AT+MFTPCFG=0,"ssl""#.into(),
            Command::MftpCfg(CfgRequest::Read(ch(0), CfgKey::Ssl)),
        ),
        // Inline uploads of 1 and 1024 bytes; the prompt form up to 4096.
        (
            r#"AT+MFTPSTOR=0,"f",1,1,"x""#.into(),
            inline(UploadOp::Stor, Eof::Last, b"x"),
        ),
        (
            format!(r#"AT+MFTPAPPE=0,"f",0,1024,"{k1024}""#),
            inline(UploadOp::Appe, Eof::More, k1024.as_bytes()),
        ),
        (r#"AT+MFTPSTOR=0,"f",1,4096"#.into(), prompt(4096)),
    ]
}

/// Lines the hardware answers with ERROR (`+CME ERROR: 50` here, docs/PROTOCOL.md).
fn refused() -> Vec<String> {
    let mut v: Vec<String> = [
        r#"AT+MFTPCFG=6,"data_type",0"#,
        r#"AT+MFTPCFG=0,"data_type",2"#,
        r#"AT+MFTPCFG=0,"transmode",2"#,
        r#"AT+MFTPCFG=0,"rsptimeout",1"#,
        r#"AT+MFTPCFG=0,"rsptimeout",31"#,
        r#"AT+MFTPCFG=0,"ssl",3,0"#,
        r#"AT+MFTPCFG=0,"local_fs",2"#,
        r#"AT+MFTPCFG=0,"cid",16"#,
        r#"AT+MFTPCWD=0,"""#,
        "AT+MFTPDISC=-1",
        r#"AT+MFTPSTOR=0,"f",1,4097"#,
        r#"AT+MFTPSTOR=0,"f",1,2,"x""#,
        r#"AT+MFTPSTOR=0,"f",1,1,"xy""#,
        r#"AT+MFTPSTOR=0,"f",1,-1,"x""#,
        r#"AT+MFTPSTOR=0,"f",1,0,"x""#,
        r#"AT+MFTPSTOR=0,"f",1,a,"x""#,
        r#"AT+MFTPSTOR=0,"f",-1,1,"x""#,
        r#"AT+MFTPSTOR=0,"f",2,1,"x""#,
        r#"AT+MFTPSTOR=0,"f",a,1,"x""#,
        r#"AT+MFTPRETR=0,"f",,-1"#,
        r#"AT+MFTPRETR=0,"f",,0,-1"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // 1025 inline bytes; a new name of 256 bytes.
    v.push(format!(
        r#"AT+MFTPAPPE=0,"f",1,1025,"{}""#,
        "a".repeat(1025)
    ));
    v.push(format!(r#"AT+MFTPRN=0,"a","{}""#, "b".repeat(256)));
    v
}

/// Report lines of §D with their values.
fn urcs() -> Vec<(String, Urc)> {
    let utf8 = "陈翔1234567890中移物联网chenxiang有限公司";
    assert_eq!(utf8.len(), 52);
    let data = |sum, d: &[u8]| Urc::RetrData {
        id: ch(0),
        sum,
        data: d.to_vec(),
    };
    let simple = |op, id, code| Urc::Result {
        op,
        id: ch(id),
        code: ResultCode::from_code(code),
    };
    vec![
        (
            "+MFTPRETR: 0,0,10,10,0123456789".into(),
            data(10, b"0123456789"),
        ),
        ("+MFTPRETR: 0,0,8,8,op[zxend".into(), data(8, b"op[zxend")),
        (
            format!("+MFTPRETR: 0,0,52,52,{utf8}"),
            data(52, utf8.as_bytes()),
        ),
        (
            "+MFTPRETR: 0,3".into(),
            Urc::RetrResult {
                id: ch(0),
                code: ResultCode::ParameterError,
            },
        ),
        (
            "+MFTPRETR: 0,10".into(),
            Urc::RetrResult {
                id: ch(0),
                code: ResultCode::ServerError,
            },
        ),
        (
            "+MFTPRETR: 0,0,106688,192".into(),
            Urc::RetrSaved {
                id: ch(0),
                sum: 106_688,
                recv: 192,
            },
        ),
        (
            "+MFTPRETR: 0,18,0,0".into(),
            Urc::RetrLocalFailed {
                id: ch(0),
                code: ResultCode::FileError,
                sum: 0,
                recv: 0,
            },
        ),
        (
            "+MFTPAPPE: 0,10,0".into(),
            Urc::Upload {
                op: UploadOp::Appe,
                id: ch(0),
                code: ResultCode::ServerError,
                sent: 0,
            },
        ),
        (
            "+MFTPLIST: 0,14".into(),
            Urc::ListResult {
                id: ch(0),
                code: ResultCode::EmptyDirectory,
            },
        ),
        ("+MFTPMKD: 0,10".into(), simple(SimpleOp::Mkd, 0, 10)),
        ("+MFTPDEL: 1,10".into(), simple(SimpleOp::Del, 1, 10)),
        ("+MFTPRN: 0,10".into(), simple(SimpleOp::Rn, 0, 10)),
        ("+MFTPCONN: 0,5".into(), simple(SimpleOp::Conn, 0, 5)),
        ("+MFTPCONN: 2,10".into(), simple(SimpleOp::Conn, 2, 10)),
    ]
}

/// The test form and read lines as the hardware prints them.
fn responses() -> Vec<(&'static str, Response)> {
    let b = |s: &str| Param::Bare(s.as_bytes().to_vec());
    let k = |s: &str| Param::Str(s.as_bytes().to_vec());
    let t = |fields: Vec<Param>| Response::Test(Name::MftpCfg, fields);
    vec![
        (
            r#"+MFTPCFG: (0-5),"data_type",(0-1)"#,
            t(vec![b("(0-5)"), k("data_type"), b("(0-1)")]),
        ),
        (
            r#"+MFTPCFG: (0-5),"transmode",(1)"#,
            t(vec![b("(0-5)"), k("transmode"), b("(1)")]),
        ),
        (
            r#"+MFTPCFG: (0-5),"ssl",(0),(0)"#,
            t(vec![b("(0-5)"), k("ssl"), b("(0)"), b("(0)")]),
        ),
        (
            r#"+MFTPCFG: (0-5),"cid",(1-15)"#,
            t(vec![b("(0-5)"), k("cid"), b("(1-15)")]),
        ),
    ]
}

#[test]
fn recorded_commands_parse_and_emit_back() {
    for (line, want) in commands() {
        assert_eq!(Command::parse(line.as_bytes()), Ok(want.clone()), "{line}");
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), line);
    }
}

#[test]
fn a_length_of_zero_is_the_rest_of_the_file() {
    let Ok(Command::MftpRetr(r)) = Command::parse(br#"AT+MFTPRETR=0,"1000.txt",,900,0"#) else {
        panic!("not a RETR");
    };
    assert_eq!(r.limit(), None);
    let Ok(Command::MftpRetr(r)) = Command::parse(br#"AT+MFTPRETR=0,"1000.txt",,900,1001"#) else {
        panic!("not a RETR");
    };
    assert_eq!(r.limit(), Some(1001));
}

#[test]
fn recorded_refusals_do_not_parse() {
    for line in refused() {
        assert!(Command::parse(line.as_bytes()).is_err(), "{line}");
    }
}

#[test]
fn recorded_reports_parse_emit_back_and_decode_from_the_wire() {
    for (line, want) in urcs() {
        assert_eq!(Urc::parse(line.as_bytes()), Ok(want.clone()), "{line}");
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), line);
        // As the host library reads the line: framed, through the decoder.
        let framed = format!("\r\n{line}\r\n");
        let mut f = Framer::default();
        let (n, frame) = f.decode(framed.as_bytes());
        assert_eq!(n, framed.len(), "{line}");
        match frame.map(Event::from) {
            Some(Event::Urc(u)) => assert_eq!(u, want, "{line}"),
            other => panic!("{line} decoded as {other:?}"),
        }
    }
}

#[test]
fn recorded_test_form_lines_parse_and_emit_back() {
    for (line, want) in responses() {
        assert_eq!(Response::parse(line.as_bytes()), Ok(want.clone()), "{line}");
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), line);
    }
}

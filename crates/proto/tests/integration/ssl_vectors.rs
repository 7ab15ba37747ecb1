//! The SSL command family (ONEMO-RELATED.md §B): every command and response line the device
//! takes or prints, parsed into the value it must mean and emitted back byte for byte, other
//! spellings that read the same, and the lines that must be refused (parameter error 50).

use ftpmodem_proto::frame::decode::{Decoder, Event, Final};
use ftpmodem_proto::{
    CmeError, Command, CredWrite, Name, Param, Response, SslCfg, SslKey, SslValue, SslVersion,
};

fn set(id: u8, v: SslValue) -> Command {
    Command::MsslCfg(SslCfg::Set(id, v))
}

fn cw(name: &str, remain: u32, len: u32, data: Option<&str>) -> CredWrite {
    CredWrite {
        name: name.into(),
        remain,
        len,
        data: data.map(|d| d.as_bytes().to_vec()),
    }
}

fn bare(v: &str) -> Param {
    Param::Bare(v.as_bytes().to_vec())
}

fn qs(v: &str) -> Param {
    Param::Str(v.as_bytes().to_vec())
}

fn commands() -> Vec<(&'static str, Command)> {
    vec![
        (
            r#"AT+MSSLCFG="auth""#,
            Command::MsslCfg(SslCfg::ReadAll(SslKey::Auth)),
        ),
        (
            r#"AT+MSSLCFG="auth",1"#,
            Command::MsslCfg(SslCfg::Read(SslKey::Auth, 1)),
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",5"#,
            Command::MsslCfg(SslCfg::Read(SslKey::CipherSuite, 5)),
        ),
        (r#"AT+MSSLCFG="auth",1,2"#, set(1, SslValue::Auth(2))),
        (
            r#"AT+MSSLCFG="cert",0,"ca.pem","client.pem","client.key""#,
            set(
                0,
                SslValue::Cert {
                    ca: "ca.pem".into(),
                    cert: "client.pem".into(),
                    key: "client.key".into(),
                },
            ),
        ),
        (
            r#"AT+MSSLCFG="cert",0,"","","""#,
            set(
                0,
                SslValue::Cert {
                    ca: String::new(),
                    cert: String::new(),
                    key: String::new(),
                },
            ),
        ),
        (
            r#"AT+MSSLCFG="psk",0,"id""#,
            set(0, SslValue::Psk("id".into())),
        ),
        (
            r#"AT+MSSLCFG="encoding",0,2"#,
            set(0, SslValue::Encoding(2)),
        ),
        (
            r#"AT+MSSLCFG="negotime",0,10"#,
            set(0, SslValue::NegoTime(10)),
        ),
        (
            r#"AT+MSSLCFG="negotime",0,300"#,
            set(0, SslValue::NegoTime(300)),
        ),
        (
            r#"AT+MSSLCFG="version",0,0"#,
            set(0, SslValue::Version(SslVersion::Ssl30)),
        ),
        (
            r#"AT+MSSLCFG="version",0,3"#,
            set(0, SslValue::Version(SslVersion::Tls12)),
        ),
        (
            r#"AT+MSSLCFG="version",0,255"#,
            set(0, SslValue::Version(SslVersion::All)),
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",1,0xC02F"#,
            set(1, SslValue::CipherSuite(0xC02F)),
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",1,0x0"#,
            set(1, SslValue::CipherSuite(0)),
        ),
        (
            r#"AT+MSSLCFG="session",2,0"#,
            set(2, SslValue::Session(false)),
        ),
        (
            r#"AT+MSSLCFG="ignorestamp",3,0"#,
            set(3, SslValue::IgnoreStamp(false)),
        ),
        (
            r#"AT+MSSLCFG="ignoreverify",4,1"#,
            set(4, SslValue::IgnoreVerify(true)),
        ),
        (r#"AT+MSSLCFG="sni",5,1"#, set(5, SslValue::Sni(true))),
        (
            r#"AT+MSSLCERTWR="ca.pem",0,1273"#,
            Command::MsslCertWr(cw("ca.pem", 0, 1273, None)),
        ),
        (
            r#"AT+MSSLCERTWR="ca.pem",292,1000"#,
            Command::MsslCertWr(cw("ca.pem", 292, 1000, None)),
        ),
        (
            r#"AT+MSSLCERTWR="ca.pem",0,0,"-----BEGIN CERTIFICATE-----MIIJ""#,
            Command::MsslCertWr(cw("ca.pem", 0, 0, Some("-----BEGIN CERTIFICATE-----MIIJ"))),
        ),
        (
            r#"AT+MSSLKEYWR="k.pem",3,6,"ab\r\nc""#,
            Command::MsslKeyWr(cw("k.pem", 3, 6, Some(r"ab\r\nc"))),
        ),
        (
            r#"AT+MSSLKEYWR="k.pem",0,9000"#,
            Command::MsslKeyWr(cw("k.pem", 0, 9000, None)),
        ),
        (
            r#"AT+MSSLCERTRD="ca.pem""#,
            Command::MsslCertRd("ca.pem".into()),
        ),
        ("AT+MSSLLIST=1", Command::MsslList(1)),
        ("AT+MSSLLIST=3", Command::MsslList(3)),
        (r#"AT+MSSLRM="ca.pem""#, Command::MsslRm("ca.pem".into())),
        (
            r#"AT+MSSLCHECK="ca.pem""#,
            Command::MsslCheck {
                name: "ca.pem".into(),
                alg: None,
            },
        ),
        (
            r#"AT+MSSLCHECK="ca.pem",0"#,
            Command::MsslCheck {
                name: "ca.pem".into(),
                alg: Some(0),
            },
        ),
        ("AT+MSSLCIPHER=?", Command::Test(Name::MsslCipher)),
        ("AT+MSSLCFG=?", Command::Test(Name::MsslCfg)),
        ("AT+MSSLCERTWR=?", Command::Test(Name::MsslCertWr)),
        ("AT+MSSLCHECK=?", Command::Test(Name::MsslCheck)),
    ]
}

#[test]
fn ssl_command_lines_parse_and_emit_back() {
    for (line, cmd) in commands() {
        assert_eq!(Command::parse(line.as_bytes()), Ok(cmd.clone()), "{line}");
        assert_eq!(
            String::from_utf8(cmd.to_bytes()).unwrap(),
            line,
            "emit {cmd:?}"
        );
    }
}

#[test]
fn other_spellings_read_the_same() {
    let cases: &[(&str, &str)] = &[
        // A CA alone: the client certificate and key are "none".
        (
            r#"AT+MSSLCFG="cert",0,"ca.pem""#,
            r#"AT+MSSLCFG="cert",0,"ca.pem","","""#,
        ),
        // §B.1: the manual sets `2D`; digits alone are hex too.
        (
            r#"AT+MSSLCFG="ciphersuite",1,2D"#,
            r#"AT+MSSLCFG="ciphersuite",1,0x2D"#,
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",1,12"#,
            r#"AT+MSSLCFG="ciphersuite",1,0x12"#,
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",1,0"#,
            r#"AT+MSSLCFG="ciphersuite",1,0x0"#,
        ),
        (
            r#"AT+MSSLCFG="ciphersuite",1,"0xc02b""#,
            r#"AT+MSSLCFG="ciphersuite",1,0xC02B"#,
        ),
        (r#"at+msslcfg="AUTH",0"#, r#"AT+MSSLCFG="auth",0"#),
    ];
    for (typed, canonical) in cases {
        let cmd = Command::parse(typed.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(cmd.to_bytes()).unwrap(), *canonical);
        assert_eq!(Command::parse(canonical.as_bytes()).unwrap(), cmd);
    }
}

#[test]
fn out_of_range_and_old_forms_are_refused() {
    let long = format!(r#"AT+MSSLCERTWR="{}",0,10"#, "n".repeat(65));
    let bad: Vec<String> = [
        // The project's old two-parameter form (decided: a parameter error, not a guess).
        r#"AT+MSSLCERTWR="ca.pem",5"#,
        r#"AT+MSSLKEYWR="k.pem",5"#,
        // The old string sni.
        r#"AT+MSSLCFG="sni",0,"host.example""#,
        r#"AT+MSSLCFG="sni",0,2"#,
        // §B.1 X-mssl: id 6, auth 3, version −1/4/256, session 2/−1, ignoreverify 2 or `a`.
        r#"AT+MSSLCFG="auth",6"#,
        r#"AT+MSSLCFG="auth",6,0"#,
        r#"AT+MSSLCFG="auth",0,3"#,
        r#"AT+MSSLCFG="version",0,-1"#,
        r#"AT+MSSLCFG="version",0,4"#,
        r#"AT+MSSLCFG="version",0,256"#,
        r#"AT+MSSLCFG="session",0,2"#,
        r#"AT+MSSLCFG="session",0,-1"#,
        r#"AT+MSSLCFG="ignoreverify",0,2"#,
        r#"AT+MSSLCFG="ignoreverify",0,a"#,
        r#"AT+MSSLCFG="negotime",0,9"#,
        r#"AT+MSSLCFG="negotime",0,301"#,
        r#"AT+MSSLCFG="encoding",0,3"#,
        r#"AT+MSSLCFG="ciphersuite",0,0x12345"#,
        r#"AT+MSSLCFG="ciphersuite",0,zz"#,
        r#"AT+MSSLCFG="cert",0,"a","b","c","d""#,
        r#"AT+MSSLCFG="nokey",0"#,
        r#"AT+MSSLCFG=0"#,
        "AT+MSSLCFG",
        "AT+MSSLCFG?",
        "AT+MSSLLIST=0",
        "AT+MSSLLIST=4",
        "AT+MSSLLIST",
        r#"AT+MSSLCHECK="a",4"#,
        r#"AT+MSSLCHECK="""#,
        "AT+MSSLCIPHER",
        "AT+MSSLCIPHER=1",
        r#"AT+MSSLCERTWR="",0,5"#,
        r#"AT+MSSLCERTWR="a",0,65536"#,
        r#"AT+MSSLCERTWR="a",-1,5"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([long])
    .collect();
    for line in bad {
        assert!(Command::parse(line.as_bytes()).is_err(), "{line} parsed");
    }
    // A 64-character name is accepted (§B.2 X-mssl).
    let n64 = format!(r#"AT+MSSLCERTWR="{}",0,10"#, "n".repeat(64));
    assert!(Command::parse(n64.as_bytes()).is_ok());
}

fn responses() -> Vec<(&'static str, Response)> {
    vec![
        (
            r#"+MSSLCFG: "auth",0,0"#,
            Response::MsslCfg {
                key: SslKey::Auth,
                id: 0,
                values: vec![Param::Int(0)],
            },
        ),
        (
            r#"+MSSLCFG: "cert",3,"","","""#,
            Response::MsslCfg {
                key: SslKey::Cert,
                id: 3,
                values: vec![qs(""), qs(""), qs("")],
            },
        ),
        (
            r#"+MSSLCFG: "ciphersuite",0,0x0"#,
            Response::MsslCfg {
                key: SslKey::CipherSuite,
                id: 0,
                values: vec![bare("0x0")],
            },
        ),
        (
            r#"+MSSLCFG: "auth",(0-5),(0-2)"#,
            Response::Test(
                Name::MsslCfg,
                vec![qs("auth"), bare("(0-5)"), bare("(0-2)")],
            ),
        ),
        (
            r#"+MSSLCFG: "cert",(0-5),,,"#,
            Response::Test(
                Name::MsslCfg,
                vec![
                    qs("cert"),
                    bare("(0-5)"),
                    Param::Empty,
                    Param::Empty,
                    Param::Empty,
                ],
            ),
        ),
        (
            r#"+MSSLLIST: "ca.pem",1273"#,
            Response::MsslList {
                name: "ca.pem".into(),
                len: 1273,
            },
        ),
        (
            "+MSSLCHECK: 677E36155DEB58690126E7A5A5B97DDD",
            Response::MsslCheck("677E36155DEB58690126E7A5A5B97DDD".into()),
        ),
        (
            "+MSSLCHECK: 00000000000000000000000000000001",
            Response::MsslCheck("00000000000000000000000000000001".into()),
        ),
        (
            "+MSSLCHECK: ,(0)",
            Response::Test(Name::MsslCheck, vec![Param::Empty, bare("(0)")]),
        ),
        (
            "+MSSLCIPHER: (0xCCA8,0xCCA9)",
            Response::Test(Name::MsslCipher, vec![bare("(0xCCA8,0xCCA9)")]),
        ),
        (
            "+MSSLCERTRD: 7,a\r\nb,\"c",
            Response::MsslCertRd(b"a\r\nb,\"c".to_vec()),
        ),
        ("+CME ERROR: 762", Response::CmeError(CmeError::SslNotExist)),
        ("+CME ERROR: 768", Response::CmeError(CmeError::SslTooLarge)),
    ]
}

#[test]
fn ssl_response_lines_parse_and_emit_back() {
    for (line, r) in responses() {
        assert_eq!(Response::parse(line.as_bytes()), Ok(r.clone()), "{line:?}");
        assert_eq!(r.to_bytes(), line.as_bytes(), "emit {r:?}");
    }
}

#[test]
fn every_ssl_error_of_b4_has_its_number() {
    for n in [
        50u16, 750, 751, 752, 753, 754, 760, 761, 762, 763, 764, 765, 766, 767, 768, 769,
    ] {
        let e = CmeError::from_code(n);
        assert!(!matches!(e, CmeError::Other(_)), "{n} unknown");
        assert_eq!(e.code(), n);
        assert!(e.text().is_some());
    }
}

#[test]
fn certrd_data_line_is_framed_by_its_length() {
    // The data holds CRLF, a comma and a quote: only the length can find the line's end.
    let mut d = Decoder::default();
    d.feed(b"\r\n+MSSLCERTRD: 10,-----\r\nx,\"\r\n\r\nOK\r\n");
    let ev: Vec<Event> = std::iter::from_fn(|| d.next_event()).collect();
    assert_eq!(
        ev,
        vec![
            Event::Info(Response::MsslCertRd(b"-----\r\nx,\"".to_vec())),
            Event::Final(Final::Ok)
        ]
    );
}

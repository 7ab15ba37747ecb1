//! The SSL command family (ONEMO-RELATED.md §B) against the engine and a real sandbox: every
//! `AT+MSSLCFG` key, certificate and key writes in all their forms, the store commands and the
//! §B.4 errors, and that the module keeps serving after each refusal.

use super::*;
use md5::{Digest, Md5};

const OK: &str = "\r\nOK\r\n";

fn err(n: u16) -> String {
    format!("\r\n+CME ERROR: {n}\r\n")
}

/// A rig whose sandbox holds 64 KiB (certificates up to 8192 bytes, old and new side by
/// side), with a handle on the sandbox to look at the stored bytes.
fn big() -> (Rig, Sandbox) {
    let dir = TempDir::new().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), 64 * 1024).unwrap();
    let t = Instant::now();
    let mut r = Rig {
        e: Engine::new(EngineConfig::default(), fs.clone(), t),
        t,
        _dir: dir,
    };
    r.out();
    r.send("ATE0\r");
    (r, fs)
}

fn md5_upper(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02X}")).collect()
}

fn serving(r: &mut Rig) {
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn every_key_reads_its_default_for_every_context() {
    let (mut r, _fs) = big();
    let defaults = [
        ("auth", "0"),
        ("cert", "\"\",\"\",\"\""),
        ("encoding", "2"),
        ("negotime", "300"),
        ("version", "255"),
        ("ciphersuite", "0x0"),
        ("session", "1"),
        ("ignorestamp", "1"),
        ("ignoreverify", "0"),
        ("sni", "0"),
    ];
    for (key, v) in defaults {
        // Read-all: one line per ssl_id 0..5, then OK.
        let all: String = (0..6)
            .map(|id| format!("\r\n+MSSLCFG: \"{key}\",{id},{v}\r\n"))
            .collect();
        assert_eq!(
            r.send(&format!("AT+MSSLCFG=\"{key}\"\r")),
            format!("{all}{OK}"),
            "{key}"
        );
        assert_eq!(
            r.send(&format!("AT+MSSLCFG=\"{key}\",3\r")),
            format!("\r\n+MSSLCFG: \"{key}\",3,{v}\r\n{OK}"),
            "{key}"
        );
    }
}

#[test]
fn every_key_sets_reads_back_and_refuses_out_of_range() {
    let (mut r, _fs) = big();
    let sets = [
        ("auth", "2", "2"),
        ("encoding", "2", "2"),
        ("negotime", "10", "10"),
        ("version", "3", "3"),
        ("version", "0", "0"),
        ("ciphersuite", "0xc02f", "0xC02F"),
        ("ciphersuite", "2D", "0x2D"),
        ("session", "0", "0"),
        ("ignorestamp", "0", "0"),
        ("ignoreverify", "1", "1"),
        ("sni", "1", "1"),
    ];
    for (key, typed, shown) in sets {
        assert_eq!(r.send(&format!("AT+MSSLCFG=\"{key}\",5,{typed}\r")), OK);
        assert_eq!(
            r.send(&format!("AT+MSSLCFG=\"{key}\",5\r")),
            format!("\r\n+MSSLCFG: \"{key}\",5,{shown}\r\n{OK}")
        );
        // The other contexts keep their defaults (encoding has one value only).
        if key == "encoding" {
            continue;
        }
        assert_ne!(
            r.send(&format!("AT+MSSLCFG=\"{key}\",4\r")),
            format!("\r\n+MSSLCFG: \"{key}\",4,{shown}\r\n{OK}"),
            "{key} leaked into context 4"
        );
    }
    // §B.1 X-mssl refusals, plus the ranges of the table.
    for bad in [
        r#"AT+MSSLCFG="auth",6"#,
        r#"AT+MSSLCFG="auth",6,0"#,
        r#"AT+MSSLCFG="auth",1,3"#,
        r#"AT+MSSLCFG="version",1,-1"#,
        r#"AT+MSSLCFG="version",1,4"#,
        r#"AT+MSSLCFG="version",1,256"#,
        r#"AT+MSSLCFG="session",1,2"#,
        r#"AT+MSSLCFG="ignoreverify",1,a"#,
        r#"AT+MSSLCFG="negotime",1,301"#,
        r#"AT+MSSLCFG="encoding",1,0"#,
        r#"AT+MSSLCFG="encoding",1,1"#,
        r#"AT+MSSLCFG="nokey",1"#,
    ] {
        assert_eq!(r.send(&format!("{bad}\r")), err(50), "{bad}");
    }
    assert_eq!(
        r.send("AT+MSSLCFG=\"version\",1\r"),
        format!("\r\n+MSSLCFG: \"version\",1,255\r\n{OK}")
    );
    serving(&mut r);
}

#[test]
fn test_form_is_the_four_lines_testers_expect() {
    let (mut r, _fs) = big();
    assert_eq!(
        r.send("AT+MSSLCFG=?\r"),
        "\r\n+MSSLCFG: \"auth\",(0-5),(0-2)\r\n\
         \r\n+MSSLCFG: \"cert\",(0-5),,,\r\n\
         \r\n+MSSLCFG: \"encoding\",(0-5),(2)\r\n\
         \r\n+MSSLCFG: \"negotime\",(0-5),(10-300)\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MSSLCERTWR=?\r"), OK);
    assert_eq!(r.send("AT+MSSLKEYWR=?\r"), OK);
    assert_eq!(
        r.send("AT+MSSLCHECK=?\r"),
        format!("\r\n+MSSLCHECK: ,(0)\r\n{OK}")
    );
    assert_eq!(
        r.send("AT+MSSLCIPHER=?\r"),
        "\r\n+MSSLCIPHER: (0xCCA8,0xCCA9,0xC0AD,0xC0AF,0xC02B,0xC02F,0xC0AC,0xC023,0xC027,\
         0xC0AE,0xC086,0xC08A,0xC072,0xC076,0xC09D,0x3D,0xC0A1,0xC0,0x9C,0xC09C,0x3C,0xC031,\
         0xC029,0xC02D,0xC025,0xC0A0,0xC07A,0xBA,0xC08C,0xC078,0xC088,0xC074,0xCCAB,0xC0A5,\
         0xC0A9,0xA8,0xC0A4,0xAE,0xC08E,0xC094,0xC0A8)\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MSSLCIPHER\r"), err(50));
}

#[test]
fn psk_is_refused_and_sni_is_the_generic_profile_s() {
    let (mut r, _fs) = big();
    // §B.1/§B.3: no PSK on the 4G series; AT+MSSLPSK is not a command of the module.
    assert_eq!(r.send("AT+MSSLCFG=\"psk\",0,\"id\"\r"), err(50));
    assert_eq!(r.send("AT+MSSLCFG=\"psk\",0\r"), err(50));
    assert_eq!(r.send("AT+MSSLCFG=\"psk\"\r"), err(50));
    assert_eq!(r.send("AT+MSSLPSK=\"id\",\"00FF\"\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT+MSSLLIST=3\r"), OK);
    // §B.1: "sni" is the MR880A's; the ML30x refuse the key.
    let mut hw = rig_with(ftpmodem_proto::Model::Ml307r.profile());
    hw.send("ATE0\r");
    assert_eq!(hw.send("AT+MSSLCFG=\"sni\",0,1\r"), err(50));
    assert_eq!(hw.send("AT+MSSLCFG=\"sni\",0\r"), err(50));
    assert_eq!(hw.send("AT+MSSLCFG=\"auth\",0,1\r"), OK);
    // The old string form of sni is a parameter error everywhere.
    assert_eq!(r.send("AT+MSSLCFG=\"sni\",0,\"ftp.example\"\r"), err(50));
    serving(&mut r);
}

#[test]
fn prompt_write_of_pem_plus_cr_checks_as_the_hardware_md5() {
    let (mut r, fs) = big();
    let certs = ftpmodem_testsrv::Certs::generate().unwrap();
    let pem = certs.ca().cert_pem().as_bytes().to_vec();
    // §B.2: testers declare PEM size + 1 and send PEM + CR LF; the LF is outside the payload.
    let cmd = format!("AT+MSSLCERTWR=\"ca.pem\",0,{}\r", pem.len() + 1);
    assert_eq!(r.send(&cmd), "\r\n>");
    let mut sent = pem.clone();
    sent.extend_from_slice(b"\r\n");
    assert_eq!(r.send_bytes(&sent), OK);
    let mut stored = pem.clone();
    stored.push(b'\r');
    assert_eq!(fs.read("/ssl/cert/ca.pem", 1 << 20).unwrap(), stored);
    let hash = md5_upper(&stored);
    assert_eq!(hash.len(), 32);
    assert_eq!(
        r.send("AT+MSSLCHECK=\"ca.pem\"\r"),
        format!("\r\n+MSSLCHECK: {hash}\r\n{OK}")
    );
    assert_eq!(
        r.send("AT+MSSLCHECK=\"ca.pem\",0\r"),
        format!("\r\n+MSSLCHECK: {hash}\r\n{OK}")
    );
    // The read gives the stored bytes, CR included, framed by their length.
    let rd = r.send("AT+MSSLCERTRD=\"ca.pem\"\r");
    let mut want = format!("\r\n+MSSLCERTRD: {},", stored.len()).into_bytes();
    want.extend_from_slice(&stored);
    want.extend_from_slice(b"\r\n\r\nOK\r\n");
    assert_eq!(rd.as_bytes(), want.as_slice());
    assert_eq!(
        r.send("AT+MSSLLIST=1\r"),
        format!("\r\n+MSSLLIST: \"ca.pem\",{}\r\n{OK}", stored.len())
    );
    // Only SHA/SHA256/CRC are missing: a parameter error.
    assert_eq!(r.send("AT+MSSLCHECK=\"ca.pem\",2\r"), err(50));
    serving(&mut r);
}

#[test]
fn check_is_the_standard_md5_uppercase() {
    let (mut r, _fs) = big();
    assert_eq!(r.send("AT+MSSLCERTWR=\"abc\",0,3\r"), "\r\n>");
    assert_eq!(r.send("abc"), OK);
    // RFC 1321 test suite: MD5("abc").
    assert_eq!(
        r.send("AT+MSSLCHECK=\"abc\"\r"),
        format!("\r\n+MSSLCHECK: 900150983CD24FB0D6963F7D28E17F72\r\n{OK}")
    );
    assert_eq!(r.send("AT+MSSLCHECK=\"none\"\r"), err(762));
}

#[test]
fn inline_writes_count_typed_characters_and_store_decoded_bytes() {
    let (mut r, fs) = big();
    // `\r\n` typed is four characters (§B.2 escape mode): 10 + 4 + 3 = 17.
    let typed = r"-----BEGIN\r\nXYZ";
    assert_eq!(typed.len(), 17);
    assert_eq!(
        r.send(&format!("AT+MSSLCERTWR=\"c\",0,17,\"{typed}\"\r")),
        OK
    );
    assert_eq!(
        fs.read("/ssl/cert/c", 1 << 20).unwrap(),
        b"-----BEGIN\r\nXYZ"
    );
    // XP: the decoded size instead of the typed one is an error, and the old file stays.
    assert_eq!(
        r.send(&format!("AT+MSSLCERTWR=\"c\",0,15,\"{typed}\"\r")),
        err(50)
    );
    assert_eq!(
        fs.read("/ssl/cert/c", 1 << 20).unwrap(),
        b"-----BEGIN\r\nXYZ"
    );
    // Length 0: no check. No content check either (§B.2: 31 bytes of a PEM header → OK).
    assert_eq!(
        r.send("AT+MSSLCERTWR=\"c\",0,0,\"-----BEGIN CERTIFICATE-----MIIJ\"\r"),
        OK
    );
    assert_eq!(
        fs.read("/ssl/cert/c", 1 << 20).unwrap(),
        b"-----BEGIN CERTIFICATE-----MIIJ"
    );
    serving(&mut r);
}

#[test]
fn multi_part_sequences_of_the_testers() {
    let (mut r, fs) = big();
    let text: String = (0..1292).map(|i| (b'A' + (i % 26) as u8) as char).collect();
    // (292,1000) + (0,292).
    assert_eq!(
        r.send(&format!(
            "AT+MSSLCERTWR=\"m\",292,1000,\"{}\"\r",
            &text[..1000]
        )),
        OK
    );
    // Nothing is stored before the last part.
    assert!(fs.size("/ssl/cert/m").is_err());
    assert_eq!(
        r.send(&format!(
            "AT+MSSLCERTWR=\"m\",0,292,\"{}\"\r",
            &text[1000..]
        )),
        OK
    );
    assert_eq!(fs.read("/ssl/cert/m", 1 << 20).unwrap(), text.as_bytes());
    // (792,500) + (292,500) + (0,292), keys alike, the middle part at the prompt.
    assert_eq!(
        r.send(&format!(
            "AT+MSSLKEYWR=\"k\",792,500,\"{}\"\r",
            &text[..500]
        )),
        OK
    );
    assert_eq!(r.send("AT+MSSLKEYWR=\"k\",292,500\r"), "\r\n>");
    assert_eq!(r.send(&text[500..1000]), OK);
    assert_eq!(
        r.send(&format!("AT+MSSLKEYWR=\"k\",0,292,\"{}\"\r", &text[1000..])),
        OK
    );
    assert_eq!(fs.read("/ssl/key/k", 1 << 20).unwrap(), text.as_bytes());
    // Inconsistent (292,1100) + (0,300): ERROR, and the old file is intact.
    assert_eq!(
        r.send(&format!(
            "AT+MSSLCERTWR=\"m\",292,1100,\"{}\"\r",
            &text[..1100]
        )),
        OK
    );
    assert_eq!(
        r.send(&format!("AT+MSSLCERTWR=\"m\",0,300,\"{}\"\r", &text[992..])),
        err(50)
    );
    assert_eq!(fs.read("/ssl/cert/m", 1 << 20).unwrap(), text.as_bytes());
    // The failed write is gone: the next one starts afresh.
    assert_eq!(r.send("AT+MSSLCERTWR=\"m\",0,2,\"ok\"\r"), OK);
    assert_eq!(fs.read("/ssl/cert/m", 1 << 20).unwrap(), b"ok");
    serving(&mut r);
}

#[test]
fn an_escape_split_between_parts_still_decodes() {
    let (mut r, fs) = big();
    assert_eq!(r.send("AT+MSSLCERTWR=\"s\",3,2,\"a\\\"\r"), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"s\",0,3,\"nbc\"\r"), OK);
    assert_eq!(fs.read("/ssl/cert/s", 1 << 20).unwrap(), b"a\nbc");
}

#[test]
fn another_write_while_one_is_in_progress_is_765_until_it_times_out() {
    let (mut r, fs) = big();
    fs.write("/ssl/cert/old", b"old").unwrap();
    assert_eq!(r.send("AT+MSSLCERTWR=\"old\",5,5,\"12345\"\r"), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"x\",0,1,\"y\"\r"), err(765));
    assert_eq!(r.send("AT+MSSLKEYWR=\"old\",0,5,\"12345\"\r"), err(765));
    // The abandoned write expires after the prompt time-out; the old file never changed.
    r.wait(61_000);
    assert_eq!(r.send("AT+MSSLCERTWR=\"x\",0,1,\"y\"\r"), OK);
    assert_eq!(fs.read("/ssl/cert/old", 1 << 20).unwrap(), b"old");
    // AT&F drops a write in progress too.
    assert_eq!(r.send("AT+MSSLCERTWR=\"p\",5,5,\"12345\"\r"), OK);
    assert_eq!(r.send("AT&F\r"), OK);
    r.send("ATE0\r");
    assert_eq!(r.send("AT+MSSLCERTWR=\"x\",0,1,\"z\"\r"), OK);
}

#[test]
fn size_limit_is_8192_bytes_and_768_beyond() {
    let (mut r, fs) = big();
    // §B.2 X-mssl: a prompt write of 8192 bytes of `a` → OK.
    assert_eq!(r.send("AT+MSSLCERTWR=\"big\",0,8192\r"), "\r\n>");
    assert_eq!(r.send(&"a".repeat(8192)), OK);
    assert_eq!(fs.size("/ssl/cert/big").unwrap(), 8192);
    assert_eq!(r.send("AT+MSSLCERTWR=\"big\",0,8193\r"), err(768));
    assert_eq!(r.send("AT+MSSLCERTWR=\"big\",8000,1000\r"), err(768));
    // Parts that add up past the limit.
    assert_eq!(r.send("AT+MSSLCERTWR=\"big\",8000,192\r"), "\r\n>");
    assert_eq!(r.send(&"b".repeat(192)), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"big\",8001,0,\"x\"\r"), err(50));
    assert_eq!(fs.read("/ssl/cert/big", 1 << 20).unwrap(), vec![b'a'; 8192]);
    // Prompt mode with length 0 is not allowed.
    assert_eq!(r.send("AT+MSSLCERTWR=\"z\",0,0\r"), err(50));
    serving(&mut r);
}

#[test]
fn names_are_one_file_name_of_at_most_64_bytes() {
    let (mut r, fs) = big();
    let n64 = "n".repeat(64);
    assert_eq!(r.send(&format!("AT+MSSLCERTWR=\"{n64}\",0,1,\"x\"\r")), OK);
    assert_eq!(fs.size(&format!("/ssl/cert/{n64}")).unwrap(), 1);
    for bad in [
        "n".repeat(65),
        "../x".into(),
        "/usr/ca.pem".into(),
        "..".into(),
    ] {
        assert_eq!(
            r.send(&format!("AT+MSSLCERTWR=\"{bad}\",0,1,\"x\"\r")),
            err(50),
            "{bad}"
        );
    }
    // The project's old two-parameter form is a parameter error (documented).
    assert_eq!(r.send("AT+MSSLCERTWR=\"/usr/ca.pem\",5\r"), err(50));
    assert_eq!(r.send("AT+MSSLKEYWR=\"k.pem\",5\r"), err(50));
    serving(&mut r);
}

#[test]
fn overwrite_list_read_remove_and_the_file_system_view() {
    let (mut r, fs) = big();
    assert_eq!(r.send("AT+MSSLLIST=1\r"), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"b.pem\",0,3,\"bbb\"\r"), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"a.pem\",0,2,\"aa\"\r"), OK);
    assert_eq!(r.send("AT+MSSLCERTWR=\"a.pem\",0,4,\"AAAA\"\r"), OK);
    assert_eq!(r.send("AT+MSSLKEYWR=\"k.pem\",0,1,\"k\"\r"), OK);
    assert_eq!(
        r.send("AT+MSSLLIST=1\r"),
        format!("\r\n+MSSLLIST: \"a.pem\",4\r\n\r\n+MSSLLIST: \"b.pem\",3\r\n{OK}")
    );
    assert_eq!(
        r.send("AT+MSSLLIST=2\r"),
        format!("\r\n+MSSLLIST: \"k.pem\",1\r\n{OK}")
    );
    // Client private keys cannot be read (§B.3).
    assert_eq!(r.send("AT+MSSLCERTRD=\"k.pem\"\r"), err(762));
    assert_eq!(r.send("AT+MSSLCERTRD=\"none\"\r"), err(762));
    // A key can be checked.
    assert_eq!(
        r.send("AT+MSSLCHECK=\"k.pem\"\r"),
        format!("\r\n+MSSLCHECK: {}\r\n{OK}", md5_upper(b"k"))
    );
    // The store is ordinary files: AT+MFLIST sees them, AT+MFDELETE removes them.
    let list = r.send("AT+MFLIST=\"/ssl/cert\"\r");
    assert!(list.contains("\"/ssl/cert/a.pem\",4"), "{list}");
    assert_eq!(r.send("AT+MFDELETE=\"/ssl/cert/b.pem\"\r"), OK);
    assert_eq!(
        r.send("AT+MSSLLIST=1\r"),
        format!("\r\n+MSSLLIST: \"a.pem\",4\r\n{OK}")
    );
    assert_eq!(r.send("AT+MSSLRM=\"a.pem\"\r"), OK);
    assert_eq!(r.send("AT+MSSLRM=\"a.pem\"\r"), err(762));
    assert_eq!(r.send("AT+MSSLRM=\"k.pem\"\r"), OK);
    assert_eq!(r.send("AT+MSSLLIST=1\r"), OK);
    assert_eq!(r.send("AT+MSSLLIST=2\r"), OK);
    assert!(fs.size("/ssl/key/k.pem").is_err());
    serving(&mut r);
}

#[test]
fn cert_names_must_be_stored_and_keys_are_looked_up_among_keys() {
    let (mut r, _fs) = big();
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",0,\"ca.pem\",\"\",\"\"\r"),
        err(762)
    );
    assert_eq!(r.send("AT+MSSLCFG=\"cert\",0,\"\",\"\",\"\"\r"), OK);
    r.send("AT+MSSLCERTWR=\"ca.pem\",0,2,\"ca\"\r");
    r.send("AT+MSSLCERTWR=\"c.pem\",0,1,\"c\"\r");
    r.send("AT+MSSLKEYWR=\"k.pem\",0,1,\"k\"\r");
    // A certificate given as the key is not a stored key.
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",1,\"ca.pem\",\"c.pem\",\"c.pem\"\r"),
        err(762)
    );
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",1,\"ca.pem\",\"c.pem\",\"k.pem\"\r"),
        OK
    );
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",1\r"),
        format!("\r\n+MSSLCFG: \"cert\",1,\"ca.pem\",\"c.pem\",\"k.pem\"\r\n{OK}")
    );
    // A CA alone leaves the client names empty.
    assert_eq!(r.send("AT+MSSLCFG=\"cert\",2,\"ca.pem\"\r"), OK);
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",2\r"),
        format!("\r\n+MSSLCFG: \"cert\",2,\"ca.pem\",\"\",\"\"\r\n{OK}")
    );
    // AT&F: factory contexts (the stored files stay).
    assert_eq!(r.send("AT&F\r"), OK);
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",1\r"),
        format!("\r\n+MSSLCFG: \"cert\",1,\"\",\"\",\"\"\r\n{OK}")
    );
    assert_eq!(
        r.send("AT+MSSLLIST=1\r"),
        format!("\r\n+MSSLLIST: \"c.pem\",1\r\n\r\n+MSSLLIST: \"ca.pem\",2\r\n{OK}")
    );
}

#[test]
fn the_context_reaches_the_connect_request() {
    let (mut r, _fs) = big();
    r.send("AT+MSSLCERTWR=\"ca.pem\",0,2,\"ca\"\r");
    for l in [
        "AT+MSSLCFG=\"auth\",2,1",
        "AT+MSSLCFG=\"cert\",2,\"ca.pem\"",
        "AT+MSSLCFG=\"negotime\",2,20",
        "AT+MSSLCFG=\"version\",2,3",
        "AT+MSSLCFG=\"ciphersuite\",2,0xC02B",
        "AT+MSSLCFG=\"session\",2,0",
        "AT+MSSLCFG=\"ignorestamp\",2,0",
        "AT+MSSLCFG=\"sni\",2,1",
        "AT+MFTPCFG=0,\"ssl\",2,2",
    ] {
        assert_eq!(r.send(&format!("{l}\r")), OK, "{l}");
    }
    r.send("AT+MFTPCONN=0,\"h\"\r");
    let a = r.actions();
    let [Action::Channel {
        request: ChannelRequest::Connect(c),
        ..
    }] = a.as_slice()
    else {
        panic!("{a:?}")
    };
    assert_eq!(
        c.tls,
        TlsContext {
            auth: 1,
            ca: "ca.pem".into(),
            negotime: 20,
            version: ftpmodem_proto::SslVersion::Tls12,
            cipher_suite: 0xC02B,
            session: false,
            ignore_stamp: false,
            sni: true,
            ..TlsContext::default()
        }
    );
}

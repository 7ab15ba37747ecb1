//! Local files, identification, factory defaults, TLS contexts, the URC queue bound.

use super::*;
use ftpmodem_proto::Model;

#[test]
fn local_file_commands() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\"\r"),
        "\r\n+MFPUT: 12\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFSIZE=\"/usr/test.txt\"\r"),
        "\r\n+MFSIZE: 12\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFGET=\"/usr/test.txt\"\r"),
        "\r\n+MFGET: 12,CESHI1111111\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFPUT=\"/usr/bin.dat\",4\r"), "\r\n>");
    assert_eq!(r.send_bytes(b"\r\n\x00\x1a"), "\r\n+MFPUT: 4\r\n\r\nOK\r\n");
    assert_eq!(
        r.send_bytes(b"AT+MFGET=\"/usr/bin.dat\"\r"),
        "\r\n+MFGET: 4,\r\n\x00\x1a\r\n\r\nOK\r\n"
    );
    let list = r.send("AT+MFLIST=\"/usr\"\r");
    assert!(list.contains("+MFLIST: \"/usr/test.txt\",12\r\n"), "{list}");
    assert!(list.ends_with("\r\nOK\r\n"), "{list}");
    assert_eq!(
        r.send("AT+MFMOVE=\"/usr/test.txt\",\"/usr/b.txt\"\r"),
        "\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFSIZE=\"/usr/test.txt\"\r"),
        "\r\n+CME ERROR: 1050\r\n"
    );
    assert_eq!(r.send("AT+MFDELETE=\"/usr/b.txt\"\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFGET=\"/usr/b.txt\"\r"),
        "\r\n+CME ERROR: 1055\r\n"
    );
    let info = r.send("AT+MFSINFO\r");
    assert!(info.starts_with("\r\n+MFSINFO: 4096,"), "{info}");
    // Capacity 4096: a write over it is refused with 1063.
    r.send("AT+MFPUT=\"/usr/big\",5000\r");
    assert_eq!(r.send_bytes(&vec![b'x'; 5000]), "\r\n+CME ERROR: 1063\r\n");
    let escape = r.send("AT+MFGET=\"../../etc/passwd\"\r");
    assert!(escape.starts_with("\r\n+CME ERROR: 10"), "{escape}");
    assert_eq!(
        r.send("AT+MFPUT=\"/usr/x\",3,\"ab\"\r"),
        "\r\n+CME ERROR: 50\r\n"
    );
}

#[test]
fn identification() {
    let mut r = rig_with(Model::Ml307r.profile());
    r.send("ATE0\r");
    assert_eq!(
        r.send("ATI\r"),
        "\r\nCMCC\r\nML307R\r\nML307R-DC-MBRH0S00\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CGMM\r"), "\r\nML307R\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGMI\r"), "\r\nCMCC\r\n\r\nOK\r\n");
    let mut r = rig();
    assert_eq!(
        r.send("ATI\r"),
        "\r\nCMIOT\r\n\r\ngeneric\r\n\r\nRevision: ftpmodem-0.1.0\r\n\r\nOK\r\n"
    );
}

#[test]
fn factory_defaults_restore_echo_cmee_and_settings() {
    let mut r = rig();
    r.send("AT+CMEE=0\r");
    r.send("AT+MFTPCFG=4,\"rsptimeout\",3\r");
    assert_eq!(r.send("AT&F\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCFG=4,\"rsptimeout\"\r"),
        "AT+MFTPCFG=4,\"rsptimeout\"\r\r\n+MFTPCFG: 4,\"rsptimeout\",10\r\n\r\nOK\r\n"
    );
}

#[test]
fn ssl_contexts_and_credentials() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MSSLCFG=\"auth\",1\r"),
        "\r\n+MSSLCFG: \"auth\",1,0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MSSLCFG=\"auth\",1,2\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MSSLCFG=\"auth\",1\r"),
        "\r\n+MSSLCFG: \"auth\",1,2\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MSSLCERTWR=\"/usr/ca.pem\",5\r"), "\r\n>");
    assert_eq!(r.send("-----"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFSIZE=\"/usr/ca.pem\"\r"),
        "\r\n+MFSIZE: 5\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MSSLCFG=\"cert\",1,\"/usr/ca.pem\"\r"),
        "\r\nOK\r\n"
    );
    r.send("AT+MFTPCFG=0,\"ssl\",2,1\r");
    r.send("AT+MFTPCONN=0,\"h\"\r");
    let a = r.actions();
    let [Action::Channel {
        request: ChannelRequest::Connect(c),
        ..
    }] = a.as_slice()
    else {
        panic!("{a:?}")
    };
    assert_eq!((c.tls.auth, c.tls.ca.as_deref()), (2, Some("/usr/ca.pem")));
}

#[test]
fn download_chunks_are_held_back_when_the_queue_is_full() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    r.send("AT+MFTPRETR=1,\"f\"\r");
    r.send("AT+MFTPSTOR=0,\"t\",1,10\r");
    let mut n = 0;
    while r.e.wants_events() {
        let u = Urc::RetrData {
            id: ch(1),
            sum: 0,
            data: vec![b'x'; 1024],
        };
        r.e.channel_event(
            ch(1),
            ChannelEvent::Report {
                urc: u,
                done: false,
            },
        );
        n += 1;
        assert!(n < 10_000, "queue never filled");
    }
    assert_eq!(r.out(), "");
    let out = r.send("0123456789");
    assert!(out.starts_with("\r\nOK\r\n\r\n+MFTPRETR: 1,0,0,1024,"));
    assert!(r.e.wants_events());
}

#[test]
fn a_network_read_becomes_retr_chunks_in_order_and_waits_for_a_prompt() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    r.send("AT+MFTPRETR=1,\"f\"\r");
    r.actions();
    let data: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    let ev = ChannelEvent::Download {
        data: data.clone().into(),
        sum: 100,
        done: None,
    };
    r.e.channel_event(ch(1), ev);
    let chunk = |sum: u64, piece: &[u8]| {
        let mut v = format!("\r\n+MFTPRETR: 1,0,{sum},{},", piece.len()).into_bytes();
        v.extend_from_slice(piece);
        v.extend_from_slice(b"\r\n");
        v
    };
    // Whole chunks now; the one that holds the last byte so far waits for more.
    let mut want = chunk(1124, &data[..1024]);
    want.extend(chunk(2148, &data[1024..2048]));
    assert_eq!(r.e.take_output(), want);
    // A short read completes nothing.
    r.e.channel_event(
        ch(1),
        ChannelEvent::Download {
            data: b"xy".to_vec().into(),
            sum: 2600,
            done: None,
        },
    );
    assert_eq!(r.out(), "");
    // While a prompt holds the line, the download's end and its last chunk wait for its end.
    r.send("AT+MFTPSTOR=0,\"t\",1,2\r");
    r.e.channel_event(
        ch(1),
        ChannelEvent::Download {
            data: bytes::Bytes::new(),
            sum: 2602,
            done: Some(true),
        },
    );
    assert_eq!(r.out(), "");
    let mut last = data[2048..].to_vec();
    last.extend_from_slice(b"xy");
    let mut want = b"\r\nOK\r\n".to_vec();
    want.extend(chunk(2602, &last));
    r.e.input(b"ab", r.t);
    assert_eq!(r.e.take_output(), want);
}

#[test]
fn no_download_data_follows_the_ok_of_a_disconnect() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPRETR=0,\"f\"\r");
    r.actions();
    let block = |sum| ChannelEvent::Download {
        data: vec![b'd'; 2048].into(),
        sum,
        done: None,
    };
    r.e.channel_event(ch(0), block(0));
    assert!(r.out().starts_with("\r\n+MFTPRETR: 0,0,1024,1024,"));
    assert_eq!(r.send("AT+MFTPDISC=0\r"), "\r\nOK\r\n");
    // Read by the task before it saw the request: dropped, with the chunk held back before.
    r.e.channel_event(ch(0), block(2048));
    assert_eq!(r.out(), "");
    let disc = Urc::Result {
        op: ftpmodem_proto::SimpleOp::Disc,
        id: ch(0),
        code: ftpmodem_proto::ResultCode::Success,
    };
    assert_eq!(r.report(0, disc, false), "\r\n+MFTPDISC: 0,0\r\n");
    let urc = Urc::ConnState {
        id: ch(0),
        state: 0,
    };
    assert_eq!(r.report(0, urc, true), "\r\n+MFTPURC: 0,\"conn\",0\r\n");
    // A new session's download is shown again.
    r.connected(0);
    r.send("AT+MFTPRETR=0,\"f\"\r");
    r.actions();
    r.e.channel_event(ch(0), block(0));
    assert!(r.out().starts_with("\r\n+MFTPRETR: 0,0,1024,1024,"));
}

//! Channel commands: 801/802/result 4, connect defaults, PDP contexts.

use super::*;
use ftpmodem_proto::{ResultCode, SimpleOp, UploadOp};

#[test]
fn channel_commands_need_a_connection() {
    let mut r = rig();
    for cmd in [
        "AT+MFTPDISC=0\r",
        "AT+MFTPCWD=0,\"/\"\r",
        "AT+MFTPPWD=0\r",
        "AT+MFTPMKD=0,\"d\"\r",
        "AT+MFTPLIST=0,\"/\"\r",
        "AT+MFTPDEL=0,\"f\"\r",
        "AT+MFTPRN=0,\"a\",\"b\"\r",
        "AT+MFTPRETR=0,\"f\"\r",
        "AT+MFTPSTOR=0,\"f\",1,5,\"12345\"\r",
        "AT+MFTPAPPE=0,\"f\"\r",
    ] {
        assert_eq!(r.send(cmd), "\r\n+CME ERROR: 801\r\n", "{cmd}");
    }
    assert!(r.actions().is_empty());
    assert_eq!(
        r.send("AT+MFTPSTATE=0\r"),
        "\r\n+MFTPSTATE: 0,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn connect_applies_defaults_and_freezes_config() {
    let mut r = rig();
    assert_eq!(r.send("AT+MFTPCONN=2,\"ftp.example\"\r"), "\r\nOK\r\n");
    let a = r.actions();
    let [Action::Channel {
        id,
        request: ChannelRequest::Connect(c),
    }] = a.as_slice()
    else {
        panic!("{a:?}")
    };
    assert_eq!(*id, ch(2));
    assert_eq!(
        (c.host.as_str(), c.port, c.user.as_str(), c.pass.as_str()),
        ("ftp.example", 21, "anonymous", "")
    );
    // Connecting counts as running: a second CONN and a config change are refused.
    assert_eq!(r.send("AT+MFTPCONN=2,\"x\"\r"), "\r\n+CME ERROR: 802\r\n");
    assert_eq!(
        r.send("AT+MFTPCFG=2,\"rsptimeout\",5\r"),
        "\r\n+CME ERROR: 802\r\n"
    );
    // Another command while the connect runs: OK, then result 4 at once.
    assert_eq!(
        r.send("AT+MFTPCWD=2,\"/\"\r"),
        "\r\nOK\r\n\r\n+MFTPCWD: 2,4\r\n"
    );
    // Reading is always allowed.
    assert_eq!(
        r.send("AT+MFTPCFG=2,\"cid\"\r"),
        "\r\n+MFTPCFG: 2,\"cid\",1\r\n\r\nOK\r\n"
    );
    // A failed connect frees the channel.
    let fail = Urc::Result {
        op: SimpleOp::Conn,
        id: ch(2),
        code: ResultCode::DnsError,
    };
    assert_eq!(r.report(2, fail, true), "\r\n+MFTPCONN: 2,8\r\n");
    assert_eq!(r.send("AT+MFTPCFG=2,\"rsptimeout\",5\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+MFTPCWD=2,\"/\"\r"), "\r\n+CME ERROR: 801\r\n");
}

#[test]
fn implicit_ftps_defaults_to_port_990() {
    let mut r = rig();
    r.send("AT+MFTPCFG=1,\"ssl\",1,3\r");
    r.send("AT+MFTPCONN=1,\"h\",\"u\",\"p\"\r");
    let a = r.actions();
    let [Action::Channel {
        request: ChannelRequest::Connect(c),
        ..
    }] = a.as_slice()
    else {
        panic!("{a:?}")
    };
    assert_eq!((c.port, c.settings.ssl_id, c.user.as_str()), (990, 3, "u"));
}

#[test]
fn inactive_cid_gives_result_20_without_action() {
    let mut r = rig();
    assert_eq!(r.send("AT+MFTPCFG=0,\"cid\",2\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCONN=0,\"h\"\r"),
        "\r\nOK\r\n\r\n+MFTPCONN: 0,20\r\n"
    );
    assert!(r.actions().is_empty());
    assert_eq!(
        r.send("AT+MIPCALL=1,2\r"),
        "\r\nOK\r\n\r\n+MIPCALL: 2,1,\"0.0.0.0\"\r\n"
    );
    assert_eq!(r.send("AT+MFTPCONN=0,\"h\"\r"), "\r\nOK\r\n");
    assert_eq!(r.actions().len(), 1);
}

#[test]
fn dropping_a_cid_disconnects_its_channels() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    r.send("AT+MFTPCFG=2,\"cid\",3\r");
    assert_eq!(r.send("AT+CGACT=0,1\r"), "\r\nOK\r\n");
    let a = r.actions();
    assert_eq!(
        a,
        vec![
            Action::Channel {
                id: ch(0),
                request: ChannelRequest::PdpDown
            },
            Action::Channel {
                id: ch(1),
                request: ChannelRequest::PdpDown
            },
        ]
    );
    let u = Urc::ConnState {
        id: ch(0),
        state: 0,
    };
    assert_eq!(r.report(0, u, true), "\r\n+MFTPURC: 0,\"conn\",0\r\n");
    assert_eq!(
        r.send("AT+MFTPSTATE=0\r"),
        "\r\n+MFTPSTATE: 0,0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CGACT?\r"), "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
}

#[test]
fn commands_after_connect_become_actions_and_busy_gets_result_4() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(
        r.send("AT+MFTPCFG=0,\"rsptimeout\",5\r"),
        "\r\n+CME ERROR: 802\r\n"
    );
    assert_eq!(r.send("AT+MFTPCONN=0,\"h\"\r"), "\r\n+CME ERROR: 802\r\n");
    assert_eq!(r.send("AT+MFTPPWD=0\r"), "\r\nOK\r\n");
    assert_eq!(
        r.actions(),
        vec![Action::Channel {
            id: ch(0),
            request: ChannelRequest::Pwd
        }]
    );
    assert_eq!(
        r.send("AT+MFTPLIST=0,\"/\"\r"),
        "\r\nOK\r\n\r\n+MFTPLIST: 0,4\r\n"
    );
    assert_eq!(
        r.send("AT+MFTPRETR=0,\"f\"\r"),
        "\r\nOK\r\n\r\n+MFTPRETR: 0,4\r\n"
    );
    assert_eq!(
        r.send("AT+MFTPSTOR=0,\"f\",1,1,\"x\"\r"),
        "\r\nOK\r\n\r\n+MFTPSTOR: 0,4,0\r\n"
    );
    assert_eq!(r.send("AT+MFTPPWD=0\r"), "\r\nOK\r\n\r\n+MFTPPWD: 0,4\r\n");
    assert!(r.actions().is_empty());
    let pwd = Urc::Pwd {
        id: ch(0),
        code: ResultCode::Success,
        path: Some("/home/uftp/test".into()),
    };
    assert_eq!(
        r.report(0, pwd, true),
        "\r\n+MFTPPWD: 0,0,\"/home/uftp/test\"\r\n"
    );
    assert_eq!(r.send("AT+MFTPRETR=0,\"test1.txt\",,5,5\r"), "\r\nOK\r\n");
    assert_eq!(
        r.actions(),
        vec![Action::Channel {
            id: ch(0),
            request: ChannelRequest::Retr {
                file: "test1.txt".into(),
                local: None,
                offset: 5,
                length: Some(5),
                chunk: 1024
            }
        }]
    );
    // Other channels keep answering while channel 0 works.
    assert_eq!(
        r.send("AT+MFTPSTATE=1\r"),
        "\r\n+MFTPSTATE: 1,0\r\n\r\nOK\r\n"
    );
    // DISC is accepted while busy: it cancels.
    assert_eq!(r.send("AT+MFTPDISC=0\r"), "\r\nOK\r\n");
    assert_eq!(
        r.actions(),
        vec![Action::Channel {
            id: ch(0),
            request: ChannelRequest::Disconnect
        }]
    );
}

#[test]
fn local_fs_mode_decides_the_upload_and_retr_forms() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(
        r.send("AT+MFTPSTOR=0,\"a\",\"/usr/x\"\r"),
        "\r\n+CME ERROR: 50\r\n"
    );
    r.send("AT+MFTPDISC=0\r");
    r.actions();
    r.report(
        0,
        Urc::ConnState {
            id: ch(0),
            state: 0,
        },
        true,
    );
    assert_eq!(r.send("AT+MFTPCFG=0,\"local_fs\",1\r"), "\r\nOK\r\n");
    r.connected(0);
    // ONEMO-RELATED.md §D: a serial upload with local_fs 1 is 812 (STOR) / 813 (APPE).
    assert_eq!(
        r.send("AT+MFTPSTOR=0,\"a\",1,1,\"x\"\r"),
        "\r\n+CME ERROR: 812\r\n"
    );
    assert_eq!(r.send("AT+MFTPRETR=0,\"a\"\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(
        r.send("AT+MFTPAPPE=0,\"2.txt\",\"/usr/test.txt\"\r"),
        "\r\nOK\r\n"
    );
    assert_eq!(
        r.actions(),
        vec![Action::Channel {
            id: ch(0),
            request: ChannelRequest::UploadLocal {
                op: UploadOp::Appe,
                file: "2.txt".into(),
                local: "/usr/test.txt".into()
            }
        }]
    );
}

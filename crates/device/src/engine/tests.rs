//! Engine tests: a fake clock, a temp-dir sandbox, bytes in and bytes out. No sockets.

use super::*;
use ftpmodem_proto::{ChannelId, ChannelState, Model, ResultCode, SimpleOp, UploadOp};
use tempfile::TempDir;

struct Rig {
    e: Engine,
    t: Instant,
    _dir: TempDir,
}

fn rig_with(profile: Profile) -> Rig {
    let dir = TempDir::new().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), 4096).unwrap();
    let t = Instant::now();
    let cfg = EngineConfig {
        profile,
        ..EngineConfig::default()
    };
    let mut r = Rig {
        e: Engine::new(cfg, fs, t),
        t,
        _dir: dir,
    };
    assert_eq!(r.out(), "\r\n+MATREADY\r\n");
    r
}

/// Echo off, so expectations show only what the module answers.
fn rig() -> Rig {
    let mut r = rig_with(Profile::default());
    r.send("ATE0\r");
    r
}

fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

impl Rig {
    fn out(&mut self) -> String {
        String::from_utf8_lossy(&self.e.take_output()).into_owned()
    }
    fn send_bytes(&mut self, b: &[u8]) -> String {
        self.e.input(b, self.t);
        self.out()
    }
    fn send(&mut self, s: &str) -> String {
        self.send_bytes(s.as_bytes())
    }
    fn wait(&mut self, ms: u64) -> String {
        self.t += Duration::from_millis(ms);
        self.e.tick(self.t);
        self.out()
    }
    fn actions(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.e.poll_action()).collect()
    }
    fn report(&mut self, id: u8, urc: Urc, done: bool) -> String {
        self.e
            .channel_event(ch(id), ChannelEvent::Report { urc, done });
        self.out()
    }
    /// Drives channel `id` through a successful connect as a channel task would.
    fn connected(&mut self, id: u8) {
        assert_eq!(
            self.send(&format!("AT+MFTPCONN={id},\"h\"\r")),
            "\r\nOK\r\n"
        );
        self.actions();
        self.e
            .channel_event(ch(id), ChannelEvent::State(ChannelState::Connected));
        let u = Urc::Result {
            op: SimpleOp::Conn,
            id: ch(id),
            code: ResultCode::Success,
        };
        assert_eq!(
            self.report(id, u, true),
            format!("\r\n+MFTPCONN: {id},0\r\n")
        );
    }
}

#[test]
fn echo_is_on_at_start_and_ate0_turns_it_off() {
    let mut r = rig_with(Profile::default());
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
    assert_eq!(r.send("ATE0\r"), "ATE0\r\r\nOK\r\n");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
    assert_eq!(r.send("ATE1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("at\r"), "at\r\r\nOK\r\n");
}

#[test]
fn framing_backspace_lf_and_split_reads() {
    let mut r = rig();
    assert_eq!(r.send("AT+CMEX\x08E?\r\n"), "\r\n+CMEE: 1\r\n\r\nOK\r\n");
    assert_eq!(r.send("A"), "");
    assert_eq!(r.send("T"), "");
    assert_eq!(r.send("\r"), "\r\nOK\r\n");
    // Two commands in one read are answered in order.
    assert_eq!(
        r.send("AT\rAT+CMEE?\r"),
        "\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"
    );
}

#[test]
fn noise_without_prefix_gets_no_answer_and_noise_before_at_is_skipped() {
    let mut r = rig();
    assert_eq!(r.send_bytes(b"\x00\xff\xfe garbage\r"), "");
    assert_eq!(r.send_bytes(b"\x00\x00xxAT\r"), "\r\nOK\r\n");
    assert_eq!(r.send("\r\r\r"), "");
}

#[test]
fn over_long_line_is_error_then_serves_again() {
    let mut r = rig();
    let long = format!("AT+MFTPCWD=0,\"{}\"\r", "a".repeat(10_000));
    assert_eq!(r.send(&long), "\r\nERROR\r\n");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn cmee_modes_change_error_form() {
    let mut r = rig();
    assert_eq!(r.send("AT+MFTPCFG=6\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CMEE=2\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCWD=0,\"/\"\r"),
        "\r\n+CME ERROR: FTP not running\r\n"
    );
    assert_eq!(r.send("AT+CMEE=0\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+MFTPCFG=6\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT+CMEE=3\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT+NOPE\r"), "\r\nERROR\r\n");
}

#[test]
fn unknown_command_is_plain_error_even_with_cmee_1() {
    let mut r = rig();
    assert_eq!(r.send("AT+FOO=1\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("ATX\r"), "\r\nERROR\r\n");
}

#[test]
fn mftpcfg_defaults_read_forms_match_manual() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MFTPCFG=0\r"),
        "\r\n+MFTPCFG: 0,\"data_type\",0\r\n\r\n+MFTPCFG: 0,\"transmode\",1\r\n\r\n+MFTPCFG: 0,\"rsptimeout\",10\r\n\
         \r\n+MFTPCFG: 0,\"ssl\",0,0\r\n\r\n+MFTPCFG: 0,\"local_fs\",0\r\n\r\n+MFTPCFG: 0,\"cid\",1\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFTPCFG=0,\"ssl\",0,0\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCFG=0,\"ssl\"\r"),
        "\r\n+MFTPCFG: 0,\"ssl\",0,0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFTPCFG=3,\"rsptimeout\",30\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCFG=3,\"rsptimeout\"\r"),
        "\r\n+MFTPCFG: 3,\"rsptimeout\",30\r\n\r\nOK\r\n"
    );
    // Per channel: channel 0 kept its default.
    assert_eq!(
        r.send("AT+MFTPCFG=0,\"rsptimeout\"\r"),
        "\r\n+MFTPCFG: 0,\"rsptimeout\",10\r\n\r\nOK\r\n"
    );
    for bad in [
        "AT+MFTPCFG=0,\"rsptimeout\",31\r",
        "AT+MFTPCFG=0,\"rsptimeout\",1\r",
        "AT+MFTPCFG=0,\"bogus\",1\r",
        "AT+MFTPCFG=0,\"ssl\",3,0\r",
        "AT+MFTPCFG=0,\"ssl\",1,6\r",
        "AT+MFTPCFG=0,\"cid\",16\r",
        "AT+MFTPCFG=0,\"data_type\",1,1\r",
        "AT+MFTPCFG\r",
        "AT+MFTPCFG?\r",
    ] {
        assert_eq!(r.send(bad), "\r\n+CME ERROR: 50\r\n", "{bad}");
    }
}

#[test]
fn mftpcfg_test_form_follows_profile() {
    let mut r = rig();
    let generic = r.send("AT+MFTPCFG=?\r");
    assert_eq!(
        generic,
        "\r\n+MFTPCFG: (0-5),\"data_type\",(0-1)\r\n\r\n+MFTPCFG: (0-5),\"transmode\",(0-1)\r\n\
         \r\n+MFTPCFG: (0-5),\"rsptimeout\",(2-30)\r\n\r\n+MFTPCFG: (0-5),\"ssl\",(0-2),(0-5)\r\n\
         \r\n+MFTPCFG: (0-5),\"local_fs\",(0-1)\r\n\r\n+MFTPCFG: (0-5),\"cid\",(1-15)\r\n\r\nOK\r\n"
    );
    let mut r = rig_with(Model::Ml305u.profile());
    r.send("ATE0\r");
    let out = r.send("AT+MFTPCFG=?\r");
    assert!(out.contains("\"transmode\",(1)\r\n"), "{out}");
    assert!(out.contains("\"ssl\",(0),(0-5)\r\n"), "{out}");
    assert!(out.contains("\"cid\",(1-7)\r\n"), "{out}");
    assert_eq!(
        r.send("AT+MFTPDISC=?\r"),
        "\r\n+MFTPDISC: (0-5)\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFTPCWD=?\r"),
        "\r\n+MFTPCWD: (0-5),\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFTPCONN=?\r"),
        "\r\n+MFTPCONN: (0-5),,,,(0-65535)\r\n\r\nOK\r\n"
    );
}

#[test]
fn hardware_profiles_refuse_active_mode_ftps_and_high_cids() {
    for m in [
        Model::Ml302a,
        Model::Ml305a,
        Model::Ml307a,
        Model::Ml305u,
        Model::Ml307r,
    ] {
        let mut r = rig_with(m.profile());
        r.send("ATE0\r");
        assert_eq!(
            r.send("AT+MFTPCFG=0,\"transmode\",0\r"),
            "\r\n+CME ERROR: 50\r\n",
            "{m:?}"
        );
        assert_eq!(
            r.send("AT+MFTPCFG=0,\"ssl\",1,0\r"),
            "\r\n+CME ERROR: 50\r\n",
            "{m:?}"
        );
        assert_eq!(
            r.send("AT+MFTPCFG=0,\"ssl\",2,0\r"),
            "\r\n+CME ERROR: 50\r\n",
            "{m:?}"
        );
        assert_eq!(
            r.send("AT+MFTPCFG=0,\"transmode\",1\r"),
            "\r\nOK\r\n",
            "{m:?}"
        );
        let cid8 = r.send("AT+MFTPCFG=0,\"cid\",8\r");
        if m == Model::Ml305u {
            assert_eq!(cid8, "\r\n+CME ERROR: 50\r\n");
        } else {
            assert_eq!(cid8, "\r\nOK\r\n");
        }
    }
    let mut r = rig();
    assert_eq!(r.send("AT+MFTPCFG=0,\"transmode\",0\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+MFTPCFG=0,\"ssl\",1,2\r"), "\r\nOK\r\n");
}

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
    assert_eq!(
        r.send("AT+MFTPSTOR=0,\"a\",1,1,\"x\"\r"),
        "\r\n+CME ERROR: 50\r\n"
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
                append: true,
                file: "2.txt".into(),
                local: "/usr/test.txt".into()
            }
        }]
    );
}

fn upload_packet(r: &mut Rig) -> Vec<u8> {
    match r.actions().as_slice() {
        [Action::Channel {
            request: ChannelRequest::UploadPacket { data, .. },
            ..
        }] => data.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn prompt_with_length_takes_exact_bytes_of_any_value() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+MFTPSTOR=0,\"t\",1,6\r"), "\r\n>");
    // Ctrl+Z, ESC, CR and "AT\r" are data here.
    assert_eq!(r.send_bytes(b"\x1a\x1b\rAT"), "");
    assert_eq!(r.send_bytes(b"\r\nAT\r"), "\r\nOK\r\n\r\nOK\r\n");
    assert_eq!(upload_packet(&mut r), b"\x1a\x1b\rAT\r");
}

#[test]
fn prompt_ctrl_z_ends_and_esc_cancels() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+MFTPAPPE=0,\"t\",1\r"), "\r\n>");
    assert_eq!(r.send_bytes(b"bbbbb\x1a"), "\r\nOK\r\n");
    assert_eq!(upload_packet(&mut r), b"bbbbb");
    let u = Urc::Upload {
        op: UploadOp::Appe,
        id: ch(0),
        code: ResultCode::Success,
        sent: 5,
    };
    assert_eq!(r.report(0, u, true), "\r\n+MFTPAPPE: 0,0,5\r\n");
    assert_eq!(r.send("AT+MFTPAPPE=0,\"t\",1\r"), "\r\n>");
    assert_eq!(r.send_bytes(b"xyz\x1b"), "\r\nOK\r\n");
    assert!(r.actions().is_empty());
    // The channel is free again after a cancel.
    assert_eq!(r.send("AT+MFTPPWD=0\r"), "\r\nOK\r\n");
}

#[test]
fn prompt_echoes_data_when_echo_is_on() {
    let mut r = rig();
    r.connected(0);
    r.send("ATE1\r");
    assert_eq!(
        r.send("AT+MFTPSTOR=0,\"t\",1,5\r"),
        "AT+MFTPSTOR=0,\"t\",1,5\r\r\n>"
    );
    assert_eq!(r.send("BBBBB"), "BBBBB\r\nOK\r\n");
}

#[test]
fn oversized_ctrl_z_prompt_is_dropped_until_its_end() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPSTOR=0,\"t\",0\r");
    let big = vec![b'a'; 5000];
    assert_eq!(r.send_bytes(&big), "");
    assert_eq!(r.send_bytes(b"AT\r\x1a"), "\r\n+CME ERROR: 50\r\n");
    assert!(r.actions().is_empty());
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn a_prompt_left_open_times_out_and_the_module_serves_again() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPSTOR=0,\"t\",1,10\r");
    r.send("abc");
    assert_eq!(r.e.next_deadline(), Some(r.t + Duration::from_secs(60)));
    assert_eq!(r.wait(59_000), "");
    assert_eq!(r.wait(1_000), "\r\n+CME ERROR: 812\r\n");
    assert!(r.actions().is_empty());
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+MFPUT=\"/usr/a\",3\r"), "\r\n>");
    assert_eq!(r.wait(60_000), "\r\n+CME ERROR: 1064\r\n");
}

#[test]
fn urcs_wait_for_the_end_of_a_prompt() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    r.send("AT+MFTPCWD=1,\"/\"\r");
    r.send("AT+MFTPSTOR=0,\"t\",1,3\r");
    let u = Urc::Result {
        op: SimpleOp::Cwd,
        id: ch(1),
        code: ResultCode::Success,
    };
    assert_eq!(r.report(1, u, true), "");
    assert_eq!(r.send("abc"), "\r\nOK\r\n\r\n+MFTPCWD: 1,0\r\n");
}

fn stream_data(r: &mut Rig) -> Vec<u8> {
    let mut all = Vec::new();
    for a in r.actions() {
        match a {
            Action::Channel {
                request: ChannelRequest::UploadStreamData(d),
                ..
            } => all.extend(d),
            Action::Channel {
                request: ChannelRequest::UploadStreamEnd,
                ..
            } => all.extend(b"<END>"),
            Action::Channel {
                request: ChannelRequest::UploadStreamBegin { .. },
                ..
            } => all.extend(b"<BEGIN>"),
            other => panic!("{other:?}"),
        }
    }
    all
}

#[test]
fn transparent_mode_escape_needs_guard_times() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+MFTPSTOR=0,\"t\"\r"), "\r\nCONNECT\r\n");
    assert_eq!(stream_data(&mut r), b"<BEGIN>");
    // "+++" inside data is data.
    assert_eq!(r.send("a+++b"), "");
    // "+++" after silence but followed by data within the guard is data too.
    r.wait(1500);
    assert_eq!(r.send("+++"), "");
    r.wait(200);
    assert_eq!(r.send("c"), "");
    // "+++" with no silence before is data, even when silence follows.
    assert_eq!(r.send("+++"), "");
    assert_eq!(r.wait(2000), "");
    assert_eq!(stream_data(&mut r), b"a+++b+++c+++");
    // The real escape: silence, "+++", silence.
    assert_eq!(r.send("+"), "");
    assert_eq!(r.send("++"), "");
    assert_eq!(r.e.next_deadline(), Some(r.t + Duration::from_secs(1)));
    assert_eq!(r.wait(999), "");
    assert_eq!(r.wait(1), "\r\nOK\r\n");
    assert_eq!(stream_data(&mut r), b"<END>");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn transparent_mode_is_8_bit_clean_and_holds_urcs() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    r.send("AT+MFTPSTOR=0,\"t\"\r");
    r.actions();
    let all: Vec<u8> = (0..=255u8).collect();
    assert_eq!(r.send_bytes(&all), "");
    let u = Urc::ConnState {
        id: ch(1),
        state: 0,
    };
    assert_eq!(r.report(1, u, true), "");
    assert_eq!(stream_data(&mut r), all);
    r.wait(1000);
    r.send("+++");
    assert_eq!(r.wait(1000), "\r\nOK\r\n\r\n+MFTPURC: 1,\"conn\",0\r\n");
}

#[test]
fn upload_failure_ends_transparent_mode_with_its_report() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPSTOR=0,\"t\"\r");
    r.send("data");
    let u = Urc::Upload {
        op: UploadOp::Stor,
        id: ch(0),
        code: ResultCode::NetworkError,
        sent: 4,
    };
    assert_eq!(r.report(0, u, true), "\r\n+MFTPSTOR: 0,11,4\r\n");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

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
    let list = r.send("AT+MFLIST\r");
    assert!(list.contains("+MFLIST: \"/usr/test.txt\",12\r\n"), "{list}");
    assert!(list.ends_with("\r\nOK\r\n"), "{list}");
    assert_eq!(
        r.send("AT+MFMOVE=\"/usr/test.txt\",\"/usr/b.txt\"\r"),
        "\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFSIZE=\"/usr/test.txt\"\r"),
        "\r\n+CME ERROR: 1051\r\n"
    );
    assert_eq!(r.send("AT+MFDELETE=\"/usr/b.txt\"\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFGET=\"/usr/b.txt\"\r"),
        "\r\n+CME ERROR: 1051\r\n"
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
        "\r\nCMIOT\r\n\r\nML307R\r\n\r\nRevision: ftpmodem-0.1.0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CGMM\r"), "\r\nML307R\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGMI\r"), "\r\nCMIOT\r\n\r\nOK\r\n");
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

mod garbage {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Whatever arrives, the engine does not panic, its output stays bounded, and after a
        /// prompt time-out and a CR it answers `AT` again.
        #[test]
        fn random_bytes_never_stop_the_module(chunks in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..64),
                Just(b"AT+MFPUT=\"/usr/f\",5\r".to_vec()),
                Just(b"AT+MFTPCFG=0\r".to_vec()),
                Just(b"AT+MFTPCONN=0,\"h\"\r".to_vec()),
                Just(b"AT+MFTPSTOR=0,\"f\"\r".to_vec()),
                Just(b"\"\r".to_vec()),
            ],
            0..40,
        )) {
            let mut r = rig();
            for c in &chunks {
                r.send_bytes(c);
                r.actions();
                prop_assert!(r.e.take_output().len() < 1 << 20);
            }
            r.wait(61_000);
            r.wait(1_100);
            r.send("\r");
            // A connect from the garbage may have put channel 0 in transparent mode; a real
            // escape ends it.
            r.wait(1_100);
            r.send("+++");
            r.wait(1_100);
            r.send("\r");
            let out = r.send("AT\r");
            prop_assert!(out.ends_with("\r\nOK\r\n"), "{:?}", out);
        }
    }
}

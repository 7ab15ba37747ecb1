//! What testers recorded on real modules (ONEMO-RELATED.md §D), on every model profile: the
//! `AT+MFTPCFG` forms, the synchronous refusals of the channel commands, and how the engine
//! prints a download's reports (per 1024-byte block, into a local file too).

use super::*;
use crate::engine::action::{Action, ChannelRequest};
use ftpmodem_proto::Model;

/// A rig of `model` with echo off.
fn rig_of(model: Model) -> Rig {
    let mut r = rig_with(model.profile());
    r.send("ATE0\r");
    r
}

/// The hardware models, which print the recorded ranges.
const HARDWARE: [Model; 5] = [
    Model::Ml302a,
    Model::Ml305a,
    Model::Ml307a,
    Model::Ml305u,
    Model::Ml307r,
];

#[test]
fn the_test_form_prints_the_recorded_ranges_on_every_model() {
    for m in HARDWARE {
        let cid = if m == Model::Ml305u {
            "(1-7)"
        } else {
            "(1-15)"
        };
        let want = format!(
            "\r\n+MFTPCFG: (0-5),\"data_type\",(0-1)\r\n\r\n+MFTPCFG: (0-5),\"transmode\",(1)\r\n\
             \r\n+MFTPCFG: (0-5),\"rsptimeout\",(2-30)\r\n\r\n+MFTPCFG: (0-5),\"ssl\",(0),(0)\r\n\
             \r\n+MFTPCFG: (0-5),\"local_fs\",(0-1)\r\n\r\n+MFTPCFG: (0-5),\"cid\",{cid}\r\n\r\nOK\r\n"
        );
        assert_eq!(rig_of(m).send("AT+MFTPCFG=?\r"), want, "{m:?}");
    }
    // `generic` keeps FTPS and active mode, and so their ranges.
    let out = rig_of(Model::Generic).send("AT+MFTPCFG=?\r");
    assert!(out.contains("\"ssl\",(0-2),(0-5)\r\n"), "{out}");
    assert!(out.contains("\"transmode\",(0-1)\r\n"), "{out}");
}

#[test]
fn settings_the_hardware_refuses_are_50_and_the_rest_ok() {
    for m in HARDWARE {
        let mut r = rig_of(m);
        for bad in [
            "AT+MFTPCFG=6,\"data_type\",0\r",
            "AT+MFTPCFG=0,\"data_type\",2\r",
            "AT+MFTPCFG=0,\"transmode\",2\r",
            "AT+MFTPCFG=0,\"transmode\",0\r",
            "AT+MFTPCFG=0,\"rsptimeout\",1\r",
            "AT+MFTPCFG=0,\"rsptimeout\",31\r",
            "AT+MFTPCFG=0,\"ssl\",3,0\r",
            "AT+MFTPCFG=0,\"ssl\",1,0\r",
            "AT+MFTPCFG=0,\"ssl\",2,0\r",
            "AT+MFTPCFG=0,\"ssl\",0,1\r",
            "AT+MFTPCFG=0,\"local_fs\",2\r",
            "AT+MFTPCFG=0,\"cid\",16\r",
        ] {
            assert_eq!(r.send(bad), "\r\n+CME ERROR: 50\r\n", "{m:?} {bad}");
        }
        let (top, over) = if m == Model::Ml305u { (7, 8) } else { (15, 16) };
        assert_eq!(
            r.send(&format!("AT+MFTPCFG=0,\"cid\",{top}\r")),
            "\r\nOK\r\n"
        );
        assert_eq!(
            r.send(&format!("AT+MFTPCFG=0,\"cid\",{over}\r")),
            "\r\n+CME ERROR: 50\r\n"
        );
        assert_eq!(r.send("AT+MFTPCFG=0,\"ssl\",0,0\r"), "\r\nOK\r\n");
    }
    let mut g = rig_of(Model::Generic);
    assert_eq!(g.send("AT+MFTPCFG=0,\"ssl\",1,3\r"), "\r\nOK\r\n");
    assert_eq!(g.send("AT+MFTPCFG=0,\"transmode\",0\r"), "\r\nOK\r\n");
}

#[test]
fn the_read_forms_print_six_lines_or_one() {
    for m in Model::ALL {
        let mut r = rig_of(m);
        assert_eq!(
            r.send("AT+MFTPCFG=2\r"),
            "\r\n+MFTPCFG: 2,\"data_type\",0\r\n\r\n+MFTPCFG: 2,\"transmode\",1\r\n\
             \r\n+MFTPCFG: 2,\"rsptimeout\",10\r\n\r\n+MFTPCFG: 2,\"ssl\",0,0\r\n\
             \r\n+MFTPCFG: 2,\"local_fs\",0\r\n\r\n+MFTPCFG: 2,\"cid\",1\r\n\r\nOK\r\n",
            "{m:?}"
        );
        assert_eq!(
            r.send("AT+MFTPCFG=2,\"ssl\"\r"),
            "\r\n+MFTPCFG: 2,\"ssl\",0,0\r\n\r\nOK\r\n"
        );
    }
}

#[test]
fn channel_commands_refused_at_once_as_recorded() {
    for m in Model::ALL {
        let mut r = rig_of(m);
        // Not connected: DISC, RETR, STOR, APPE are refused (801, the manual's code).
        for line in [
            "AT+MFTPDISC=0\r",
            "AT+MFTPRETR=0,\"f\"\r",
            "AT+MFTPSTOR=0,\"f\",1,1,\"x\"\r",
            "AT+MFTPAPPE=0,\"f\",1,1,\"x\"\r",
        ] {
            assert_eq!(r.send(line), "\r\n+CME ERROR: 801\r\n", "{m:?} {line}");
        }
        assert_eq!(r.send("AT+MFTPDISC=-1\r"), "\r\n+CME ERROR: 50\r\n");
        r.connected(0);
        let name256 = "b".repeat(256);
        for bad in [
            "AT+MFTPCWD=0,\"\"\r".to_string(),
            format!("AT+MFTPRN=0,\"a\",\"{name256}\"\r"),
            format!("AT+MFTPSTOR=0,\"f\",1,1025,\"{}\"\r", "a".repeat(1025)),
            "AT+MFTPSTOR=0,\"f\",1,2,\"x\"\r".into(),
            "AT+MFTPSTOR=0,\"f\",1,0,\"x\"\r".into(),
            "AT+MFTPSTOR=0,\"f\",2,1,\"x\"\r".into(),
            "AT+MFTPAPPE=0,\"f\",1,4097\r".into(),
            // local_fs 0 and a local name.
            "AT+MFTPSTOR=0,\"f\",\"/usr/test.txt\"\r".into(),
            // Empty RN names; a length without eof.
            "AT+MFTPRN=0,\"\",\"x\"\r".into(),
            "AT+MFTPRN=0,\"x\",\"\"\r".into(),
            "AT+MFTPSTOR=0,\"f\",,4096\r".into(),
        ] {
            assert_eq!(r.send(&bad), "\r\n+CME ERROR: 50\r\n", "{m:?} {bad}");
        }
        // 1024 inline bytes and a 4096-byte prompt are taken.
        let k = "a".repeat(1024);
        assert_eq!(
            r.send(&format!("AT+MFTPSTOR=0,\"f\",1,1024,\"{k}\"\r")),
            "\r\nOK\r\n"
        );
        assert!(matches!(
            r.actions().as_slice(),
            [Action::Channel {
                request: ChannelRequest::UploadPacket { .. },
                ..
            }]
        ));
    }
}

#[test]
fn serial_uploads_with_local_fs_1_are_812_and_813() {
    for m in Model::ALL {
        let mut r = rig_of(m);
        assert_eq!(r.send("AT+MFTPCFG=1,\"local_fs\",1\r"), "\r\nOK\r\n");
        r.connected(1);
        for (line, code) in [
            ("AT+MFTPSTOR=1,\"f\",1,1,\"x\"\r", 812),
            ("AT+MFTPAPPE=1,\"f\",1,1,\"x\"\r", 813),
            ("AT+MFTPSTOR=1,\"f\",1,10\r", 812),
            ("AT+MFTPAPPE=1,\"f\",1\r", 813),
            ("AT+MFTPSTOR=1,\"f\"\r", 812),
        ] {
            assert_eq!(
                r.send(line),
                format!("\r\n+CME ERROR: {code}\r\n"),
                "{m:?} {line}"
            );
        }
        assert!(r.actions().is_empty());
        assert_eq!(
            r.send("AT+MFTPSTATE=1\r"),
            "\r\n+MFTPSTATE: 1,1\r\n\r\nOK\r\n"
        );
    }
}

#[test]
fn a_length_of_zero_asks_for_the_rest_of_the_file() {
    for m in Model::ALL {
        let mut r = rig_of(m);
        r.connected(0);
        assert_eq!(r.send("AT+MFTPRETR=0,\"1000.txt\",,900,0\r"), "\r\nOK\r\n");
        assert_eq!(
            r.actions(),
            vec![Action::Channel {
                id: ch(0),
                request: ChannelRequest::Retr {
                    file: "1000.txt".into(),
                    local: None,
                    offset: 900,
                    length: None,
                    chunk: 1024,
                }
            }]
        );
    }
}

/// Drives a download into a local file as the channel task reports it.
fn saved(r: &mut Rig, written: u64, done: Option<bool>) -> String {
    r.e.channel_event(ch(0), ChannelEvent::Saved { written, done });
    r.out()
}

#[test]
fn a_local_download_reports_every_1024_byte_block() {
    for m in Model::ALL {
        let mut r = rig_of(m);
        assert_eq!(r.send("AT+MFTPCFG=0,\"local_fs\",1\r"), "\r\nOK\r\n");
        r.connected(0);
        // ONEMO-RELATED.md §D: offset 1100000, length 120000 of a 1206688-byte file.
        assert_eq!(
            r.send("AT+MFTPRETR=0,\"big\",\"/usr/b\",1100000,120000\r"),
            "\r\nOK\r\n"
        );
        r.actions();
        r.e.channel_event(ch(0), ChannelEvent::State(ChannelState::Downloading));
        let first = saved(&mut r, 3000, None);
        assert_eq!(
            first,
            "\r\n+MFTPRETR: 0,0,1024,1024\r\n\r\n+MFTPRETR: 0,0,2048,1024\r\n"
        );
        let mid = saved(&mut r, 106_688, None);
        assert_eq!(mid.matches("+MFTPRETR: 0,0,").count(), 102, "{m:?}");
        assert!(mid.ends_with("\r\n+MFTPRETR: 0,0,106496,1024\r\n"));
        // The command is busy until the last report.
        assert_eq!(
            r.send("AT+MFTPCWD=0,\"x\"\r"),
            "\r\nOK\r\n\r\n+MFTPCWD: 0,4\r\n"
        );
        assert_eq!(
            saved(&mut r, 106_688, Some(true)),
            "\r\n+MFTPRETR: 0,0,106688,192\r\n"
        );
        r.e.channel_event(ch(0), ChannelEvent::State(ChannelState::Connected));
        assert_eq!(r.send("AT+MFTPCWD=0,\"x\"\r"), "\r\nOK\r\n");
    }
}

#[test]
fn failure_reports_keep_the_recorded_shapes() {
    let mut r = rig_of(Model::Ml307r);
    r.connected(0);
    for (urc, line) in [
        (
            Urc::RetrLocalFailed {
                id: ch(0),
                code: ResultCode::FileError,
                sum: 0,
                recv: 0,
            },
            "\r\n+MFTPRETR: 0,18,0,0\r\n",
        ),
        (
            Urc::RetrResult {
                id: ch(0),
                code: ResultCode::ParameterError,
            },
            "\r\n+MFTPRETR: 0,3\r\n",
        ),
        (
            Urc::Upload {
                op: ftpmodem_proto::UploadOp::Appe,
                id: ch(0),
                code: ResultCode::ServerError,
                sent: 0,
            },
            "\r\n+MFTPAPPE: 0,10,0\r\n",
        ),
        (
            Urc::ListResult {
                id: ch(0),
                code: ResultCode::EmptyDirectory,
            },
            "\r\n+MFTPLIST: 0,14\r\n",
        ),
    ] {
        assert_eq!(r.report(0, urc, true), line);
    }
}

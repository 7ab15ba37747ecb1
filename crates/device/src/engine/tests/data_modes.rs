//! The `>` prompt and transparent mode.

use super::*;
use ftpmodem_proto::{ResultCode, SimpleOp, UploadOp};

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
    // A file data mode times out after AT+MFCFG's "timeout" (10 s), successfully (§C.1).
    assert_eq!(r.send("AT+MFPUT=\"/usr/a\",3\r"), "\r\n>");
    assert_eq!(r.wait(9_999), "");
    assert_eq!(r.wait(1), "\r\n+MFPUT: 0\r\n\r\nOK\r\n");
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
fn transparent_mode_escape_is_the_same_when_reads_are_handed_over() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send_vec("AT+MFTPSTOR=0,\"t\"\r"), "\r\nCONNECT\r\n");
    assert_eq!(stream_data(&mut r), b"<BEGIN>");
    assert_eq!(r.send_vec("a+++b"), "");
    r.wait(1500);
    // After silence a read starting with '+' may be an escape: held, not handed over.
    assert_eq!(r.send_vec("+++"), "");
    assert_eq!(stream_data(&mut r), b"a+++b");
    r.wait(200);
    assert_eq!(r.send_vec("c"), "");
    assert_eq!(r.send_vec("+x"), "");
    assert_eq!(stream_data(&mut r), b"+++c+x");
    r.wait(1000);
    assert_eq!(r.send_vec("+"), "");
    assert_eq!(r.send_vec("++"), "");
    assert_eq!(r.wait(999), "");
    assert_eq!(r.wait(1), "\r\nOK\r\n");
    assert_eq!(stream_data(&mut r), b"<END>");
    assert_eq!(r.send_vec("AT\r"), "\r\nOK\r\n");
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

fn stor_failed(sent: u64) -> Urc {
    Urc::Upload {
        op: UploadOp::Stor,
        id: ch(0),
        code: ResultCode::SendError,
        sent,
    }
}

/// Finding 5 of issue 13: after a transparent upload fails, the rest of the firmware's stream
/// is never read as commands; only the guarded escape ends the mode.
#[test]
fn after_a_transparent_upload_fails_its_data_is_dropped_until_the_escape() {
    let mut r = rig();
    r.connected(0);
    r.connected(1);
    assert_eq!(r.send("AT+MFTPSTOR=0,\"t\"\r"), "\r\nCONNECT\r\n");
    assert_eq!(r.send("data"), "");
    assert_eq!(stream_data(&mut r), b"<BEGIN>data");
    // The failure and the disconnect are printed at once, inside transparent mode.
    assert_eq!(
        r.report(0, stor_failed(4), true),
        "\r\n+MFTPSTOR: 0,13,4\r\n"
    );
    let lost = Urc::ConnState {
        id: ch(0),
        state: 0,
    };
    assert_eq!(r.report(0, lost, true), "\r\n+MFTPURC: 0,\"conn\",0\r\n");
    // Another channel's report still waits for the end of the mode.
    let cwd = Urc::Result {
        op: SimpleOp::Cwd,
        id: ch(1),
        code: ResultCode::Success,
    };
    assert_eq!(r.report(1, cwd, true), "");
    // The rest of the stream: commands in it are not run, nothing goes to the channel.
    let hostile = "\rATI\r\rAT+MFPUT=\"/usr/pwned.txt\",5,\"owned\"\r\rAT\r";
    for _ in 0..50 {
        assert_eq!(r.send(hostile), "");
        assert_eq!(r.send_vec(hostile), "");
    }
    // A `+++` without its guard times is dropped data too.
    assert_eq!(r.send("x+++"), "");
    assert_eq!(r.wait(2000), "");
    assert!(r.actions().is_empty());
    // The escape ends the mode with OK; what waited follows.
    assert_eq!(r.send("+++"), "");
    assert_eq!(r.wait(999), "");
    assert_eq!(r.wait(1), "\r\nOK\r\n\r\n+MFTPCWD: 1,0\r\n");
    assert!(r.actions().is_empty(), "no end of a stream already over");
    assert_eq!(
        r.send("AT+MFSIZE=\"/usr/pwned.txt\"\r"),
        "\r\n+CME ERROR: 1050\r\n"
    );
    assert_eq!(
        r.send("AT+MFTPSTATE=0\r"),
        "\r\n+MFTPSTATE: 0,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn a_failure_while_the_escape_is_held_still_ends_with_ok() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPSTOR=0,\"t\"");
    r.send("\r");
    r.actions();
    r.wait(1000);
    assert_eq!(r.send("+++"), "");
    // The report comes during the trailing guard time: at once, then the escape's OK.
    assert_eq!(
        r.report(0, stor_failed(0), true),
        "\r\n+MFTPSTOR: 0,13,0\r\n"
    );
    assert_eq!(r.wait(1000), "\r\nOK\r\n");
    assert!(r.actions().is_empty());
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn a_client_leaving_ends_the_failed_mode() {
    let mut r = rig();
    r.connected(0);
    r.send("AT+MFTPSTOR=0,\"t\"\r");
    r.actions();
    assert_eq!(
        r.report(0, stor_failed(0), true),
        "\r\n+MFTPSTOR: 0,13,0\r\n"
    );
    r.wait(1500);
    assert_eq!(r.send("+"), "");
    r.e.line_detached(r.t);
    assert_eq!(r.out(), "");
    assert!(r.actions().is_empty());
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

//! The AT core: framing, echo, errors, AT+MFTPCFG and model profiles.

use super::*;
use ftpmodem_proto::Model;

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
fn an_over_long_line_of_noise_gets_no_answer() {
    let mut r = rig();
    // 20 MB of random bytes with no `A`/`a` (so no `AT`) and no CR, then a CR.
    let mut x: u32 = 0x9e37_79b9;
    let mut noise = Vec::with_capacity(20 << 20);
    while noise.len() < 20 << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let b = (x >> 24) as u8;
        if !matches!(b, b'A' | b'a' | b'\r') {
            noise.push(b);
        }
    }
    for piece in noise.chunks(64 * 1024) {
        assert_eq!(r.send_bytes(piece), "");
    }
    assert_eq!(r.send("\r"), "");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
    // The same length with an `AT` somewhere is a command cut short: ERROR.
    noise[10 << 20] = b'a';
    noise[(10 << 20) + 1] = b't';
    assert_eq!(r.send_bytes(&noise), "");
    assert_eq!(r.send("\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn a_slash_repeats_the_last_command_line() {
    let mut r = rig_with(Profile::default());
    // Nothing to repeat yet.
    assert_eq!(r.send("A/"), "A/\r\nERROR\r\n");
    assert_eq!(r.send("AT+CMEE?\r"), "AT+CMEE?\r\r\n+CMEE: 1\r\n\r\nOK\r\n");
    // Taken at the `/`, no CR needed; echoed as typed.
    assert_eq!(r.send("A/"), "A/\r\n+CMEE: 1\r\n\r\nOK\r\n");
    assert_eq!(r.send("ATE0\r"), "ATE0\r\r\nOK\r\n");
    assert_eq!(r.send("xxAT+CMEE=2\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+MFTPCFG=6\r"),
        "\r\n+CME ERROR: parameter error\r\n"
    );
    // The last line with an `AT` is repeated, a failed one too; noise lines do not count.
    assert_eq!(r.send("noise\r"), "");
    assert_eq!(r.send("a/"), "\r\n+CME ERROR: parameter error\r\n");
    assert_eq!(r.send("AT+CMEE=1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+MFTPCFG=6\r"), "\r\n+CME ERROR: 50\r\n");
    // Only at the start of a line: inside one, `A/` is text.
    assert_eq!(r.send("xA/\r"), "");
    assert_eq!(r.send("A/"), "\r\n+CME ERROR: 50\r\n");
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
    assert!(out.contains("\"ssl\",(0),(0)\r\n"), "{out}");
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
fn csq_reports_the_profile_signal() {
    let mut r = rig();
    assert_eq!(r.send("AT+CSQ\r"), "\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
    assert_eq!(
        r.send("AT+CSQ=?\r"),
        "\r\n+CSQ: (0-31,99),(0-7,99)\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CSQ=1\r"), "\r\n+CME ERROR: 50\r\n");
    let mut r = rig_with(Profile {
        rssi: 13,
        ..Profile::default()
    });
    r.send("ATE0\r");
    assert_eq!(r.send("AT+CSQ\r"), "\r\n+CSQ: 13,99\r\n\r\nOK\r\n");
}

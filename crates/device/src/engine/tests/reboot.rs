//! `AT+MREBOOT`, power-on and `AT+MLPMCFG` (ONEMO-RELATED.md §A.6).

use super::*;
use ftpmodem_proto::Model;

const REBOOT: &str = "\r\nOK\r\n\r\nREBOOTING\r\n\r\n+MATREADY\r\n";

#[test]
fn mreboot_answers_ok_rebooting_then_matready() {
    let mut r = rig();
    assert_eq!(r.send("AT+MREBOOT\r"), REBOOT);
    assert_eq!(r.actions(), vec![Action::Reboot]);
    // Power-on: echo is back on.
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
    r.send("ATE0\r");
    // The form esp-ml307 sends.
    assert_eq!(r.send("AT+MREBOOT=0\r"), REBOOT);
    assert_eq!(r.actions(), vec![Action::Reboot]);
}

#[test]
fn mreboot_refuses_other_forms_and_keeps_serving() {
    let mut r = rig();
    for bad in [
        "AT+MREBOOT=1\r",
        "AT+MREBOOT=x\r",
        "AT+MREBOOT?\r",
        "AT+MREBOOT=0,0\r",
    ] {
        assert_eq!(r.send(bad), "\r\n+CME ERROR: 50\r\n", "{bad:?}");
    }
    assert_eq!(r.send("AT+MREBOOT=?\r"), "\r\nOK\r\n");
    assert!(r.actions().is_empty());
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn a_reboot_drops_sessions_and_work_not_yet_handed_over() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+MFTPCONN=0,\"h\"\r"), "\r\n+CME ERROR: 802\r\n");
    // A request queued in the same line as the reboot never reaches a channel.
    assert_eq!(r.send("AT+MFTPCONN=1,\"h\";+MREBOOT\r"), REBOOT);
    assert_eq!(r.actions(), vec![Action::Reboot]);
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+MFTPSTATE=0\r"),
        "\r\n+MFTPSTATE: 0,0\r\n\r\nOK\r\n"
    );
    // The channel is free again: a new session may start on it.
    assert_eq!(r.send("AT+MFTPCONN=0,\"h\"\r"), "\r\nOK\r\n");
    assert!(matches!(
        &r.actions()[..],
        [Action::Channel {
            request: ChannelRequest::Connect(_),
            ..
        }]
    ));
}

#[test]
fn a_reboot_restores_power_on_settings() {
    let mut r = rig();
    for set in [
        "AT+CMEE=2\r",
        "AT+MFTPCFG=0,\"rsptimeout\",30\r",
        "AT+CGACT=1,2\r",
        "AT+CFUN=4\r",
        "AT+CEREG=2\r",
        "AT+MSSLCFG=\"version\",0,2\r",
        "ATV1Q0\r",
    ] {
        assert_eq!(r.send(set), "\r\nOK\r\n", "{set:?}");
    }
    let before = [
        "AT+CMEE?\r",
        "AT+MFTPCFG=0,\"rsptimeout\"\r",
        "AT+CFUN?\r",
        "AT+CEREG?\r",
        "AT+MSSLCFG=\"version\",0\r",
        "AT+CGACT?\r",
    ];
    let changed: Vec<String> = before.iter().map(|c| r.send(c)).collect();
    assert_eq!(r.send("AT+MREBOOT\r"), REBOOT);
    r.send("ATE0\r");
    let after: Vec<String> = before.iter().map(|c| r.send(c)).collect();
    let mut fresh = rig();
    let power_on: Vec<String> = before.iter().map(|c| fresh.send(c)).collect();
    assert_eq!(after, power_on);
    for (a, b) in changed.iter().zip(&power_on) {
        assert_ne!(a, b, "the setting was changed before the reboot");
    }
}

#[test]
fn the_rest_of_a_line_after_mreboot_is_not_run() {
    let mut r = rig();
    assert_eq!(r.send("AT+MREBOOT;+CMEE=2\r"), REBOOT);
    r.send("ATE0\r");
    assert_eq!(r.send("AT+CMEE?\r"), "\r\n+CMEE: 1\r\n\r\nOK\r\n");
}

#[test]
fn a_reboot_from_outside_ends_a_data_mode() {
    let mut r = rig();
    assert_eq!(r.send("AT+MFPUT=\"/usr/a.txt\",10\r"), "\r\n>");
    assert_eq!(r.send("abc"), "");
    r.e.reboot(r.t);
    assert_eq!(r.out(), "\r\nREBOOTING\r\n\r\n+MATREADY\r\n");
    assert_eq!(r.e.next_deadline(), None);
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
    // A power cut prints no REBOOTING.
    r.e.power_cycle(r.t);
    assert_eq!(r.out(), "\r\n+MATREADY\r\n");
    // The second restart's action replaces the first's, which nobody had taken yet.
    assert_eq!(r.actions(), vec![Action::Reboot]);
}

#[test]
fn urcs_held_by_a_data_mode_are_lost_with_the_reboot() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+MFPUT=\"/usr/a.txt\",10\r"), "\r\n>");
    let lost = Urc::ConnState {
        id: ch(0),
        state: 0,
    };
    // Held behind the prompt, then gone with the module that would have printed it.
    assert_eq!(r.report(0, lost, true), "");
    r.e.reboot(r.t);
    assert_eq!(r.out(), "\r\nREBOOTING\r\n\r\n+MATREADY\r\n");
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
}

#[test]
fn mlpmcfg_keys_are_stored_read_back_and_checked() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MLPMCFG?\r"),
        "\r\n+MLPMCFG: \"sleepind\",0\r\n\r\n+MLPMCFG: \"sleepmode\",0,0\r\n\
         \r\n+MLPMCFG: \"delaysleep\",0\r\n\r\nOK\r\n"
    );
    for (set, read, want) in [
        ("\"sleepind\",2", "\"sleepind\"", "\"sleepind\",2"),
        ("\"sleepmode\",2,0", "\"sleepmode\"", "\"sleepmode\",2,0"),
        ("\"sleepmode\",1", "\"sleepmode\"", "\"sleepmode\",1,0"),
        ("\"delaysleep\",300", "\"delaysleep\"", "\"delaysleep\",300"),
        ("\"DelaySleep\",5", "\"delaysleep\"", "\"delaysleep\",5"),
    ] {
        assert_eq!(
            r.send(&format!("AT+MLPMCFG={set}\r")),
            "\r\nOK\r\n",
            "{set}"
        );
        assert_eq!(
            r.send(&format!("AT+MLPMCFG={read}\r")),
            format!("\r\n+MLPMCFG: {want}\r\n\r\nOK\r\n")
        );
    }
    for bad in [
        "\"sleepind\",3",
        "\"sleepmode\",3,0",
        "\"sleepmode\",2,2",
        "\"delaysleep\",301",
        "\"psind\",1",
        "\"dtr\",0",
        "sleepind,1",
        "\"sleepind\",-1",
        "",
    ] {
        assert_eq!(
            r.send(&format!("AT+MLPMCFG={bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(
        r.send("AT+MLPMCFG=?\r"),
        "\r\n+MLPMCFG: \"sleepind\",(0-2)\r\n\r\n+MLPMCFG: \"sleepmode\",(0-2),(0,1)\r\n\
         \r\n+MLPMCFG: \"delaysleep\",(0-300)\r\n\r\nOK\r\n"
    );
    // Nothing was changed by the refused ones.
    assert_eq!(
        r.send("AT+MLPMCFG=\"delaysleep\"\r"),
        "\r\n+MLPMCFG: \"delaysleep\",5\r\n\r\nOK\r\n"
    );
}

#[test]
fn the_ml305u_has_only_sleepmode() {
    let mut r = rig_with(Model::Ml305u.profile());
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+MLPMCFG?\r"),
        "\r\n+MLPMCFG: \"sleepmode\",0,0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MLPMCFG=\"sleepmode\",2,1\r"), "\r\nOK\r\n");
    for bad in ["\"sleepind\",1", "\"delaysleep\",10", "\"sleepind\""] {
        assert_eq!(
            r.send(&format!("AT+MLPMCFG={bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(
        r.send("AT+MLPMCFG=?\r"),
        "\r\n+MLPMCFG: \"sleepmode\",(0-2),(0,1)\r\n\r\nOK\r\n"
    );
}

#[test]
fn only_a_permanent_sleepmode_survives_a_reboot() {
    let mut r = rig();
    r.send("AT+MLPMCFG=\"sleepind\",1\r");
    r.send("AT+MLPMCFG=\"delaysleep\",20\r");
    r.send("AT+MLPMCFG=\"sleepmode\",2,1\r");
    r.send("AT+MREBOOT\r");
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+MLPMCFG?\r"),
        "\r\n+MLPMCFG: \"sleepind\",0\r\n\r\n+MLPMCFG: \"sleepmode\",2,1\r\n\
         \r\n+MLPMCFG: \"delaysleep\",0\r\n\r\nOK\r\n"
    );
    r.send("AT+MLPMCFG=\"sleepmode\",1,0\r");
    r.send("AT+MREBOOT\r");
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+MLPMCFG=\"sleepmode\"\r"),
        "\r\n+MLPMCFG: \"sleepmode\",0,0\r\n\r\nOK\r\n"
    );
}

//! Network state: CEREG/CGREG, COPS?, CGATT, CFUN and their effect on PDP contexts and
//! channels (ONEMO-RELATED.md §A.4-A.5).

use super::*;
use ftpmodem_proto::Model;

const LOC: &str = "\"5A1F\",\"0C8E2A01\",7";

#[test]
fn registration_reads_and_urc_modes() {
    let mut r = rig();
    assert_eq!(r.send("AT+CEREG?\r"), "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGREG?\r"), "\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CEREG=2\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+CEREG?\r"),
        format!("\r\n+CEREG: 2,1,{LOC}\r\n\r\nOK\r\n")
    );
    assert_eq!(r.send("AT+CGREG=1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CGREG?\r"), "\r\n+CGREG: 1,1\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CEREG=?\r"), "\r\n+CEREG: (0-5)\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGREG=?\r"), "\r\n+CGREG: (0-3)\r\n\r\nOK\r\n");
    for bad in [
        "AT+CEREG=6",
        "AT+CGREG=4",
        "AT+CEREG=\"1\"",
        "AT+CEREG",
        "AT+CEREG=1,1",
    ] {
        assert_eq!(
            r.send(&format!("{bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(
        r.send("AT+COPS?\r"),
        "\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CGATT?\r"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CFUN?\r"), "\r\n+CFUN: 1\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+COPS=0\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CGATT=2\r"), "\r\n+CME ERROR: 50\r\n");
}

#[test]
fn flight_mode_deregisters_drops_contexts_and_channels_and_comes_back() {
    let mut r = rig();
    r.connected(0);
    assert_eq!(r.send("AT+CEREG=2\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CGREG=1\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+CFUN=4\r"),
        "\r\nOK\r\n\r\n+CEREG: 0\r\n\r\n+CGREG: 0\r\n"
    );
    let a = r.actions();
    assert!(
        matches!(
            a.as_slice(),
            [Action::Channel {
                request: ChannelRequest::PdpDown,
                ..
            }]
        ),
        "{a:?}"
    );
    assert_eq!(r.send("AT+CFUN?\r"), "\r\n+CFUN: 4\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CEREG?\r"), "\r\n+CEREG: 2,0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+COPS?\r"), "\r\n+COPS: 0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGATT?\r"), "\r\n+CGATT: 0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+MIPCALL?\r"), "\r\nOK\r\n");
    // No bearer and no attach without a radio; a channel gets result 20.
    assert_eq!(r.send("AT+CGACT=1,1\r"), "\r\n+CME ERROR: 30\r\n");
    assert_eq!(r.send("AT+MIPCALL=1,1\r"), "\r\n+CME ERROR: 30\r\n");
    assert_eq!(r.send("AT+CGATT=1\r"), "\r\n+CME ERROR: 30\r\n");
    assert_eq!(
        r.send("AT+MFTPCONN=1,\"h\"\r"),
        "\r\nOK\r\n\r\n+MFTPCONN: 1,20\r\n"
    );
    // Same level again: no URC.
    assert_eq!(r.send("AT+CFUN=0\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+CFUN=1\r"),
        format!("\r\nOK\r\n\r\n+CEREG: 1,{LOC}\r\n\r\n+CGREG: 1\r\n")
    );
    assert_eq!(
        r.send("AT+MIPCALL?\r"),
        "\r\n+MIPCALL: 1,1,\"0.0.0.0\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+COPS?\r"),
        "\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n\r\nOK\r\n"
    );
}

#[test]
fn detach_and_attach_follow_the_same_path() {
    let mut r = rig();
    assert_eq!(r.send("AT+CEREG=1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CGATT=0\r"), "\r\nOK\r\n\r\n+CEREG: 0\r\n");
    assert!(!r.send("AT+CGACT?\r").contains("+CGACT: 1,1"));
    assert_eq!(r.send("AT+CGATT=0\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CGATT=1\r"), "\r\nOK\r\n\r\n+CEREG: 1\r\n");
    assert!(r.send("AT+CGACT?\r").contains("+CGACT: 1,1"));
}

#[test]
fn cfun_levels_and_rst_per_model() {
    let mut r = rig_with(Model::Ml305u.profile());
    r.send("ATE0\r");
    assert_eq!(r.send("AT+CFUN=?\r"), "\r\n+CFUN: (0,1,4)\r\n\r\nOK\r\n");
    for bad in [
        "AT+CFUN=3",
        "AT+CFUN=5",
        "AT+CFUN=2",
        "AT+CFUN=1,0",
        "AT+CFUN=x",
    ] {
        assert_eq!(
            r.send(&format!("{bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    let mut r = rig_with(Model::Ml307r.profile());
    r.send("ATE0\r");
    assert_eq!(
        r.send("AT+CFUN=?\r"),
        "\r\n+CFUN: (0,1,3,4,5),(0,1)\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CFUN=1,0\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CFUN=1,1\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CFUN=2\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CFUN=3\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CEREG?\r"), "\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn cgpaddr_lists_defined_contexts_and_follows_flight_mode() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+CGPADDR\r"),
        "\r\n+CGPADDR: 1,\"0.0.0.0\"\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CGDCONT=3,\"IP\",\"x\"\r"), "\r\nOK\r\n");
    assert_eq!(
        r.send("AT+CGPADDR\r"),
        "\r\n+CGPADDR: 1,\"0.0.0.0\"\r\n\r\n+CGPADDR: 3\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+CGPADDR=3,1\r"),
        "\r\n+CGPADDR: 3\r\n\r\n+CGPADDR: 1,\"0.0.0.0\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+CGPADDR=?\r"),
        "\r\n+CGPADDR: (1-15)\r\n\r\nOK\r\n"
    );
    for bad in [
        "AT+CGPADDR=0",
        "AT+CGPADDR=16",
        "AT+CGPADDR=1,",
        "AT+CGPADDR?",
    ] {
        assert_eq!(
            r.send(&format!("{bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(r.send("AT+CFUN=4\r"), "\r\nOK\r\n");
    assert_eq!(r.send("AT+CGPADDR=1\r"), "\r\n+CGPADDR: 1\r\n\r\nOK\r\n");
    let mut r = rig_with(Model::Ml305u.profile());
    r.send("ATE0\r");
    assert_eq!(r.send("AT+CGPADDR=8\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(
        r.send("AT+CGPADDR=?\r"),
        "\r\n+CGPADDR: (1-7)\r\n\r\nOK\r\n"
    );
}

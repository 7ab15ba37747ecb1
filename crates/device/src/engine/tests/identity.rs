//! Identity commands (ONEMO-RELATED.md §A.2, §A.5) and their configuration overrides.

use super::*;
use crate::engine::config::luhn_valid;
use crate::engine::{IdentityError, IdentityOverrides};
use ftpmodem_proto::Model;

fn ml307r() -> Rig {
    let mut r = rig_with(Model::Ml307r.profile());
    r.send("ATE0\r");
    r
}

/// The body of a one-line answer `\r\n<line>\r\n\r\nOK\r\n`.
fn line_of(answer: &str) -> &str {
    answer
        .strip_prefix("\r\n")
        .and_then(|a| a.strip_suffix("\r\n\r\nOK\r\n"))
        .unwrap_or_else(|| panic!("not one line and OK: {answer:?}"))
}

#[test]
fn imei_is_valid_stable_and_printed_in_every_form() {
    let mut r = ml307r();
    let imei = line_of(&r.send("AT+CGSN\r")).to_string();
    assert_eq!(imei.len(), 15);
    assert!(luhn_valid(&imei), "{imei}");
    assert!(imei.starts_with("86412317"), "{imei}");
    assert_eq!(line_of(&r.send("AT+GSN\r")), imei);
    assert_eq!(line_of(&r.send("AT+CGSN=0\r")), imei);
    assert_eq!(line_of(&r.send("AT+CGSN=1\r")), format!("+CGSN: {imei}"));
    assert_eq!(
        line_of(&r.send("AT+CGSN=2\r")),
        format!("+CGSN: {}01", &imei[..14])
    );
    assert_eq!(line_of(&r.send("AT+CGSN=3\r")), "+CGSN: 01");
    assert_eq!(r.send("AT+CGSN=?\r"), "\r\n+CGSN: (0-3)\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CGSN=4\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CGSN=x\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+GSN=1\r"), "\r\n+CME ERROR: 50\r\n");
    // A second module of the same model prints the same IMEI; another model another one.
    let mut again = ml307r();
    assert_eq!(line_of(&again.send("AT+CGSN\r")), imei);
    let mut other = rig_with(Model::Ml305u.profile());
    other.send("ATE0\r");
    let imei2 = line_of(&other.send("AT+CGSN\r")).to_string();
    assert_ne!(imei2, imei);
    assert!(luhn_valid(&imei2));
}

#[test]
fn imsi_iccid_and_sim_state() {
    let mut r = ml307r();
    let imsi = line_of(&r.send("AT+CIMI\r")).to_string();
    assert_eq!(imsi, "460081234567890");
    let mccid = line_of(&r.send("AT+MCCID\r")).to_string();
    let iccid = mccid.strip_prefix("+MCCID: ").unwrap();
    assert_eq!(iccid.len(), 20);
    assert!(luhn_valid(iccid), "{iccid}");
    assert_eq!(line_of(&r.send("AT+ICCID\r")), format!("+ICCID: {iccid}"));
    assert_eq!(r.send("AT+CPIN?\r"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CPIN=\"1234\"\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CIMI?\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+MCCID=1\r"), "\r\n+CME ERROR: 50\r\n");
    // Still serving.
    assert_eq!(r.send("AT\r"), "\r\nOK\r\n");
}

#[test]
fn revisions_follow_the_hardware_pattern_per_model() {
    for m in Model::ALL.into_iter().filter(|m| *m != Model::Generic) {
        let mut r = rig_with(m.profile());
        r.send("ATE0\r");
        let name = m.profile().name;
        let rev = line_of(&r.send("AT+CGMR\r")).to_string();
        assert!(rev.starts_with(&format!("{name}-")), "{rev}");
        assert_eq!(
            r.send("ATI\r"),
            format!("\r\nCMCC\r\n{name}\r\n{rev}\r\n\r\nOK\r\n")
        );
    }
}

#[test]
fn overrides_replace_the_profile_values() {
    let identity = IdentityOverrides {
        manufacturer: Some("ACME".into()),
        revision: Some("ML307R-DC-MBRH9S99".into()),
        imei: Some("490154203237518".into()),
        imsi: Some("001010123456789".into()),
        iccid: Some("8901260123456789012".into()),
        operator: Some("ACME NET".into()),
        rssi: Some(13),
        ber: Some(0),
        rsrq: Some(10),
        rsrp: Some(30),
        address: Some("10.64.1.7".parse().unwrap()),
    };
    assert_eq!(identity.check(), Ok(()));
    let mut r = rig_config(EngineConfig {
        profile: Model::Ml307r.profile(),
        identity,
        ..EngineConfig::default()
    });
    r.send("ATE0\r");
    assert_eq!(
        r.send("ATI\r"),
        "\r\nACME\r\nML307R\r\nML307R-DC-MBRH9S99\r\n\r\nOK\r\n"
    );
    assert_eq!(line_of(&r.send("AT+CGSN=1\r")), "+CGSN: 490154203237518");
    assert_eq!(line_of(&r.send("AT+CIMI\r")), "001010123456789");
    assert_eq!(
        line_of(&r.send("AT+ICCID\r")),
        "+ICCID: 8901260123456789012"
    );
    assert_eq!(line_of(&r.send("AT+CSQ\r")), "+CSQ: 13,0");
    assert_eq!(line_of(&r.send("AT+COPS?\r")), "+COPS: 0,0,\"ACME NET\",7");
    assert_eq!(
        line_of(&r.send("AT+CESQ\r")),
        "+CESQ: 99,99,255,255,10,30,255,255,255"
    );
    assert_eq!(
        r.send("AT+MIPCALL?\r"),
        "\r\n+MIPCALL: 1,1,\"10.64.1.7\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        line_of(&r.send("AT+CGPADDR=1\r")),
        "+CGPADDR: 1,\"10.64.1.7\""
    );
}

#[test]
fn overrides_the_hardware_could_not_print_are_refused() {
    let bad = |o: IdentityOverrides| o.check().unwrap_err();
    let base = IdentityOverrides::default;
    assert!(matches!(
        bad(IdentityOverrides {
            imei: Some("490154203237519".into()),
            ..base()
        }),
        IdentityError::Imei(_)
    ));
    assert!(matches!(
        bad(IdentityOverrides {
            imei: Some("49015420323751".into()),
            ..base()
        }),
        IdentityError::Imei(_)
    ));
    assert!(matches!(
        bad(IdentityOverrides {
            imsi: Some("46008x".into()),
            ..base()
        }),
        IdentityError::Imsi(_)
    ));
    assert!(matches!(
        bad(IdentityOverrides {
            iccid: Some("898600".into()),
            ..base()
        }),
        IdentityError::Iccid(_)
    ));
    assert!(matches!(
        bad(IdentityOverrides {
            revision: Some("a,b".into()),
            ..base()
        }),
        IdentityError::Text("revision", _)
    ));
    assert!(matches!(
        bad(IdentityOverrides {
            manufacturer: Some("x\r\nOK".into()),
            ..base()
        }),
        IdentityError::Text("manufacturer", _)
    ));
    assert_eq!(
        bad(IdentityOverrides {
            rssi: Some(32),
            ..base()
        }),
        IdentityError::Rssi(32)
    );
    assert_eq!(
        bad(IdentityOverrides {
            ber: Some(8),
            ..base()
        }),
        IdentityError::Ber(8)
    );
    assert_eq!(
        bad(IdentityOverrides {
            rsrq: Some(35),
            ..base()
        }),
        IdentityError::Rsrq(35)
    );
    assert_eq!(
        bad(IdentityOverrides {
            rsrp: Some(98),
            ..base()
        }),
        IdentityError::Rsrp(98)
    );
    assert_eq!(base().check(), Ok(()));
}

#[test]
fn cesq_reports_lte_values_only() {
    let mut r = ml307r();
    assert_eq!(
        r.send("AT+CESQ\r"),
        "\r\n+CESQ: 99,99,255,255,20,50,255,255,255\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+CESQ=?\r"),
        "\r\n+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255),\
         (0-127,255),(0-127,255),(0-127,255)\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CESQ=1\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(r.send("AT+CESQ?\r"), "\r\n+CME ERROR: 50\r\n");
}

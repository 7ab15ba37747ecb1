//! `AT+CCLK` (27.007 §8.15; ONEMO-RELATED.md §A.5): the clock runs from the configured start,
//! the set form moves it, and what a model refuses is `+CME ERROR: 50`.

use super::*;
use crate::engine::ClockConfig;
use ftpmodem_proto::Model;

/// 2026-12-02 03:50:09 UTC.
const START: i64 = 1_796_183_409;

fn rig_at(model: Model, start: Option<i64>, zone: i8) -> Rig {
    let mut r = rig_config(EngineConfig {
        profile: model.profile(),
        clock: ClockConfig {
            utc_at_start: start,
            zone,
        },
        ..EngineConfig::default()
    });
    r.send("ATE0\r");
    r
}

fn cclk(r: &mut Rig) -> String {
    r.send("AT+CCLK?\r")
}

#[test]
fn reads_the_configured_time_in_its_zone_and_runs_with_the_instants() {
    let mut r = rig_at(Model::Ml307r, Some(START), 32);
    assert_eq!(
        cclk(&mut r),
        "\r\n+CCLK: \"26/12/02,11:50:09+32\"\r\n\r\nOK\r\n"
    );
    r.t += Duration::from_secs(3600 * 13);
    assert_eq!(
        cclk(&mut r),
        "\r\n+CCLK: \"26/12/03,00:50:09+32\"\r\n\r\nOK\r\n"
    );
    let mut west = rig_at(Model::Ml307r, Some(START), -22);
    assert_eq!(
        cclk(&mut west),
        "\r\n+CCLK: \"26/12/01,22:20:09-22\"\r\n\r\nOK\r\n"
    );
    // Without a start time the clock counts from the epoch.
    let mut unset = rig_at(Model::Ml307r, None, 0);
    assert_eq!(
        cclk(&mut unset),
        "\r\n+CCLK: \"70/01/01,00:00:00+00\"\r\n\r\nOK\r\n"
    );
    assert_eq!(unset.send("AT+CCLK=?\r"), "\r\nOK\r\n");
}

#[test]
fn the_set_form_moves_the_clock_and_its_zone() {
    let mut r = rig_at(Model::Ml307r, Some(START), 32);
    assert_eq!(r.send("AT+CCLK=\"37/12/31,23:59:50-08\"\r"), "\r\nOK\r\n");
    r.t += Duration::from_secs(15);
    assert_eq!(
        cclk(&mut r),
        "\r\n+CCLK: \"38/01/01,00:00:05-08\"\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+CCLK=\"70/01/01,08:00:00+32\"\r"), "\r\nOK\r\n");
    assert_eq!(
        cclk(&mut r),
        "\r\n+CCLK: \"70/01/01,08:00:00+32\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn years_and_zones_the_model_refuses_are_cme_50_and_change_nothing() {
    let mut r = rig_at(Model::Ml307r, Some(START), 32);
    let before = cclk(&mut r);
    for bad in [
        "AT+CCLK=\"38/01/01,00:00:00+00\"",
        "AT+CCLK=\"69/12/31,23:59:59+00\"",
        "AT+CCLK=\"26/12/02,03:50:09+01\"",
        "AT+CCLK=\"26/12/02,03:50:09-01\"",
        "AT+CCLK=\"26/12/02,03:50:09+97\"",
        "AT+CCLK=\"26/02/29,03:50:09+00\"",
        "AT+CCLK=\"26/12/02,03:50:09\"",
        "AT+CCLK=26/12/02",
        "AT+CCLK=",
        "AT+CCLK",
    ] {
        assert_eq!(
            r.send(&format!("{bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(cclk(&mut r), before);
    // The ML305U and the generic profile take the whole two-digit range and zone ±01.
    for model in [Model::Ml305u, Model::Generic] {
        let mut r = rig_at(model, Some(START), 32);
        assert_eq!(r.send("AT+CCLK=\"50/06/01,12:00:00+01\"\r"), "\r\nOK\r\n");
        assert_eq!(
            cclk(&mut r),
            "\r\n+CCLK: \"50/06/01,12:00:00+01\"\r\n\r\nOK\r\n"
        );
    }
}

#[test]
fn a_restart_brings_back_the_host_clock_and_zone() {
    let mut r = rig_at(Model::Ml307r, Some(START), 32);
    assert_eq!(r.send("AT+CCLK=\"30/01/01,00:00:00-08\"\r"), "\r\nOK\r\n");
    r.t += Duration::from_secs(60);
    r.e.reboot(r.t);
    r.out();
    r.send("ATE0\r");
    assert_eq!(
        cclk(&mut r),
        "\r\n+CCLK: \"26/12/02,11:51:09+32\"\r\n\r\nOK\r\n"
    );
}

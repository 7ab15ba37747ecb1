//! Test vectors of the V.25ter basics, `AT+MREBOOT`, `AT+IPR` and `AT+MLPMCFG`: each line
//! parses to its value and the value writes back the same bytes (docs/PROTOCOL.md "V.25ter
//! basics, reboot, baud rate").

use ftpmodem_proto::command::{LpmCfg, LpmKey, LpmValue};
use ftpmodem_proto::frame::decode::{Decoder, Event, Final, Limits};
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::{Command, Name, Response, Urc};

fn commands() -> Vec<(&'static str, Command)> {
    vec![
        ("ATV0", Command::Verbose(false)),
        ("ATV1", Command::Verbose(true)),
        ("ATQ0", Command::Quiet(false)),
        ("ATQ1", Command::Quiet(true)),
        ("ATZ", Command::ResetProfile),
        ("AT&W", Command::SaveProfile),
        ("AT&F", Command::FactoryDefaults),
        ("ATS3?", Command::SRegRead(3)),
        ("ATS4=10", Command::SRegSet(4, 10)),
        ("ATS5=8", Command::SRegSet(5, 8)),
        ("AT+MREBOOT", Command::Reboot(None)),
        ("AT+MREBOOT=0", Command::Reboot(Some(0))),
        ("AT+IPR=921600", Command::Ipr(921_600)),
        ("AT+IPR?", Command::Read(Name::Ipr)),
        ("AT+IPR=?", Command::Test(Name::Ipr)),
        ("AT+MLPMCFG?", Command::Read(Name::Mlpmcfg)),
        ("AT+MLPMCFG=?", Command::Test(Name::Mlpmcfg)),
        (
            "AT+MLPMCFG=\"sleepmode\",2,0",
            Command::Mlpmcfg(LpmCfg::Set(LpmValue::SleepMode {
                mode: 2,
                permanent: false,
            })),
        ),
        (
            "AT+MLPMCFG=\"delaysleep\",30",
            Command::Mlpmcfg(LpmCfg::Set(LpmValue::DelaySleep(30))),
        ),
        (
            "AT+MLPMCFG=\"sleepind\"",
            Command::Mlpmcfg(LpmCfg::Read(LpmKey::SleepInd)),
        ),
    ]
}

fn responses() -> Vec<(&'static str, Response)> {
    vec![
        ("+IPR: 115200", Response::Ipr(115_200)),
        (
            "+MLPMCFG: \"sleepmode\",2,1",
            Response::Mlpmcfg(LpmValue::SleepMode {
                mode: 2,
                permanent: true,
            }),
        ),
        (
            "+MLPMCFG: \"sleepind\",0",
            Response::Mlpmcfg(LpmValue::SleepInd(0)),
        ),
        (
            "+MLPMCFG: \"delaysleep\",300",
            Response::Mlpmcfg(LpmValue::DelaySleep(300)),
        ),
    ]
}

#[test]
fn commands_both_ways() {
    for (line, cmd) in commands() {
        assert_eq!(Command::parse(line.as_bytes()), Ok(cmd.clone()), "{line}");
        assert_eq!(cmd.to_bytes(), line.as_bytes(), "{cmd:?}");
    }
}

#[test]
fn responses_both_ways() {
    for (line, r) in responses() {
        assert_eq!(Response::parse(line.as_bytes()), Ok(r.clone()), "{line}");
        assert_eq!(r.to_bytes(), line.as_bytes(), "{r:?}");
    }
    // An S-parameter reads back as three digits (V.250 §5.3.2); hosts see a bare line.
    assert_eq!(Response::SReg(13).to_bytes(), b"013");
    assert_eq!(Response::SReg(0).to_bytes(), b"000");
    assert_eq!(Response::SReg(127).to_bytes(), b"127");
}

#[test]
fn reboot_lines_both_ways() {
    assert_eq!(Urc::parse(b"REBOOTING"), Ok(Urc::Rebooting));
    assert_eq!(Urc::Rebooting.to_bytes(), b"REBOOTING");
    assert_eq!(Urc::parse(b"+MATREADY"), Ok(Urc::Ready));
}

#[test]
fn a_reboot_decodes_as_the_hardware_prints_it() {
    // ONEMO-RELATED.md §A.6: `OK`, `REBOOTING`, then `+MATREADY` after the restart.
    let mut wire = Vec::new();
    encode::response(&mut wire, &Response::Ok);
    encode::urc(&mut wire, &Urc::Rebooting);
    encode::urc(&mut wire, &Urc::Ready);
    assert_eq!(wire, b"\r\nOK\r\n\r\nREBOOTING\r\n\r\n+MATREADY\r\n");
    let mut d = Decoder::new(Limits::default());
    d.feed(&wire);
    let events: Vec<Event> = std::iter::from_fn(|| d.next_event()).collect();
    assert_eq!(
        events,
        vec![
            Event::Final(Final::Ok),
            Event::Urc(Urc::Rebooting),
            Event::Urc(Urc::Ready),
        ]
    );
}

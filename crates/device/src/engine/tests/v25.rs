//! V.25ter basics: several commands on a line, `ATV`, `ATQ`, S3/S4/S5, `AT&W`/`ATZ`/`AT&F`,
//! `AT+IPR` (docs/PROTOCOL.md "Reboot, V.25ter basics, baud rate").

use super::*;
use crate::fs::NV_DIR;

/// A rig whose file system outlives it, to start the module again on the same storage.
fn rig_in(dir: &TempDir, cfg: EngineConfig) -> (Engine, Instant) {
    let fs = Sandbox::open(dir.path().join("fs"), 4096).unwrap();
    let t = Instant::now();
    (Engine::new(cfg, fs, t), t)
}

fn send(e: &mut Engine, t: Instant, s: &str) -> String {
    e.input(s.as_bytes(), t);
    String::from_utf8_lossy(&e.take_output()).into_owned()
}

#[test]
fn several_commands_on_a_line_have_one_final_result() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+CMEE=1;+CEREG?\r"),
        "\r\n+CEREG: 0,1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+CSQ;+CSQ\r"),
        "\r\n+CSQ: 24,99\r\n\r\n+CSQ: 24,99\r\n\r\nOK\r\n"
    );
    // The line that turns echo on was not echoed: its bytes came before it ran.
    assert_eq!(r.send("ATE1V1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("ATE0 V1 Q0;\r"), "ATE0 V1 Q0;\r\r\nOK\r\n");
    assert_eq!(r.send("AT;;\r"), "\r\nOK\r\n");
    // An error ends the line: what came before it is done, what follows is not run.
    assert_eq!(
        r.send("AT+CMEE=2;+CMEE=7;+CMEE=0\r"),
        "\r\n+CME ERROR: parameter error\r\n"
    );
    assert_eq!(r.send("AT+CMEE?\r"), "\r\n+CMEE: 2\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+CMEE=1;+NOPE;+CMEE=0\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT+CMEE?\r"), "\r\n+CMEE: 1\r\n\r\nOK\r\n");
    assert_eq!(r.send("ATE1X\r"), "\r\nERROR\r\n");
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
    r.send("ATE0\r");
    // A `;` in a quoted string is not a separator.
    assert_eq!(
        r.send("AT+MFPUT=\"/usr/a\",3,\"x;y\";+MFSIZE=\"/usr/a\"\r"),
        "\r\n+MFPUT: 3\r\n\r\n+MFSIZE: 3\r\n\r\nOK\r\n"
    );
    // A command that opens a data mode ends the line.
    assert_eq!(r.send("AT+MFPUT=\"/usr/c\",2;+CSQ\r"), "\r\n>");
    assert_eq!(r.send("hi"), "\r\n+MFPUT: 2\r\n\r\nOK\r\n");
    // `A/` repeats the whole line.
    assert_eq!(
        r.send("AT+CSQ;+CMEE?\r"),
        "\r\n+CSQ: 24,99\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("A/"),
        "\r\n+CSQ: 24,99\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"
    );
}

#[test]
fn numeric_result_codes() {
    let mut r = rig();
    assert_eq!(r.send("ATV0\r"), "0\r");
    assert_eq!(r.send("AT\r"), "0\r");
    assert_eq!(r.send("ATX\r"), "4\r");
    assert_eq!(r.send("AT+CMEE=9\r"), "+CME ERROR: 50\r");
    assert_eq!(r.send("AT+CSQ\r"), "+CSQ: 24,99\r\n0\r");
    assert_eq!(r.send("ATS3?\r"), "013\r\n0\r");
    // The `>` prompt, the `OK` after it and the reports.
    assert_eq!(r.send("AT+MFPUT=\"/usr/a\",2\r"), ">");
    assert_eq!(r.send("ab"), "+MFPUT: 2\r\n0\r");
    r.connected_v0(0);
    assert_eq!(r.send("AT+MFTPSTOR=0,\"t\"\r"), "1\r");
    r.actions();
    r.wait(1100);
    r.send("+++");
    assert_eq!(r.wait(1100), "0\r");
    assert_eq!(r.send("ATV1\r"), "\r\nOK\r\n");
    assert_eq!(r.send("ATV\r"), "0\r");
    assert_eq!(r.send("ATV2\r"), "+CME ERROR: 50\r");
    assert_eq!(r.send("ATV1\r"), "\r\nOK\r\n");
}

#[test]
fn quiet_suppresses_result_codes_only() {
    let mut r = rig();
    assert_eq!(r.send("ATQ1\r"), "");
    assert_eq!(r.send("AT\r"), "");
    assert_eq!(r.send("ATX\r"), "");
    assert_eq!(r.send("AT+CMEE=9\r"), "");
    assert_eq!(r.send("AT+CMEE?\r"), "\r\n+CMEE: 1\r\n");
    assert_eq!(r.send("AT+MFPUT=\"/usr/a\",2\r"), "\r\n>");
    assert_eq!(r.send("ab"), "\r\n+MFPUT: 2\r\n");
    // Reports are not result codes of a command.
    r.e.reboot(r.t);
    assert_eq!(r.out(), "\r\nREBOOTING\r\n\r\n+MATREADY\r\n");
    r.send("ATE0Q1\r");
    assert_eq!(r.send("ATQ0\r"), "\r\nOK\r\n");
    assert_eq!(r.send("ATQ2\r"), "\r\n+CME ERROR: 50\r\n");
}

#[test]
fn s3_s4_s5_change_what_the_module_reads_and_writes() {
    let mut r = rig();
    assert_eq!(r.send("ATS3?\r"), "\r\n013\r\n\r\nOK\r\n");
    assert_eq!(r.send("ATS4?\r"), "\r\n010\r\n\r\nOK\r\n");
    assert_eq!(r.send("ATS5?\r"), "\r\n008\r\n\r\nOK\r\n");
    // The result of the line that sets S4 already uses it (V.250 §6.2.2).
    assert_eq!(r.send("ATS4=36\r"), "\r$OK\r$");
    assert_eq!(r.send("ATS3=35\r"), "#$OK#$");
    // CR is now an ignored control character; `#` ends the line.
    assert_eq!(r.send("AT\r"), "");
    assert_eq!(r.send("#"), "#$OK#$");
    assert_eq!(r.send("ATS5=33#"), "#$OK#$");
    assert_eq!(r.send("AT+CMEX!E?#"), "#$+CMEE: 1#$#$OK#$");
    assert_eq!(r.send("A/"), "#$+CMEE: 1#$#$OK#$");
    assert_eq!(r.send("ATS3?S4?S5?#"), "#$035#$#$036#$#$033#$#$OK#$");
    assert_eq!(r.send("ATS3=128#"), "#$+CME ERROR: 50#$");
    assert_eq!(r.send("ATS7?#"), "#$ERROR#$");
    assert_eq!(r.send("ATS0=1#"), "#$ERROR#$");
    assert_eq!(r.send("ATS3=?#"), "#$+CME ERROR: 50#$");
    // Echo shows the bytes as they came, the new terminator included.
    assert_eq!(r.send("ATE1#"), "#$OK#$");
    assert_eq!(r.send("ATS3=13S4=10S5=8#"), "ATS3=13S4=10S5=8#\r\nOK\r\n");
    assert_eq!(r.send("AT\r"), "AT\r\r\nOK\r\n");
    assert_eq!(r.send("ATX\x08\r"), "ATX\x08\r\r\nOK\r\n");
}

#[test]
fn save_reset_and_factory_profiles() {
    let dir = TempDir::new().unwrap();
    let (mut e, t) = rig_in(&dir, EngineConfig::default());
    assert_eq!(send(&mut e, t, ""), "\r\n+MATREADY\r\n");
    assert_eq!(send(&mut e, t, "ATE0\r"), "ATE0\r\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "AT+CMEE=2;&W\r"), "\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "AT+CMEE=0;E1\r"), "\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "ATZ\r"), "ATZ\r\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "AT+CMEE?\r"), "\r\n+CMEE: 2\r\n\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "AT&F\r"), "\r\nOK\r\n");
    assert_eq!(
        send(&mut e, t, "AT+CMEE?\r"),
        "AT+CMEE?\r\r\n+CMEE: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(send(&mut e, t, "ATZ\r"), "ATZ\r\r\nOK\r\n");
    assert_eq!(send(&mut e, t, "AT+CMEE?\r"), "\r\n+CMEE: 2\r\n\r\nOK\r\n");
    assert_eq!(
        send(&mut e, t, "ATZ1\r"),
        "\r\n+CME ERROR: parameter error\r\n"
    );
    // A restart loads it.
    e.power_cycle(t);
    assert_eq!(
        send(&mut e, t, "AT+CMEE?\r"),
        "\r\n+MATREADY\r\n\r\n+CMEE: 2\r\n\r\nOK\r\n"
    );
    // So does a new process on the same storage, framing included.
    assert_eq!(send(&mut e, t, "ATV0&W\r"), "0\r");
    drop(e);
    let (mut e, t) = rig_in(&dir, EngineConfig::default());
    assert_eq!(send(&mut e, t, "AT\r"), "+MATREADY\r\n0\r");
    // The file commands cannot see or touch the record.
    let listed = send(&mut e, t, "AT+MFLIST\r");
    assert!(!listed.contains(NV_DIR), "{listed}");
    for cmd in [
        format!("AT+MFDELETE=\"/{NV_DIR}/profile\"\r"),
        format!("AT+MFPUT=\"/{NV_DIR}/profile\",1,\"x\"\r"),
        format!("AT+MFMOVE=\"/{NV_DIR}\",\"/usr/x\"\r"),
        format!("AT+MFGET=\"/{NV_DIR}/profile\"\r"),
    ] {
        assert!(send(&mut e, t, &cmd).starts_with("+CME ERROR: "), "{cmd}");
    }
    // Wiping the file system (`AT+MFDELETE` without a name) leaves it too.
    assert_eq!(send(&mut e, t, "AT+MFDELETE\r"), "0\r");
    e.power_cycle(t);
    assert_eq!(send(&mut e, t, "AT\r"), "+MATREADY\r\n0\r");
}

#[test]
fn a_damaged_record_means_factory_values_and_a_failed_save_an_error() {
    let dir = TempDir::new().unwrap();
    let nv = dir.path().join("fs").join(NV_DIR);
    std::fs::create_dir_all(&nv).unwrap();
    for bad in [
        "E=1\n",
        "E=2\nV=1\nQ=0\nS3=13\nS4=10\nS5=8\nCMEE=1\nIPR=9600\n",
        "\u{0}\u{ff}",
    ] {
        std::fs::write(nv.join("profile"), bad).unwrap();
        let (mut e, t) = rig_in(&dir, EngineConfig::default());
        assert_eq!(
            send(&mut e, t, "AT\r"),
            "\r\n+MATREADY\r\nAT\r\r\nOK\r\n",
            "{bad:?}"
        );
    }
    let (mut e, t) = rig_in(&dir, EngineConfig::default());
    send(&mut e, t, "ATE0\r");
    // The storage is gone from under the module: AT&W fails, the saved profile is unchanged.
    std::fs::remove_dir_all(&nv).unwrap();
    std::fs::write(&nv, b"not a directory").unwrap();
    assert_eq!(
        send(&mut e, t, "AT+CMEE=2;+CMEE=1;&W\r"),
        "\r\n+CME ERROR: 1050\r\n"
    );
    assert_eq!(send(&mut e, t, "AT+CMEE=2\r"), "\r\nOK\r\n");
    // ATZ loads the factory profile: echo on from the next line, numeric errors.
    assert_eq!(send(&mut e, t, "ATZ\r"), "\r\nOK\r\n");
    assert_eq!(
        send(&mut e, t, "AT+CMEE?\r"),
        "AT+CMEE?\r\r\n+CMEE: 1\r\n\r\nOK\r\n"
    );
}

#[test]
fn ipr_sets_reports_and_marks_the_rate_change_after_the_answer() {
    let mut r = rig();
    assert_eq!(r.e.line_rate(), 115_200);
    assert_eq!(r.send("AT+IPR?\r"), "\r\n+IPR: 115200\r\n\r\nOK\r\n");
    assert_eq!(
        r.send("AT+IPR=?\r"),
        "\r\n+IPR: (),(9600,19200,38400,57600,115200,230400,460800,921600)\r\n\r\nOK\r\n"
    );
    r.e.input(b"AT+IPR=921600\r", r.t);
    let b = r.e.take_batch();
    assert_eq!(b.bytes, b"\r\nOK\r\n");
    assert_eq!(b.rate_after, Some(921_600));
    assert!(!r.e.has_output());
    assert_eq!(r.e.line_rate(), 921_600);
    assert_eq!(r.send("AT+IPR?\r"), "\r\n+IPR: 921600\r\n\r\nOK\r\n");
    for bad in [
        "AT+IPR=0",
        "AT+IPR=300",
        "AT+IPR=115201",
        "AT+IPR=-1",
        "AT+IPR",
        "AT+IPR=a",
        "AT+IPR=9600,1",
    ] {
        assert_eq!(
            r.send(&format!("{bad}\r")),
            "\r\n+CME ERROR: 50\r\n",
            "{bad}"
        );
    }
    assert_eq!(r.e.line_rate(), 921_600);
    // In a line, the change waits for the line's final result.
    r.e.input(b"AT+IPR=9600;+IPR?\r", r.t);
    let b = r.e.take_batch();
    assert_eq!(b.bytes, b"\r\n+IPR: 9600\r\n\r\nOK\r\n");
    assert_eq!(b.rate_after, Some(9600));
    // Setting the rate in force marks nothing.
    r.e.input(b"AT+IPR=9600\r", r.t);
    assert_eq!(r.e.take_batch().rate_after, None);
    // ATZ and AT&F leave the rate alone.
    r.e.input(b"ATZ;&F\r", r.t);
    assert_eq!(r.e.take_batch().rate_after, None);
    assert_eq!(r.e.line_rate(), 9600);
}

#[test]
fn a_restart_returns_to_the_saved_rate_before_matready() {
    let dir = TempDir::new().unwrap();
    let cfg = EngineConfig {
        line_rate: 57_600,
        ..EngineConfig::default()
    };
    let (mut e, t) = rig_in(&dir, cfg.clone());
    assert_eq!(e.line_rate(), 57_600);
    send(&mut e, t, "ATE0\r");
    assert_eq!(
        send(&mut e, t, "AT+IPR?\r"),
        "\r\n+IPR: 57600\r\n\r\nOK\r\n"
    );
    e.input(b"AT+IPR=460800;&W;+IPR=921600\r", t);
    assert_eq!(e.take_batch().rate_after, Some(921_600));
    e.input(b"AT+MREBOOT\r", t);
    let b = e.take_batch();
    assert_eq!(b.bytes, b"\r\nOK\r\n\r\nREBOOTING\r\n");
    assert_eq!(b.rate_after, Some(460_800));
    let b = e.take_batch();
    assert_eq!(b.bytes, b"\r\n+MATREADY\r\n");
    assert_eq!(b.rate_after, None);
    // A rate set on the reboot's line holds for its `OK` and `REBOOTING`, then the saved one.
    e.input(b"ATE0;+IPR=9600;+MREBOOT\r", t);
    let batches: Vec<(Vec<u8>, Option<u32>)> = std::iter::from_fn(|| {
        e.has_output().then(|| {
            let b = e.take_batch();
            (b.bytes, b.rate_after)
        })
    })
    .collect();
    assert_eq!(
        batches,
        vec![
            (b"\r\nOK\r\n".to_vec(), Some(9600)),
            (b"\r\nREBOOTING\r\n".to_vec(), Some(460_800)),
            (b"\r\n+MATREADY\r\n".to_vec(), None),
        ]
    );
    drop(e);
    // A new process starts at the saved rate, whatever the factory rate.
    let (e, _) = rig_in(&dir, cfg);
    assert_eq!(e.line_rate(), 460_800);
}

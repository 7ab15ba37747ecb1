//! The control socket and `ftpmodem ctl` as a user runs them (docs/CONTROL.md): faults armed
//! from the shell show on the firmware's line, the transcript records it with the password
//! redacted, the socket keeps others out and bad requests in check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::control_common::*;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::Duration;

#[test]
fn ctl_arms_a_fault_the_line_shows_it_and_the_transcript_records_it_redacted() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let (_d, dir) = tmp();
    let sock = dir.join("ml.ctl");
    let log = dir.join("t.log");
    let mut m = serve(
        &dir,
        &[
            "--control",
            sock.to_str().unwrap(),
            "--transcript",
            log.to_str().unwrap(),
        ],
    );
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "socket mode {mode:o}");
    let mut line = Line::open(&m.line_addr);
    line.ok("AT+CEREG=1");
    line.send(&format!(
        r#"AT+MFTPCONN=0,"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    ));
    line.until("+MFTPCONN: 0,0\r\n");

    let o = ctl(&m.control, &["arm", "sim_removed"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), "m1");
    let got = line.until("+MFTPURC: 0,\"conn\",0\r\n");
    assert!(got.contains("+CEREG: 0"), "{got:?}");
    line.send("AT+CPIN?");
    line.until("+CME ERROR: 10\r\n");

    let o = ctl(&m.control, &["status", "--json"]);
    assert!(o.status.success());
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(st["network"]["sim"], false);
    assert_eq!(st["faults"][0]["kind"], "sim_removed");
    assert_eq!(st["faults"][0]["id"], "m1");
    assert_eq!(st["channels"][0]["state"], "disconnected");
    assert_eq!(
        st["channels"][0]["server"],
        format!("{}:{}", server.host(), server.port())
    );
    let text = stdout(&ctl(&m.control, &["status"]));
    assert!(text.contains("SIM out"), "{text}");
    assert!(text.contains("sim_removed"), "{text}");

    // Refused (3), unreachable (4), usage (2).
    assert_eq!(ctl(&m.control, &["arm", "no-such"]).status.code(), Some(3));
    assert_eq!(ctl(&m.control, &["clear", "m99"]).status.code(), Some(3));
    assert_eq!(ctl(&m.control, &["clear", "99"]).status.code(), Some(3));
    let missing = dir.join("missing.ctl");
    assert_eq!(
        ctl(missing.to_str().unwrap(), &["status"]).status.code(),
        Some(4)
    );
    assert_eq!(ctl(&m.control, &["arm"]).status.code(), Some(2));

    let o = ctl(&m.control, &["clear", "--all"]);
    assert_eq!(stdout(&o).trim(), "1");
    line.until("+CEREG: 1\r\n");
    line.ok("AT+CPIN?");
    m.stop();
    assert!(!sock.exists(), "socket left behind");

    let t = std::fs::read_to_string(&log).unwrap();
    assert!(!t.contains(PASSWORD), "password in the transcript:\n{t}");
    assert!(
        t.contains(&format!(
            r#"> AT+MFTPCONN=0,"{}","{USER}","<redacted>","#,
            server.host()
        )),
        "{t}"
    );
    // Every record: seconds, direction, text (the one-line parse docs/CONTROL.md gives).
    for l in t.lines() {
        let mut p = l.splitn(3, ' ');
        let (ts, dir) = (p.next().unwrap(), p.next().unwrap());
        assert!(ts.parse::<f64>().is_ok(), "{l}");
        assert!(dir == ">" || dir == "<", "{l}");
        assert!(p.next().is_some(), "{l}");
    }
    assert!(t.contains("< +CEREG: 0\n"), "{t}");
    assert!(t.contains("< +CME ERROR: 10\n"), "{t}");
}

#[test]
fn the_transcript_summarises_download_data() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let fresh = server.fresh_user_dir().unwrap();
    let body: Vec<u8> = (0..3000u32).map(|i| (i % 7) as u8 + b'a').collect();
    std::fs::write(fresh.join("f.txt"), &body).unwrap();
    let (_d, dir) = tmp();
    let log = dir.join("t.log");
    let mut m = serve(&dir, &["--transcript", log.to_str().unwrap()]);
    let mut line = Line::open(&m.line_addr);
    line.send(&format!(
        r#"AT+MFTPCONN=0,"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    ));
    line.until("+MFTPCONN: 0,0\r\n");
    line.send(&format!("AT+MFTPRETR=0,\"{}/f.txt\"", fresh.display()));
    line.until("+MFTPRETR: 0,0,3000,952,");
    line.until("\r\n");
    m.stop();
    let t = std::fs::read_to_string(&log).unwrap();
    let sum = |b: &[u8]| {
        use sha2::Digest;
        let h = sha2::Sha256::digest(b);
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    for (from, to) in [(0, 1024), (1024, 2048), (2048, 3000)] {
        let rec = format!(
            "< +MFTPRETR: 0,0,{to},{},<{} bytes sha256={}>\n",
            to - from,
            to - from,
            sum(&body[from..to])
        );
        assert!(t.contains(&rec), "{rec} not in\n{t}");
    }
    assert!(!t.contains("abcdefg"), "{t}");
}

#[test]
fn the_unix_socket_never_replaces_a_file_it_did_not_create() {
    let (_d, dir) = tmp();
    let file = dir.join("not-a-socket");
    std::fs::write(&file, b"keep me").unwrap();
    let e = serve_refused(&dir, &["--control", file.to_str().unwrap()]);
    assert!(e.contains("not a socket"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");

    let sock = dir.join("ml.ctl");
    let _first = serve(&dir, &["--control", sock.to_str().unwrap()]);
    let e = serve_refused(&dir, &["--control", sock.to_str().unwrap()]);
    assert!(e.contains("in use"), "{e}");
    assert!(ctl(sock.to_str().unwrap(), &["ping"]).status.success());
}

#[test]
fn the_tcp_socket_needs_its_token() {
    let (_d, dir) = tmp();
    let tf = dir.join("token");
    let m = serve(
        &dir,
        &[
            "--control",
            "tcp:127.0.0.1:0",
            "--control-token-file",
            tf.to_str().unwrap(),
        ],
    );
    let mode = std::fs::metadata(&tf).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let addr = m.control.clone();
    assert!(addr.starts_with("tcp:127.0.0.1:"), "{addr}");
    assert_eq!(ctl(&addr, &["status"]).status.code(), Some(3));
    let o = ctl(&addr, &["--token", "wrong-token", "status"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unauthorized"));
    let o = ctl(&addr, &["--token-file", tf.to_str().unwrap(), "ping"]);
    assert!(o.status.success(), "{o:?}");
    // Not loopback without --control-remote.
    let e = serve_refused(&dir, &["--control", "tcp:0.0.0.0:0"]);
    assert!(e.contains("loopback"), "{e}");
}

fn request(s: &mut UnixStream, r: &mut BufReader<UnixStream>, line: &[u8]) -> serde_json::Value {
    s.write_all(line).unwrap();
    let mut reply = String::new();
    r.read_line(&mut reply).unwrap();
    serde_json::from_str(&reply).unwrap()
}

fn connect(path: &str) -> (UnixStream, BufReader<UnixStream>) {
    let s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let r = BufReader::new(s.try_clone().unwrap());
    (s, r)
}

#[test]
fn bad_requests_get_errors_and_the_socket_and_module_keep_serving() {
    let (_d, dir) = tmp();
    let sock = dir.join("ml.ctl");
    let m = serve(&dir, &["--control", sock.to_str().unwrap()]);
    let (mut s, mut r) = connect(&m.control);
    let v = request(&mut s, &mut r, b"garbage\n");
    assert_eq!(v["error"], "bad-request");
    let v = request(&mut s, &mut r, b"[1,2]\n");
    assert_eq!(v["error"], "bad-request");
    let v = request(&mut s, &mut r, b"{\"cmd\":\"explode\"}\n");
    assert_eq!(v["error"], "unknown-verb");
    let v = request(
        &mut s,
        &mut r,
        b"{\"cmd\":\"arm\",\"fault\":{\"kind\":\"hang\",\"trigger\":{\"when\":\"never\"}}}\n",
    );
    assert_eq!(v["error"], "bad-request");
    let v = request(&mut s, &mut r, b"{\"cmd\":\"ping\"}\n");
    assert_eq!(v["ok"], true);

    // An oversized line: an error, then the client is dropped.
    let (mut big, mut big_r) = connect(&m.control);
    let huge = vec![b'x'; 200 * 1024];
    let _ = big.write_all(&huge);
    let mut reply = String::new();
    big_r.read_line(&mut reply).unwrap();
    assert!(reply.contains("too-long"), "{reply}");

    // A subscriber that never reads, while the line is busy: it is dropped, others are not.
    let (mut lazy, lazy_r) = connect(&m.control);
    lazy.write_all(b"{\"cmd\":\"subscribe\"}\n").unwrap();
    let mut line = Line::open(&m.line_addr);
    let burst = "AT\r".repeat(200);
    let dropped = |s: &mut UnixStream, r: &mut BufReader<UnixStream>| {
        let v = request(s, r, b"{\"cmd\":\"status\"}\n");
        v["status"]["control"]["dropped"].as_u64().unwrap()
    };
    // The oversized line's client counts as one.
    assert_eq!(dropped(&mut s, &mut r), 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while dropped(&mut s, &mut r) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the lazy client was never dropped"
        );
        line.send_raw(burst.as_bytes());
        line.until(&"\r\nOK\r\n".repeat(200));
    }
    // Its connection has ended: what was buffered for it, then end of file.
    let mut rest = Vec::new();
    let mut lazy_r = lazy_r.into_inner();
    lazy_r.set_read_timeout(Some(TIMEOUT)).unwrap();
    lazy_r.read_to_end(&mut rest).unwrap();
    drop(lazy);
    line.ok("AT");
    let v = request(&mut s, &mut r, b"{\"cmd\":\"ping\"}\n");
    assert_eq!(v["ok"], true);
}

#[test]
fn a_scenario_arms_faults_at_start_up_and_a_bad_one_is_refused_with_its_line() {
    let (_d, dir) = tmp();
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        "# weak signal from the start\n[[fault]]\nkind = \"signal\"\nrssi = 4\n",
    )
    .unwrap();
    let m = serve(&dir, &["--scenario", good.to_str().unwrap()]);
    let mut line = Line::open(&m.line_addr);
    let a = line.ok("AT+CSQ");
    assert!(a.contains("+CSQ: 4,"), "{a:?}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[fault]]\nkind = \"hang\"\ntrigger = { duration_ms = 100 }\n\n[[fault]]\nkind = \"pdp_drop\"\n",
    )
    .unwrap();
    let e = serve_refused(&dir, &["--scenario", bad.to_str().unwrap()]);
    assert!(e.contains("line 5: pdp_drop needs a cid"), "{e}");
    let e2 = serve_refused(
        &dir,
        &[
            "--scenario",
            good.to_str().unwrap(),
            "--transcript-data",
            "some",
        ],
    );
    assert!(e2.contains("--transcript-data"), "{e2}");
}

#[test]
fn a_network_fault_armed_through_ctl_fails_the_next_connect_for_real() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let (_d, dir) = tmp();
    let sock = dir.join("ml.ctl");
    let m = serve(&dir, &["--control", sock.to_str().unwrap()]);
    let mut line = Line::open(&m.line_addr);
    let o = ctl(&m.control, &["arm", "refused", "--when", "next_conn"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), "n1");
    let conn = format!(
        r#"AT+MFTPCONN=0,"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    );
    line.send(&conn);
    let got = line.until("+MFTPCONN: 0,");
    let code = line.until("\r\n");
    assert_ne!(code.trim(), "0", "connected despite the fault: {got}{code}");
    let st: serde_json::Value =
        serde_json::from_slice(&ctl(&m.control, &["status", "--json"]).stdout).unwrap();
    assert_eq!(st["faults"][0]["id"], "n1");
    assert_eq!(st["faults"][0]["layer"], "network");
    assert_eq!(ctl(&m.control, &["clear", "--all"]).status.code(), Some(0));
    line.send(&conn);
    line.until("+MFTPCONN: 0,0\r\n");
}

/// The Python examples docs/CONTROL.md includes, run as a user would: the standard-library one
/// and the pytest fixture. python3 and pytest are test requirements like the FTP servers
/// (`.ci/install-test-servers.sh` installs them), so their absence fails the test instead of
/// passing it unrun.
#[test]
fn the_python_examples_of_the_docs_run() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let has = |args: &[&str]| {
        std::process::Command::new("python3")
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    assert!(
        has(&["-c", "import pytest"]),
        "python3 with pytest is needed (.ci/install-test-servers.sh installs both)"
    );
    let (_d, dir) = tmp();
    let run = |args: &[&str]| {
        let o = std::process::Command::new("python3")
            .args(args)
            .current_dir(&dir)
            .env("FTPMODEM_BIN", env!("CARGO_BIN_EXE_ftpmodem"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "python3 {args:?}:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&[docs.join("ftpmodem_control.py").to_str().unwrap()]);
    run(&[
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        docs.join("test_ftpmodem_fixture.py").to_str().unwrap(),
    ]);
}

/// docs/CONTROL.md includes the pytest fixture verbatim: the copy must be the file.
#[test]
fn the_docs_include_the_fixture_as_it_is() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/CONTROL.md")).unwrap();
    let file =
        std::fs::read_to_string(root.join("docs/examples/test_ftpmodem_fixture.py")).unwrap();
    let start = "<!-- include: docs/examples/test_ftpmodem_fixture.py -->\n```python\n";
    let from = doc.find(start).expect("include marker") + start.len();
    let to = from
        + doc[from..]
            .find("```\n<!-- end include -->")
            .expect("end marker");
    assert_eq!(&doc[from..to], file);
}

#[test]
fn the_log_has_no_colours_when_stderr_is_not_a_terminal() {
    let (_d, dir) = tmp();
    let mut m = serve_env(&dir, &[], &[("FTPMODEM_LOG", "trace")]);
    let mut line = Line::open(&m.line_addr);
    line.ok("AT");
    m.stop();
    // The reader thread has the whole of stderr once the process is gone.
    wait_for("the log's last lines", || {
        m.stderr.lock().unwrap().contains("channel task ends")
    });
    let log = m.stderr.lock().unwrap().clone();
    assert!(log.contains("DEBUG"), "{log}");
    assert!(!log.contains('\x1b'), "{log:?}");
}

#[test]
fn one_client_too_many_is_answered_busy_and_the_others_keep_serving() {
    let (_d, dir) = tmp();
    let sock = dir.join("ml.ctl");
    let m = serve(&dir, &["--control", sock.to_str().unwrap()]);
    let mut held = Vec::new();
    for _ in 0..32 {
        let (mut s, mut r) = connect(&m.control);
        assert_eq!(request(&mut s, &mut r, b"{\"cmd\":\"ping\"}\n")["ok"], true);
        held.push((s, r));
    }
    let (_s, mut r) = connect(&m.control);
    let mut reply = String::new();
    r.read_line(&mut reply).unwrap();
    assert!(reply.contains("\"busy\""), "{reply}");
    let (s, r) = &mut held[0];
    assert_eq!(request(s, r, b"{\"cmd\":\"status\"}\n")["ok"], true);
    drop(held.pop());
    // Once one has left, a new client is served again.
    wait_for("a free slot", || {
        let (mut s, mut r) = connect(&m.control);
        s.write_all(b"{\"cmd\":\"ping\"}\n").unwrap();
        let mut reply = String::new();
        r.read_line(&mut reply).is_ok() && reply.contains("\"ok\":true")
    });
}

//! `ftpmodem at|ls|get|put|rm|mkdir|mv|cat` as a user runs them: against `ftpmodem serve
//! --pty` (a separate process) and a real vsftpd, checking files, output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
const PASSWORD: &str = "12341";

struct Serve {
    child: Child,
    link: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serve {
    serve_with(&[])
}

fn serve_with(extra: &[&str]) -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyML307");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .arg("serve")
        .args(extra)
        .arg("--pty")
        .arg(&link)
        .arg("--fs-root")
        .arg(dir.path().join("fs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server announces the link on stderr once it exists.
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + TIMEOUT;
    while !seen.contains(&b'\n') {
        assert!(Instant::now() < deadline, "no start-up line");
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "serve exited: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    Serve {
        child,
        link,
        _dir: dir,
    }
}

/// Runs `ftpmodem ARGS` with the password in the environment and `stdin` as input.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(args)
        .env("FTPMODEM_PASSWORD", PASSWORD)
        .env("FTPMODEM_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = finish(child);
    // Whatever happened, the password is in no output, not even at trace level.
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(PASSWORD),
            "password leaked by {args:?}"
        );
    }
    out
}

/// The child's output; a child that hangs is killed and the test fails.
fn finish(child: Child) -> Output {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(3 * TIMEOUT) {
        Ok(o) => o,
        Err(_) => {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            panic!("ftpmodem did not finish");
        }
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn data(len: usize) -> Vec<u8> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut v: Vec<u8> = (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 32) as u8
        })
        .collect();
    v[..10].copy_from_slice(b"+++\r\n\x1a\0OK\r");
    v
}

struct Env {
    serve: Serve,
    server: Vsftpd,
    dir: PathBuf,
    local: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env::with(VsftpdOptions::plain())
    }
    fn with(opts: VsftpdOptions) -> Env {
        let server = Vsftpd::start(opts).unwrap();
        let dir = server.fresh_user_dir().unwrap();
        Env {
            serve: serve(),
            server,
            dir,
            local: tempfile::tempdir().unwrap(),
        }
    }
    fn url(&self, name: &str) -> String {
        format!(
            "ftp://uftp@{}:{}/%2F{}/{name}",
            self.server.host(),
            self.server.port(),
            self.dir.display().to_string().trim_start_matches('/')
        )
    }
    fn pty(&self) -> &str {
        self.serve.link.to_str().unwrap()
    }
    fn path(&self, name: &str) -> PathBuf {
        self.local.path().join(name)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn put_get_cat_ls_mv_rm_mkdir_through_a_pty_module() {
    let e = Env::new();
    let pty = e.pty();
    let content = data(300_000);
    std::fs::write(e.path("up.bin"), &content).unwrap();

    for mode in ["prompt", "transparent"] {
        let o = run(
            &[
                "put",
                "--pty",
                pty,
                "--mode",
                mode,
                "--verify",
                s(&e.path("up.bin")),
                &e.url("up.bin"),
            ],
            b"",
        );
        assert_eq!(code(&o), 0, "put {mode}: {}", text(&o.stderr));
        assert!(
            std::fs::read(e.dir.join("up.bin")).unwrap() == content,
            "put {mode}"
        );
        // Piped stderr: no progress bar.
        assert!(!text(&o.stderr).contains("ETA"), "{}", text(&o.stderr));
    }

    let o = run(
        &[
            "get",
            "--pty",
            pty,
            "--verify",
            &e.url("up.bin"),
            s(&e.path("down.bin")),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "get: {}", text(&o.stderr));
    assert!(std::fs::read(e.path("down.bin")).unwrap() == content);

    // --resume continues from the local size.
    std::fs::write(e.path("part.bin"), &content[..123_457]).unwrap();
    let o = run(
        &[
            "get",
            "--pty",
            pty,
            "--resume",
            &e.url("up.bin"),
            s(&e.path("part.bin")),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "get --resume: {}", text(&o.stderr));
    assert!(
        std::fs::read(e.path("part.bin")).unwrap() == content,
        "resumed file differs"
    );
    assert!(
        e.server.log_text().contains("REST 123457"),
        "no REST in the server log"
    );

    let o = run(&["cat", "--pty", pty, &e.url("up.bin")], b"");
    assert_eq!(code(&o), 0);
    assert!(o.stdout == content, "cat differs");

    let o = run(&["mkdir", "--pty", pty, &e.url("sub")], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(e.dir.join("sub").is_dir());
    let new = format!("{}/sub/moved.bin", e.dir.display());
    let o = run(&["mv", "--pty", pty, &e.url("up.bin"), &new], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(e.dir.join("sub/moved.bin").is_file());

    let o = run(&["ls", "--pty", pty, &e.url("sub")], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let ls = text(&o.stdout);
    assert!(ls.contains("moved.bin") && ls.contains("300000"), "{ls}");

    let o = run(&["rm", "--pty", pty, &e.url("sub/moved.bin")], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(!e.dir.join("sub/moved.bin").exists());
}

#[test]
fn exit_codes() {
    let e = Env::new();
    let pty = e.pty();
    // A server error (no such file): 5, and no local file left behind.
    let o = run(
        &[
            "get",
            "--pty",
            pty,
            &e.url("missing.bin"),
            s(&e.path("m.bin")),
        ],
        b"",
    );
    assert_eq!(code(&o), 5, "{}", text(&o.stderr));
    assert!(!e.path("m.bin").exists());
    // Bad URL: 2; a password in the URL is refused as usage, without echoing it.
    let o = run(&["ls", "--pty", pty, "http://x/"], b"");
    assert_eq!(code(&o), 2);
    let o = run(
        &[
            "ls",
            "--pty",
            pty,
            &format!("ftp://uftp:{PASSWORD}@127.0.0.1/"),
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    // No module there: 3.
    let o = run(&["ls", "--pty", s(&e.path("nothing")), &e.url("")], b"");
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    // The module refuses: 4.
    let o = run(&["at", "--pty", pty, "AT+NOSUCH"], b"");
    assert_eq!(code(&o), 4);
    // A local file that does not exist: 6.
    let o = run(&["put", "--pty", pty, s(&e.path("nope")), &e.url("x")], b"");
    assert_eq!(code(&o), 6, "{}", text(&o.stderr));
    // --help documents the codes.
    let o = run(&["get", "--help"], b"");
    assert!(text(&o.stdout).contains("Exit codes"));
}

#[test]
fn at_batch_interactive_and_data_modes() {
    let e = Env::new();
    let pty = e.pty();
    let o = run(&["at", "--pty", pty, "ATE0", "AT+MFTPSTATE=0", "ATI"], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("+MFTPSTATE: 0,0") && out.contains("CMIOT"),
        "{out}"
    );
    // A > prompt takes standard input.
    let o = run(
        &[
            "at",
            "--pty",
            pty,
            "AT+MFPUT=\"a.txt\",5",
            "AT+MFGET=\"a.txt\"",
        ],
        b"hello",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("+MFGET: 5,hello"),
        "{}",
        text(&o.stdout)
    );
    // The session reads lines (here from a pipe, without line editing) and prints answers.
    let o = run(
        &["at", "--pty", pty],
        b"AT+MFPUT=\"b.txt\",4\nab\\r\\n\nAT+MFSIZE=\"b.txt\"\n",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("+MFPUT: 4") && out.contains("+MFSIZE: 4"),
        "{out}"
    );
    // Transparent mode from the session: lines until +++.
    let conn = format!(
        "AT+MFTPCONN=0,\"{}\",\"uftp\",\"{PASSWORD}\",{}\n",
        e.server.host(),
        e.server.port()
    );
    let input = format!(
        "{conn}#wait +MFTPCONN: 0,0\nAT+MFTPCWD=0,\"{}\"\n#wait +MFTPCWD: 0,0\n\
         AT+MFTPSTOR=0,\"t.txt\"\nline one\n+++\n#wait +MFTPSTOR: 0,0,9\nAT+MFTPSTATE=0\n",
        e.dir.display()
    );
    // The password is typed by the user here, so it is in the input, not an argument.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["at", "--pty", pty])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = finish(child);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("CONNECT") && out.contains("+MFTPSTATE: 0,1"),
        "{out}"
    );
    // The report came after the server's 226: the file is complete.
    assert_eq!(std::fs::read(e.dir.join("t.txt")).unwrap(), b"line one\n");
}

#[test]
fn ftps_active_and_ascii_options() {
    let certs = Certs::generate().unwrap();
    let content = data(50_000);
    for (opts, flags) in [
        (
            VsftpdOptions::explicit_tls(&certs),
            vec!["--ftps", "explicit"],
        ),
        (
            VsftpdOptions::implicit_tls(&certs),
            vec!["--ftps", "implicit"],
        ),
        (VsftpdOptions::plain(), vec!["--active"]),
    ] {
        let e = Env::with(opts);
        std::fs::write(e.path("up.bin"), &content).unwrap();
        let mut args = vec!["put", "--pty", e.pty()];
        args.extend(&flags);
        let up = e.path("up.bin");
        let url = e.url("up.bin");
        args.extend([s(&up), url.as_str()]);
        let o = run(&args, b"");
        assert_eq!(code(&o), 0, "put {flags:?}: {}", text(&o.stderr));
        assert!(
            std::fs::read(e.dir.join("up.bin")).unwrap() == content,
            "{flags:?}"
        );
        let mut args = vec!["cat", "--pty", e.pty()];
        args.extend(&flags);
        args.push(url.as_str());
        let o = run(&args, b"");
        assert_eq!(code(&o), 0, "cat {flags:?}: {}", text(&o.stderr));
        assert!(o.stdout == content, "{flags:?}");
        if flags[0] == "--active" {
            assert!(e.server.log_text().contains("PORT") || e.server.log_text().contains("EPRT"));
            // ASCII: LF on the client side becomes CRLF on the wire and back.
            std::fs::write(e.path("t.txt"), b"a\nb\n").unwrap();
            let t = e.path("t.txt");
            let turl = e.url("t.txt");
            let o = run(&["put", "--pty", e.pty(), "--ascii", s(&t), &turl], b"");
            assert_eq!(code(&o), 0, "{}", text(&o.stderr));
            let o = run(&["cat", "--pty", e.pty(), "--ascii", &turl], b"");
            assert_eq!(o.stdout, b"a\nb\n");
            assert!(e.server.log_text().contains("TYPE A"));
        }
    }
}

#[test]
fn at_prints_the_module_bytes_and_the_session_has_banner_prompt_help() {
    let e = Env::new();
    let pty = e.pty();
    // The module's text error stays text: no decoding into a number on the way.
    let conn = format!(
        "AT+MFTPCONN=0,\"{}\",\"uftp\",\"{PASSWORD}\",{}",
        e.server.host(),
        e.server.port()
    );
    let o = run(
        &["at", "--pty", pty, "ATE0", "AT+CMEE=2", &conn, &conn],
        b"",
    );
    let out = text(&o.stdout);
    assert_eq!(code(&o), 4, "{out} {}", text(&o.stderr));
    assert!(out.contains("+CME ERROR: FTP running"), "{out}");
    assert!(!out.contains("802"), "{out}");
    let o = run(
        &["at", "--pty", pty, "AT+MFTPDISC=0", "ATE1", "AT+CMEE=1"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));

    // Piped input: `help` answers locally, no banner or prompt mixes into the output.
    let o = run(&["at", "--pty", pty], b"help\nATI\nexit\n");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("#wait TEXT") && out.contains("CMIOT"), "{out}");
    assert!(
        !out.contains("at> ") && !text(&o.stderr).contains("Type AT"),
        "{out}"
    );

    // At a terminal (script(1) gives it one): a banner naming the line, the prompt, help.
    let cmd = format!("{} at --pty {pty}", env!("CARGO_BIN_EXE_ftpmodem"));
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Enter on a terminal is CR.
    stdin.write_all(b"help\rexit\r").unwrap();
    drop(stdin);
    let o = finish(child);
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!("connected to pty {pty}")) && out.contains("`help` for help"),
        "{out}"
    );
    assert!(out.contains("at> ") && out.contains("#wait TEXT"), "{out}");
}

#[test]
fn errors_name_the_operation_and_the_cause_in_words() {
    let e = Env::new();
    let pty = e.pty();
    // A wrong password: the login is refused, in those words.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["ls", "--pty", pty, &e.url("")])
        .env("FTPMODEM_PASSWORD", "wrong")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take();
    let o = finish(child);
    assert_eq!(code(&o), 5, "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("logging in to") && err.contains("login refused") && err.contains("result 10"),
        "{err}"
    );
    // A missing file: named as such, with the operation.
    let o = run(&["get", "--pty", pty, &e.url("missing.bin"), "-"], b"");
    assert_eq!(code(&o), 5, "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("AT+MFTPRETR") && err.contains("file missing or not permitted"),
        "{err}"
    );
    // ls of a missing directory: the module answers 14 as for an empty one; said on stderr.
    let o = run(&["ls", "--pty", pty, &e.url("no-such-dir/")], b"");
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).contains("empty or missing (the module reports both as 14)"),
        "{}",
        text(&o.stderr)
    );

    // A hardware model asked for FTPS or active mode: the model lacks it, in words.
    let ml307r = serve_with(&["--model", "ML307R"]);
    let link = ml307r.link.to_str().unwrap();
    for flags in [&["--ftps", "explicit"][..], &["--active"][..]] {
        let mut args = vec!["ls", "--pty", link];
        args.extend(flags);
        let url = e.url("");
        args.push(&url);
        let o = run(&args, b"");
        assert_eq!(code(&o), 4, "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains("this model has no"), "{flags:?}: {err}");
    }

    // A module that never answers: how long it was silent, not a single try's time-out.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let hold = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
    let o = run(&["ls", "--tcp", &addr, &e.url("")], b"");
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("did not answer AT: silent for"), "{err}");
    drop(hold.join());
}

/// `ftpmodem ARGS` with the password and extra environment.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpmodem"));
    cmd.args(args)
        .env("FTPMODEM_PASSWORD", PASSWORD)
        .env_remove("FTPMODEM_DEVICE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd.spawn().unwrap())
}

#[test]
fn curl_and_lftp_conventions() {
    let e = Env::new();
    let device = format!("pty:{}", e.pty());
    let dev = [("FTPMODEM_DEVICE", device.as_str())];
    let content = data(200_000);
    std::fs::write(e.path("big.bin"), &content).unwrap();

    // FTPMODEM_DEVICE names the module; the summary line gives bytes, time and rate.
    let o = run_env(&["put", s(&e.path("big.bin")), &e.url("big.bin")], &dev);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("200000 bytes in ") && err.contains("/s)"),
        "{err}"
    );
    // -q: nothing on stderr.
    let o = run_env(
        &["get", "-q", &e.url("big.bin"), s(&e.path("back.bin"))],
        &dev,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
    assert!(std::fs::read(e.path("back.bin")).unwrap() == content);

    // put --resume: the server holds the first part; only the rest is sent, with APPE.
    std::fs::write(e.dir.join("big.bin"), &content[..70_000]).unwrap();
    let o = run_env(
        &["put", "-r", s(&e.path("big.bin")), &e.url("big.bin")],
        &dev,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("resuming the upload at byte 70000") && err.contains("130000 bytes in"),
        "{err}"
    );
    assert!(std::fs::read(e.dir.join("big.bin")).unwrap() == content);
    assert!(e.server.log_text().contains("APPE"));
    // Complete already: nothing sent.
    let o = run_env(
        &["put", "--resume", s(&e.path("big.bin")), &e.url("big.bin")],
        &dev,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("complete already"),
        "{}",
        text(&o.stderr)
    );

    // ls --json: one object per entry and line.
    std::fs::create_dir(e.dir.join("sub")).unwrap();
    let o = run_env(&["ls", "--json", &e.url("")], &dev);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let entries: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let file = entries.iter().find(|v| v["name"] == "big.bin").unwrap();
    assert_eq!(file["type"], "file");
    assert_eq!(file["size"], 200_000);
    assert!(file["modified"].as_str().unwrap().ends_with('Z'));
    let sub = entries.iter().find(|v| v["name"] == "sub").unwrap();
    assert_eq!(
        (sub["type"].as_str(), sub["size"].is_null()),
        (Some("dir"), true)
    );

    // --timeout: gives up, disconnects, exit 3.
    let o = run_env(&["get", "--timeout", "0.05", &e.url("big.bin"), "-"], &dev);
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("gave up after --timeout"),
        "{}",
        text(&o.stderr)
    );

    // No module named anywhere, or a malformed FTPMODEM_DEVICE: usage errors.
    let o = run_env(&["ls", &e.url("")], &[]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("FTPMODEM_DEVICE"),
        "{}",
        text(&o.stderr)
    );
    let o = run_env(&["ls", &e.url("")], &[("FTPMODEM_DEVICE", "usb2")]);
    assert_eq!(code(&o), 2);

    // Every subcommand's --help has examples; the host ones name FTPMODEM_DEVICE and FTPMODEM_LOG.
    for sub in [
        "serve",
        "at",
        "ls",
        "get",
        "put",
        "rm",
        "mkdir",
        "mv",
        "cat",
        "completions",
        "man",
    ] {
        let o = run_env(&[sub, "--help"], &[]);
        let help = text(&o.stdout);
        assert!(help.contains("Examples:"), "{sub}: {help}");
        if !["serve", "completions", "man"].contains(&sub) {
            assert!(
                help.contains("FTPMODEM_DEVICE") && help.contains("FTPMODEM_LOG"),
                "{sub}"
            );
            assert!(
                help.contains("-p, --pty") && help.contains("-q, --quiet"),
                "{sub}"
            );
        }
    }
}

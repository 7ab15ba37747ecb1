//! The stdio transport in a real child process with real pipes: this test binary runs itself
//! as the child, with the ignored entry below as its only test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use ftpmodem_device::transport::{line_channel, run_stdio, ModuleEnds};
use tokio_util::sync::CancellationToken;
use transport_common::{all_bytes, WAIT};

const CHILD_ENV: &str = "FTPMODEM_STDIO_CHILD";
const BEGIN: &[u8] = b"<<module-says:";
const END: &[u8] = b":end>>";

/// The child: a module that answers with everything it heard, once stdin has ended (mode
/// `eof`) or once it heard a CR (mode `cr`), and then ends.
#[tokio::test]
#[ignore = "child process of the other tests here; run by them"]
async fn stdio_child_entry() {
    let Some(mode) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let wait_for_eof = mode == "eof";
    let (line, module) = line_channel(4);
    let ModuleEnds {
        to_line,
        mut from_line,
    } = module;
    let module = tokio::spawn(async move {
        let mut heard = Vec::new();
        while let Some(chunk) = from_line.recv().await {
            heard.extend_from_slice(&chunk);
            if !wait_for_eof && heard.ends_with(b"\r") {
                break; // the module ends on its own while stdin is still open
            }
        }
        let mut answer = BEGIN.to_vec();
        answer.extend_from_slice(&heard);
        answer.extend_from_slice(END);
        to_line.send(answer.into()).await.unwrap();
    });
    run_stdio(line, CancellationToken::new()).await.unwrap();
    module.await.unwrap();
}

/// Runs the child in `mode`, writes `payload`, closes stdin if asked, and returns the child's
/// stdout once it has exited on its own.
fn run_child(mode: &str, payload: &[u8], close_stdin: bool) -> Vec<u8> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "transport_stdio::stdio_child_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(payload).unwrap();
    let _held_open = if close_stdin {
        drop(stdin);
        None
    } else {
        Some(stdin)
    };
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).unwrap();
        out
    });
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || done_tx.send(child.wait().unwrap()));
    let Ok(status) = done_rx.recv_timeout(WAIT) else {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        panic!("child did not end");
    };
    let out = reader.join().unwrap();
    assert!(status.success(), "child failed: {status}");
    out
}

fn assert_answered(out: &[u8], heard: &[u8]) {
    let mut expected = BEGIN.to_vec();
    expected.extend_from_slice(heard);
    expected.extend_from_slice(END);
    assert!(
        out.windows(expected.len())
            .any(|w| w == expected.as_slice()),
        "answer not found on the child's stdout: {:?}",
        String::from_utf8_lossy(out)
    );
}

#[test]
fn stdin_eof_closes_the_module_input_and_its_answer_still_reaches_stdout() {
    let mut payload = all_bytes();
    payload.extend_from_slice(b"AT+MFTPOPEN?\r\n");
    let out = run_child("eof", &payload, true);
    assert_answered(&out, &payload);
}

#[test]
fn the_process_exits_when_the_module_ends_though_stdin_stays_open() {
    // A blocked read of stdin must not keep the runtime (and the process) alive.
    let out = run_child("cr", b"AT\r", false);
    assert_answered(&out, b"AT\r");
}

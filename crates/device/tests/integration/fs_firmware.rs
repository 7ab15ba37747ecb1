//! A firmware's day with the module's file system (ONEMO-RELATED.md §C), over a real PTY and
//! against a real vsftpd: a log is opened, written in pieces (inline, in the data mode with a
//! length, in the data mode up to Ctrl+Z, and one session cancelled with ESC), sought and read
//! back in `+MFREAD` fragments through proto's decoder, closed, sent to the server with
//! `AT+MFTPSTOR` from the local file system, fetched back into a second local file with
//! `AT+MFTPRETR`, and both files' `AT+MFCHECK` compared with each other, with the MD5 of
//! what was written, and with the server's copy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::cell::{configure, connect, disconnect};
use crate::at_common::payload::{binary, no_ctrl_z};
use crate::at_common::target::{Data, Ssl, Target};
use crate::at_common::{start, At, LineKind, ModuleOptions};
use ftpmodem_proto::frame::decode::{Event, Frame};
use ftpmodem_proto::Response;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use md5::{Digest, Md5};

/// `AT+MFREAD=<line>`: the fragments' data, each fragment's counts checked, up to `OK`.
async fn mfread(at: &mut At, line: &str, handle: u16) -> Vec<u8> {
    at.send(format!("{line}\r").as_bytes()).await;
    let mut data = Vec::new();
    loop {
        match at.frame().await {
            Frame::Line(l) if l == b"OK" => return data,
            f @ Frame::Data { .. } => match Event::from(f) {
                Event::Info(Response::MfRead(c)) => {
                    assert_eq!(c.handle, handle);
                    assert!(c.data.len() <= 8192, "a fragment over 8192 bytes");
                    data.extend_from_slice(&c.data);
                    assert_eq!(c.cumulative, data.len() as u64);
                }
                e => panic!("not an +MFREAD fragment: {e:?}"),
            },
            f => panic!("unexpected {f:?} in an +MFREAD answer"),
        }
    }
}

/// `+MFCHECK: <32 hex>` of `path`.
async fn mfcheck(at: &mut At, path: &str) -> String {
    at.send(format!("AT+MFCHECK=\"{path}\"\r").as_bytes()).await;
    let line = String::from_utf8(at.line().await).unwrap();
    at.expect(b"\r\nOK\r\n").await;
    line.strip_prefix("+MFCHECK: ").unwrap().to_owned()
}

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_written_in_pieces_goes_to_the_server_and_back_unchanged() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let t = Target::uftp(
        "vsftpd".into(),
        server.addr(),
        dir.clone(),
        Ssl::Plain,
        Data::Epsv,
    );
    let (_module, mut at) = start(ModuleOptions {
        line: LineKind::Pty,
        label: "fs_firmware".into(),
        ..ModuleOptions::default()
    })
    .await;

    // The log, opened for appending (created with its directory).
    at.cmd(
        r#"AT+MFOPEN="log/app.log",2"#,
        "\r\n+MFOPEN: 1\r\n\r\nOK\r\n",
    )
    .await;
    let mut log = Vec::new();
    for i in 0..5 {
        let entry = format!("boot {i}: ok;");
        at.cmd(
            &format!(r#"AT+MFWRITE=1,{},"{entry}""#, entry.len()),
            &format!("\r\n+MFWRITE: 1,{}\r\n\r\nOK\r\n", entry.len()),
        )
        .await;
        log.extend_from_slice(entry.as_bytes());
    }
    // A binary record through the data mode with a length: every byte value, CR, LF, ESC and
    // Ctrl+Z included, sent in pieces.
    let record = binary(20_000, 7);
    at.cmd("AT+MFWRITE=1,20000", "\r\n>").await;
    for piece in record.chunks(3000) {
        at.send(piece).await;
    }
    at.expect(b"\r\n+MFWRITE: 1,20000\r\n\r\nOK\r\n").await;
    log.extend_from_slice(&record);
    // Text through the data mode up to Ctrl+Z.
    let text = no_ctrl_z(5000, 9);
    at.cmd("AT+MFWRITE=1,0", "\r\n>").await;
    at.send(&text).await;
    at.send(b"\x1a").await;
    at.expect(format!("\r\n+MFWRITE: 1,{}\r\n\r\nOK\r\n", text.len()).as_bytes())
        .await;
    log.extend_from_slice(&text);
    // A session cancelled with ESC leaves nothing behind.
    at.cmd("AT+MFWRITE=1,0", "\r\n>").await;
    at.send(b"half a line that is taken back\x1b").await;
    at.expect(b"\r\nOK\r\n").await;
    at.cmd("AT+MFCLOSE=1", "\r\nOK\r\n").await;

    // Read back through a second handle: all of it, then the last 10 bytes after a seek.
    at.cmd(
        r#"AT+MFOPEN="/log/app.log",0"#,
        "\r\n+MFOPEN: 1\r\n\r\nOK\r\n",
    )
    .await;
    let all = mfread(&mut at, "AT+MFREAD=1", 1).await;
    assert!(
        all == log,
        "the log read back differs ({} bytes, {} written)",
        all.len(),
        log.len()
    );
    at.cmd(
        "AT+MFSEEK=1",
        &format!("\r\n+MFSEEK: 1,{}\r\n\r\nOK\r\n", log.len()),
    )
    .await;
    at.cmd("AT+MFREAD=1", "\r\n+CME ERROR: 1058\r\n").await;
    at.ok("AT+MFSEEK=1,-10,2").await;
    let tail = mfread(&mut at, "AT+MFREAD=1,100", 1).await;
    assert_eq!(tail, log[log.len() - 10..]);
    at.ok("AT+MFCLOSE=1").await;

    // To the server from the local file system, and back into a second local file.
    configure(&mut at, &t).await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    connect(&mut at, &t).await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(
        r#"AT+MFTPSTOR=0,"app.log","log/app.log""#,
        &[&format!("+MFTPSTOR: 0,0,{}", log.len())],
    )
    .await;
    assert!(
        std::fs::read(dir.join("app.log")).unwrap() == log,
        "the server's copy differs"
    );
    at.ok(r#"AT+MFTPRETR=0,"app.log","copy.log""#).await;
    // Progress reports until the whole file is in: one at the end (`<sum>,<len>`), or one per
    // chunk whose last fields add up to the file (ONEMO-RELATED.md E10).
    let mut got = 0u64;
    loop {
        let line = String::from_utf8(at.line().await).unwrap();
        let fields: Vec<u64> = line
            .strip_prefix("+MFTPRETR: 0,0,")
            .unwrap_or_else(|| panic!("not a local download report: {line}"))
            .split(',')
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(fields.len(), 2, "{line}");
        got += fields[1];
        if got == log.len() as u64 || fields[1] == log.len() as u64 {
            break;
        }
        assert!(
            got < log.len() as u64,
            "more reported than the file holds: {line}"
        );
    }
    at.await_state(0, 1).await;
    disconnect(&mut at).await;

    // Both local files check the same, and as what was written.
    let original = mfcheck(&mut at, "log/app.log").await;
    let copy = mfcheck(&mut at, "/copy.log").await;
    assert_eq!(original, copy);
    assert_eq!(original, md5_hex(&log));
    assert_eq!(copy, md5_hex(&std::fs::read(dir.join("app.log")).unwrap()));
    at.cmd(
        r#"AT+MFSIZE="copy.log""#,
        &format!("\r\n+MFSIZE: {}\r\n\r\nOK\r\n", log.len()),
    )
    .await;
    at.idle().await;
}

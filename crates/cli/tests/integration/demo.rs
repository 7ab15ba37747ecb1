//! `ftpmodem demo`, the README's main command, as a new user runs it: the chapter 4 session
//! against the embedded server, every module line compared (times normalised).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn demo_runs_the_chapter_4_session() {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .arg("demo")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Module lines only (commands start with AT, notes with #), times and port normalised.
    let lines: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with('+') || *l == "OK")
        .map(|l| {
            let mut parts: Vec<String> = l.split(',').map(str::to_string).collect();
            for p in parts.iter_mut() {
                if p.len() == 14 && p.bytes().all(|b| b.is_ascii_digit()) {
                    *p = "<TIME>".into();
                }
            }
            parts.join(",")
        })
        .collect();
    let expected = [
        "+MATREADY",
        "OK",
        "OK",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPPWD: 0,0,\"/\"",
        "OK",
        "+MFTPCWD: 0,0",
        "OK",
        "+MFTPPWD: 0,0,\"/home/uftp/test\"",
        "OK",
        "+MFTPMKD: 0,0",
        "OK",
        "+MFTPSTOR: 0,0,10",
        "OK",
        "+MFTPRN: 0,0",
        "OK",
        "+MFTPRN: 0,0",
        "OK",
        "+MFTPLIST: 0,0,\"2.txt\",10,<TIME>,\"\"",
        "OK",
        "+MFTPLIST: 0,0,\"2.txt\",10,<TIME>,\"\"",
        "+MFTPLIST: 0,0,\"test2\",\"\"",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
        // append through the serial line
        "OK",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPCWD: 0,0",
        "OK",
        "+MFTPAPPE: 0,0,10",
        "OK",
        "+MFTPLIST: 0,0,\"1.txt\",10,<TIME>,\"\"",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
        // append from the local fs
        "OK",
        "+MFPUT: 12",
        "OK",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPCWD: 0,0",
        "OK",
        "+MFTPAPPE: 0,0,12",
        "OK",
        "+MFTPLIST: 0,0,\"2.txt\",12,<TIME>,\"\"",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
        // download to the serial line
        "OK",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPCWD: 0,0",
        "OK",
        "+MFTPSTOR: 0,0,10",
        "OK",
        "+MFTPRETR: 0,0,10,10,1234567890",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
        // download into the local fs
        "OK",
        "+MFPUT: 12",
        "OK",
        "OK",
        "+MFTPCONN: 0,0",
        "OK",
        "+MFTPCWD: 0,0",
        "OK",
        "+MFTPSTOR: 0,0,12",
        "OK",
        "+MFTPRETR: 0,0,7,7",
        "+MFGET: 7,3333333",
        "OK",
        "OK",
        "+MFTPDEL: 0,0",
        "OK",
        "+MFTPDISC: 0,0",
        "+MFTPURC: 0,\"conn\",0",
    ];
    assert_eq!(lines, expected, "\n{text}");
}

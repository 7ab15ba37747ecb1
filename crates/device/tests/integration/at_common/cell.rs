//! One interop cell: the whole command set over the AT line against one server in one mode,
//! every byte of every answer compared, every payload read back through the module and from
//! the server's disk.

use super::payload::{binary, no_ctrl_z, text};
use super::target::{Ssl, Target};
use super::{epoch_of, normalise_times, now_epoch, show, At};

/// `+MFTPRETR` chunk of the generic profile.
pub const CHUNK: usize = 1024;

/// Runs the cell on channel 0 of a fresh module. `transparent` adds a transparent-mode upload
/// (two real guard times, about 2.6 s).
pub async fn run_cell(at: &mut At, t: &Target, transparent: bool) {
    configure(at, t).await;
    serial_phase(at, t, transparent).await;
    local_fs_phase(at, t).await;
}

/// TLS context 0 (with the CA written into the module and verification on) and the channel.
pub async fn configure(at: &mut At, t: &Target) {
    if t.ssl != Ssl::Plain {
        let ca = t.ca_pem.as_ref().expect("TLS cell without a CA");
        at.cert_write("ca.pem", ca.as_bytes()).await;
        at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
        at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    }
    at.ok(&format!(r#"AT+MFTPCFG=0,"ssl",{},0"#, t.ssl.mode()))
        .await;
    at.ok(&format!(
        r#"AT+MFTPCFG=0,"transmode",{}"#,
        t.data.transmode()
    ))
    .await;
}

/// `AT+MFTPCONN` with the target's login, answered `+MFTPCONN: 0,0`.
pub async fn connect(at: &mut At, t: &Target) {
    at.state(0, 0).await;
    at.request(
        &format!(
            r#"AT+MFTPCONN=0,"{}","{}","{}",{}"#,
            t.host, t.user, t.pass, t.port
        ),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.state(0, 1).await;
}

/// `AT+MFTPDISC`: the report and the disconnect URC.
pub async fn disconnect(at: &mut At) {
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.state(0, 0).await;
}

fn disk(t: &Target, name: &str) -> Vec<u8> {
    let p = t.disk_dir.join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("[{}] {}: {e}", t.name, p.display()))
}

fn same(t: &Target, what: &str, got: &[u8], want: &[u8]) {
    if got != want {
        let at = got
            .iter()
            .zip(want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        let lo = at.saturating_sub(16);
        panic!(
            "[{}] {what}: {} bytes, expected {}; first difference at {at}: got \"{}\" want \"{}\"",
            t.name,
            got.len(),
            want.len(),
            show(&got[lo..(at + 16).min(got.len())]),
            show(&want[lo..(at + 16).min(want.len())]),
        );
    }
}

/// One `+MFTPLIST` entry as it must be printed, time normalised.
pub fn file_line(name: &str, size: usize, perm: &str) -> String {
    format!("+MFTPLIST: 0,0,\"{name}\",{size},<TIME>,\"{perm}\"")
}

/// A directory entry.
pub fn dir_line(name: &str, perm: &str) -> String {
    format!("+MFTPLIST: 0,0,\"{name}\",\"{perm}\"")
}

/// `AT+MFTPLIST`: `OK`, then exactly `want` (in any order: not every server sorts), times
/// normalised and checked to be within 15 minutes of now.
pub async fn list(at: &mut At, t: &Target, path: &str, want: &[String]) {
    at.cmd(&format!(r#"AT+MFTPLIST=0,"{path}""#), "\r\nOK\r\n")
        .await;
    let mut got = Vec::new();
    for _ in want {
        let (line, times) = normalise_times(&at.line().await);
        for time in times {
            let skew = (epoch_of(&time) - now_epoch()).abs();
            assert!(
                skew < 900,
                "[{}] listed time {time} is {skew} s off",
                t.name
            );
        }
        got.push(line);
    }
    // Nothing after the last entry.
    at.idle().await;
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want, "[{}] listing of {path}", t.name);
}

async fn serial_phase(at: &mut At, t: &Target, transparent: bool) {
    connect(at, t).await;
    at.request(
        "AT+MFTPPWD=0",
        &[&format!("+MFTPPWD: 0,0,\"{}\"", t.login_dir)],
    )
    .await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(
        "AT+MFTPPWD=0",
        &[&format!("+MFTPPWD: 0,0,\"{}\"", t.work_dir)],
    )
    .await;
    at.request(r#"AT+MFTPMKD=0,"sub""#, &["+MFTPMKD: 0,0"])
        .await;
    assert!(
        t.disk_dir.join("sub").is_dir(),
        "[{}] MKD made no directory",
        t.name
    );

    // Transparent mode: anything but a guarded +++ is data.
    let tbin = binary(3000, 1);
    if transparent {
        at.stor_transparent(r#"AT+MFTPSTOR=0,"t.bin""#, &tbin, "+MFTPSTOR: 0,0,3000")
            .await;
        at.await_state(0, 1).await;
        same(t, "t.bin on the server", &disk(t, "t.bin"), &tbin);
    }

    // '>' prompt ended by Ctrl+Z.
    let zbin = no_ctrl_z(2500, 2);
    let mut z = zbin.clone();
    z.push(0x1a);
    at.stor_prompt(r#"AT+MFTPSTOR=0,"z.bin",1"#, &z, "+MFTPSTOR: 0,0,2500")
        .await;
    at.await_state(0, 1).await;
    same(t, "z.bin on the server", &disk(t, "z.bin"), &zbin);

    // '>' prompt with a length, in two packets: eof 0 keeps the data connection (state 3).
    let l1 = binary(4096, 3);
    let l2 = binary(1000, 4);
    at.stor_prompt(
        r#"AT+MFTPSTOR=0,"l.bin",0,4096"#,
        &l1,
        "+MFTPSTOR: 0,0,4096",
    )
    .await;
    at.state(0, 3).await;
    at.stor_prompt(
        r#"AT+MFTPSTOR=0,"l.bin",1,1000"#,
        &l2,
        "+MFTPSTOR: 0,0,5096",
    )
    .await;
    at.await_state(0, 1).await;
    let lbin = [l1, l2].concat();
    same(t, "l.bin on the server", &disk(t, "l.bin"), &lbin);

    // Inline data, then APPE inline and APPE through the prompt.
    let itxt = text(1024, 5);
    at.request(
        &format!(r#"AT+MFTPSTOR=0,"i.txt",1,1024,"{itxt}""#),
        &["+MFTPSTOR: 0,0,1024"],
    )
    .await;
    at.await_state(0, 1).await;
    at.request(
        r#"AT+MFTPAPPE=0,"i.txt",1,10,"1234567890""#,
        &["+MFTPAPPE: 0,0,10"],
    )
    .await;
    at.await_state(0, 1).await;
    let a = binary(500, 6);
    at.stor_prompt(r#"AT+MFTPAPPE=0,"i.txt",1,500"#, &a, "+MFTPAPPE: 0,0,500")
        .await;
    at.await_state(0, 1).await;
    let ibin = [itxt.as_bytes(), b"1234567890", &a].concat();
    same(t, "i.txt on the server", &disk(t, "i.txt"), &ibin);

    // The listing.
    let (pf, pd) = (t.perm_file.as_str(), t.perm_dir.as_str());
    let mut want = vec![
        file_line("i.txt", ibin.len(), pf),
        file_line("l.bin", lbin.len(), pf),
        dir_line("sub", pd),
        file_line("z.bin", zbin.len(), pf),
    ];
    if transparent {
        want.push(file_line("t.bin", tbin.len(), pf));
    }
    list(at, t, &t.work_dir, &want).await;

    // Downloads to the serial line, whole and in parts.
    for (name, data) in [("z.bin", &zbin), ("l.bin", &lbin), ("i.txt", &ibin)] {
        let got = at
            .retr(0, &format!(r#"AT+MFTPRETR=0,"{name}""#), data.len(), CHUNK)
            .await;
        same(t, &format!("RETR {name}"), &got, data);
        at.await_state(0, 1).await;
    }
    if transparent {
        let got = at.retr(0, r#"AT+MFTPRETR=0,"t.bin""#, 3000, CHUNK).await;
        same(t, "RETR t.bin", &got, &tbin);
        at.await_state(0, 1).await;
    }
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"l.bin",,100,1500"#, 1500, CHUNK)
        .await;
    same(
        t,
        "RETR l.bin offset 100 length 1500",
        &got,
        &lbin[100..1600],
    );
    at.await_state(0, 1).await;
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"l.bin",,5000"#, 96, CHUNK)
        .await;
    same(t, "RETR l.bin offset 5000", &got, &lbin[5000..]);
    at.await_state(0, 1).await;

    // Rename, list one file, delete everything, list the empty directory.
    at.request(r#"AT+MFTPRN=0,"z.bin","r.bin""#, &["+MFTPRN: 0,0"])
        .await;
    let one = if t.relative_file_list {
        "r.bin".to_string()
    } else {
        format!("{}/r.bin", t.work_dir)
    };
    list(at, t, &one, &[file_line("r.bin", zbin.len(), pf)]).await;
    let mut files = vec!["r.bin", "l.bin", "i.txt"];
    if transparent {
        files.push("t.bin");
    }
    for f in files {
        at.request(&format!(r#"AT+MFTPDEL=0,"{f}""#), &["+MFTPDEL: 0,0"])
            .await;
    }
    at.request(r#"AT+MFTPDEL=0,"sub""#, &["+MFTPDEL: 0,0"])
        .await;
    at.request(
        &format!(r#"AT+MFTPLIST=0,"{}""#, t.work_dir),
        &["+MFTPLIST: 0,14"],
    )
    .await;
    let left: Vec<_> = std::fs::read_dir(&t.disk_dir).unwrap().collect();
    assert!(left.is_empty(), "[{}] left on the server: {left:?}", t.name);
    disconnect(at).await;
}

async fn local_fs_phase(at: &mut At, t: &Target) {
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    let u = binary(3000, 7);
    at.mfput("/up/u.bin", &u).await;
    connect(at, t).await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(
        r#"AT+MFTPSTOR=0,"u.bin","/up/u.bin""#,
        &["+MFTPSTOR: 0,0,3000"],
    )
    .await;
    at.await_state(0, 1).await;
    at.request(
        r#"AT+MFTPAPPE=0,"u.bin","/up/u.bin""#,
        &["+MFTPAPPE: 0,0,3000"],
    )
    .await;
    at.await_state(0, 1).await;
    let uu = [u.as_slice(), u.as_slice()].concat();
    same(t, "u.bin on the server", &disk(t, "u.bin"), &uu);
    // One report per 1024-byte block written (ONEMO-RELATED.md §D).
    let blocks = super::saved_reports(0, 6000);
    let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
    at.request(r#"AT+MFTPRETR=0,"u.bin","/down/d.bin""#, &blocks)
        .await;
    at.await_state(0, 1).await;
    let got = at.mfget("/down/d.bin", 6000).await;
    same(t, "RETR u.bin into the local fs", &got, &uu);
    at.request(
        r#"AT+MFTPRETR=0,"u.bin","/down/p.bin",2990,20"#,
        &["+MFTPRETR: 0,0,20,20"],
    )
    .await;
    at.await_state(0, 1).await;
    let got = at.mfget("/down/p.bin", 20).await;
    same(
        t,
        "RETR u.bin 2990+20 into the local fs",
        &got,
        &uu[2990..3010],
    );
    at.request(r#"AT+MFTPDEL=0,"u.bin""#, &["+MFTPDEL: 0,0"])
        .await;
    disconnect(at).await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",0"#).await;
}

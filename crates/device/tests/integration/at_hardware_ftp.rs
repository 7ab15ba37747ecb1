//! The FTP details testers recorded on real modules (ONEMO-RELATED.md §D), on an ML307R
//! profile against the four server implementations: offsets at and past the end (result 3),
//! a length of 0 (the rest), clipped ranges, per-block reports of a local download, and the
//! failure reports of LIST, MKD, DEL, RN and APPE. First, what each server itself answers to a
//! `REST` past the end, which is why the module asks `SIZE` first (docs/PROTOCOL.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::cell::{connect, disconnect, CHUNK};
use crate::at_common::payload::binary;
use crate::at_common::target::{Data, Ssl, Target};
use crate::at_common::{saved_reports, start, At, Module, ModuleOptions};
use ftpmodem_device::engine::EngineConfig;
use ftpmodem_ftp::{ConnectConfig, Session};
use ftpmodem_proto::Model;
use ftpmodem_testsrv::{
    FtpServer, Proftpd, ProftpdOptions, PureFtpd, PureFtpdOptions, Unftp, UnftpOptions, Vsftpd,
    VsftpdOptions, PASSWORD, USER,
};
use std::any::Any;
use std::path::PathBuf;

/// A running server (kept alive by the box) and how to reach it.
struct Served {
    _server: Box<dyn Any + Send>,
    target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Vsftpd,
    PureFtpd,
    Proftpd,
    Libunftp,
}

const KINDS: [Kind; 4] = [Kind::Vsftpd, Kind::PureFtpd, Kind::Proftpd, Kind::Libunftp];

async fn serve(kind: Kind) -> Served {
    fn uftp<S: FtpServer + Send + 'static>(name: &str, s: S, dir: PathBuf) -> Served {
        let target = Target::uftp(name.into(), s.addr(), dir, Ssl::Plain, Data::Epsv);
        Served {
            _server: Box::new(s),
            target,
        }
    }
    let blocking = |f: fn() -> Served| async move { tokio::task::spawn_blocking(f).await.unwrap() };
    match kind {
        Kind::Vsftpd => {
            blocking(|| {
                let s = Vsftpd::start(VsftpdOptions::plain()).unwrap();
                let dir = s.fresh_user_dir().unwrap();
                uftp("vsftpd", s, dir)
            })
            .await
        }
        Kind::PureFtpd => {
            blocking(|| {
                let s = PureFtpd::start(PureFtpdOptions::plain()).unwrap();
                let dir = s.fresh_user_dir().unwrap();
                uftp("pure-ftpd", s, dir)
            })
            .await
        }
        Kind::Proftpd => {
            blocking(|| {
                let s = Proftpd::start(ProftpdOptions::plain()).unwrap();
                let dir = s.fresh_user_dir().unwrap();
                uftp("proftpd", s, dir)
            })
            .await
        }
        Kind::Libunftp => {
            let s = Unftp::start(UnftpOptions::plain().user(USER, PASSWORD))
                .await
                .unwrap();
            let disk: PathBuf = s.root().join("cell");
            std::fs::create_dir(&disk).unwrap();
            let addr = s.addr();
            Served {
                _server: Box::new(s),
                target: Target {
                    name: "libunftp".into(),
                    host: addr.ip().to_string(),
                    port: addr.port(),
                    user: USER.into(),
                    pass: PASSWORD.into(),
                    login_dir: "/".into(),
                    work_dir: "/cell".into(),
                    disk_dir: disk,
                    ssl: Ssl::Plain,
                    ca_pem: None,
                    data: Data::Epsv,
                    perm_file: String::new(),
                    perm_dir: String::new(),
                    relative_file_list: false,
                },
            }
        }
    }
}

/// What the server does with `REST <size + 1>` then `RETR`: `Some(n)` bytes sent, or `None`
/// for a refusal.
async fn rest_past_the_end(t: &Target) -> Option<usize> {
    let mut cfg = ConnectConfig::new(t.host.clone(), t.port);
    cfg.user = t.user.clone();
    cfg.password = t.pass.clone();
    let mut s = Session::connect(&cfg).await.unwrap();
    s.cwd(&t.work_dir).await.unwrap();
    let got = match s.retrieve("1000.txt", 1001, None, false).await {
        Ok(mut dl) => {
            let mut n = 0;
            let mut buf = vec![0u8; 4096];
            loop {
                match dl.next_chunk(&mut buf).await {
                    Ok(0) => break Some(n),
                    Ok(k) => n += k,
                    Err(_) => break None,
                }
            }
        }
        Err(_) => None,
    };
    assert!(s.is_usable(), "[{}] session lost", t.name);
    got
}

/// All four take `REST 1001` on a 1000-byte file and answer the `RETR` with an empty transfer
/// and 226: exactly what an empty file gives (19). So the size must come from `SIZE`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_sends_nothing_for_a_rest_past_the_end() {
    for kind in KINDS {
        let s = serve(kind).await;
        std::fs::write(s.target.disk_dir.join("1000.txt"), binary(1000, 1)).unwrap();
        let got = rest_past_the_end(&s.target).await;
        assert_eq!(got, Some(0), "{kind:?}");
    }
}

async fn module() -> (Module, At) {
    start(ModuleOptions {
        engine: EngineConfig {
            profile: Model::Ml307r.profile(),
            ..EngineConfig::default()
        },
        label: "ML307R".into(),
        ..ModuleOptions::default()
    })
    .await
}

async fn cwd(at: &mut At, t: &Target) {
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
}

/// §D on one server: the ranges of `1000.txt` to the serial line, then into the local file
/// system, then the failure reports.
async fn recorded_session(kind: Kind) {
    let s = serve(kind).await;
    let t = &s.target;
    let file = binary(1000, 7);
    std::fs::write(t.disk_dir.join("1000.txt"), &file).unwrap();
    std::fs::write(t.disk_dir.join("3000.bin"), binary(3000, 8)).unwrap();
    std::fs::create_dir(t.disk_dir.join("there")).unwrap();
    let (_module, mut at) = module().await;
    connect(&mut at, t).await;
    cwd(&mut at, t).await;
    let name = &t.name;

    // Offsets past and at the end: 3.
    for line in [
        r#"AT+MFTPRETR=0,"1000.txt",,1001,10"#,
        r#"AT+MFTPRETR=0,"1000.txt",,1000"#,
        r#"AT+MFTPRETR=0,"1000.txt",,5000,0"#,
    ] {
        at.request(line, &["+MFTPRETR: 0,3"]).await;
        at.state(0, 1).await;
    }
    // 10 bytes; length 0 = the rest; a range past the end is clipped.
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"1000.txt",,0,10"#, 10, CHUNK)
        .await;
    assert!(got == file[..10], "[{name}] offset 0 length 10");
    at.await_state(0, 1).await;
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"1000.txt",,0,0"#, 1000, CHUNK)
        .await;
    assert!(got == file, "[{name}] length 0");
    at.await_state(0, 1).await;
    for line in [
        r#"AT+MFTPRETR=0,"1000.txt",,900,1001"#,
        r#"AT+MFTPRETR=0,"1000.txt",,900,0"#,
        r#"AT+MFTPRETR=0,"1000.txt",,900"#,
    ] {
        let got = at.retr(0, line, 100, CHUNK).await;
        assert!(got == file[900..], "[{name}] {line}");
        at.await_state(0, 1).await;
    }
    // A missing remote file: 10, no trailing fields.
    at.request(r#"AT+MFTPRETR=0,"none.txt""#, &["+MFTPRETR: 0,10"])
        .await;
    at.await_state(0, 1).await;

    // Failure reports of the other commands.
    at.request(r#"AT+MFTPLIST=0,"none.txt""#, &["+MFTPLIST: 0,14"])
        .await;
    at.request(r#"AT+MFTPMKD=0,"there""#, &["+MFTPMKD: 0,10"])
        .await;
    at.request(r#"AT+MFTPMKD=0,"no/such/dir""#, &["+MFTPMKD: 0,10"])
        .await;
    at.request(r#"AT+MFTPDEL=0,"none.txt""#, &["+MFTPDEL: 0,10"])
        .await;
    at.request(r#"AT+MFTPRN=0,"none.txt","x.txt""#, &["+MFTPRN: 0,10"])
        .await;
    // A missing remote directory: `+MFTPAPPE: 0,10,0` where the server refuses the APPE;
    // libunftp takes the data connection and the 3 bytes first and refuses in its final
    // reply, so they count as sent (§3.11 <sent_length>; a server-side difference).
    let sent = if kind == Kind::Libunftp { 3 } else { 0 };
    at.request(
        r#"AT+MFTPAPPE=0,"nodir/a.txt",1,3,"abc""#,
        &[&format!("+MFTPAPPE: 0,10,{sent}")],
    )
    .await;
    at.await_state(0, 1).await;

    // Into the local file system.
    disconnect(&mut at).await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    connect(&mut at, t).await;
    cwd(&mut at, t).await;
    // Offset == size: 3, and the local file is there, empty (`+MFGET: 0,`).
    at.request(
        r#"AT+MFTPRETR=0,"1000.txt","/usr/e.txt",1000"#,
        &["+MFTPRETR: 0,3"],
    )
    .await;
    assert_eq!(at.mfget("/usr/e.txt", 0).await, b"", "[{name}]");
    // Length 0: the whole file, one report; a 3000-byte file: one report per block.
    at.request(
        r#"AT+MFTPRETR=0,"1000.txt","/usr/a.txt",,0"#,
        &["+MFTPRETR: 0,0,1000,1000"],
    )
    .await;
    at.await_state(0, 1).await;
    assert!(at.mfget("/usr/a.txt", 1000).await == file, "[{name}]");
    let blocks = saved_reports(0, 3000);
    let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
    at.request(r#"AT+MFTPRETR=0,"3000.bin","/usr/b.bin""#, &blocks)
        .await;
    at.await_state(0, 1).await;
    // A range past the end is clipped: 100 bytes.
    at.request(
        r#"AT+MFTPRETR=0,"1000.txt","/usr/c.txt",900,1001"#,
        &["+MFTPRETR: 0,0,100,100"],
    )
    .await;
    at.await_state(0, 1).await;
    assert!(at.mfget("/usr/c.txt", 100).await == file[900..], "[{name}]");
    disconnect(&mut at).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_ftp_details_against_vsftpd() {
    recorded_session(Kind::Vsftpd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_ftp_details_against_pureftpd() {
    recorded_session(Kind::PureFtpd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_ftp_details_against_proftpd() {
    recorded_session(Kind::Proftpd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_ftp_details_against_libunftp() {
    recorded_session(Kind::Libunftp).await;
}

/// A scripted server that answers `SIZE` with 502, takes `REST 1001` and sends an empty
/// transfer: an offset that yields no byte is past the end, 3 (not 19).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_size_still_gives_3() {
    use crate::ftp_script::{self, Peer};
    let (addr, script) = ftp_script::serve(|mut p: Peer| async move {
        assert_eq!(p.until("REST").await.as_deref(), Some("REST 1001"));
        p.send("350 Restarting at 1001\r\n").await;
        assert_eq!(p.until("RETR").await.as_deref(), Some("RETR 1000.txt"));
        p.send("150 Opening BINARY mode data connection\r\n").await;
        drop(p.accept_data().await);
        p.send("226 Transfer complete\r\n").await;
        let _ = p.until("NONE").await;
    })
    .await;
    let (_module, mut at) = module().await;
    at.request(
        &format!(r#"AT+MFTPCONN=0,"127.0.0.1","u","p",{}"#, addr.port()),
        &["+MFTPCONN: 0,0"],
    )
    .await;
    at.request(r#"AT+MFTPRETR=0,"1000.txt",,1001"#, &["+MFTPRETR: 0,3"])
        .await;
    at.await_state(0, 1).await;
    disconnect(&mut at).await;
    script.await.unwrap();
}

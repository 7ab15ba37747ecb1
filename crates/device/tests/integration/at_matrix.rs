//! The interop matrix over the AT line: vsftpd, pure-ftpd and proftpd (Debian's builds, started
//! with throwaway configurations on free loopback ports) and libunftp in-process, in every data
//! connection mode and TLS mode each server has, over IPv4 and IPv6 loopback. Each cell is a
//! fresh module running the whole command set ([`at_common::cell`]); the cells of one server
//! family run concurrently and a failure names its cell.
//!
//! Cells that cannot exist, and why:
//! - PASV with FTPS (any server): the AT command set has no PASV/EPSV switch; the module's
//!   client tries EPSV first and falls back to PASV only when the server answers 500-504. The
//!   plain PASV cells get that answer from a relay on the control connection
//!   ([`at_common::relay`]), which cannot see inside TLS; vsftpd's `cmds_denied=EPSV` answers
//!   550 (an argument refusal, no fallback), and none of the servers here can switch EPSV off.
//! - PASV over IPv6: PASV cannot carry an IPv6 address; the client always uses EPSV there.
//! - pure-ftpd implicit FTPS, libunftp implicit FTPS: the servers do not have it.
//! - proftpd FTPS and IPv6: the fixture runs it plain only (Debian builds `mod_tls` as a module
//!   the fixture does not load); the client tests (`ftpmodem-ftp`) cover it over IPv6.
//! - libunftp active mode: the fixture runs it passive-only (its PORT support is opt-in and it
//!   has no EPRT); pure-ftpd and libunftp over IPv6: not in the matrix of the issue (vsftpd
//!   covers IPv6 in all TLS modes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::cell::run_cell;
use at_common::relay::ControlRelay;
use at_common::target::{Data, Ssl, Target};
use at_common::{start, LineKind, ModuleOptions};
use ftpmodem_testsrv::{
    Certs, FtpServer, Proftpd, ProftpdOptions, PureFtpd, PureFtpdOptions, Unftp, UnftpOptions,
    Vsftpd, VsftpdOptions, PASSWORD, USER,
};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// One cell of the matrix.
#[derive(Debug, Clone, Copy)]
struct Cell {
    ssl: Ssl,
    data: Data,
    ipv6: bool,
    line: LineKind,
    transparent: bool,
}

impl Cell {
    fn name(&self, server: &str) -> String {
        format!(
            "{server} {:?} {:?} {}{}",
            self.ssl,
            self.data,
            if self.ipv6 { "IPv6" } else { "IPv4" },
            if self.line == LineKind::Pty {
                " PTY"
            } else {
                ""
            }
        )
    }
}

fn cell(ssl: Ssl, data: Data, ipv6: bool) -> Cell {
    Cell {
        ssl,
        data,
        ipv6,
        line: LineKind::Memory,
        transparent: true,
    }
}

type CellRun = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs the cells concurrently; fails with the names and messages of all that failed.
async fn run_all(cells: Vec<(String, CellRun)>) {
    let started = std::time::Instant::now();
    let handles: Vec<_> = cells
        .into_iter()
        .map(|(name, f)| (name, tokio::spawn(f)))
        .collect();
    let mut failed = Vec::new();
    let n = handles.len();
    for (name, h) in handles {
        match h.await {
            Ok(()) => eprintln!("cell passed: {name}"),
            Err(e) => {
                let msg = match e.try_into_panic() {
                    Ok(p) => p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default(),
                    Err(e) => e.to_string(),
                };
                failed.push(format!("{name}: {msg}"));
            }
        }
    }
    eprintln!("{n} cells in {:?}", started.elapsed());
    assert!(
        failed.is_empty(),
        "{} of {n} cells failed:\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}

/// Runs the cell against `t` on a fresh module of its own (so cells cannot disturb each other).
async fn drive(c: Cell, t: Target) {
    let (_module, mut at) = start(ModuleOptions {
        line: c.line,
        label: t.name.clone(),
        ..ModuleOptions::default()
    })
    .await;
    run_cell(&mut at, &t, c.transparent).await;
}

/// The command the server must have seen for the cell's data connections.
fn data_verb(c: &Cell) -> &'static str {
    match (c.data, c.ipv6) {
        (Data::Pasv, _) => "\"PASV\"",
        (Data::Epsv, _) => "\"EPSV\"",
        (Data::Active, false) => "\"PORT ",
        (Data::Active, true) => "\"EPRT ",
    }
}

fn vsftpd_run(c: Cell, certs: Certs) -> CellRun {
    Box::pin(async move {
        let name = c.name("vsftpd");
        let mut opts = match c.ssl {
            Ssl::Plain => VsftpdOptions::plain(),
            Ssl::Explicit => VsftpdOptions::explicit_tls(&certs),
            Ssl::Implicit => VsftpdOptions::implicit_tls(&certs),
        };
        if c.ipv6 {
            opts = opts.ipv6();
        }
        let server = tokio::task::spawn_blocking(move || Vsftpd::start(opts))
            .await
            .unwrap()
            .unwrap();
        let dir = server.fresh_user_dir().unwrap();
        // vsftpd logs the protocol itself: a relay only where EPSV must be refused.
        let relay = match c.data {
            Data::Pasv => Some(ControlRelay::start(server.addr(), true).await),
            _ => None,
        };
        let addr = relay.as_ref().map_or(server.addr(), |r| r.addr());
        let t =
            Target::uftp(name.clone(), addr, dir, c.ssl, c.data).trusting(certs.ca().cert_pem());
        drive(c, t).await;
        let log = server.log_text();
        let verb = data_verb(&c);
        assert!(log.contains(verb), "[{name}] the server never saw {verb}");
        if c.data == Data::Pasv {
            assert!(
                !log.contains("\"EPSV\""),
                "[{name}] EPSV reached the server"
            );
            assert!(relay.map_or(0, |r| r.refused()) > 0);
        }
        if c.ssl == Ssl::Explicit {
            assert!(log.contains("\"AUTH TLS\""), "[{name}] no AUTH TLS");
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsftpd_matrix() {
    let certs = Certs::generate().unwrap();
    let mut cells = Vec::new();
    for ipv6 in [false, true] {
        for ssl in [Ssl::Plain, Ssl::Explicit, Ssl::Implicit] {
            for data in [Data::Pasv, Data::Epsv, Data::Active] {
                // PASV only where it can be reached (see the file's docs).
                if data == Data::Pasv && (ipv6 || ssl != Ssl::Plain) {
                    continue;
                }
                let mut c = cell(ssl, data, ipv6);
                // Two cells over a real PTY, the rest in memory.
                if (ssl, data, ipv6) == (Ssl::Plain, Data::Epsv, false)
                    || (ssl, data, ipv6) == (Ssl::Explicit, Data::Active, true)
                {
                    c.line = LineKind::Pty;
                }
                cells.push((c.name("vsftpd"), vsftpd_run(c, certs.clone())));
            }
        }
    }
    assert_eq!(cells.len(), 13);
    run_all(cells).await;
}

fn pureftpd_run(c: Cell, certs: Certs) -> CellRun {
    Box::pin(async move {
        let name = c.name("pure-ftpd");
        let opts = match c.ssl {
            Ssl::Plain => PureFtpdOptions::plain(),
            _ => PureFtpdOptions::explicit_tls(&certs),
        };
        let server = tokio::task::spawn_blocking(move || PureFtpd::start(opts))
            .await
            .unwrap()
            .unwrap();
        let dir = server.fresh_user_dir().unwrap();
        // No protocol log: plain cells go through a relay that records the commands.
        let relay = match c.ssl {
            Ssl::Plain => Some(ControlRelay::start(server.addr(), c.data == Data::Pasv).await),
            _ => None,
        };
        let addr = relay.as_ref().map_or(server.addr(), |r| r.addr());
        let t_name = name.clone();
        let t = Target::uftp(name, addr, dir, c.ssl, c.data).trusting(certs.ca().cert_pem());
        drive(c, t).await;
        if let Some(r) = relay {
            let verb = data_verb(&c).trim_matches('"');
            assert!(r.saw(verb), "[{}] the server never got {verb}", t_name);
            assert_eq!(r.refused() > 0, c.data == Data::Pasv);
        }
        drop(server);
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pureftpd_matrix() {
    let certs = Certs::generate().unwrap();
    let cells: Vec<_> = [
        cell(Ssl::Plain, Data::Pasv, false),
        cell(Ssl::Plain, Data::Epsv, false),
        cell(Ssl::Plain, Data::Active, false),
        cell(Ssl::Explicit, Data::Epsv, false),
        cell(Ssl::Explicit, Data::Active, false),
    ]
    .into_iter()
    .map(|c| (c.name("pure-ftpd"), pureftpd_run(c, certs.clone())))
    .collect();
    run_all(cells).await;
}

fn unftp_run(c: Cell, certs: Certs) -> CellRun {
    Box::pin(async move {
        let name = c.name("libunftp");
        let opts = match c.ssl {
            Ssl::Plain => UnftpOptions::plain(),
            _ => UnftpOptions::explicit_tls(&certs),
        }
        .user(USER, PASSWORD);
        let server = Unftp::start(opts).await.unwrap();
        let work = "/cell";
        let disk: PathBuf = server.root().join("cell");
        std::fs::create_dir(&disk).unwrap();
        // No protocol log: plain cells go through a relay that records the commands.
        let relay = match c.ssl {
            Ssl::Plain => Some(ControlRelay::start(server.addr(), c.data == Data::Pasv).await),
            _ => None,
        };
        let addr = relay.as_ref().map_or(server.addr(), |r| r.addr());
        let t_name = name.clone();
        let t = Target {
            name,
            host: addr.ip().to_string(),
            port: addr.port(),
            user: USER.into(),
            pass: PASSWORD.into(),
            login_dir: "/".into(),
            work_dir: work.into(),
            disk_dir: disk,
            ssl: c.ssl,
            ca_pem: Some(certs.ca().cert_pem().to_string()),
            data: c.data,
            // libunftp's MLSD facts carry no perm and no UNIX.mode; the channel prints a
            // missing permission triplet as an empty string (channel module docs).
            perm_file: String::new(),
            perm_dir: String::new(),
            relative_file_list: false,
        };
        drive(c, t).await;
        if let Some(r) = relay {
            let verb = data_verb(&c).trim_matches('"');
            assert!(r.saw(verb), "[{}] the server never got {verb}", t_name);
            assert_eq!(r.refused() > 0, c.data == Data::Pasv);
        }
        drop(server);
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libunftp_matrix() {
    let certs = Certs::generate().unwrap();
    let cells: Vec<_> = [
        cell(Ssl::Plain, Data::Pasv, false),
        cell(Ssl::Plain, Data::Epsv, false),
        cell(Ssl::Explicit, Data::Epsv, false),
    ]
    .into_iter()
    .map(|c| (c.name("libunftp"), unftp_run(c, certs.clone())))
    .collect();
    run_all(cells).await;
}

fn proftpd_run(c: Cell) -> CellRun {
    Box::pin(async move {
        let name = c.name("proftpd");
        let server = tokio::task::spawn_blocking(|| Proftpd::start(ProftpdOptions::plain()))
            .await
            .unwrap()
            .unwrap();
        let dir = server.fresh_user_dir().unwrap();
        // proftpd logs the protocol itself: a relay only where EPSV must be refused.
        let relay = match c.data {
            Data::Pasv => Some(ControlRelay::start(server.addr(), true).await),
            _ => None,
        };
        let addr = relay.as_ref().map_or(server.addr(), |r| r.addr());
        let t = Target::uftp(name.clone(), addr, dir, c.ssl, c.data);
        drive(c, t).await;
        // Lines `VERB ARGS -> CODE`, each written once its reply is sent: the data commands
        // came long before the QUIT that ended the cell.
        let log = server.log_text();
        let verb = data_verb(&c).trim_matches('"');
        assert!(
            log.contains(verb),
            "[{name}] the server never saw {verb}:\n{log}"
        );
        if c.data == Data::Pasv {
            assert!(!log.contains("EPSV"), "[{name}] EPSV reached the server");
            assert!(relay.map_or(0, |r| r.refused()) > 0);
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proftpd_matrix() {
    let cells: Vec<_> = [
        cell(Ssl::Plain, Data::Pasv, false),
        cell(Ssl::Plain, Data::Epsv, false),
        cell(Ssl::Plain, Data::Active, false),
    ]
    .into_iter()
    .map(|c| (c.name("proftpd"), proftpd_run(c)))
    .collect();
    run_all(cells).await;
}

/// proftpd with `AllowRetrieveRestart off` answers `350` to `REST` and `451` to the `RETR`
/// after it: `AT+MFTPRETR` with an offset still gives exactly the bytes from the offset, to the
/// serial line and into the local file system.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proftpd_retr_offset_without_restart() {
    let server = tokio::task::spawn_blocking(|| {
        Proftpd::start(ProftpdOptions::plain().no_retrieve_restart())
    })
    .await
    .unwrap()
    .unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let data = at_common::payload::binary(6000, 9);
    std::fs::write(dir.join("f.bin"), &data).unwrap();
    let t = Target::uftp(
        "proftpd no restart".into(),
        server.addr(),
        dir,
        Ssl::Plain,
        Data::Epsv,
    );
    let (_module, mut at) = start(ModuleOptions::default()).await;
    at_common::cell::configure(&mut at, &t).await;
    at_common::cell::connect(&mut at, &t).await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    let chunk = at_common::cell::CHUNK;
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"f.bin",,100,2500"#, 2500, chunk)
        .await;
    assert!(got == data[100..2600], "offset 100 length 2500");
    at.await_state(0, 1).await;
    let got = at
        .retr(0, r#"AT+MFTPRETR=0,"f.bin",,5000"#, 1000, chunk)
        .await;
    assert!(got == data[5000..], "offset 5000");
    at.await_state(0, 1).await;
    let log = server.log_text();
    assert!(
        log.contains("REST 100 -> 350") && log.contains("RETR f.bin -> 451"),
        "the server did not refuse the restart:\n{log}"
    );

    // The channel's configuration changes only while it is disconnected.
    at_common::cell::disconnect(&mut at).await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    at_common::cell::connect(&mut at, &t).await;
    at.request(
        &format!(r#"AT+MFTPCWD=0,"{}""#, t.work_dir),
        &["+MFTPCWD: 0,0"],
    )
    .await;
    at.request(
        r#"AT+MFTPRETR=0,"f.bin","/down/p.bin",5990,20"#,
        &["+MFTPRETR: 0,0,10,10"],
    )
    .await;
    at.await_state(0, 1).await;
    assert!(
        at.mfget("/down/p.bin", 10).await == data[5990..],
        "local fs offset 5990"
    );
    at_common::cell::disconnect(&mut at).await;
}

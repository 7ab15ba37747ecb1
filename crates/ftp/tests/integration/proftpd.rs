//! The client against proftpd: plain FTP, passive (EPSV, PASV) and active, IPv4 and IPv6, and
//! a server that takes `REST` but refuses the `RETR` after it (`AllowRetrieveRestart off`).
//! proftpd has MLSD, so listings go through the MLSD parser here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ftpmodem_ftp::{ConnectConfig, FtpError, Security, Session};
use ftpmodem_testsrv::{FtpServer, Proftpd, ProftpdOptions};

async fn start(opts: ProftpdOptions) -> Proftpd {
    tokio::task::spawn_blocking(move || Proftpd::start(opts))
        .await
        .unwrap()
        .expect("proftpd")
}

async fn run(opts: ProftpdOptions, tweak: impl Fn(ConnectConfig) -> ConnectConfig) -> Proftpd {
    let server = start(opts).await;
    let dir = server.fresh_user_dir().unwrap();
    let cfg = tweak(as_uftp(config(server.addr(), Security::None, None)));
    let task = tokio::spawn(async move {
        let (seen, s) = scenario(&cfg, dir.to_str().unwrap(), &dir).await;
        assert!(s.features().has("MLST"), "proftpd announces MLST");
        s.quit().await.expect("quit");
        seen
    });
    let seen = match task.await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("--- proftpd log ---\n{}", server.log_text());
            eprintln!("--- proftpd output ---\n{}", server.output_text());
            std::panic::resume_unwind(e.into_panic());
        }
    };
    // MLSD gives full timestamps with seconds; LIST would not.
    assert!(seen.listing.iter().all(|e| e.modified.is_some()));
    server
}

#[tokio::test]
async fn plain_epsv() {
    let server = run(ProftpdOptions::plain(), |c| c).await;
    let log = server.wait_for_log("QUIT").unwrap();
    assert!(
        log.contains("EPSV  -> 229") && !log.contains("PASV"),
        "{log}"
    );
}

#[tokio::test]
async fn plain_pasv() {
    let server = run(ProftpdOptions::plain(), pasv_only).await;
    let log = server.wait_for_log("QUIT").unwrap();
    assert!(
        log.contains("PASV  -> 227") && !log.contains("EPSV"),
        "{log}"
    );
}

#[tokio::test]
async fn plain_active() {
    let server = run(ProftpdOptions::plain(), active).await;
    let log = server.wait_for_log("QUIT").unwrap();
    assert!(log.contains("PORT 127,0,0,1,"), "{log}");
}

#[tokio::test]
async fn ipv6() {
    run(ProftpdOptions::plain().ipv6(), |c| c).await;
    let server = run(ProftpdOptions::plain().ipv6(), active).await;
    let log = server.wait_for_log("QUIT").unwrap();
    assert!(log.contains("EPRT |2|::1|"), "{log}");
}

/// `AllowRetrieveRestart off`: `REST n` is answered 350, the `RETR` after it `451 Restart not
/// permitted`. The client retries a plain `RETR` and discards the first n bytes itself, so
/// every download with an offset still gives exactly the asked-for bytes.
#[tokio::test]
async fn download_with_offset_when_restart_is_refused() {
    let server = start(ProftpdOptions::plain().no_retrieve_restart()).await;
    let dir = server.fresh_user_dir().unwrap();
    let all = payload(200_000);
    std::fs::write(dir.join("r.bin"), &all).unwrap();
    let cfg = as_uftp(config(server.addr(), Security::None, None));
    let mut s = Session::connect(&cfg).await.expect("connect");
    s.cwd(dir.to_str().unwrap()).await.unwrap();

    same_bytes(
        &download(&mut s, "r.bin", 150_000, None, false).await,
        &all[150_000..],
    );
    let log = server.wait_for_log("RETR r.bin -> 226").unwrap();
    assert!(
        log.contains("REST 150000 -> 350") && log.contains("RETR r.bin -> 451"),
        "{log}"
    );
    // Offset and limit: the limit counts from the offset, after the discarded head.
    same_bytes(
        &download(&mut s, "r.bin", 1000, Some(5000), false).await,
        &all[1000..6000],
    );
    // The last byte only, and an offset at the very end (nothing left).
    let n = all.len() as u64;
    same_bytes(
        &download(&mut s, "r.bin", n - 1, None, false).await,
        &all[all.len() - 1..],
    );
    same_bytes(&download(&mut s, "r.bin", n, None, false).await, &[]);
    // A whole download sends no REST (or `REST 0`) and is not refused.
    same_bytes(&download(&mut s, "r.bin", 0, None, false).await, &all);
    // A file that is not there is still reported, not hidden by the retry.
    match s.retrieve("missing.bin", 10, None, false).await {
        Err(FtpError::Refused { command, reply }) => {
            assert_eq!(command, "RETR");
            assert_eq!(reply.code.as_u16(), 550, "{reply}");
        }
        Err(e) => panic!("missing file with offset: unexpected error {e:?}"),
        Ok(_) => panic!("missing file with offset: download started"),
    }
    assert!(s.is_usable());
    assert_eq!(
        s.pwd().await.unwrap().trim_end_matches('/'),
        dir.to_str().unwrap()
    );
    s.quit().await.expect("quit");
}

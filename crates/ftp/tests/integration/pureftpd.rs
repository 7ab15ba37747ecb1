//! The client against pure-ftpd: plain and explicit FTPS, passive (EPSV, PASV) and active,
//! IPv4 and IPv6. pure-ftpd has MLSD, so listings go through the MLSD parser here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ftpmodem_ftp::{ConnectConfig, Security};
use ftpmodem_testsrv::{Certs, FtpServer, PureFtpd, PureFtpdOptions};

async fn run(
    opts: PureFtpdOptions,
    security: Security,
    tweak: impl Fn(ConnectConfig) -> ConnectConfig,
) -> PureFtpd {
    let certs = opts.tls.certs().cloned();
    let server = tokio::task::spawn_blocking(move || PureFtpd::start(opts))
        .await
        .unwrap()
        .expect("pure-ftpd");
    let dir = server.fresh_user_dir().unwrap();
    let cfg = tweak(as_uftp(config(server.addr(), security, certs.as_ref())));
    let task = tokio::spawn(async move {
        let (seen, s) = scenario(&cfg, dir.to_str().unwrap(), &dir).await;
        assert!(s.features().has("MLST"), "pure-ftpd announces MLST");
        let st = s.data_tls_stats();
        s.quit().await.expect("quit");
        (seen, st)
    });
    let (seen, st) = match task.await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("--- pure-ftpd output ---\n{}", server.output_text());
            std::panic::resume_unwind(e.into_panic());
        }
    };
    // MLSD gives full timestamps with seconds; LIST would not.
    assert!(seen.listing.iter().all(|e| e.modified.is_some()));
    if security != Security::None {
        assert!(st.resumed + st.full > 5, "{st:?}");
    }
    server
}

#[tokio::test]
async fn plain_epsv_pasv_active() {
    run(PureFtpdOptions::plain(), Security::None, |c| c).await;
    run(PureFtpdOptions::plain(), Security::None, pasv_only).await;
    run(PureFtpdOptions::plain(), Security::None, active).await;
}

#[tokio::test]
async fn explicit_tls() {
    let certs = Certs::generate().unwrap();
    run(
        PureFtpdOptions::explicit_tls(&certs),
        Security::Explicit,
        |c| c,
    )
    .await;
    run(
        PureFtpdOptions::explicit_tls(&certs),
        Security::Explicit,
        active,
    )
    .await;
}

#[tokio::test]
async fn ipv6() {
    let certs = Certs::generate().unwrap();
    run(PureFtpdOptions::plain().ipv6(), Security::None, |c| c).await;
    run(PureFtpdOptions::plain().ipv6(), Security::None, active).await;
    run(
        PureFtpdOptions::explicit_tls(&certs).ipv6(),
        Security::Explicit,
        |c| c,
    )
    .await;
}

/// Issue 13.2 against a real server (MLSD): names with `"` and `,` pass back as printed.
#[tokio::test]
async fn hostile_names_pass_back_as_printed() {
    let server = tokio::task::spawn_blocking(|| PureFtpd::start(PureFtpdOptions::plain()))
        .await
        .unwrap()
        .expect("server");
    let dir = server.fresh_user_dir().unwrap();
    let cfg = as_uftp(config(server.addr(), Security::None, None));
    hostile_names_pass_back(&cfg, dir.to_str().unwrap()).await;
}

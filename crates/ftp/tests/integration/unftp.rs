//! The client against libunftp (in-process): plain and explicit FTPS, passive, IPv4 and IPv6.
//! libunftp has MLSD and no EPRT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ftpmodem_ftp::{ConnectConfig, Security};
use ftpmodem_testsrv::{Certs, FtpServer, Unftp, UnftpOptions};

async fn run(
    opts: UnftpOptions,
    security: Security,
    tweak: impl Fn(ConnectConfig) -> ConnectConfig,
) {
    let certs = opts.tls.certs().cloned();
    let server = Unftp::start(opts).await.expect("libunftp");
    let root = server.root().to_path_buf();
    let cfg = tweak(config(server.addr(), security, certs.as_ref()));
    let (seen, s) = scenario_with(&cfg, "/", &root, false).await;
    assert!(seen.listing.iter().all(|e| e.modified.is_some()));
    if security != Security::None {
        assert!(s.data_tls_stats().resumed + s.data_tls_stats().full > 5);
    }
    s.quit().await.expect("quit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_passive() {
    run(UnftpOptions::plain(), Security::None, |c| c).await;
    run(UnftpOptions::plain(), Security::None, pasv_only).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_tls_passive() {
    let certs = Certs::generate().unwrap();
    run(
        UnftpOptions::explicit_tls(&certs),
        Security::Explicit,
        |c| c,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_tls_and_user_login() {
    let certs = Certs::generate().unwrap();
    let mut opts = UnftpOptions::explicit_tls(&certs).user("alice", "s3cret");
    opts.require_tls = true;
    run(opts, Security::Explicit, |mut c| {
        c.user = "alice".into();
        c.password = "s3cret".into();
        c
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_port() {
    let mut opts = UnftpOptions::plain();
    opts.active = true;
    run(opts, Security::None, active).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_passive() {
    run(UnftpOptions::plain().ipv6(), Security::None, |c| c).await;
}

//! The client against vsftpd: plain, explicit and implicit FTPS (with `require_ssl_reuse`),
//! passive (EPSV and PASV), active (PORT and EPRT), IPv4 and IPv6.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ftpmodem_ftp::{ConnectConfig, Security, TlsVersion};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions};

async fn run(
    opts: VsftpdOptions,
    security: Security,
    tweak: impl Fn(ConnectConfig) -> ConnectConfig,
) -> Vsftpd {
    let certs = opts.tls.certs().cloned();
    let server = tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .expect("vsftpd");
    let dir = server.fresh_user_dir().unwrap();
    let cfg = tweak(as_uftp(config(server.addr(), security, certs.as_ref())));
    let expected_version = cfg.tls.max_version.unwrap_or(TlsVersion::Tls13);
    let task = tokio::spawn(async move {
        let (_seen, s) = scenario(&cfg, dir.to_str().unwrap(), &dir).await;
        let st = s.data_tls_stats();
        let version = s.tls_version();
        s.quit().await.expect("quit");
        (st, version)
    });
    let (st, version) = match task.await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("--- vsftpd log ---\n{}", server.log_text());
            std::panic::resume_unwind(e.into_panic());
        }
    };
    if security != Security::None {
        assert_eq!(st.full, 0, "a data connection did not resume: {st:?}");
        assert!(st.resumed > 5, "{st:?}");
        assert_eq!(version, Some(expected_version));
    }
    server
}

fn tls12(mut c: ConnectConfig) -> ConnectConfig {
    c.tls.max_version = Some(TlsVersion::Tls12);
    c
}

/// vsftpd's default `ssl_ciphers` (DES-CBC3-SHA) has no TLS 1.2 suite for the fixture's
/// ECDSA certificate (TLS 1.3 suites are configured apart), so TLS 1.2 cells widen it.
fn tls12_server(mut o: VsftpdOptions) -> VsftpdOptions {
    o.extra_config.push(("ssl_ciphers".into(), "HIGH".into()));
    o
}

fn certs() -> Certs {
    Certs::generate().unwrap()
}

#[tokio::test]
async fn plain_epsv() {
    let server = run(VsftpdOptions::plain(), Security::None, |c| c).await;
    assert!(server.log_text().contains("\"EPSV\""));
}

#[tokio::test]
async fn plain_pasv() {
    let server = run(VsftpdOptions::plain(), Security::None, pasv_only).await;
    let log = server.log_text();
    assert!(log.contains("\"PASV\"") && !log.contains("\"EPSV\""));
}

#[tokio::test]
async fn plain_active_port() {
    let server = run(VsftpdOptions::plain(), Security::None, active).await;
    assert!(server.log_text().contains("PORT 127,0,0,1,"));
}

#[tokio::test]
async fn explicit_tls13_reuse_required() {
    let server = run(
        VsftpdOptions::explicit_tls(&certs()),
        Security::Explicit,
        |c| c,
    )
    .await;
    assert!(server.log_text().contains("\"AUTH TLS\""));
}

#[tokio::test]
async fn explicit_tls12_reuse_required() {
    run(
        tls12_server(VsftpdOptions::explicit_tls(&certs())),
        Security::Explicit,
        tls12,
    )
    .await;
}

#[tokio::test]
async fn explicit_tls_pasv_and_active() {
    run(
        VsftpdOptions::explicit_tls(&certs()),
        Security::Explicit,
        pasv_only,
    )
    .await;
    run(
        VsftpdOptions::explicit_tls(&certs()),
        Security::Explicit,
        active,
    )
    .await;
}

#[tokio::test]
async fn implicit_tls13_and_tls12() {
    let server = run(
        VsftpdOptions::implicit_tls(&certs()),
        Security::Implicit,
        |c| c,
    )
    .await;
    assert!(server.log_text().contains("\"PROT P\""));
    run(
        tls12_server(VsftpdOptions::implicit_tls(&certs())),
        Security::Implicit,
        tls12,
    )
    .await;
}

#[tokio::test]
async fn implicit_tls_active() {
    run(
        VsftpdOptions::implicit_tls(&certs()),
        Security::Implicit,
        active,
    )
    .await;
}

#[tokio::test]
async fn ipv6_plain_epsv_and_eprt() {
    let server = run(VsftpdOptions::plain().ipv6(), Security::None, |c| c).await;
    assert!(server.addr().is_ipv6());
    // vsftpd answers PASV with 0,0,0,0 on [::1]: the client must not send PASV at all.
    assert!(!server.log_text().contains("\"PASV\""));
    let server = run(VsftpdOptions::plain().ipv6(), Security::None, active).await;
    assert!(server.log_text().contains("EPRT |2|::1|"));
}

#[tokio::test]
async fn ipv6_explicit_tls() {
    run(
        VsftpdOptions::explicit_tls(&certs()).ipv6(),
        Security::Explicit,
        pasv_only,
    )
    .await;
    run(
        VsftpdOptions::explicit_tls(&certs()).ipv6(),
        Security::Explicit,
        active,
    )
    .await;
}

#[tokio::test]
async fn mutual_tls() {
    let c = certs();
    let mut opts = VsftpdOptions::explicit_tls(&c);
    opts.require_client_cert = true;
    let client = ftpmodem_ftp::ClientAuth {
        cert_chain_pem: c.client().cert_pem().as_bytes().to_vec(),
        key_pem: c.client().key_pem().as_bytes().to_vec(),
    };
    run(opts, Security::Explicit, move |mut cfg| {
        cfg.tls.client_auth = Some(client.clone());
        cfg
    })
    .await;
}

#[tokio::test]
async fn anonymous_login_in_upload_dir() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    std::fs::write(server.anon_root().join("hello.txt"), b"hi there").unwrap();
    let cfg = config(server.addr(), Security::None, None);
    let mut s = ftpmodem_ftp::Session::connect(&cfg)
        .await
        .expect("anonymous login");
    assert_eq!(s.pwd().await.unwrap(), "/");
    assert_eq!(
        download(&mut s, "hello.txt", 3, None, false).await,
        b"there"
    );
    let names: Vec<String> = s
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(names.contains(&"hello.txt".to_owned()) && names.contains(&"upload".to_owned()));
    upload(&mut s, "/upload/a.bin", false, false, &payload(5000)).await;
    assert_eq!(
        std::fs::read(server.upload_dir().join("a.bin")).unwrap(),
        payload(5000)
    );
    s.quit().await.unwrap();
}

/// TLS 1.3 tickets are single-use: every kind of early end must still leave a ticket for the
/// next data connection, or vsftpd refuses it ("522 session reuse required").
#[tokio::test]
async fn tls13_resumption_survives_early_ends() {
    let c = certs();
    let server = tokio::task::spawn_blocking({
        let c = c.clone();
        move || Vsftpd::start(VsftpdOptions::explicit_tls(&c))
    })
    .await
    .unwrap()
    .unwrap();
    let dir = server.fresh_user_dir().unwrap();
    std::fs::write(dir.join("big.bin"), payload(4 << 20)).unwrap();
    let cfg = as_uftp(config(server.addr(), Security::Explicit, Some(&c)));
    let mut s = ftpmodem_ftp::Session::connect(&cfg).await.unwrap();
    assert_eq!(s.tls_version(), Some(TlsVersion::Tls13));
    s.cwd(dir.to_str().unwrap()).await.unwrap();
    for round in 0..6 {
        // Limit reached on a large file.
        same_bytes(
            &download(&mut s, "big.bin", 7, Some(10), false).await,
            &payload(4 << 20)[7..17],
        );
        // Abort before reading anything.
        let dl = s.retrieve("big.bin", 0, None, false).await.unwrap();
        dl.abort().await.unwrap();
        // Abort an upload after one write.
        let mut up = s
            .store(&format!("part{round}"), false, false)
            .await
            .unwrap();
        up.write_all(b"partial").await.unwrap();
        up.abort().await.unwrap();
        // Uploads that only write.
        upload(&mut s, &format!("whole{round}"), false, false, b"whole").await;
        assert!(s.list("").await.unwrap().len() >= 3);
    }
    let st = s.data_tls_stats();
    assert_eq!(st.full, 0, "{st:?}\n{}", server.log_text());
    assert_eq!(st.resumed, 30);
    s.quit().await.unwrap();
}

/// Issue 13.2 against a real server (LIST): names with `"` and `,` pass back as printed.
#[tokio::test]
async fn hostile_names_pass_back_as_printed() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .expect("server");
    let dir = server.fresh_user_dir().unwrap();
    let cfg = as_uftp(config(server.addr(), Security::None, None));
    hostile_names_pass_back(&cfg, dir.to_str().unwrap()).await;
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! libunftp fixtures, exercised by curl running on a blocking thread.

use crate::common;

use common::{curl, describe, path_str, roundtrip};
use ftpmodem_testsrv::{Certs, Error, FtpServer, Tls, Unftp, UnftpOptions};

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_anonymous_roundtrip() {
    let s = Unftp::start(UnftpOptions::plain()).await.unwrap();
    let url = format!("{}/", s.url());
    blocking(move || roundtrip(&url, &[], "anon")).await;
    assert!(s.root().join("rt-anon.bin").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_user_accepts_only_its_password() {
    let s = Unftp::start(UnftpOptions::plain().user("alice", "secret"))
        .await
        .unwrap();
    let url = format!("{}/", s.url());
    blocking(move || {
        roundtrip(&url, &["-u", "alice:secret"], "alice");
        let o = curl(&["-u", "alice:wrong", &url]);
        assert_eq!(o.status.code(), Some(67), "{}", describe(&o));
        let o = curl(&[&url]);
        assert_eq!(o.status.code(), Some(67), "anonymous: {}", describe(&o));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_tls_verifies_against_ca_only() {
    let certs = Certs::generate().unwrap();
    let s = Unftp::start(UnftpOptions::explicit_tls(&certs))
        .await
        .unwrap();
    let url = format!("{}/", s.url());
    blocking(move || {
        let ca = path_str(certs.ca_pem_path());
        roundtrip(&url, &["--ssl-reqd", "--cacert", ca], "tls");
        let other = path_str(certs.other_ca_pem_path());
        let o = curl(&["--ssl-reqd", "--cacert", other, &url]);
        assert_eq!(o.status.code(), Some(60), "wrong CA: {}", describe(&o));
        // TLS optional by default: plain still works.
        let o = curl(&[&url]);
        assert!(o.status.success(), "{}", describe(&o));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_tls_refuses_plain() {
    let certs = Certs::generate().unwrap();
    let opts = UnftpOptions {
        require_tls: true,
        ..UnftpOptions::explicit_tls(&certs)
    };
    let s = Unftp::start(opts).await.unwrap();
    let url = format!("{}/", s.url());
    blocking(move || {
        let o = curl(&[&url]);
        assert!(!o.status.success(), "plain accepted: {}", describe(&o));
        let ca = path_str(certs.ca_pem_path());
        let o = curl(&["--ssl-reqd", "--cacert", ca, &url]);
        assert!(o.status.success(), "{}", describe(&o));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_roundtrip() {
    let s = Unftp::start(UnftpOptions::plain().ipv6()).await.unwrap();
    assert_eq!(s.host(), "::1");
    let url = format!("{}/", s.url());
    blocking(move || roundtrip(&url, &["-g"], "v6")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_mode_only_when_enabled() {
    let s = Unftp::start(UnftpOptions {
        active: true,
        ..UnftpOptions::plain()
    })
    .await
    .unwrap();
    std::fs::write(s.root().join("a.txt"), b"active bytes").unwrap();
    let url = format!("{}/a.txt", s.url());
    let o = blocking(move || curl(&["--ftp-port", "127.0.0.1", "--disable-eprt", &url])).await;
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(o.stdout, b"active bytes");

    let s = Unftp::start(UnftpOptions::plain()).await.unwrap();
    std::fs::write(s.root().join("a.txt"), b"active bytes").unwrap();
    let url = format!("{}/a.txt", s.url());
    let o = blocking(move || curl(&["--ftp-port", "127.0.0.1", "--disable-eprt", &url])).await;
    assert!(!o.status.success(), "PORT accepted in passive-only mode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_closes_sessions_and_listener() {
    use tokio::io::AsyncReadExt;
    let mut s = Unftp::start(UnftpOptions::plain()).await.unwrap();
    let mut c = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), c.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(buf[..n].starts_with(b"220"));
    s.kill();
    // The listener is closed synchronously by kill().
    assert!(tokio::net::TcpStream::connect(s.addr()).await.is_err());
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), c.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "session survived kill");
}

#[tokio::test]
async fn implicit_tls_is_refused_up_front() {
    let certs = Certs::generate().unwrap();
    let opts = UnftpOptions {
        tls: Tls::Implicit(certs),
        ..UnftpOptions::default()
    };
    assert!(matches!(
        Unftp::start(opts).await,
        Err(Error::Unsupported(_))
    ));
}

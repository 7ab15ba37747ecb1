#![allow(clippy::unwrap_used, clippy::expect_used)]
//! vsftpd fixtures, exercised by curl in every mode they offer.

use crate::common;

use std::net::TcpStream;

use common::{curl, describe, path_str, roundtrip};
use ftpmodem_testsrv::{Certs, FtpServer, Tls, Vsftpd, VsftpdOptions, PASSWORD, USER};

/// curl resolves URL paths against the login directory (/home/uftp).
fn rel(dir: &std::path::Path) -> String {
    let r = dir.strip_prefix(ftpmodem_testsrv::USER_HOME).unwrap();
    path_str(r).to_string()
}

fn userpass() -> String {
    format!("{USER}:{PASSWORD}")
}

#[test]
fn plain_anonymous_and_local_user_roundtrip() {
    let s = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    roundtrip(&format!("{}/upload/", s.url()), &[], "anon");
    assert!(s.upload_dir().join("rt-anon.bin").is_file());

    let dir = s.fresh_user_dir().unwrap();
    let up = userpass();
    roundtrip(&format!("{}/{}/", s.url(), rel(&dir)), &["-u", &up], "uftp");
    assert!(dir.join("rt-uftp.bin").is_file());
    let log = s.log_text();
    assert!(log.contains("\"STOR rt-anon.bin\""), "{log}");
    assert!(log.contains("\"USER uftp\""), "{log}");
}

#[test]
fn anonymous_root_is_not_writable() {
    let s = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("x");
    std::fs::write(&f, b"x").unwrap();
    let url = format!("{}/x", s.url());
    let o = curl(&["-T", path_str(&f), &url]);
    assert!(!o.status.success(), "upload to / should be refused");
}

#[test]
fn active_mode_allowed_and_refused() {
    let s = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    std::fs::write(s.anon_root().join("a.txt"), b"active bytes").unwrap();
    let url = format!("{}/a.txt", s.url());
    let o = curl(&["--ftp-port", "127.0.0.1", &url]);
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(o.stdout, b"active bytes");
    assert!(
        s.log_text().contains("\"EPRT |1|127.0.0.1|") || s.log_text().contains("PORT 127,0,0,1")
    );

    let opts = VsftpdOptions {
        allow_active: false,
        ..VsftpdOptions::plain()
    };
    let s = Vsftpd::start(opts).unwrap();
    std::fs::write(s.anon_root().join("a.txt"), b"active bytes").unwrap();
    let url = format!("{}/a.txt", s.url());
    let o = curl(&["--ftp-port", "127.0.0.1", &url]);
    assert!(!o.status.success(), "active should be refused");
}

#[test]
fn explicit_tls_verifies_against_ca_only() {
    let certs = Certs::generate().unwrap();
    let s = Vsftpd::start(VsftpdOptions::explicit_tls(&certs)).unwrap();
    let ca = path_str(certs.ca_pem_path());
    roundtrip(
        &format!("{}/upload/", s.url()),
        &["--ssl-reqd", "--cacert", ca],
        "anon-tls",
    );
    let dir = s.fresh_user_dir().unwrap();
    let up = userpass();
    roundtrip(
        &format!("{}/{}/", s.url(), rel(&dir)),
        &["--ssl-reqd", "--cacert", ca, "-u", &up],
        "uftp-tls",
    );

    let other = path_str(certs.other_ca_pem_path());
    let o = curl(&["--ssl-reqd", "--cacert", other, &format!("{}/", s.url())]);
    assert_eq!(o.status.code(), Some(60), "wrong CA: {}", describe(&o));

    // force_tls: a plain local login is refused.
    let o = curl(&["-u", &up, &format!("{}/", s.url())]);
    assert!(
        !o.status.success(),
        "plain login accepted: {}",
        describe(&o)
    );
}

#[test]
fn explicit_tls_without_session_reuse_requirement() {
    let certs = Certs::generate().unwrap();
    let opts = VsftpdOptions {
        require_ssl_reuse: false,
        force_tls: false,
        ..VsftpdOptions::explicit_tls(&certs)
    };
    let s = Vsftpd::start(opts).unwrap();
    let ca = path_str(certs.ca_pem_path());
    // curl resumes sessions anyway; the config must at least serve TLS and plain alike.
    roundtrip(
        &format!("{}/upload/", s.url()),
        &["--ssl-reqd", "--cacert", ca],
        "noreuse",
    );
    roundtrip(&format!("{}/upload/", s.url()), &[], "plain-allowed");
}

#[test]
fn implicit_tls_roundtrip_and_wrong_ca() {
    let certs = Certs::generate().unwrap();
    let s = Vsftpd::start(VsftpdOptions::implicit_tls(&certs)).unwrap();
    assert!(s.url().starts_with("ftps://127.0.0.1:"));
    let ca = path_str(certs.ca_pem_path());
    roundtrip(
        &format!("{}/upload/", s.url()),
        &["--cacert", ca],
        "implicit",
    );
    let other = path_str(certs.other_ca_pem_path());
    let o = curl(&["--cacert", other, &format!("{}/", s.url())]);
    assert_eq!(o.status.code(), Some(60), "wrong CA: {}", describe(&o));
}

#[test]
fn mutual_tls_requires_client_certificate() {
    let certs = Certs::generate().unwrap();
    let opts = VsftpdOptions {
        require_client_cert: true,
        ..VsftpdOptions::explicit_tls(&certs)
    };
    let s = Vsftpd::start(opts).unwrap();
    let ca = path_str(certs.ca_pem_path());
    let cert = path_str(certs.client().cert_path());
    let key = path_str(certs.client().key_path());
    roundtrip(
        &format!("{}/upload/", s.url()),
        &["--ssl-reqd", "--cacert", ca, "--cert", cert, "--key", key],
        "mtls",
    );
    let o = curl(&["--ssl-reqd", "--cacert", ca, &format!("{}/", s.url())]);
    assert!(
        !o.status.success(),
        "no client cert accepted: {}",
        describe(&o)
    );
}

#[test]
fn ipv6_plain_and_explicit_tls() {
    let s = Vsftpd::start(VsftpdOptions::plain().ipv6()).unwrap();
    assert_eq!(s.host(), "::1");
    assert!(s.url().starts_with("ftp://[::1]:"));
    roundtrip(&format!("{}/upload/", s.url()), &["-g"], "v6");

    let certs = Certs::generate().unwrap();
    let s = Vsftpd::start(VsftpdOptions::explicit_tls(&certs).ipv6()).unwrap();
    let ca = path_str(certs.ca_pem_path());
    roundtrip(
        &format!("{}/upload/", s.url()),
        &["-g", "--ssl-reqd", "--cacert", ca],
        "v6tls",
    );
}

#[test]
fn instances_are_independent_and_kill_stops_everything() {
    let mut a = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let b = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    assert_ne!(a.port(), b.port());
    assert_ne!(a.anon_root(), b.anon_root());
    assert_ne!(a.pasv_range(), b.pasv_range());
    let (da, db) = (a.fresh_user_dir().unwrap(), b.fresh_user_dir().unwrap());
    assert_ne!(da, db);

    // An open session is a separate process; kill must take it down too.
    let mut session = TcpStream::connect(a.addr()).unwrap();
    session
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = std::io::Read::read(&mut session, &mut buf).unwrap();
    assert!(buf[..n].starts_with(b"220"));
    a.kill();
    let n = std::io::Read::read(&mut session, &mut buf).unwrap_or(0);
    assert_eq!(n, 0, "session survived kill");
    assert!(
        TcpStream::connect(a.addr()).is_err(),
        "listener survived kill"
    );
    // The other instance is untouched.
    let o = curl(&[&format!("{}/", b.url())]);
    assert!(o.status.success(), "{}", describe(&o));

    drop(a);
    assert!(!da.exists(), "fresh user dir not removed on drop");
    assert!(std::path::Path::new(ftpmodem_testsrv::USER_TEST_DIR).is_dir());
}

#[test]
fn tls_option_exposes_certs() {
    let certs = Certs::generate().unwrap();
    let s = Vsftpd::start(VsftpdOptions::explicit_tls(&certs)).unwrap();
    let c = s.options().tls.certs().unwrap();
    assert_eq!(c.ca().cert_der(), certs.ca().cert_der());
    assert!(matches!(VsftpdOptions::plain().tls, Tls::None));
}

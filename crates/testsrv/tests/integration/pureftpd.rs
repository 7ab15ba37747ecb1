#![allow(clippy::unwrap_used, clippy::expect_used)]
//! pure-ftpd fixtures, exercised by curl.

use crate::common;

use common::{curl, describe, path_str, roundtrip};
use ftpmodem_testsrv::{Certs, Error, FtpServer, PureFtpd, PureFtpdOptions, Tls, PASSWORD, USER};

fn rel_user(dir: &std::path::Path) -> String {
    path_str(dir.strip_prefix(ftpmodem_testsrv::USER_HOME).unwrap()).to_string()
}

fn rel_anon(s: &PureFtpd, dir: &std::path::Path) -> String {
    path_str(dir.strip_prefix(s.anon_root()).unwrap()).to_string()
}

#[test]
fn plain_anonymous_and_local_user_roundtrip() {
    let s = PureFtpd::start(PureFtpdOptions::plain()).unwrap();
    let anon = s.fresh_anon_dir().unwrap();
    roundtrip(
        &format!("{}/{}/", s.url(), rel_anon(&s, &anon)),
        &[],
        "anon",
    );
    assert!(anon.join("rt-anon.bin").is_file());

    let dir = s.fresh_user_dir().unwrap();
    let up = format!("{USER}:{PASSWORD}");
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["-u", &up],
        "uftp",
    );
    assert!(dir.join("rt-uftp.bin").is_file());
    assert!(s.log_text().contains("rt-uftp.bin"), "{}", s.log_text());

    // Wrong password is refused.
    let o = curl(&["-u", "uftp:wrong", &format!("{}/", s.url())]);
    assert_eq!(o.status.code(), Some(67), "{}", describe(&o));
}

#[test]
fn explicit_tls_verifies_against_ca_only() {
    let certs = Certs::generate().unwrap();
    let s = PureFtpd::start(PureFtpdOptions::explicit_tls(&certs)).unwrap();
    let ca = path_str(certs.ca_pem_path());
    let dir = s.fresh_user_dir().unwrap();
    let up = format!("{USER}:{PASSWORD}");
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["--ssl-reqd", "--cacert", ca, "-u", &up],
        "uftp-tls",
    );
    let anon = s.fresh_anon_dir().unwrap();
    roundtrip(
        &format!("{}/{}/", s.url(), rel_anon(&s, &anon)),
        &["--ssl-reqd", "--cacert", ca],
        "anon-tls",
    );
    let other = path_str(certs.other_ca_pem_path());
    let o = curl(&["--ssl-reqd", "--cacert", other, &format!("{}/", s.url())]);
    assert_eq!(o.status.code(), Some(60), "wrong CA: {}", describe(&o));
    // -Y 1 offers TLS but still accepts plain sessions.
    let o = curl(&["-u", &up, &format!("{}/", s.url())]);
    assert!(o.status.success(), "{}", describe(&o));
}

#[test]
fn required_tls_refuses_plain_login() {
    let certs = Certs::generate().unwrap();
    let opts = PureFtpdOptions {
        require_tls: true,
        ..PureFtpdOptions::explicit_tls(&certs)
    };
    let s = PureFtpd::start(opts).unwrap();
    let up = format!("{USER}:{PASSWORD}");
    let o = curl(&["-u", &up, &format!("{}/", s.url())]);
    assert!(
        !o.status.success(),
        "plain login accepted: {}",
        describe(&o)
    );
    let ca = path_str(certs.ca_pem_path());
    let o = curl(&[
        "--ssl-reqd",
        "--cacert",
        ca,
        "-u",
        &up,
        &format!("{}/", s.url()),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
}

#[test]
fn ipv6_plain_and_tls() {
    let s = PureFtpd::start(PureFtpdOptions::plain().ipv6()).unwrap();
    assert_eq!(s.host(), "::1");
    let dir = s.fresh_user_dir().unwrap();
    let up = format!("{USER}:{PASSWORD}");
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["-g", "-u", &up],
        "v6",
    );
    let certs = Certs::generate().unwrap();
    let s = PureFtpd::start(PureFtpdOptions::explicit_tls(&certs).ipv6()).unwrap();
    let dir = s.fresh_user_dir().unwrap();
    let ca = path_str(certs.ca_pem_path());
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["-g", "--ssl-reqd", "--cacert", ca, "-u", &up],
        "v6tls",
    );
}

#[test]
fn implicit_tls_is_refused_up_front() {
    let certs = Certs::generate().unwrap();
    let opts = PureFtpdOptions {
        tls: Tls::Implicit(certs),
        ..PureFtpdOptions::default()
    };
    assert!(matches!(PureFtpd::start(opts), Err(Error::Unsupported(_))));
}

#[test]
fn kill_stops_sessions_and_drop_cleans_dirs() {
    let mut s = PureFtpd::start(PureFtpdOptions::plain()).unwrap();
    let (a, u) = (s.fresh_anon_dir().unwrap(), s.fresh_user_dir().unwrap());
    let mut session = std::net::TcpStream::connect(s.addr()).unwrap();
    session
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 16];
    let n = std::io::Read::read(&mut session, &mut buf).unwrap();
    assert!(buf[..n].starts_with(b"220"));
    s.kill();
    // Drain whatever greeting is left; the session must then end.
    let mut rest = Vec::new();
    let r = std::io::Read::read_to_end(&mut session, &mut rest);
    assert!(r.is_ok() || r.unwrap_err().kind() == std::io::ErrorKind::ConnectionReset);
    assert!(std::net::TcpStream::connect(s.addr()).is_err());
    drop(s);
    assert!(!a.exists() && !u.exists());
}

#[test]
fn active_mode_eprt_and_port() {
    let s = PureFtpd::start(PureFtpdOptions::plain()).unwrap();
    let dir = s.fresh_user_dir().unwrap();
    std::fs::write(dir.join("a.txt"), b"active bytes").unwrap();
    let up = format!("{USER}:{PASSWORD}");
    let url = format!("{}/{}/a.txt", s.url(), rel_user(&dir));
    for extra in [&[][..], &["--disable-eprt"][..]] {
        let mut args = vec!["-u", &up, "--ftp-port", "127.0.0.1", &url];
        args.extend_from_slice(extra);
        let o = curl(&args);
        assert!(o.status.success(), "{extra:?}: {}", describe(&o));
        assert_eq!(o.stdout, b"active bytes");
    }
}

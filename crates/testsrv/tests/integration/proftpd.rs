#![allow(clippy::unwrap_used, clippy::expect_used)]
//! proftpd fixtures, exercised by curl.

use crate::common;

use common::{curl, describe, path_str, roundtrip};
use ftpmodem_testsrv::{FtpServer, Proftpd, ProftpdOptions, PASSWORD, USER};

fn rel_user(dir: &std::path::Path) -> String {
    path_str(dir.strip_prefix(ftpmodem_testsrv::USER_HOME).unwrap()).to_string()
}

#[test]
fn plain_local_user_roundtrip_and_protocol_log() {
    let s = Proftpd::start(ProftpdOptions::plain()).unwrap();
    let dir = s.fresh_user_dir().unwrap();
    let up = format!("{USER}:{PASSWORD}");
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["-u", &up],
        "uftp",
    );
    assert!(dir.join("rt-uftp.bin").is_file());
    assert!(
        s.transfer_log_text().contains("rt-uftp.bin"),
        "{}",
        s.transfer_log_text()
    );
    let log = s.wait_for_log("RETR rt-uftp.bin -> 226").unwrap();
    assert!(log.contains("PASS (hidden) -> 230"), "{log}");
    assert!(log.contains("EPSV  -> 229"), "{log}");
    assert!(!log.contains(PASSWORD), "{log}");

    // Wrong password is refused.
    let o = curl(&["-u", "uftp:wrong", &format!("{}/", s.url())]);
    assert_eq!(o.status.code(), Some(67), "{}", describe(&o));
}

#[test]
fn retrieve_restart_on_and_off() {
    let up = format!("{USER}:{PASSWORD}");
    for allowed in [true, false] {
        let mut opts = ProftpdOptions::plain();
        opts.retrieve_restart = allowed;
        let s = Proftpd::start(opts).unwrap();
        let dir = s.fresh_user_dir().unwrap();
        std::fs::write(dir.join("r.txt"), b"0123456789").unwrap();
        let url = format!("{}/{}/r.txt", s.url(), rel_user(&dir));
        let o = curl(&["-u", &up, "-C", "4", &url]);
        let retr = if allowed {
            assert!(o.status.success(), "{}", describe(&o));
            assert_eq!(o.stdout, b"456789");
            "RETR r.txt -> 226"
        } else {
            assert!(!o.status.success(), "restart accepted: {}", describe(&o));
            "RETR r.txt -> 451"
        };
        let log = s.wait_for_log(retr).unwrap();
        assert!(log.contains("REST 4 -> 350"), "{log}");
    }
}

#[test]
fn ipv6_plain() {
    let s = Proftpd::start(ProftpdOptions::plain().ipv6()).unwrap();
    assert_eq!(s.host(), "::1");
    let dir = s.fresh_user_dir().unwrap();
    let up = format!("{USER}:{PASSWORD}");
    roundtrip(
        &format!("{}/{}/", s.url(), rel_user(&dir)),
        &["-g", "-u", &up],
        "v6",
    );
}

#[test]
fn active_mode_eprt_and_port() {
    let s = Proftpd::start(ProftpdOptions::plain()).unwrap();
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
    let log = s.wait_for_log("PORT 127,0,0,1,").unwrap();
    assert!(log.contains("EPRT |1|127.0.0.1|"), "{log}");
}

#[test]
fn bad_extra_config_fails_the_start_with_proftpd_words() {
    let mut opts = ProftpdOptions::plain();
    opts.extra_config.push("NoSuchDirective on".into());
    let e = Proftpd::start(opts).unwrap_err().to_string();
    assert!(e.contains("NoSuchDirective"), "{e}");
}

#[test]
fn kill_stops_sessions_and_drop_cleans_dirs() {
    let mut s = Proftpd::start(ProftpdOptions::plain()).unwrap();
    let u = s.fresh_user_dir().unwrap();
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
    assert!(!u.exists());
}

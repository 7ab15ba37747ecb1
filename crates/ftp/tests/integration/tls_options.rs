//! The TLS options behind the module's `AT+MSSLCFG` keys, against real servers: session reuse
//! across reconnects (`session`), the validity period forgiven but nothing else
//! (`ignorestamp`), one cipher suite (`ciphersuite`) and the handshake time-out (`negotime`).
//! The SNI switch is tested over the AT line (`device` `at_ssl`).

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ftpmodem_ftp::{ErrorClass, Resume, RootCerts, Security, Session, SessionCache, TlsOptions};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};

use crate::common::{as_uftp, config};

#[tokio::test]
async fn a_shared_cache_resumes_across_reconnects() {
    // One server configuration for every connection (rustls keeps its sessions): a server
    // that can resume a session across connections at all.
    let (ca, cert, key) = pki("127.0.0.1", 2000, 2090);
    let addr = implicit_server(cert, key);
    let cache = SessionCache::new();
    let mut cfg = config(addr, Security::Implicit, None);
    cfg.tls.roots = RootCerts::Pem(ca.into_bytes());
    cfg.tls.resume = Resume::Shared(cache.clone());
    let first = Session::connect(&cfg).await.unwrap();
    assert_eq!(first.control_tls_resumed(), Some(false));
    first.quit().await.unwrap();
    let second = Session::connect(&cfg).await.unwrap();
    assert_eq!(second.control_tls_resumed(), Some(true), "reconnect");
    second.quit().await.unwrap();
    // Another CA with the same cache: a full handshake, which fails the check (a stored
    // session must not skip the new CA).
    let (other_ca, _, _) = pki("127.0.0.1", 2000, 2090);
    let mut wrong = cfg.clone();
    wrong.tls.roots = RootCerts::Pem(other_ca.into_bytes());
    let e = Session::connect(&wrong).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::Certificate, "{e}");
    // Without a shared cache each connect starts afresh.
    cfg.tls.resume = Resume::PerSession;
    for _ in 0..2 {
        let s = Session::connect(&cfg).await.unwrap();
        assert_eq!(s.control_tls_resumed(), Some(false));
        s.quit().await.unwrap();
    }
    // Nor with reuse off, even given the cache that holds a session.
    cfg.tls.resume = Resume::Off;
    let s = Session::connect(&cfg).await.unwrap();
    assert_eq!(s.control_tls_resumed(), Some(false));
    s.quit().await.unwrap();
}

#[tokio::test]
async fn reuse_off_fails_where_the_server_demands_reuse() {
    let certs = Certs::generate().unwrap();
    let server = tokio::task::spawn_blocking({
        let c = certs.clone();
        move || Vsftpd::start(VsftpdOptions::explicit_tls(&c))
    })
    .await
    .unwrap()
    .unwrap();
    let mut cfg = as_uftp(config(server.addr(), Security::Explicit, Some(&certs)));
    cfg.tls.resume = Resume::Off;
    let mut s = Session::connect(&cfg).await.unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let e = s.list(&dir.display().to_string()).await.unwrap_err();
    assert_ne!(e.result_class(), ErrorClass::Certificate, "{e}");
    cfg.tls.resume = Resume::PerSession;
    let mut s = Session::connect(&cfg).await.unwrap();
    assert!(s.list(&dir.display().to_string()).await.unwrap().is_empty());
    let stats = s.data_tls_stats();
    assert!(stats.resumed >= 1 && stats.full == 0, "{stats:?}");
}

/// A CA and a server certificate for 127.0.0.1 valid from `from` to `to` (years), signed by it.
fn pki(name: &str, from: i32, to: i32) -> (String, Vec<u8>, Vec<u8>) {
    let mut ca = CertificateParams::default();
    ca.distinguished_name.push(DnType::CommonName, "dated CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let mut sp = CertificateParams::default();
    sp.distinguished_name.push(DnType::CommonName, name);
    sp.subject_alt_names = vec![match name.parse::<IpAddr>() {
        Ok(ip) => SanType::IpAddress(ip),
        Err(_) => SanType::DnsName(name.try_into().unwrap()),
    }];
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sp.not_before = rcgen::date_time_ymd(from, 1, 1);
    sp.not_after = rcgen::date_time_ymd(to, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = sp.signed_by(&key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), cert.der().to_vec(), key.serialize_der())
}

/// An implicit-FTPS server (rustls, one connection at a time) with the given certificate,
/// answering a login; its address.
fn implicit_server(cert_der: Vec<u8>, key_der: Vec<u8>) -> std::net::SocketAddr {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert_der)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der)),
        )
        .unwrap();
    let config = Arc::new(config);
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for tcp in l.incoming() {
            let Ok(tcp) = tcp else { return };
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                if tls.write_all(b"220 dated\r\n").is_err() {
                    return;
                }
                let mut r = BufReader::new(tls);
                let mut line = String::new();
                while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "USER" => b"331 password\r\n",
                        "PASS" => b"230 in\r\n",
                        "QUIT" => b"221 bye\r\n",
                        "PBSZ" | "PROT" | "TYPE" | "OPTS" => b"200 ok\r\n",
                        _ => b"502 no\r\n",
                    };
                    if r.get_mut().write_all(reply).is_err() || verb == "QUIT" {
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn ignore_time_forgives_the_dates_and_nothing_else() {
    // Expired in 2001, and not valid before 2090.
    for (from, to) in [(2000, 2001), (2090, 2091)] {
        let (ca, cert, key) = pki("127.0.0.1", from, to);
        let addr = implicit_server(cert, key);
        let mut cfg = config(addr, Security::Implicit, None);
        cfg.tls.roots = RootCerts::Pem(ca.into_bytes());
        let e = Session::connect(&cfg).await.unwrap_err();
        assert_eq!(e.result_class(), ErrorClass::Certificate, "{from}: {e}");
        cfg.tls.ignore_time = true;
        Session::connect(&cfg).await.unwrap().quit().await.unwrap();
    }
    // A certificate for another name still fails with the dates forgiven.
    let (ca, cert, key) = pki("other.example", 2000, 2001);
    let addr = implicit_server(cert, key);
    let mut cfg = config(addr, Security::Implicit, None);
    cfg.tls.roots = RootCerts::Pem(ca.into_bytes());
    cfg.tls.ignore_time = true;
    let e = Session::connect(&cfg).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::Certificate, "{e}");
}

#[tokio::test]
async fn one_cipher_suite_is_offered_alone() {
    let (ca, cert, key) = pki("127.0.0.1", 2000, 2090);
    let addr = implicit_server(cert, key);
    let base = TlsOptions {
        roots: RootCerts::Pem(ca.into_bytes()),
        ..TlsOptions::default()
    };
    for (suite, ok) in [
        (0xC02B, true),  // ECDHE-ECDSA-AES128-GCM: the key is P-256.
        (0x1301, true),  // TLS_AES_128_GCM_SHA256.
        (0xC02F, false), // ECDHE-RSA: no RSA key.
    ] {
        let mut cfg = config(addr, Security::Implicit, None);
        cfg.tls = TlsOptions {
            cipher_suite: Some(suite),
            ..base.clone()
        };
        let r = Session::connect(&cfg).await;
        assert_eq!(r.is_ok(), ok, "0x{suite:04X}: {:?}", r.as_ref().err());
    }
    // A suite the library does not have is a configuration error.
    let mut cfg = config(addr, Security::Implicit, None);
    cfg.tls = TlsOptions {
        cipher_suite: Some(0xC0AD),
        ..base.clone()
    };
    let e = Session::connect(&cfg).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::TlsConfig, "{e}");
}

#[tokio::test]
async fn the_handshake_time_out_is_its_own() {
    let silent = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut cfg = config(silent.local_addr().unwrap(), Security::Implicit, None);
    cfg.reply_timeout = Duration::from_secs(30);
    cfg.tls.handshake_timeout = Some(Duration::from_millis(500));
    let t0 = Instant::now();
    let e = Session::connect(&cfg).await.unwrap_err();
    assert_eq!(e.result_class(), ErrorClass::Timeout, "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
}

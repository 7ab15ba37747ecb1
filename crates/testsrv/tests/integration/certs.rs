#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The generated PKI verifies the way the TLS tests assume, checked with OpenSSL.

use std::process::Command;

use ftpmodem_testsrv::Certs;

fn verify(ca: &std::path::Path, cert: &std::path::Path, purpose: &str) -> bool {
    Command::new("openssl")
        .arg("verify")
        .arg("-purpose")
        .arg(purpose)
        .arg("-CAfile")
        .arg(ca)
        .arg(cert)
        .output()
        .expect("openssl missing: run .ci/install-test-servers.sh")
        .status
        .success()
}

#[test]
fn server_and_client_chain_to_ca_and_not_to_other_ca() {
    let c = Certs::generate().unwrap();
    assert!(verify(c.ca_pem_path(), c.server().cert_path(), "sslserver"));
    assert!(verify(c.ca_pem_path(), c.client().cert_path(), "sslclient"));
    assert!(!verify(
        c.other_ca_pem_path(),
        c.server().cert_path(),
        "sslserver"
    ));
    assert!(!verify(
        c.other_ca_pem_path(),
        c.client().cert_path(),
        "sslclient"
    ));
}

#[test]
fn server_cert_names_localhost_and_both_loopbacks() {
    let c = Certs::generate().unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(c.server().cert_path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DNS:localhost"), "{text}");
    assert!(text.contains("IP Address:127.0.0.1"), "{text}");
    assert!(text.contains("IP Address:0:0:0:0:0:0:0:1"), "{text}");
}

#[test]
fn keycert_file_holds_key_then_cert_and_der_matches_pem() {
    let c = Certs::generate().unwrap();
    let kc = std::fs::read_to_string(c.server_keycert_path()).unwrap();
    let k = kc.find("-----BEGIN PRIVATE KEY-----").unwrap();
    let cert = kc.find("-----BEGIN CERTIFICATE-----").unwrap();
    assert!(k < cert);
    assert!(!c.server().cert_der().is_empty());
    assert!(!c.server().key_der().is_empty());
    // Two generations differ: nothing is cached or shared between tests.
    let d = Certs::generate().unwrap();
    assert_ne!(c.ca().cert_der(), d.ca().cert_der());
    assert_ne!(c.dir(), d.dir());
}

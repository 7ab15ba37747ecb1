//! The SSL command family over a real AT line against real FTPS servers (ONEMO-RELATED.md §B):
//! certificates and keys written with `AT+MSSLCERTWR`/`AT+MSSLKEYWR` as testers write them,
//! then used by `AT+MFTPCONN` on the generic profile. Certificates are made per test (rcgen,
//! `ftpmodem_testsrv::Certs`); vsftpd checks the client certificate for real; the SNI and
//! handshake time-out cases use an in-test rustls server and a listener that never answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::{start, At, ModuleOptions};
use ftpmodem_testsrv::{Certs, FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use md5::{Digest, Md5};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

async fn vsftpd(opts: VsftpdOptions) -> Vsftpd {
    tokio::task::spawn_blocking(move || Vsftpd::start(opts))
        .await
        .unwrap()
        .unwrap()
}

async fn certs() -> Certs {
    tokio::task::spawn_blocking(|| Certs::generate().unwrap())
        .await
        .unwrap()
}

async fn module(label: &str) -> (at_common::Module, At) {
    start(ModuleOptions {
        label: label.into(),
        ..ModuleOptions::default()
    })
    .await
}

fn conn_line(host: &str, port: u16) -> String {
    format!(r#"AT+MFTPCONN=0,"{host}","{USER}","{PASSWORD}",{port}"#)
}

fn md5_upper(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02X}")).collect()
}

/// Writes a certificate as testers do (§B.2): length = PEM size + 1, PEM + CR LF sent, so the
/// stored file is PEM + CR; checks it with `AT+MSSLCHECK`.
async fn cert_as_testers_do(at: &mut At, name: &str, pem: &str) {
    at.cmd(
        &format!("AT+MSSLCERTWR=\"{name}\",0,{}", pem.len() + 1),
        "\r\n>",
    )
    .await;
    at.send(format!("{pem}\r\n").as_bytes()).await;
    at.expect(b"\r\nOK\r\n").await;
    // The LF outside the payload is nothing to the command line.
    at.idle().await;
    let hash = md5_upper(format!("{pem}\r").as_bytes());
    at.cmd(
        &format!("AT+MSSLCHECK=\"{name}\""),
        &format!("\r\n+MSSLCHECK: {hash}\r\n\r\nOK\r\n"),
    )
    .await;
}

/// Writes a key in two prompt parts with `<remain_length>` (§B.2 multi-part).
async fn key_in_two_parts(at: &mut At, name: &str, pem: &str) {
    let b = pem.as_bytes();
    let half = b.len() / 2;
    at.cmd(
        &format!("AT+MSSLKEYWR=\"{name}\",{},{half}", b.len() - half),
        "\r\n>",
    )
    .await;
    at.send(&b[..half]).await;
    at.expect(b"\r\nOK\r\n").await;
    at.cmd(
        &format!("AT+MSSLKEYWR=\"{name}\",0,{}", b.len() - half),
        "\r\n>",
    )
    .await;
    at.send(&b[half..]).await;
    at.expect(b"\r\nOK\r\n").await;
}

/// PWD, a listing (a TLS data connection), then DISC: the session works and ends cleanly.
async fn works_and_disconnects(at: &mut At, server: &Vsftpd) {
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    // An empty directory of its own: the listing's end is `+MFTPLIST: 0,14`.
    let dir = server.fresh_user_dir().unwrap();
    at.request(
        &format!("AT+MFTPLIST=0,\"{}\"", dir.display()),
        &["+MFTPLIST: 0,14"],
    )
    .await;
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
}

/// vsftpd with TLS 1.2 suites rustls has (its default `ssl_ciphers` is 3DES only, which
/// leaves TLS 1.3 as the only version that works).
fn tls12(mut o: VsftpdOptions) -> VsftpdOptions {
    o.extra_config.push(("ssl_ciphers".into(), "HIGH".into()));
    o
}

#[tokio::test]
async fn mutual_tls_with_ca_client_cert_and_key_written_over_the_line() {
    let certs = certs().await;
    let server = vsftpd(VsftpdOptions {
        require_client_cert: true,
        ..VsftpdOptions::explicit_tls(&certs)
    })
    .await;
    let (_m, mut at) = module("mutual").await;
    cert_as_testers_do(&mut at, "ca.pem", certs.ca().cert_pem()).await;
    cert_as_testers_do(&mut at, "client.pem", certs.client().cert_pem()).await;
    key_in_two_parts(&mut at, "client.key", certs.client().key_pem()).await;
    at.cmd(
        "AT+MSSLLIST=2",
        &format!(
            "\r\n+MSSLLIST: \"client.key\",{}\r\n\r\nOK\r\n",
            certs.client().key_pem().len()
        ),
    )
    .await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,2"#).await;
    // auth 2 with the client key missing from the context: the context is unusable, 7.
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem","client.pem","""#)
        .await;
    let conn = conn_line(&server.host(), server.port());
    at.request(&conn, &["+MFTPCONN: 0,7"]).await;
    at.state(0, 0).await;
    // auth 1 without a client certificate: vsftpd refuses it. Under TLS 1.3 the refusal comes
    // after the client's side of the handshake, as the connection breaks: 11.
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    at.request(&conn, &["+MFTPCONN: 0,11"]).await;
    // The right client certificate and key: vsftpd accepts it.
    at.ok(r#"AT+MSSLCFG="auth",0,2"#).await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem","client.pem","client.key""#)
        .await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
}

#[tokio::test]
async fn wrong_ca_is_7_ignoreverify_accepts_and_auth_0_does_not_check() {
    let certs = certs().await;
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let (_m, mut at) = module("wrong-ca").await;
    cert_as_testers_do(&mut at, "ca.pem", certs.ca().cert_pem()).await;
    cert_as_testers_do(&mut at, "other.pem", certs.other_ca().cert_pem()).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    let conn = conn_line(&server.host(), server.port());
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
    // The same channel, the session of the right CA kept for a reconnect: the wrong CA must
    // still be checked, not skipped by resuming.
    at.ok(r#"AT+MSSLCFG="cert",0,"other.pem""#).await;
    at.request(&conn, &["+MFTPCONN: 0,7"]).await;
    at.state(0, 0).await;
    at.ok(r#"AT+MSSLCFG="ignoreverify",0,1"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
    at.ok(r#"AT+MSSLCFG="ignoreverify",0,0"#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,0"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
    // A certificate file removed behind the context's back: a local file problem, 18.
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    at.ok(r#"AT+MSSLRM="other.pem""#).await;
    at.request(&conn, &["+MFTPCONN: 0,18"]).await;
    at.idle().await;
}

#[tokio::test]
async fn version_and_cipher_suite_choose_what_is_offered() {
    let certs = certs().await;
    let server = vsftpd(tls12(VsftpdOptions::explicit_tls(&certs))).await;
    let (_m, mut at) = module("version").await;
    cert_as_testers_do(&mut at, "ca.pem", certs.ca().cert_pem()).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    let conn = conn_line(&server.host(), server.port());
    // TLS 1.2 only.
    at.ok(r#"AT+MSSLCFG="version",0,3"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
    // SSL 3.0, TLS 1.0, 1.1: the TLS library has none of them; the context is unusable.
    for v in 0..=2 {
        at.ok(&format!(r#"AT+MSSLCFG="version",0,{v}"#)).await;
        at.request(&conn, &["+MFTPCONN: 0,7"]).await;
    }
    at.ok(r#"AT+MSSLCFG="version",0,255"#).await;
    // The server's key is ECDSA P-256: an ECDSA suite works, an RSA one finds no common
    // suite (the handshake fails: 11), a suite the library lacks is unusable (7).
    at.ok(r#"AT+MSSLCFG="ciphersuite",0,0xC02B"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
    at.ok(r#"AT+MSSLCFG="ciphersuite",0,0xC02F"#).await;
    at.request(&conn, &["+MFTPCONN: 0,11"]).await;
    at.ok(r#"AT+MSSLCFG="ciphersuite",0,0xC0AD"#).await;
    at.request(&conn, &["+MFTPCONN: 0,7"]).await;
    at.ok(r#"AT+MSSLCFG="ciphersuite",0,0"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
}

#[tokio::test]
async fn session_0_breaks_data_connections_of_a_server_demanding_reuse() {
    let certs = certs().await;
    // vsftpd's default require_ssl_reuse: a data connection must resume the control
    // connection's TLS session.
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let (_m, mut at) = module("session").await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",2,0"#).await;
    let conn = conn_line(&server.host(), server.port());
    at.ok(r#"AT+MSSLCFG="session",0,0"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    let dir = server.fresh_user_dir().unwrap();
    at.cmd(
        &format!("AT+MFTPLIST=0,\"{}\"", dir.display()),
        "\r\nOK\r\n",
    )
    .await;
    let l = String::from_utf8(at.line().await).unwrap();
    assert!(
        l.starts_with("+MFTPLIST: 0,") && l != "+MFTPLIST: 0,14",
        "a listing without session reuse should fail: {l}"
    );
    // vsftpd ends the whole session after refusing the data connection.
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.state(0, 0).await;
    at.ok(r#"AT+MSSLCFG="session",0,1"#).await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    works_and_disconnects(&mut at, &server).await;
}

#[tokio::test]
async fn negotime_bounds_the_handshake() {
    // A listener that never accepts: the kernel completes TCP, nobody answers the ClientHello.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let (_m, mut at) = module("negotime").await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",1,0"#).await;
    at.ok(r#"AT+MFTPCFG=0,"rsptimeout",30"#).await;
    at.ok(r#"AT+MSSLCFG="negotime",0,10"#).await;
    let t0 = Instant::now();
    at.request(&conn_line("127.0.0.1", port), &["+MFTPCONN: 0,5"])
        .await;
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(25),
        "handshake gave up after {took:?}, not after negotime 10 s"
    );
    drop(silent);
}

/// An implicit-FTPS server (rustls, one connection) that records the SNI of the ClientHello
/// and then answers a login.
fn sni_probe(certs: &Certs) -> (u16, mpsc::Receiver<Option<String>>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certs.server().key_der().to_vec()));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(certs.server().cert_der().to_vec())],
            key,
        )
        .unwrap();
    let config = Arc::new(config);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = l.accept() else { return };
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        if tls.write_all(b"220 probe\r\n").is_err() {
            return;
        }
        let _ = tx.send(tls.conn.server_name().map(str::to_owned));
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
                "PWD" => b"257 \"/\"\r\n",
                "QUIT" => b"221 bye\r\n",
                "FEAT" => b"211 none\r\n",
                "PBSZ" | "PROT" | "TYPE" | "OPTS" => b"200 ok\r\n",
                _ => b"502 no\r\n",
            };
            if r.get_mut().write_all(reply).is_err() || verb == "QUIT" {
                break;
            }
            line.clear();
        }
    });
    (port, rx)
}

#[tokio::test]
async fn sni_1_sends_the_host_name_and_0_does_not() {
    let certs = certs().await;
    let (_m, mut at) = module("sni").await;
    cert_as_testers_do(&mut at, "ca.pem", certs.ca().cert_pem()).await;
    at.ok(r#"AT+MFTPCFG=0,"ssl",1,0"#).await;
    at.ok(r#"AT+MSSLCFG="cert",0,"ca.pem""#).await;
    at.ok(r#"AT+MSSLCFG="auth",0,1"#).await;
    for (sni, want) in [(1, Some("localhost".to_string())), (0, None)] {
        let (port, seen) = sni_probe(&certs);
        at.ok(&format!(r#"AT+MSSLCFG="sni",0,{sni}"#)).await;
        at.request(&conn_line("localhost", port), &["+MFTPCONN: 0,0"])
            .await;
        let got = tokio::task::spawn_blocking(move || seen.recv_timeout(Duration::from_secs(10)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, want, "sni {sni}");
        at.request(
            "AT+MFTPDISC=0",
            &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
        )
        .await;
    }
}

#[tokio::test]
async fn mfdelete_of_the_store_files_forgets_them() {
    let (_m, mut at) = module("store").await;
    at.ok(r#"AT+MSSLCERTWR="a.pem",0,3,"abc""#).await;
    at.ok(r#"AT+MSSLKEYWR="k.pem",0,1,"k""#).await;
    at.cmd(
        "AT+MFSIZE=\"/ssl/cert/a.pem\"",
        "\r\n+MFSIZE: 3\r\n\r\nOK\r\n",
    )
    .await;
    at.ok("AT+MFDELETE=\"/ssl/cert/a.pem\"").await;
    at.ok("AT+MFDELETE=\"/ssl/key/k.pem\"").await;
    at.ok("AT+MSSLLIST=1").await;
    at.ok("AT+MSSLLIST=2").await;
    at.cmd("AT+MSSLCHECK=\"a.pem\"", "\r\n+CME ERROR: 762\r\n")
        .await;
}

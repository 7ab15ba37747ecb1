//! Channel tasks against real servers: logging in (plain, explicit and implicit FTPS with
//! each TLS auth mode), the connect failures and their result codes, and AT+MFTPDISC.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::channel_common;

use channel_common::*;
use ftpmodem_device::engine::{cert_file, key_file, ChannelRequest, ConnectRequest, TlsContext};
use ftpmodem_proto::{ResultCode, SimpleOp, SslMode};
use ftpmodem_testsrv::{Certs, FtpServer, VsftpdOptions};
use std::time::Duration;

#[tokio::test]
async fn connect_pwd_disconnect_sends_quit() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let mut h = Harness::new();
    h.connect(uftp(server.addr())).await;
    h.simple(
        ChannelRequest::Pwd,
        ftpmodem_proto::Urc::Pwd {
            id: id(),
            code: ResultCode::Success,
            path: Some("/home/uftp".into()),
        },
    )
    .await;
    h.disconnect().await;
    assert!(
        server.log_text().contains("\"QUIT\""),
        "{}",
        server.log_text()
    );
    // Nothing else follows the URC.
    h.expect_quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn wrong_password_is_10_and_state_stays_0() {
    let server = vsftpd(VsftpdOptions::plain()).await;
    let mut h = Harness::new();
    let req = ConnectRequest {
        pass: "wrong".into(),
        ..uftp(server.addr())
    };
    h.send(ChannelRequest::Connect(Box::new(req))).await;
    h.expect_report(conn(ResultCode::ServerError), true).await;
    // The channel can connect afterwards.
    h.connect(uftp(server.addr())).await;
}

#[tokio::test]
async fn closed_port_is_11() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut h = Harness::new();
    h.send(ChannelRequest::Connect(Box::new(request(port))))
        .await;
    h.expect_report(conn(ResultCode::NetworkError), true).await;
}

#[tokio::test]
async fn unresolvable_name_is_8() {
    let mut h = Harness::new();
    let req = ConnectRequest {
        host: "nonexistent.invalid".into(),
        port: 21,
        ..request("127.0.0.1:21".parse().unwrap())
    };
    h.send(ChannelRequest::Connect(Box::new(req))).await;
    h.expect_report(conn(ResultCode::DnsError), true).await;
}

#[tokio::test]
async fn command_without_session_is_11() {
    let mut h = Harness::new();
    h.simple(
        ChannelRequest::Cwd("/".into()),
        result(SimpleOp::Cwd, ResultCode::NetworkError),
    )
    .await;
    // A DISC with nothing to close answers alone.
    h.simple(
        ChannelRequest::Disconnect,
        result(SimpleOp::Disc, ResultCode::Success),
    )
    .await;
}

fn tls_request(server: std::net::SocketAddr, mode: SslMode, tls: TlsContext) -> ConnectRequest {
    let mut r = uftp(server);
    r.settings.ssl_mode = mode;
    r.tls = tls;
    r
}

async fn tls_case(
    opts: impl FnOnce(&Certs) -> VsftpdOptions,
    mode: SslMode,
    ctx: impl FnOnce(&Certs, &Harness) -> TlsContext,
    want: ResultCode,
) {
    let certs = tokio::task::spawn_blocking(|| Certs::generate().unwrap())
        .await
        .unwrap();
    let server = vsftpd(opts(&certs)).await;
    let mut h = Harness::new();
    let tls = ctx(&certs, &h);
    h.send(ChannelRequest::Connect(Box::new(tls_request(
        server.addr(),
        mode,
        tls,
    ))))
    .await;
    if want == ResultCode::Success {
        h.expect_state(ftpmodem_proto::ChannelState::Connected)
            .await;
        h.expect_report(conn(want), true).await;
        // Data connections work too (vsftpd demands TLS session reuse on them).
        let dir = server.fresh_user_dir().unwrap();
        put(&dir.join("t.bin"), b"tls data");
        h.send(retr(&s(&dir.join("t.bin")), 0, None, 1024)).await;
        h.expect_state(ftpmodem_proto::ChannelState::Downloading)
            .await;
        h.expect_report(retr_data(8, b"tls data"), true).await;
        h.expect_state(ftpmodem_proto::ChannelState::Connected)
            .await;
        h.disconnect().await;
    } else {
        h.expect_report(conn(want), true).await;
    }
}

fn with_ca(pem: &str, h: &Harness, auth: u8) -> TlsContext {
    h.fs.write(&cert_file("ca.pem"), pem.as_bytes()).unwrap();
    TlsContext {
        auth,
        ca: "ca.pem".into(),
        ..TlsContext::default()
    }
}

#[tokio::test]
async fn explicit_tls_right_ca_auth1_is_0() {
    tls_case(
        VsftpdOptions::explicit_tls,
        SslMode::Explicit,
        |c, h| with_ca(c.ca().cert_pem(), h, 1),
        ResultCode::Success,
    )
    .await;
}

#[tokio::test]
async fn explicit_tls_wrong_ca_auth1_is_7() {
    tls_case(
        VsftpdOptions::explicit_tls,
        SslMode::Explicit,
        |c, h| with_ca(c.other_ca().cert_pem(), h, 1),
        ResultCode::TlsCertificate,
    )
    .await;
}

#[tokio::test]
async fn explicit_tls_wrong_ca_auth0_does_not_verify() {
    tls_case(
        VsftpdOptions::explicit_tls,
        SslMode::Explicit,
        |c, h| with_ca(c.other_ca().cert_pem(), h, 0),
        ResultCode::Success,
    )
    .await;
}

#[tokio::test]
async fn explicit_tls_wrong_ca_ignoreverify_is_0() {
    tls_case(
        VsftpdOptions::explicit_tls,
        SslMode::Explicit,
        |c, h| TlsContext {
            ignore_verify: true,
            ..with_ca(c.other_ca().cert_pem(), h, 1)
        },
        ResultCode::Success,
    )
    .await;
}

#[tokio::test]
async fn implicit_tls_right_ca_is_0() {
    tls_case(
        VsftpdOptions::implicit_tls,
        SslMode::Implicit,
        |c, h| with_ca(c.ca().cert_pem(), h, 1),
        ResultCode::Success,
    )
    .await;
}

#[tokio::test]
async fn missing_ca_file_is_18() {
    tls_case(
        VsftpdOptions::explicit_tls,
        SslMode::Explicit,
        |_, _| TlsContext {
            auth: 1,
            ca: "none.pem".into(),
            ..TlsContext::default()
        },
        ResultCode::FileError,
    )
    .await;
}

#[tokio::test]
async fn mutual_tls_auth2_presents_the_client_certificate() {
    let mutual = |c: &Certs| VsftpdOptions {
        require_client_cert: true,
        ..VsftpdOptions::explicit_tls(c)
    };
    tls_case(
        mutual,
        SslMode::Explicit,
        |c, h| {
            h.fs.write(&cert_file("client.pem"), c.client().cert_pem().as_bytes())
                .unwrap();
            h.fs.write(&key_file("client.key"), c.client().key_pem().as_bytes())
                .unwrap();
            TlsContext {
                cert: "client.pem".into(),
                key: "client.key".into(),
                ..with_ca(c.ca().cert_pem(), h, 2)
            }
        },
        ResultCode::Success,
    )
    .await;
    // auth 2 without a client certificate configured.
    tls_case(
        mutual,
        SslMode::Explicit,
        |c, h| with_ca(c.ca().cert_pem(), h, 2),
        ResultCode::TlsCertificate,
    )
    .await;
}

/// A listener that accepts one connection and sends `banner` (nothing if empty), then waits.
async fn fake_server(banner: &'static [u8]) -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = l.accept().await.unwrap();
        sock.write_all(banner).await.unwrap();
        // Hold the connection open without another byte.
        let mut buf = [0u8; 64];
        while tokio::io::AsyncReadExt::read(&mut sock, &mut buf)
            .await
            .is_ok_and(|n| n > 0)
        {}
    });
    addr
}

#[tokio::test]
async fn silent_server_is_timeout_5() {
    let addr = fake_server(b"").await;
    let mut h = Harness::new();
    let mut req = request(addr);
    req.settings.rsp_timeout = Duration::from_millis(500);
    let t0 = std::time::Instant::now();
    h.send(ChannelRequest::Connect(Box::new(req))).await;
    h.expect_report(conn(ResultCode::Timeout), true).await;
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn garbage_banner_is_12() {
    let addr = fake_server(b"hello, this is not FTP\r\n").await;
    let mut h = Harness::new();
    h.send(ChannelRequest::Connect(Box::new(request(addr))))
        .await;
    h.expect_report(conn(ResultCode::BadServerReply), true)
        .await;
}

#[tokio::test]
async fn disconnect_while_connecting_gives_the_full_sequence() {
    let addr = fake_server(b"").await;
    let mut h = Harness::new();
    h.send(ChannelRequest::Connect(Box::new(request(addr))))
        .await;
    h.send(ChannelRequest::Disconnect).await;
    h.expect_disconnect_sequence().await;
}

/// `use_epsv: false` (config `[ftp] epsv = false`) makes passive FTPS data connections use
/// PASV, which the AT command set cannot choose by itself.
#[tokio::test]
async fn explicit_tls_with_pasv_instead_of_epsv() {
    let certs = tokio::task::spawn_blocking(|| Certs::generate().unwrap())
        .await
        .unwrap();
    let server = vsftpd(VsftpdOptions::explicit_tls(&certs)).await;
    let opts = ftpmodem_device::channel::ChannelOptions {
        use_epsv: false,
        ..Default::default()
    };
    let mut h = Harness::with_opts(1 << 20, 64, opts);
    let tls = with_ca(certs.ca().cert_pem(), &h, 1);
    h.send(ChannelRequest::Connect(Box::new(tls_request(
        server.addr(),
        SslMode::Explicit,
        tls,
    ))))
    .await;
    h.expect_state(ftpmodem_proto::ChannelState::Connected)
        .await;
    h.expect_report(conn(ResultCode::Success), true).await;
    let dir = server.fresh_user_dir().unwrap();
    put(&dir.join("p.bin"), b"pasv data");
    h.send(retr(&s(&dir.join("p.bin")), 0, None, 1024)).await;
    h.expect_state(ftpmodem_proto::ChannelState::Downloading)
        .await;
    h.expect_report(retr_data(9, b"pasv data"), true).await;
    h.expect_state(ftpmodem_proto::ChannelState::Connected)
        .await;
    h.disconnect().await;
    let log = server.log_text();
    assert!(
        log.contains("FTP command: Client \"127.0.0.1\", \"PASV\""),
        "{log}"
    );
    assert!(
        !log.contains("FTP command: Client \"127.0.0.1\", \"EPSV\""),
        "{log}"
    );
}

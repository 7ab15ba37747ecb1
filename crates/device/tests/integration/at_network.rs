//! Network state against a real server (ONEMO-RELATED.md §A.4-A.5): flight mode (`AT+CFUN=4`)
//! deregisters, takes down every PDP context and disconnects a live vsftpd session with
//! `+MFTPURC: 0,"conn",0`; `AT+CFUN=1` registers again and the channel connects again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::{start, ModuleOptions};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};

#[tokio::test]
async fn flight_mode_drops_the_session_and_full_function_brings_the_channel_back() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let (_m, mut at) = start(ModuleOptions {
        label: "cfun".into(),
        ..ModuleOptions::default()
    })
    .await;
    let conn = format!(
        r#"AT+MFTPCONN=0,"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    );
    at.ok("AT+CEREG=1").await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;

    at.request("AT+CFUN=4", &["+CEREG: 0", "+MFTPURC: 0,\"conn\",0"])
        .await;
    at.state(0, 0).await;
    at.cmd("AT+CEREG?", "\r\n+CEREG: 1,0\r\n\r\nOK\r\n").await;
    at.request(&conn, &["+MFTPCONN: 0,20"]).await;
    at.state(0, 0).await;

    at.request("AT+CFUN=1", &["+CEREG: 1"]).await;
    at.cmd("AT+CFUN?", "\r\n+CFUN: 1\r\n\r\nOK\r\n").await;
    at.request(&conn, &["+MFTPCONN: 0,0"]).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    at.request(
        "AT+MFTPDISC=0",
        &["+MFTPDISC: 0,0", "+MFTPURC: 0,\"conn\",0"],
    )
    .await;
    at.idle().await;
}

//! Answers that arrive after the call they belong to has given up, and time-outs: a retried `AT`
//! (the way `Modem::sync` brings a busy module into step) must not leave the first one's echo and
//! `OK` to answer the next command, and a time-out says since when the module was silent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_host::{Error, LastHeard, Modem, Options};
use ftpmodem_proto::{ChannelId, ChannelState};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::time::timeout;

/// Reads from the host until `want` has arrived (whole), with a time-out.
async fn expect(module: &mut DuplexStream, want: &[u8]) {
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(want) {
        let n = timeout(Duration::from_secs(10), module.read(&mut buf))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the host sent nothing more after {:?}",
                    String::from_utf8_lossy(&got)
                )
            })
            .unwrap();
        assert!(n > 0, "the host closed the line");
        got.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn a_late_echo_and_ok_of_a_retried_at_do_not_answer_the_next_command() {
    let (host_end, mut module) = tokio::io::duplex(4096);
    let opts = Options {
        command_timeout: Duration::from_millis(300),
        ..Options::default()
    };
    let modem = Modem::with_options(host_end, opts);
    let script = tokio::spawn(async move {
        // The first AT meets a busy module: no answer before the host gives up on it.
        expect(&mut module, b"AT\r").await;
        // The retry. Now both are answered, the first one's echo and OK first.
        expect(&mut module, b"AT\r").await;
        module.write_all(b"AT\r\r\nOK\r\n").await.unwrap();
        // The next command is on its way before the second AT's echo and OK come.
        expect(&mut module, b"AT+MFTPSTATE=0\r").await;
        module
            .write_all(b"AT\r\r\nOK\r\nAT+MFTPSTATE=0\r\r\n+MFTPSTATE: 0,1\r\n\r\nOK\r\n")
            .await
            .unwrap();
        module
    });
    let first = modem.ping().await;
    assert!(matches!(first, Err(Error::Timeout { .. })), "{first:?}");
    modem.ping().await.unwrap();
    let state = modem
        .channel(ChannelId::new(0).unwrap())
        .state()
        .await
        .unwrap();
    assert_eq!(state, ChannelState::Connected);
    script.await.unwrap();
}

#[tokio::test]
async fn a_time_out_says_when_the_module_last_spoke() {
    let (host_end, mut module) = tokio::io::duplex(4096);
    let opts = Options {
        command_timeout: Duration::from_millis(200),
        ..Options::default()
    };
    let modem = Modem::with_options(host_end, opts);
    // Not a byte yet.
    let never = modem.ping().await.unwrap_err();
    assert!(
        matches!(
            never,
            Error::Timeout {
                last_heard: Some(LastHeard::Never),
                ..
            }
        ),
        "{never:?}"
    );
    assert!(
        never
            .to_string()
            .contains("not a byte from it since the line was opened"),
        "{never}"
    );
    // It prints something (a URC nobody waits for), then falls silent.
    let mut events = modem.events();
    expect(&mut module, b"AT\r").await;
    module
        .write_all(b"\r\n+MFTPURC: 0,\"conn\",0\r\n")
        .await
        .unwrap();
    // The driver has read it once it hands it on.
    timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the URC was not passed on")
        .unwrap();
    let quiet = modem.identify().await.unwrap_err();
    match &quiet {
        Error::Timeout {
            last_heard: Some(LastHeard::Ago(d)),
            ..
        } => assert!(*d >= Duration::from_millis(200), "{d:?}"),
        e => panic!("{e:?}"),
    }
    assert!(quiet.to_string().contains("silent since"), "{quiet}");
}

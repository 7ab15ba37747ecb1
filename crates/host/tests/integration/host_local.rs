//! The host driver against the in-process virtual module over a real PTY, without an FTP
//! server: basic commands, errors, echo, `+MATREADY`, and the module's file system.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{ch, payload, Module, TIMEOUT};
use ftpmodem_host::{Error, FsEntry};
use ftpmodem_proto::{CfgValue, ChannelState, CmeError, CmeeMode, DataType, Response};
use tokio::time::timeout;

#[tokio::test]
async fn identify_and_raw_commands_with_echo_on_and_off() {
    let m = Module::start();
    let modem = m.host().await;
    for echo in [true, false, true] {
        modem.set_echo(echo).await.unwrap();
        let id = timeout(TIMEOUT, modem.identify()).await.unwrap().unwrap();
        assert_eq!(id.len(), 3, "{id:?}");
        assert_eq!(id[0], "CMIOT");
        let a = modem.raw(b"AT+CMEE?").await.unwrap();
        assert_eq!(a.info, vec![Response::Cmee(CmeeMode::Numeric)]);
    }
}

#[tokio::test]
async fn errors_are_typed_with_the_module_code() {
    let m = Module::start();
    let modem = m.host().await;
    let c = modem.channel(ch(0));
    // Not connected: 801.
    let e = c.cwd("/x").await.unwrap_err();
    assert_eq!(e.cme(), Some(CmeError::FtpNotRunning), "{e}");
    // An unknown command is plain ERROR.
    assert!(matches!(modem.raw(b"AT+NOSUCH").await, Err(Error::Error)));
    // CMEE 2: the text form maps back to the same code.
    modem.set_cmee(CmeeMode::Verbose).await.unwrap();
    let e = c.pwd().await.unwrap_err();
    assert_eq!(e.cme(), Some(CmeError::FtpNotRunning), "{e}");
    modem.set_cmee(CmeeMode::Numeric).await.unwrap();
    // A quote in a name is refused before anything is sent.
    assert!(matches!(c.mkdir("a\"b").await, Err(Error::Invalid(_))));
    // Configuration round trip, and the state of an idle channel.
    c.set(CfgValue::DataType(DataType::Ascii)).await.unwrap();
    let cfg = c.config().await.unwrap();
    assert_eq!(cfg.data_type, DataType::Ascii);
    assert_eq!(cfg.rsp_timeout, 10);
    assert_eq!(c.state().await.unwrap(), ChannelState::Disconnected);
    // The driver is still in step after every error.
    modem.ping().await.unwrap();
}

#[tokio::test]
async fn module_file_system_binary_round_trip() {
    let m = Module::start();
    let modem = m.host().await;
    for (echo, len) in [
        (true, 1usize),
        (false, 4095),
        (true, 4096),
        (true, 4097),
        (false, 65536),
    ] {
        modem.set_echo(echo).await.unwrap();
        let data = payload(len, len as u64);
        let name = format!("f{len}.bin");
        assert_eq!(modem.fs_put(&name, &data).await.unwrap(), len as u64);
        assert_eq!(modem.fs_size(&name).await.unwrap(), len as u64);
        assert_eq!(
            modem.fs_get(&name).await.unwrap(),
            data,
            "{len} bytes, echo {echo}"
        );
    }
    let list = modem.fs_list(None).await.unwrap();
    assert!(
        list.contains(&FsEntry {
            path: "/f4096.bin".into(),
            size: Some(4096)
        }),
        "{list:?}"
    );
    modem.fs_move("f1.bin", "g1.bin").await.unwrap();
    modem.fs_delete("g1.bin").await.unwrap();
    let e = modem.fs_get("g1.bin").await.unwrap_err();
    // ONEMO-RELATED.md §C.3, E12: MFGET of a missing file is an open failure.
    assert_eq!(e.cme(), Some(CmeError::OpenFail), "{e}");
    let info = modem.fs_info().await.unwrap();
    assert!(info.free < info.total);
    assert!(matches!(
        modem.fs_put("empty", b"").await,
        Err(Error::Invalid(_))
    ));
}

#[tokio::test]
async fn several_tasks_share_the_line() {
    let m = Module::start();
    let modem = m.host().await;
    let mut tasks = Vec::new();
    for t in 0..6u8 {
        let modem = modem.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20usize {
                let data = payload(100 + i, u64::from(t));
                let name = format!("t{t}-{i}");
                modem.fs_put(&name, &data).await.unwrap();
                assert_eq!(modem.fs_get(&name).await.unwrap(), data);
                assert_eq!(
                    modem.channel(ch(t)).state().await.unwrap(),
                    ChannelState::Disconnected
                );
            }
        }));
    }
    for t in tasks {
        timeout(TIMEOUT, t).await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn unsolicited_reports_reach_the_event_stream() {
    let m = Module::start();
    let modem = m.host().await;
    let mut events = modem.events();
    modem.raw(b"AT+MIPCALL=1,2").await.unwrap();
    let u = timeout(TIMEOUT, events.recv()).await.unwrap().unwrap();
    assert!(
        matches!(
            u,
            ftpmodem_proto::Urc::Mipcall {
                cid: 2,
                active: true,
                ..
            }
        ),
        "{u:?}"
    );
}

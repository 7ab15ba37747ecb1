//! Module faults through the real runtime's control channel (docs/CONTROL.md), against vsftpd:
//! each fault shows on the line as the module prints it, and after clearing the module is
//! usable again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common::{start, At, ModuleOptions};
use ftpmodem_device::control::{
    FaultChange, FaultId, ModuleControl, ModuleEvent, ModuleFault, Subscription, Trigger, When,
};
use ftpmodem_device::engine::Signal;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

async fn vsftpd() -> Vsftpd {
    tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap()
}

fn conn(server: &Vsftpd) -> String {
    format!(
        r#"AT+MFTPCONN=0,"{}","{USER}","{PASSWORD}",{}"#,
        server.host(),
        server.port()
    )
}

/// Waits for the event `pick` accepts.
async fn wait_event(sub: &mut Subscription, what: &str, pick: impl Fn(&ModuleEvent) -> bool) {
    let found = tokio::time::timeout(TIMEOUT, async {
        while let Some(ev) = sub.recv().await {
            if pick(&ev) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(matches!(found, Ok(true)), "no {what} event");
}

fn cleared(id: FaultId) -> impl Fn(&ModuleEvent) -> bool {
    move |ev| matches!(ev, ModuleEvent::Fault { id: i, change: FaultChange::Cleared, .. } if *i == id)
}

/// Lines until `last`; returns them all (for order checks).
async fn lines_until(at: &mut At, last: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let l = String::from_utf8_lossy(&at.line().await).into_owned();
        let done = l == last;
        seen.push(l);
        if done {
            return seen;
        }
    }
}

async fn connected(at: &mut At, server: &Vsftpd) {
    at.request(&conn(server), &["+MFTPCONN: 0,0"]).await;
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
}

async fn arm_now(c: &ModuleControl, f: ModuleFault) -> FaultId {
    c.arm(f, Trigger::default()).await.unwrap()
}

#[tokio::test]
async fn sim_removed_deregisters_drops_the_channel_and_comes_back_when_cleared() {
    let server = vsftpd().await;
    let (m, mut at) = start(ModuleOptions {
        label: "sim".into(),
        ..ModuleOptions::default()
    })
    .await;
    at.ok("AT+CEREG=1").await;
    connected(&mut at, &server).await;

    let id = arm_now(&m.control, ModuleFault::SimRemoved).await;
    at.urcs(&["+CEREG: 0", "+MFTPURC: 0,\"conn\",0"]).await;
    at.cmd("AT+CPIN?", "\r\n+CME ERROR: 10\r\n").await;
    at.cmd("AT+CEREG?", "\r\n+CEREG: 1,0\r\n\r\nOK\r\n").await;
    at.request(&conn(&server), &["+MFTPCONN: 0,20"]).await;
    let st = m.control.status().await.unwrap();
    assert!(!st.engine.net.sim);
    assert_eq!(st.faults.len(), 1);
    assert!(st.faults[0].active);

    assert_eq!(m.control.clear(Some(id)).await.unwrap(), 1);
    at.urcs(&["+CEREG: 1"]).await;
    at.cmd("AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n").await;
    connected(&mut at, &server).await;
    assert!(m.control.status().await.unwrap().faults.is_empty());
}

#[tokio::test]
async fn registration_lost_on_the_next_retr_cuts_the_download_and_clears_back() {
    let server = vsftpd().await;
    let dir = server.fresh_user_dir().unwrap();
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let (m, mut at) = start(ModuleOptions {
        label: "reg".into(),
        ..ModuleOptions::default()
    })
    .await;
    let mut sub = m.control.subscribe(4096);
    at.ok("AT+CEREG=2").await;
    connected(&mut at, &server).await;
    let id = m
        .control
        .arm(
            ModuleFault::RegistrationLost,
            Trigger {
                when: When::Retr,
                ..Trigger::default()
            },
        )
        .await
        .unwrap();
    // Armed, not fired: the module is still registered.
    at.cmd(
        "AT+CEREG?",
        "\r\n+CEREG: 2,1,\"5A1F\",\"0C8E2A01\",7\r\n\r\nOK\r\n",
    )
    .await;

    let retr = format!("AT+MFTPRETR=0,\"{}/big.bin\"", dir.display());
    at.cmd(&retr, "\r\nOK\r\n").await;
    let seen = lines_until(&mut at, "+MFTPURC: 0,\"conn\",0").await;
    assert!(seen.iter().any(|l| l == "+CEREG: 2"), "{seen:?}");
    let received: usize = seen
        .iter()
        .filter(|l| l.starts_with("+MFTPRETR: 0,"))
        .count();
    assert!(received < big.len() / 1024, "the download was not cut");
    wait_event(&mut sub, "registration", |e| {
        matches!(e, ModuleEvent::Registration { stat: 2 })
    })
    .await;
    at.await_state(0, 0).await;

    m.control.clear(Some(id)).await.unwrap();
    wait_event(&mut sub, "cleared", cleared(id)).await;
    at.urcs(&["+CEREG: 1,\"5A1F\",\"0C8E2A01\",7"]).await;
    connected(&mut at, &server).await;
}

#[tokio::test]
async fn a_hang_answers_nothing_loses_the_input_and_ends_after_its_duration() {
    let (m, mut at) = start(ModuleOptions {
        label: "hang".into(),
        ..ModuleOptions::default()
    })
    .await;
    let mut sub = m.control.subscribe(64);
    let id = m
        .control
        .arm(
            ModuleFault::Hang,
            Trigger {
                duration: Some(Duration::from_millis(600)),
                ..Trigger::default()
            },
        )
        .await
        .unwrap();
    at.send(b"AT+CSQ\r").await;
    wait_event(
        &mut sub,
        "line input",
        |e| matches!(e, ModuleEvent::LineIn(b) if b.as_ref() == b"AT+CSQ\r"),
    )
    .await;
    assert!(m.control.status().await.unwrap().hung);
    wait_event(&mut sub, "hang cleared", cleared(id)).await;
    // The command sent while hung was lost: the next answer is the next command's alone.
    at.idle().await;
    let st = m.control.status().await.unwrap();
    assert!(!st.hung);
    assert_eq!(st.lost_input, 7);
}

#[tokio::test]
async fn a_hang_until_cleared_holds_channel_reports_until_it_ends() {
    let server = vsftpd().await;
    let (m, mut at) = start(ModuleOptions {
        label: "hang-clear".into(),
        ..ModuleOptions::default()
    })
    .await;
    connected(&mut at, &server).await;
    let mut sub = m.control.subscribe(64);
    let id = arm_now(&m.control, ModuleFault::Hang).await;
    wait_event(&mut sub, "hang fired", |e| {
        matches!(
            e,
            ModuleEvent::Fault {
                change: FaultChange::Fired,
                ..
            }
        )
    })
    .await;
    // The server ends the session while the module hangs: its report waits for the hang's end.
    drop(server);
    assert_eq!(m.control.clear(None).await.unwrap(), 1);
    wait_event(&mut sub, "hang cleared", cleared(id)).await;
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.idle().await;
}

#[tokio::test]
async fn pdp_drop_signal_and_an_injected_line() {
    let server = vsftpd().await;
    let (m, mut at) = start(ModuleOptions {
        label: "pdp".into(),
        ..ModuleOptions::default()
    })
    .await;
    connected(&mut at, &server).await;
    arm_now(&m.control, ModuleFault::PdpDrop { cid: 1 }).await;
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    at.cmd("AT+CGACT?", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n").await;
    at.request(&conn(&server), &["+MFTPCONN: 0,20"]).await;
    at.ok("AT+CGACT=1,1").await;
    connected(&mut at, &server).await;
    // A one-shot fault leaves nothing armed.
    assert!(m.control.status().await.unwrap().faults.is_empty());
    // A cid the model lacks is refused when armed.
    assert!(m
        .control
        .arm(ModuleFault::PdpDrop { cid: 99 }, Trigger::default())
        .await
        .is_err());

    at.send(b"AT+CSQ\r").await;
    let before = at.line().await;
    at.expect(b"\r\nOK\r\n").await;
    let id = arm_now(
        &m.control,
        ModuleFault::Signal(Signal {
            rssi: Some(3),
            ..Signal::default()
        }),
    )
    .await;
    at.send(b"AT+CSQ\r").await;
    assert!(at.line().await.starts_with(b"+CSQ: 3,"));
    at.expect(b"\r\nOK\r\n").await;
    m.control.clear(Some(id)).await.unwrap();
    at.send(b"AT+CSQ\r").await;
    assert_eq!(at.line().await, before);
    at.expect(b"\r\nOK\r\n").await;
    assert!(m
        .control
        .arm(
            ModuleFault::Signal(Signal {
                rssi: Some(40),
                ..Signal::default()
            }),
            Trigger::default()
        )
        .await
        .is_err());

    arm_now(
        &m.control,
        ModuleFault::Inject {
            line: b"+MFTPURC: 0,\"conn\",0".to_vec(),
        },
    )
    .await;
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    assert!(m
        .control
        .arm(
            ModuleFault::Inject {
                line: b"two\r\nlines".to_vec()
            },
            Trigger::default()
        )
        .await
        .is_err());
    at.idle().await;
}

#[tokio::test]
async fn a_fault_on_the_next_conn_drops_that_session() {
    let server = vsftpd().await;
    let (m, mut at) = start(ModuleOptions {
        label: "conn".into(),
        ..ModuleOptions::default()
    })
    .await;
    let mut sub = m.control.subscribe(256);
    let id = m
        .control
        .arm(
            ModuleFault::SimRemoved,
            Trigger {
                when: When::Conn,
                duration: Some(Duration::from_millis(300)),
                ..Trigger::default()
            },
        )
        .await
        .unwrap();
    // A second fault of the same kind is refused while the first is armed.
    assert!(m
        .control
        .arm(ModuleFault::SimRemoved, Trigger::default())
        .await
        .is_err());
    at.cmd(&conn(&server), "\r\nOK\r\n").await;
    // The session that was being opened is reported dropped.
    lines_until(&mut at, "+MFTPURC: 0,\"conn\",0").await;
    wait_event(&mut sub, "sim out", |e| {
        matches!(e, ModuleEvent::Sim { present: false })
    })
    .await;
    wait_event(&mut sub, "cleared after its duration", cleared(id)).await;
    at.await_state(0, 0).await;
    connected(&mut at, &server).await;
    at.idle().await;
}

#[tokio::test]
async fn a_full_or_read_only_file_system_refuses_writes_until_cleared() {
    let (m, mut at) = start(ModuleOptions {
        label: "fs".into(),
        ..ModuleOptions::default()
    })
    .await;
    at.mfput("kept.txt", b"hello").await;
    let full = arm_now(&m.control, ModuleFault::FsFull).await;
    at.cmd("AT+MFPUT=\"more.txt\",1,\"x\"", "\r\n+CME ERROR: 1063\r\n")
        .await;
    assert_eq!(at.mfget("kept.txt", 5).await, b"hello");
    m.control.clear(Some(full)).await.unwrap();
    at.mfput("more.txt", b"x").await;

    let ro = arm_now(&m.control, ModuleFault::FsReadOnly).await;
    at.cmd("AT+MFDELETE=\"more.txt\"", "\r\n+CME ERROR: 1059\r\n")
        .await;
    m.control.clear(Some(ro)).await.unwrap();
    at.ok("AT+MFDELETE=\"more.txt\"").await;
}

#[tokio::test]
async fn a_reboot_fault_restarts_the_module_and_a_sim_that_was_out_stays_out() {
    let server = vsftpd().await;
    let (m, mut at) = start(ModuleOptions {
        label: "reboot".into(),
        ..ModuleOptions::default()
    })
    .await;
    let mut sub = m.control.subscribe(256);
    connected(&mut at, &server).await;
    let sim = arm_now(&m.control, ModuleFault::SimRemoved).await;
    at.urcs(&["+MFTPURC: 0,\"conn\",0"]).await;
    arm_now(&m.control, ModuleFault::Reboot).await;
    at.urcs(&["REBOOTING", "+MATREADY"]).await;
    wait_event(&mut sub, "reboot", |e| matches!(e, ModuleEvent::Reboot)).await;
    // Power-on state: echo is on again.
    at.cmd("ATE0", "ATE0\r\r\nOK\r\n").await;
    at.cmd("AT+CPIN?", "\r\n+CME ERROR: 10\r\n").await;
    m.control.clear(Some(sim)).await.unwrap();
    at.cmd("AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n").await;
    connected(&mut at, &server).await;
}

#[tokio::test]
async fn a_fault_on_the_next_stor_waits_for_the_upload_and_drops_its_session() {
    let server = vsftpd().await;
    let dir = server.fresh_user_dir().unwrap();
    let (m, mut at) = start(ModuleOptions {
        label: "stor".into(),
        ..ModuleOptions::default()
    })
    .await;
    let body: Vec<u8> = (0..4096u32).map(|i| (i % 13) as u8 + b'a').collect();
    at.mfput("up.txt", &body).await;
    at.ok(r#"AT+MFTPCFG=0,"local_fs",1"#).await;
    connected(&mut at, &server).await;
    m.control
        .arm(
            ModuleFault::PdpDrop { cid: 1 },
            Trigger {
                when: When::Stor,
                ..Trigger::default()
            },
        )
        .await
        .unwrap();
    // Other channel commands do not trigger it.
    at.request("AT+MFTPPWD=0", &["+MFTPPWD: 0,0,\"/home/uftp\""])
        .await;
    assert_eq!(m.control.status().await.unwrap().faults.len(), 1);
    at.cmd(
        &format!(r#"AT+MFTPSTOR=0,"{}/up.txt","up.txt""#, dir.display()),
        "\r\nOK\r\n",
    )
    .await;
    lines_until(&mut at, "+MFTPURC: 0,\"conn\",0").await;
    at.await_state(0, 0).await;
    assert!(m.control.status().await.unwrap().faults.is_empty());
    at.cmd("AT+CGACT?", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n").await;
    at.ok("AT+CGACT=1,1").await;
    connected(&mut at, &server).await;
}

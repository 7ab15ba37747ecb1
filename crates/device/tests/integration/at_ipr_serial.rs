//! `AT+IPR` on the UART transport, on a real tty: the slave side of a PTY is the serial port
//! (as in `transport_serial`), a whole module (engine, runtime) serves it, the test is the MCU
//! on the master side. The port's speed is read from the kernel (TCGETS2) on a descriptor of
//! the same tty: the switch is the transport's own, after the `OK` has been written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common::{open_tty, recv_n};

use ftpmodem_device::channel;
use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::runtime;
use ftpmodem_device::transport::{line_channel, ModuleEnds, PtyLine, SerialFlow, SerialLine};
use std::fs::File;
use tokio_util::sync::CancellationToken;

fn speed(tty: &File) -> u32 {
    rustix::termios::tcgetattr(tty).unwrap().output_speed()
}

struct Mcu {
    ends: ModuleEnds,
}

impl Mcu {
    /// Sends `line` + CR and expects exactly `want` back.
    async fn cmd(&mut self, line: &str, want: &str) {
        self.ends
            .to_line
            .send(format!("{line}\r").into_bytes().into())
            .await
            .unwrap();
        self.expect(want).await;
    }

    async fn expect(&mut self, want: &str) {
        let got = recv_n(&mut self.ends.from_line, want.len()).await;
        assert_eq!(String::from_utf8_lossy(&got), want);
    }
}

/// A module on a serial port at `baud`, with its storage in `dir`.
async fn module_on_serial(dir: &std::path::Path, baud: u32) -> (Mcu, File, CancellationToken) {
    let link = dir.join("ttyUART");
    let pty = PtyLine::create(&link).unwrap();
    let (pty_line, mcu) = line_channel(8);
    let shutdown = CancellationToken::new();
    tokio::spawn(pty.serve(pty_line, shutdown.clone()));
    // Opened before the serial port takes it exclusively; the speed belongs to the tty.
    let observer = open_tty(&link);
    let fs = Sandbox::open(dir.join("fs"), 1 << 20).unwrap();
    let cfg = EngineConfig {
        line_rate: baud,
        ..EngineConfig::default()
    };
    let engine = Engine::new(cfg, fs.clone(), std::time::Instant::now());
    let port =
        SerialLine::open(link.to_str().unwrap(), engine.line_rate(), SerialFlow::None).unwrap();
    let (serial_line, module_ends) = line_channel(runtime::LINE_QUEUE);
    tokio::spawn(port.serve(serial_line, shutdown.clone()));
    let spawner = move |id, events| channel::spawn(id, fs.clone(), events);
    tokio::spawn(runtime::run(engine, module_ends, spawner, shutdown.clone()));
    let mut mcu = Mcu { ends: mcu };
    mcu.expect("\r\n+MATREADY\r\n").await;
    (mcu, observer, shutdown)
}

#[tokio::test]
async fn ipr_switches_the_uart_after_its_ok() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mcu, tty, shutdown) = module_on_serial(dir.path(), 115_200).await;
    assert_eq!(speed(&tty), 115_200);
    mcu.cmd("ATE0", "ATE0\r\r\nOK\r\n").await;
    mcu.cmd("AT+IPR=921600", "\r\nOK\r\n").await;
    // The answer to the next command is written after the switch, by the same writer.
    mcu.cmd("AT+IPR?", "\r\n+IPR: 921600\r\n\r\nOK\r\n").await;
    assert_eq!(speed(&tty), 921_600);
    // A refused rate changes nothing.
    mcu.cmd("AT+IPR=1000000", "\r\n+CME ERROR: 50\r\n").await;
    mcu.cmd("AT", "\r\nOK\r\n").await;
    assert_eq!(speed(&tty), 921_600);
    // Several commands: the switch follows the line's final result.
    mcu.cmd("AT+IPR=9600;+IPR?", "\r\n+IPR: 9600\r\n\r\nOK\r\n")
        .await;
    mcu.cmd("AT", "\r\nOK\r\n").await;
    assert_eq!(speed(&tty), 9600);
    shutdown.cancel();
}

#[tokio::test]
async fn a_reboot_brings_back_the_saved_rate_and_a_new_process_opens_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mcu, tty, shutdown) = module_on_serial(dir.path(), 115_200).await;
    mcu.cmd("ATE0", "ATE0\r\r\nOK\r\n").await;
    mcu.cmd("AT+IPR=460800;&W;+IPR=57600", "\r\nOK\r\n").await;
    mcu.cmd("AT", "\r\nOK\r\n").await;
    assert_eq!(speed(&tty), 57_600);
    mcu.cmd("AT+MREBOOT", "\r\nOK\r\n\r\nREBOOTING\r\n\r\n+MATREADY\r\n")
        .await;
    // The profile saved echo off; the next answer comes at the saved rate.
    mcu.cmd("AT+IPR?", "\r\n+IPR: 460800\r\n\r\nOK\r\n").await;
    assert_eq!(speed(&tty), 460_800);
    shutdown.cancel();
    drop(mcu);
    drop(tty);
    // The same storage in a new process: the UART opens at the saved rate.
    let restarted = tempfile::tempdir().unwrap();
    std::fs::rename(dir.path().join("fs"), restarted.path().join("fs")).unwrap();
    let (mut mcu, tty, shutdown) = module_on_serial(restarted.path(), 115_200).await;
    assert_eq!(speed(&tty), 460_800);
    mcu.cmd("AT+IPR?", "\r\n+IPR: 460800\r\n\r\nOK\r\n").await;
    shutdown.cancel();
}

//! The UART transport, on a real tty: the slave side of a PTY served by the PTY transport plays
//! the UART, so bytes cross serialport's configuration and the kernel's tty layer for real.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use ftpmodem_device::transport::{
    line_channel, run_serial, ModuleEnds, PtyLine, SerialFlow, SerialLine,
};
use nix::sys::termios::{tcgetattr, ControlFlags, InputFlags, LocalFlags, OutputFlags};
use tokio_util::sync::CancellationToken;
use transport_common::{all_bytes, open_tty, recv_n, WAIT};

#[tokio::test]
async fn bytes_cross_a_serial_port_unchanged_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyUART");
    // The far end of the wire (the MCU): a PTY line with the test as its module.
    let pty = PtyLine::create(&link).unwrap();
    let (pty_line, mut mcu) = line_channel(8);
    let shutdown = CancellationToken::new();
    let pty_task = tokio::spawn(pty.serve(pty_line, shutdown.clone()));
    // Opened before the serial port takes it exclusively (TIOCEXCL binds all but root), to look
    // at the settings later: they belong to the tty, not to a descriptor.
    let observer = open_tty(&link);
    // The module on the serial port, also driven by the test.
    let (serial_line, mut module) = line_channel(8);
    let device = link.to_str().unwrap().to_owned();
    let serial_task = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move { run_serial(&device, 115_200, serial_line, shutdown).await })
    };

    // MCU -> module; a first byte shows the serial side is up before the full exchange.
    let ModuleEnds {
        to_line: mcu_tx,
        from_line: mcu_rx,
    } = &mut mcu;
    mcu_tx.send(b"A".to_vec().into()).await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 1).await, b"A");
    mcu_tx.send(all_bytes().into()).await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 256).await, all_bytes());

    // module -> MCU.
    let reversed: Vec<u8> = all_bytes().into_iter().rev().collect();
    module.to_line.send(reversed.clone().into()).await.unwrap();
    assert_eq!(recv_n(mcu_rx, 256).await, reversed);

    // The port is configured raw 8N1 without flow control.
    let t = tcgetattr(&observer).unwrap();
    assert!(t.control_flags.contains(ControlFlags::CS8));
    assert!(!t
        .control_flags
        .intersects(ControlFlags::PARENB | ControlFlags::CSTOPB | ControlFlags::CRTSCTS));
    assert!(!t
        .input_flags
        .intersects(InputFlags::IXON | InputFlags::IXOFF | InputFlags::ICRNL));
    assert!(!t
        .local_flags
        .intersects(LocalFlags::ECHO | LocalFlags::ICANON | LocalFlags::ISIG));
    assert!(!t.output_flags.contains(OutputFlags::OPOST));

    shutdown.cancel();
    tokio::time::timeout(WAIT, serial_task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    tokio::time::timeout(WAIT, pty_task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_module_ending_ends_the_serial_transport() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyUART");
    let _pty = PtyLine::create(&link).unwrap();
    let (line, module) = line_channel(2);
    let device = link.to_str().unwrap().to_owned();
    let task =
        tokio::spawn(
            async move { run_serial(&device, 9600, line, CancellationToken::new()).await },
        );
    drop(module);
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_port_is_held_exclusively() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyUART");
    let _pty = PtyLine::create(&link).unwrap();
    let device = link.to_str().unwrap();
    let first = SerialLine::open(device, 115_200, SerialFlow::None).unwrap();
    let err = SerialLine::open(device, 115_200, SerialFlow::None).unwrap_err();
    assert!(err.to_string().contains(device), "{err}");
    drop(first);
    SerialLine::open(device, 115_200, SerialFlow::Hardware).unwrap();
}

#[tokio::test]
async fn a_missing_device_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("ttyNONE");
    let device = device.to_str().unwrap();
    let (line, _module) = line_channel(2);
    let err = run_serial(device, 115_200, line, CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains(device), "{err}");
}

#[tokio::test]
async fn baud_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyUART");
    let _pty = PtyLine::create(&link).unwrap();
    let err = SerialLine::open(link.to_str().unwrap(), 0, SerialFlow::None).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

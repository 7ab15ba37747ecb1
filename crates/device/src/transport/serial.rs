//! The UART transport: the module on a real serial port (`ftpmodem serve --serial /dev/ttyS1`),
//! so an MCU wired to a Linux board talks to it as to a hardware module.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;

use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits, TTYPort};
use tokio_util::sync::CancellationToken;

use super::ends::LineEnds;
use super::fd::async_halves;
use super::pump::{both_ways, pump_in, pump_out_until_rate};

/// Flow control on the UART.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SerialFlow {
    /// None: the usual wiring of an ML30x to an MCU (TX/RX/GND only), and what
    /// [`run_serial`] uses.
    #[default]
    None,
    /// RTS/CTS, for boards that wire them; protects long transfers from overruns.
    Hardware,
    /// XON/XOFF. The line is then no longer 8-bit clean: 0x11 and 0x13 in transparent data
    /// are eaten by the driver, so binary files get corrupted.
    Software,
}

/// An opened and configured serial port (8N1, raw, exclusive).
///
/// Two descriptors of the same port are held: serialport's, which configured the port and
/// holds its exclusivity, and a plain one opened just before it (before `TIOCEXCL` would refuse
/// it) that carries the bytes, because serialport's port type cannot be handed to tokio's
/// reactor without `unsafe`. Settings belong to the port, so both see the same ones.
#[derive(Debug)]
pub struct SerialLine {
    io: File,
    _port: TTYPort,
}

impl SerialLine {
    /// Opens `device` for exclusive use at `baud`, 8 data bits, no parity, 1 stop bit, raw
    /// (no echo, no translation, VMIN=1), with the given flow control.
    ///
    /// Exclusive means `TIOCEXCL` plus an advisory lock: a second ftpmodem or a stray terminal
    /// program cannot open the port behind this one's back (root can still bypass `TIOCEXCL`).
    /// Any rate the driver accepts works, not only the standard ones (Linux `BOTHER`).
    pub fn open(device: &str, baud: u32, flow: SerialFlow) -> io::Result<Self> {
        let flow = match flow {
            SerialFlow::None => FlowControl::None,
            SerialFlow::Hardware => FlowControl::Hardware,
            SerialFlow::Software => FlowControl::Software,
        };
        if baud == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("serial port {device}: baud rate 0 would hang up the line"),
            ));
        }
        // O_NONBLOCK: without it, opening a UART whose CLOCAL is off waits for carrier detect,
        // which an MCU's TX/RX wiring never raises.
        let io = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
            .open(device)
            .map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open serial port {device}: {e}"))
            })?;
        let port = serialport::new(device, baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(flow)
            .open_native()
            .map_err(|e| {
                let e = io::Error::from(e);
                io::Error::new(e.kind(), format!("cannot open serial port {device}: {e}"))
            })?;
        tracing::info!(device, baud, ?flow, "serial line ready");
        Ok(Self { io, _port: port })
    }

    /// Carries the module's line until shutdown, the module ending, or an I/O error (a USB
    /// adapter unplugged shows up as one). A hang-up that reads as end of file closes the
    /// module's input, as stdin EOF does.
    ///
    /// A rate change the module asks for (`AT+IPR`, a restart: [`LineOut::rate_after`]) is
    /// applied once the bytes before it have left the UART (`tcdrain`), so the `OK` of
    /// `AT+IPR=921600` goes out at the old rate and the next byte at the new one, as the
    /// hardware does and esp-ml307 expects (ONEMO-RELATED.md §A.3).
    ///
    /// [`LineOut::rate_after`]: super::LineOut::rate_after
    pub async fn serve(self, ends: LineEnds, shutdown: CancellationToken) -> io::Result<()> {
        let SerialLine { io, _port: port } = self;
        let (mut reader, mut writer) = async_halves(OwnedFd::from(io))?;
        let LineEnds {
            mut from_module,
            to_module,
        } = ends;
        let inbound = async move {
            let to_module = to_module;
            let end = pump_in(&mut reader, &to_module).await;
            drop(to_module);
            end
        };
        let outbound = async move {
            let mut port = port;
            while let Some(rate) = pump_out_until_rate(&mut from_module, &mut writer).await? {
                port = switch_rate(port, rate).await?;
            }
            Ok::<(), io::Error>(())
        };
        both_ways(inbound, outbound, &shutdown, "serial").await
    }
}

/// Waits until what was written has left the UART, then sets its speed. Both block, so they
/// run on the blocking pool; the port comes back for the next change.
async fn switch_rate(mut port: TTYPort, rate: u32) -> io::Result<TTYPort> {
    tokio::task::spawn_blocking(move || {
        // `flush` on a tty port is tcdrain.
        io::Write::flush(&mut port)?;
        port.set_baud_rate(rate).map_err(io::Error::from)?;
        tracing::info!(rate, "serial line switched rate");
        Ok(port)
    })
    .await
    .map_err(io::Error::other)?
}

/// Opens `device` at `baud` with 8N1 and no flow control and serves the module's line on it
/// (see [`SerialLine`]).
pub async fn run_serial(
    device: &str,
    baud: u32,
    ends: LineEnds,
    shutdown: CancellationToken,
) -> io::Result<()> {
    SerialLine::open(device, baud, SerialFlow::None)?
        .serve(ends, shutdown)
        .await
}

//! Opening a serial device or a PTY as an async byte stream for a [`Modem`](crate::Modem).
//!
//! A module's AT port is a tty: `/dev/ttyUSB2` for the USB AT port of an ML307R, a
//! `/dev/ttyS*` or USB-serial adapter for its UART, or the PTY link of `ftpmodem serve
//! --pty`. The line is put in raw mode (no echo, no CR/LF translation, no signals, 8 bits), so
//! every byte value passes unchanged, and used without blocking through tokio's reactor.

use nix::sys::termios::{self, BaudRate, ControlFlags, SetArg, SpecialCharacterIndices};
use std::fs::OpenOptions;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;

/// Flow control of a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flow {
    /// None (TX/RX/GND wiring).
    #[default]
    None,
    /// RTS/CTS: needed at high rates for long transparent-mode uploads on a real UART.
    Hardware,
}

/// A raw tty as an async stream.
///
/// tokio's `AsyncFd` constructors are unsafe or deprecated because they trust any raw
/// descriptor; its pipe types take an owned descriptor and do plain non-blocking reads and
/// writes driven by the reactor, which is all a tty needs, so the tty is held as a pipe
/// reader and writer (the approach of the device crate's transports).
#[derive(Debug)]
pub struct Tty {
    reader: pipe::Receiver,
    writer: pipe::Sender,
}

/// Opens `path` raw, 8N1, with `baud` when given (a PTY or a USB CDC port ignores it), no
/// flow control. Must be called inside a tokio runtime.
pub fn open(path: impl AsRef<Path>, baud: Option<u32>) -> io::Result<Tty> {
    open_with(path, baud, Flow::None)
}

/// [`open`] with a flow control choice.
pub fn open_with(path: impl AsRef<Path>, baud: Option<u32>, flow: Flow) -> io::Result<Tty> {
    let path = path.as_ref();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path)?;
    let mut t = termios::tcgetattr(&file).map_err(io::Error::from)?;
    termios::cfmakeraw(&mut t);
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    t.control_flags |= ControlFlags::CLOCAL | ControlFlags::CREAD;
    t.control_flags
        .set(ControlFlags::CRTSCTS, flow == Flow::Hardware);
    if let Some(b) = baud {
        let rate = baud_rate(b).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsupported baud rate {b}"),
            )
        })?;
        termios::cfsetspeed(&mut t, rate).map_err(io::Error::from)?;
    }
    termios::tcsetattr(&file, SetArg::TCSANOW, &t).map_err(io::Error::from)?;
    // Bytes left from an earlier session would be read as answers to our first command.
    let _ = termios::tcflush(&file, termios::FlushArg::TCIFLUSH);
    let fd: OwnedFd = file.into();
    let write_fd = fd.as_fd().try_clone_to_owned()?;
    Ok(Tty {
        reader: pipe::Receiver::from_owned_fd_unchecked(fd)?,
        writer: pipe::Sender::from_owned_fd_unchecked(write_fd)?,
    })
}

fn baud_rate(b: u32) -> Option<BaudRate> {
    Some(match b {
        1200 => BaudRate::B1200,
        2400 => BaudRate::B2400,
        4800 => BaudRate::B4800,
        9600 => BaudRate::B9600,
        19200 => BaudRate::B19200,
        38400 => BaudRate::B38400,
        57600 => BaudRate::B57600,
        115200 => BaudRate::B115200,
        230400 => BaudRate::B230400,
        460800 => BaudRate::B460800,
        921600 => BaudRate::B921600,
        1_000_000 => BaudRate::B1000000,
        1_500_000 => BaudRate::B1500000,
        2_000_000 => BaudRate::B2000000,
        3_000_000 => BaudRate::B3000000,
        4_000_000 => BaudRate::B4000000,
        _ => return None,
    })
}

impl AsyncRead for Tty {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tty {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }
}

//! Async halves over a character device's descriptor (PTY master, UART).
//!
//! tokio's `AsyncFd` constructors are `unsafe` (or deprecated as unsound) because they trust an
//! arbitrary `AsRawFd`. Its pipe types take an [`OwnedFd`], which is sound by construction, and
//! do nothing pipe-specific once built: plain non-blocking `read`/`write` driven by the reactor,
//! exactly what a tty needs. So a tty descriptor is wrapped as a pipe reader and writer.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use tokio::net::unix::pipe;

/// Switches `fd`'s open file description to non-blocking and returns a reader and a writer on
/// it (the writer on a close-on-exec duplicate). Must be called inside a tokio runtime.
pub(crate) fn async_halves(fd: OwnedFd) -> io::Result<(pipe::Receiver, pipe::Sender)> {
    let raw = fd.as_raw_fd();
    let flags = OFlag::from_bits_truncate(fcntl(raw, FcntlArg::F_GETFL)?);
    fcntl(raw, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    let write_fd = fd.as_fd().try_clone_to_owned()?;
    let reader = pipe::Receiver::from_owned_fd_unchecked(fd)?;
    let writer = pipe::Sender::from_owned_fd_unchecked(write_fd)?;
    Ok((reader, writer))
}

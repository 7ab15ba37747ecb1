//! The relay with no user-space copy of the data: the experiment that asks whether the serial
//! paths' floor is the copying a relay does or the path itself.
//!
//! - **Download.** One `readv` puts the data connection's bytes straight into the data slots of
//!   the framed output, and the chunk heads are written around them afterwards. The bytes are
//!   copied by the kernel into place and by the kernel out to the line, and by nobody else.
//!   The copying relay and the module copy them once more to frame them.
//! - **Upload.** The bytes go line socket -> pipe -> data socket with `splice(2)` and never
//!   enter user space. The one exception is the first read after a guard time of silence, which
//!   may be the escape: it goes through a buffer and is compared with `+++`.
//!
//! Linux only, plain FTP only (TLS has to see the bytes), like the rest of the relay.

use super::{err, CHUNK, GUARD, READ};
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::ChannelId;
use nix::fcntl::{fcntl, splice, FcntlArg, SpliceFFlags};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::{self, IoSliceMut, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;

/// Chunks per read: one `readv` of `READ` bytes, at most `IOV_MAX` (1024) slots.
const PER_READ: usize = READ / CHUNK;

/// Copies the download on `data` to `out` framed as the module frames it (whole 1024-byte
/// chunks, only the last one short), without copying the data in user space.
pub(super) fn download(
    data: &mut TcpStream,
    out: &mut TcpStream,
    channel: ChannelId,
) -> io::Result<()> {
    let head_len = |sum: u64| encode::retr_head_len(channel, sum, CHUNK);
    let mut around = encode::RetrAround::default();
    let mut framed = vec![0u8; PER_READ * (CHUNK + encode::RETR_TAIL.len() + head_len(u64::MAX))];
    // Where each chunk's data goes in `framed` for the current read.
    let mut slots = Vec::with_capacity(PER_READ);
    // The bytes of a short chunk, moved to the front of the next read.
    let mut carry: Vec<u8> = Vec::with_capacity(CHUNK);
    let mut sum: u64 = 0;
    loop {
        slots.clear();
        let mut at = 0;
        for k in 1..=PER_READ {
            at += head_len(sum + (k * CHUNK) as u64);
            slots.push(at);
            at += CHUNK + encode::RETR_TAIL.len();
        }
        let early = carry.len();
        framed[slots[0]..slots[0] + early].copy_from_slice(&carry);
        let n = read_into(data, &mut framed, &slots, early)?;
        let have = early + n;
        let whole = have / CHUNK;
        let mut end = 0;
        for &at in &slots[..whole] {
            sum += CHUNK as u64;
            around
                .frame(&mut framed, at, channel, sum, CHUNK)
                .ok_or_else(|| err("a chunk's framing does not fit its slot"))?;
            end = at + CHUNK + encode::RETR_TAIL.len();
        }
        carry.clear();
        if have > whole * CHUNK {
            // `whole < PER_READ` here: a full read leaves no short chunk.
            let at = slots[whole];
            carry.extend_from_slice(&framed[at..at + have - whole * CHUNK]);
        }
        out.write_all(&framed[..end])?;
        if n == 0 {
            if !carry.is_empty() {
                sum += carry.len() as u64;
                let mut last = Vec::new();
                encode::retr_chunk(&mut last, channel, sum, &[&carry]);
                out.write_all(&last)?;
            }
            return Ok(());
        }
    }
}

/// One `readv` into the data slots at `slots` (each `CHUNK` long), the first one from `skip`.
fn read_into(
    data: &mut TcpStream,
    framed: &mut [u8],
    slots: &[usize],
    skip: usize,
) -> io::Result<usize> {
    let mut bufs = Vec::with_capacity(slots.len());
    let mut rest = framed;
    let mut done = 0;
    for (k, &at) in slots.iter().enumerate() {
        let from = if k == 0 { at + skip } else { at };
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(from - done);
        let (slot, tail) = tail.split_at_mut(at + CHUNK - from);
        bufs.push(IoSliceMut::new(slot));
        rest = tail;
        done = at + CHUNK;
    }
    data.read_vectored(&mut bufs)
}

/// Moves the line to `data` until the escape; returns the bytes uploaded. `early` is what the
/// command reader had already taken from the line.
pub(super) fn upload(line: &mut TcpStream, mut data: TcpStream, early: &[u8]) -> io::Result<u64> {
    data.write_all(early)?;
    let mut sent = early.len() as u64;
    let (pipe_out, pipe_in) = nix::unistd::pipe()?;
    // A pipe of 1 MiB instead of 64 KiB, as the other relays read 1 MiB; the default if the
    // system refuses (pipe-max-size).
    let _ = fcntl(
        std::os::fd::AsRawFd::as_raw_fd(&pipe_in),
        FcntlArg::F_SETPIPE_SZ(READ as i32),
    );
    let guard_ms = u16::try_from(GUARD.as_millis()).unwrap_or(u16::MAX);
    let mut buf = vec![0u8; READ];
    loop {
        let mut ready = [PollFd::new(line.as_fd(), PollFlags::POLLIN)];
        let quiet = poll(&mut ready, PollTimeout::from(guard_ms))? == 0;
        if quiet {
            // After a guard time of silence: this read may be the escape.
            let n = line.read(&mut buf)?;
            if n == 0 {
                return Err(err("the line closed during an upload"));
            }
            if &buf[..n] == b"+++" {
                return Ok(sent);
            }
            data.write_all(&buf[..n])?;
            sent += n as u64;
            continue;
        }
        let n = splice(
            line.as_fd(),
            None,
            pipe_in.as_fd(),
            None,
            READ,
            SpliceFFlags::SPLICE_F_MOVE,
        )?;
        if n == 0 {
            return Err(err("the line closed during an upload"));
        }
        let mut left = n;
        while left > 0 {
            left -= splice(
                pipe_out.as_fd(),
                None,
                data.as_fd(),
                None,
                left,
                SpliceFFlags::SPLICE_F_MOVE,
            )?;
        }
        sent += n as u64;
    }
}

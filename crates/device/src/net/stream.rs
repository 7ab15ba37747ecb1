//! A TCP connection under the armed faults: it asks the shared handle at every read and
//! write what to do (pass, stall, reset, shape), so a fault armed or cleared while the
//! connection is open takes effect at its next byte.
//!
//! Shaping is a token bucket per direction plus a delay line per direction: bytes read from
//! the socket wait `latency` before the reader sees them, bytes written wait `latency`
//! before they reach the socket. The read side takes from the socket only what its bucket
//! allows, so TCP's own flow control slows the server down, as a slow radio link does.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use ftpmodem_ftp::net::NetStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::bucket::Bucket;
use super::fault::FaultId;
use super::registry::{ConnId, ConnInfo, Effect, NetFaults, Shape};

/// Bytes held in each delay line at most (bounds memory; well above a Cat.1 link's
/// bandwidth-delay product).
const LINE_CAP: usize = 1 << 20;
/// A shaped link's burst: long enough that a task woken late by a busy runtime loses no
/// tokens, short against the seconds a transfer takes.
const LINK_BURST: std::time::Duration = std::time::Duration::from_millis(60);
/// Largest read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;
/// What a stalled connection still takes from the writer: the socket's send buffer fills,
/// as on a real link whose packets stop going out, so a command is written and its reply
/// is what never comes.
const STALL_SEND_BUFFER: usize = 64 * 1024;

/// A connection with the faults in its path.
#[derive(Debug)]
pub(super) struct FaultyStream {
    /// `None` once reset.
    tcp: Option<TcpStream>,
    local: io::Result<SocketAddr>,
    peer: io::Result<SocketAddr>,
    faults: NetFaults,
    conn: ConnId,
    info: ConnInfo,
    /// Bytes that have passed, both directions.
    bytes: u64,
    down: Bucket,
    up: Bucket,
    /// Received, waiting out the latency.
    rx: DelayLine,
    /// When the server's end of stream reaches the reader.
    rx_eof: Option<Instant>,
    /// Written, waiting out the latency.
    tx: DelayLine,
    rx_timer: Timer,
    tx_timer: Timer,
    scratch: Vec<u8>,
}

#[derive(Debug, Default)]
struct DelayLine {
    items: VecDeque<(Instant, Vec<u8>)>,
    len: usize,
}

impl DelayLine {
    fn push(&mut self, due: Instant, bytes: Vec<u8>) {
        self.len += bytes.len();
        self.items.push_back((due, bytes));
    }

    /// The first item if it is due.
    fn due(&self, now: Instant) -> Option<&[u8]> {
        self.items
            .front()
            .filter(|(t, _)| *t <= now)
            .map(|(_, b)| b.as_slice())
    }

    fn next_due(&self) -> Option<Instant> {
        self.items.front().map(|(t, _)| *t)
    }

    fn consume(&mut self, n: usize) {
        if let Some((_, b)) = self.items.front_mut() {
            let n = n.min(b.len());
            b.drain(..n);
            self.len -= n;
            if b.is_empty() {
                self.items.pop_front();
            }
        }
    }
}

/// A wake-up at an instant, for the task polling the stream.
#[derive(Debug)]
struct Timer(Pin<Box<Sleep>>);

impl Timer {
    fn new() -> Self {
        Timer(Box::pin(tokio::time::sleep(std::time::Duration::ZERO)))
    }

    /// Makes sure the task is woken at `at`.
    fn arm(&mut self, at: Instant, cx: &mut Context<'_>) {
        let at = tokio::time::Instant::from_std(at);
        if self.0.deadline() != at {
            self.0.as_mut().reset(at);
        }
        if self.0.as_mut().poll(cx).is_ready() {
            cx.waker().wake_by_ref();
        }
    }
}

use std::future::Future;

fn reset_error(id: Option<FaultId>) -> io::Error {
    let why = match id {
        Some(id) => format!("connection reset (network fault {id})"),
        None => "connection reset".to_owned(),
    };
    io::Error::new(io::ErrorKind::ConnectionReset, why)
}

impl FaultyStream {
    pub(super) fn new(tcp: TcpStream, faults: NetFaults, info: ConnInfo) -> Self {
        let conn = faults.register(&info);
        FaultyStream {
            local: tcp.local_addr(),
            peer: tcp.peer_addr(),
            tcp: Some(tcp),
            faults,
            conn,
            info,
            bytes: 0,
            down: Bucket::with_burst(LINK_BURST),
            up: Bucket::with_burst(LINK_BURST),
            rx: DelayLine::default(),
            rx_eof: None,
            tx: DelayLine::default(),
            rx_timer: Timer::new(),
            tx_timer: Timer::new(),
            scratch: Vec::new(),
        }
    }

    fn effect(&self, cx: &Context<'_>) -> Effect {
        self.faults
            .effect(self.conn, &self.info, self.bytes, cx.waker())
    }

    /// Closes the socket with an RST (`SO_LINGER` 0): the server's next read or write
    /// fails with "connection reset by peer".
    fn reset(&mut self, id: FaultId) -> io::Error {
        if let Some(tcp) = self.tcp.take() {
            if let Err(e) = tcp.set_zero_linger() {
                tracing::warn!(error = %e, "SO_LINGER 0 refused; the server sees a FIN");
            }
            drop(tcp);
            self.faults.reset_done(id);
            tracing::info!(%id, bytes = self.bytes, channel = self.info.channel, purpose = ?self.info.purpose, "connection reset by network fault");
        }
        reset_error(Some(id))
    }

    /// How many more bytes may pass before a reset (or before a stall or shape that waits
    /// for a byte count starts), or the reset itself when it is due.
    fn reset_room(&mut self, eff: &Effect) -> Result<usize, io::Error> {
        let room = |at: u64| usize::try_from(at.saturating_sub(self.bytes)).unwrap_or(usize::MAX);
        let gate = eff.gate.map_or(usize::MAX, room);
        match eff.reset_at {
            Some((at, id)) if self.bytes >= at => Err(self.reset(id)),
            Some((at, _)) => Ok(room(at).min(gate)),
            None => Ok(gate),
        }
    }

    /// Sends what the write delay line has due; returns with the socket's waker or the
    /// timer's registered when something is left.
    fn drive_tx(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let now = Instant::now();
        while let Some(bytes) = self.tx.due(now) {
            let Some(tcp) = self.tcp.as_mut() else {
                return Err(reset_error(None));
            };
            match Pin::new(tcp).poll_write(cx, bytes) {
                Poll::Ready(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
                Poll::Ready(Ok(n)) => self.tx.consume(n),
                Poll::Ready(Err(e)) => return Err(e),
                Poll::Pending => return Ok(()),
            }
        }
        if let Some(t) = self.tx.next_due() {
            self.tx_timer.arm(t, cx);
        }
        Ok(())
    }

    /// Fills the read delay line from the socket as far as the bucket and `room` allow.
    /// Returns the instant to wake at when the bucket is what stops it.
    fn fill_rx(
        &mut self,
        cx: &mut Context<'_>,
        shape: &Shape,
        room: usize,
    ) -> io::Result<Option<Instant>> {
        loop {
            if self.rx_eof.is_some() {
                return Ok(None);
            }
            let now = Instant::now();
            let mut allow = READ_CHUNK
                .min(LINE_CAP.saturating_sub(self.rx.len))
                .min(room.saturating_sub(self.rx.len));
            if let Some(rate) = shape.down {
                let avail = self.down.available(now, rate);
                if avail == 0 && allow > 0 {
                    return Ok(Some(self.down.ready_at(now, rate, allow)));
                }
                allow = allow.min(avail);
            }
            if allow == 0 {
                return Ok(None);
            }
            let Some(tcp) = self.tcp.as_mut() else {
                return Err(reset_error(None));
            };
            self.scratch.resize(allow, 0);
            let mut rb = ReadBuf::new(&mut self.scratch);
            match Pin::new(tcp).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    if n == 0 {
                        self.rx_eof = Some(now + shape.latency);
                        return Ok(None);
                    }
                    self.down.take(n);
                    self.rx.push(now + shape.latency, rb.filled().to_vec());
                }
                Poll::Ready(Err(e)) => return Err(e),
                Poll::Pending => return Ok(None),
            }
        }
    }
}

impl Drop for FaultyStream {
    fn drop(&mut self) {
        self.faults.unregister(self.conn);
    }
}

impl NetStream for FaultyStream {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.local {
            Ok(a) => Ok(*a),
            Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
        }
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.peer {
            Ok(a) => Ok(*a),
            Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
        }
    }
}

impl AsyncRead for FaultyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        if me.tcp.is_none() {
            return Poll::Ready(Err(reset_error(None)));
        }
        let eff = me.effect(cx);
        if let Some(until) = eff.stall {
            if let Some(t) = until {
                me.rx_timer.arm(t, cx);
            }
            return Poll::Pending;
        }
        me.drive_tx(cx)?;
        let room = me.reset_room(&eff)?;
        let shape = eff.shape.unwrap_or_default();
        if eff.shape.is_none() && me.rx.items.is_empty() && me.rx_eof.is_none() {
            // Nothing to shape: straight from the socket, short of the reset point.
            let Some(tcp) = me.tcp.as_mut() else {
                return Poll::Ready(Err(reset_error(None)));
            };
            let want = buf.remaining().min(room);
            if want == buf.remaining() {
                let before = buf.filled().len();
                let r = Pin::new(tcp).poll_read(cx, buf);
                me.bytes += (buf.filled().len() - before) as u64;
                return r;
            }
            me.scratch.resize(want.min(READ_CHUNK), 0);
            let mut rb = ReadBuf::new(&mut me.scratch);
            return match Pin::new(tcp).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    buf.put_slice(rb.filled());
                    me.bytes += n as u64;
                    Poll::Ready(Ok(()))
                }
                other => other,
            };
        }
        let bucket_wait = me.fill_rx(cx, &shape, room)?;
        let now = Instant::now();
        if let Some(bytes) = me.rx.due(now) {
            let n = bytes.len().min(buf.remaining()).min(room);
            buf.put_slice(&bytes[..n]);
            me.rx.consume(n);
            me.bytes += n as u64;
            return Poll::Ready(Ok(()));
        }
        let next = match (me.rx.next_due(), me.rx_eof) {
            (Some(t), _) => Some(t),
            (None, Some(eof)) if eof <= now => return Poll::Ready(Ok(())),
            (None, eof) => eof,
        };
        if let Some(t) = next.into_iter().chain(bucket_wait).min() {
            me.rx_timer.arm(t, cx);
        }
        Poll::Pending
    }
}

impl AsyncWrite for FaultyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        if me.tcp.is_none() {
            return Poll::Ready(Err(reset_error(None)));
        }
        let eff = me.effect(cx);
        if let Some(until) = eff.stall {
            let room = me.reset_room(&eff)?;
            let n = buf
                .len()
                .min(room)
                .min(STALL_SEND_BUFFER.saturating_sub(me.tx.len));
            if n > 0 {
                // Into the "send buffer": it leaves when the stall ends.
                me.bytes += n as u64;
                me.tx.push(Instant::now(), buf[..n].to_vec());
                return Poll::Ready(Ok(n));
            }
            if let Some(t) = until {
                me.tx_timer.arm(t, cx);
            }
            return Poll::Pending;
        }
        let room = me.reset_room(&eff)?;
        me.drive_tx(cx)?;
        let shape = eff.shape.unwrap_or_default();
        let now = Instant::now();
        let mut allow = buf.len().min(room);
        if let Some(rate) = shape.up {
            let avail = me.up.available(now, rate);
            if avail == 0 {
                me.tx_timer.arm(me.up.ready_at(now, rate, allow), cx);
                return Poll::Pending;
            }
            allow = allow.min(avail);
        }
        if shape.latency.is_zero() && me.tx.items.is_empty() {
            let Some(tcp) = me.tcp.as_mut() else {
                return Poll::Ready(Err(reset_error(None)));
            };
            let r = Pin::new(tcp).poll_write(cx, &buf[..allow]);
            if let Poll::Ready(Ok(n)) = r {
                me.up.take(n);
                me.bytes += n as u64;
            }
            return r;
        }
        let allow = allow.min(LINE_CAP.saturating_sub(me.tx.len));
        if allow == 0 {
            // The delay line is full: drive_tx registered the wake-up.
            return Poll::Pending;
        }
        me.up.take(allow);
        me.bytes += allow as u64;
        me.tx.push(now + shape.latency, buf[..allow].to_vec());
        me.drive_tx(cx)?;
        Poll::Ready(Ok(allow))
    }

    /// Like a socket's flush, this does not wait for the link: what the delay line holds
    /// goes out as the connection is read, written or shut down (a session always reads
    /// its reply after a command, and shuts an upload down).
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        if me.effect(cx).stall.is_none() {
            me.drive_tx(cx)?;
        }
        match me.tcp.as_mut() {
            Some(tcp) => Pin::new(tcp).poll_flush(cx),
            None => Poll::Ready(Err(reset_error(None))),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        if let Some(until) = me.effect(cx).stall {
            if let Some(t) = until {
                me.tx_timer.arm(t, cx);
            }
            return Poll::Pending;
        }
        me.drive_tx(cx)?;
        if !me.tx.items.is_empty() {
            return Poll::Pending;
        }
        match me.tcp.as_mut() {
            Some(tcp) => Pin::new(tcp).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

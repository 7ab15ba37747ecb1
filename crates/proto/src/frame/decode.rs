//! An incremental decoder of the module's output (the reverse of [`super::encode`]): bytes in,
//! [`Event`]s out. Hosts, the tests' AT clients and the benchmark all read the line with it.
//!
//! Two layers. The [`Framer`] finds the pieces in the byte stream ([`Frame`]: echo, framed
//! line, data line, prompt) without parsing them; tests that compare bytes exactly work at
//! this level. [`Event::from`] then parses a frame with [`crate::Response::parse`] or
//! [`crate::Urc::parse`]. What the framer has to know about the stream:
//!
//! - **Framing.** The module frames every line `\r\n<line>\r\n` (manual §2.2). A command echo
//!   is not framed: it is the command bytes as they arrived, CR included. So a line that
//!   starts right after a `\r\n` opener is the module's; bytes that start without an opener
//!   are echo. This also holds when a URC is printed in the middle of an echo (the engine
//!   writes URCs at once while a command line is still being typed).
//! - **The `>` prompt** is `\r\n>` with nothing after it (docs/PROTOCOL.md §3.11).
//! - **Data lines** carry raw bytes that may hold CR, LF or anything else: the header is read
//!   up to the comma before the data, then exactly as many bytes as it announces, then the
//!   closing `\r\n`. Which lines those are is a table, [`DATA_LINES`].
//! - **Echoed prompt data.** With echo on, the module echoes what is sent at a `>` prompt. The
//!   host knows how much it sent and tells the decoder to [`skip`](Decoder::skip) it, because
//!   no framing could tell echoed binary data from lines.
//!
//! Everything is bounded: a line longer than [`Limits::max_line`] is dropped (one
//! [`Frame::Overflow`]), a data payload larger than [`Limits::max_data`] is counted through
//! without being stored, so a hostile or broken line cannot make the reader allocate at will.
//! Nothing panics on any input.

mod data_line;
mod event;
mod framer;

pub use data_line::{data_header, DataKind, DataLine, DATA_LINES};
pub use event::{Event, Final};
pub use framer::{Frame, Framer, Limits};

use alloc::vec::Vec;

/// A [`Framer`] with an input queue and [`Event`]s out, for a reader that hands over whatever
/// the line gave: [`feed`](Decoder::feed) bytes, then take [`next_event`](Decoder::next_event)
/// until it returns `None`, then feed more.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    framer: Framer,
    input: Vec<u8>,
    /// Start of the bytes in `input` not yet decoded.
    pos: usize,
}

impl Decoder {
    /// A decoder at the start of a line.
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            framer: Framer::new(limits),
            input: Vec::new(),
            pos: 0,
        }
    }

    /// Bytes from the line. Take every event before feeding again: the input waiting here is
    /// bounded by what one read gave.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.input.drain(..self.pos);
        self.pos = 0;
        self.input.extend_from_slice(bytes);
    }

    /// True while fed bytes wait to be decoded.
    pub fn has_input(&self) -> bool {
        self.pos < self.input.len()
    }

    /// The next `n` bytes at the start of a line are the echo of data sent at a `>` prompt.
    pub fn skip(&mut self, n: u64) {
        self.framer.skip(n);
    }

    /// The module prints file data as hex (`AT+MFCFG="encoding",<in>,1`) or raw again; see
    /// [`Framer::set_file_hex`].
    pub fn set_file_hex(&mut self, hex: bool) {
        self.framer.set_file_hex(hex);
    }

    /// Forgets any partial line and pending skip (the module restarted). Bytes fed and not
    /// yet decoded stay.
    pub fn reset(&mut self) {
        self.framer.reset();
    }

    /// Decodes until one event is complete or the input is used up.
    pub fn next_event(&mut self) -> Option<Event> {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        let (used, frame) = self.framer.decode(rest);
        self.pos += used;
        if self.pos == self.input.len() {
            self.input.clear();
            self.pos = 0;
        }
        frame.map(Event::from)
    }
}

#[cfg(test)]
mod tests;

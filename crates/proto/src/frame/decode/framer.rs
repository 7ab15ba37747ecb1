//! Finding the pieces of the module's output in its byte stream, before anything is parsed.

use super::data_line::{data_header, DataLine};
use alloc::vec::Vec;

/// Bounds of the framer's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line kept (echo or module line, without data payload).
    pub max_line: usize,
    /// Largest data payload of one data line kept; a larger one is counted through unstored.
    pub max_data: u64,
}

impl Default for Limits {
    /// Lines up to 4 KiB (a module line is at most a few hundred bytes; command echoes up to
    /// the module's 2048-byte line limit); payloads up to 16 MiB, which covers a `+MFGET` of
    /// a module whose file read limit was raised from its 1 MiB default.
    fn default() -> Self {
        Limits {
            max_line: 4096,
            max_data: 16 << 20,
        }
    }
}

/// One piece of the module's output, unparsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Unframed bytes up to a CR (or LF): the echo of a command line, without the CR.
    Echo(Vec<u8>),
    /// `\r\n<line>\r\n`, without the framing.
    Line(Vec<u8>),
    /// A data-bearing line, whole: `line[..start]` is its header up to and including the comma
    /// before the data, `line[start..]` its raw data.
    Data {
        /// The line without framing.
        line: Vec<u8>,
        /// Where the raw data begins.
        start: usize,
        /// Which data line it is.
        kind: &'static DataLine,
        /// The data was followed by `\r\n` as it must be. A line without its closer still
        /// ends after the announced bytes (the reader stays in step); a strict reader such as
        /// a test fails on it.
        closed: bool,
    },
    /// `\r\n>`: the module waits for data (docs/PROTOCOL.md §3.11). Nothing follows it.
    Prompt,
    /// A line or data payload over the [`Limits`] was dropped.
    Overflow {
        /// Bytes dropped (at least; a line is counted up to the limit).
        len: u64,
    },
}

impl Frame {
    /// The header of a data line (up to and including the comma before the data).
    pub fn head(&self) -> Option<&[u8]> {
        match self {
            Frame::Data { line, start, .. } => line.get(..*start),
            _ => None,
        }
    }

    /// The raw data of a data line.
    pub fn data(&self) -> Option<&[u8]> {
        match self {
            Frame::Data { line, start, .. } => line.get(*start..),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between lines. A CR here is skipped; a LF opens the next (module) line.
    Idle,
    /// Collecting a line's bytes.
    Line { framed: bool },
    /// A framed line ended at CR; its LF may follow.
    LineEnd,
    /// An over-long line: dropping bytes up to its end.
    Discard,
    /// Raw payload of a data line.
    Payload {
        need: u64,
        keep: bool,
        len: u64,
        start: usize,
        kind: &'static DataLine,
    },
    /// After the payload: the closing `\r\n`.
    PayloadEnd {
        keep: bool,
        cr: bool,
        len: u64,
        start: usize,
        kind: &'static DataLine,
    },
}

/// Splits the module's output into [`Frame`]s, a byte slice at a time. It holds only the line
/// in progress (bounded by [`Limits`]); every frame ends exactly at its last byte, so a caller
/// that reads some bytes itself between frames stays in step.
#[derive(Debug, Clone)]
pub struct Framer {
    limits: Limits,
    state: State,
    /// A `\r\n` opener was seen since the last line: the next line is the module's.
    opened: bool,
    /// The last frame was a data line whose next fragment may follow without an opener
    /// ([`DataLine::chained`]): a `+` right after it starts a module line.
    chained: bool,
    /// The module prints file data as hex ([`Framer::set_file_hex`]).
    file_hex: bool,
    buf: Vec<u8>,
    skip: u64,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new(Limits::default())
    }
}

impl Framer {
    /// A framer at the start of a line.
    pub fn new(limits: Limits) -> Framer {
        Framer {
            limits,
            state: State::Idle,
            opened: false,
            chained: false,
            file_hex: false,
            buf: Vec::new(),
            skip: 0,
        }
    }

    /// The next `n` bytes at the start of a line are the echo of data sent at a `>` prompt
    /// (echo on): no framing could tell echoed binary data from lines, the sender knows.
    pub fn skip(&mut self, n: u64) {
        self.skip = self.skip.saturating_add(n);
    }

    /// The module's file output encoding is HEX (`AT+MFCFG="encoding",<in>,1`) or back to raw:
    /// `+MFGET` and `+MFREAD` data is then twice as many hex digits as the header counts.
    /// Whoever sends the `AT+MFCFG` tells the reader; the module's output cannot.
    pub fn set_file_hex(&mut self, hex: bool) {
        self.file_hex = hex;
    }

    /// Forgets any partial line and pending skip (the module restarted).
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.opened = false;
        self.chained = false;
        self.buf.clear();
        self.skip = 0;
    }

    /// Bytes held for the frame in progress (bounded by [`Limits`]).
    pub fn held(&self) -> usize {
        self.buf.len()
    }

    /// True between frames: nothing of a frame has been read yet (a `\r\n` opener aside).
    pub fn at_boundary(&self) -> bool {
        self.state == State::Idle
    }

    /// Reads `input` up to the end of the next frame. Returns how many bytes were used and
    /// the frame, if one ended; without a frame, all of `input` was used (and is held).
    pub fn decode(&mut self, input: &[u8]) -> (usize, Option<Frame>) {
        let mut used = 0;
        while used < input.len() {
            let (n, frame) = self.step(&input[used..]);
            used += n;
            if frame.is_some() {
                return (used, frame);
            }
        }
        (used, None)
    }

    /// Reads at least one byte of `input` (not empty), or none when it returns a frame.
    fn step(&mut self, input: &[u8]) -> (usize, Option<Frame>) {
        match self.state {
            State::Payload {
                need,
                keep,
                len,
                start,
                kind,
            } => {
                let take = usize::try_from(need).unwrap_or(usize::MAX).min(input.len());
                if keep {
                    self.buf.extend_from_slice(&input[..take]);
                }
                let need = need - take as u64;
                self.state = if need == 0 {
                    State::PayloadEnd {
                        keep,
                        cr: false,
                        len,
                        start,
                        kind,
                    }
                } else {
                    State::Payload {
                        need,
                        keep,
                        len,
                        start,
                        kind,
                    }
                };
                return (take, None);
            }
            State::Idle if self.skip > 0 => {
                let take = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                self.skip -= take as u64;
                return (take, None);
            }
            _ => {}
        }
        let Some(&b) = input.first() else {
            return (0, None);
        };
        match self.state {
            State::Idle => match b {
                b'\r' => self.chained = false,
                b'\n' => {
                    self.chained = false;
                    self.opened = true;
                }
                _ => {
                    let chained = core::mem::take(&mut self.chained) && b == b'+';
                    let framed = core::mem::take(&mut self.opened) || chained;
                    self.buf.clear();
                    if framed && b == b'>' {
                        return (1, Some(Frame::Prompt));
                    }
                    self.buf.push(b);
                    self.state = State::Line { framed };
                }
            },
            State::LineEnd => {
                self.state = State::Idle;
                let line = Frame::Line(core::mem::take(&mut self.buf));
                // Without its LF, the line ends at its CR and this byte starts what follows.
                return (usize::from(b == b'\n'), Some(line));
            }
            State::Line { framed } => match b {
                b'\r' if framed => self.state = State::LineEnd,
                b'\r' | b'\n' => {
                    // An echo ends at its CR. A framed line without CR ends at its LF. After
                    // an echo's CR, a LF (the CR was really a URC's opener cut into the echo)
                    // opens the next line.
                    self.state = State::Idle;
                    let line = core::mem::take(&mut self.buf);
                    return (
                        1,
                        Some(if framed {
                            Frame::Line(line)
                        } else {
                            Frame::Echo(line)
                        }),
                    );
                }
                _ => {
                    if self.buf.len() >= self.limits.max_line {
                        let len = self.buf.len() as u64 + 1;
                        self.buf.clear();
                        self.state = State::Discard;
                        return (1, Some(Frame::Overflow { len }));
                    }
                    self.buf.push(b);
                    if framed && b == b',' {
                        if let Some((kind, need)) = data_header(&self.buf) {
                            let need = if self.file_hex && kind.hex {
                                need.saturating_mul(2)
                            } else {
                                need
                            };
                            let keep = need <= self.limits.max_data;
                            if keep {
                                // One allocation for the payload, yet none a bare header can
                                // inflate beyond a small bound before the data is there.
                                let ahead = usize::try_from(need.min(64 << 10)).unwrap_or(0);
                                self.buf.reserve(ahead);
                            }
                            let start = self.buf.len();
                            self.state = if need == 0 {
                                State::PayloadEnd {
                                    keep,
                                    cr: false,
                                    len: 0,
                                    start,
                                    kind,
                                }
                            } else {
                                State::Payload {
                                    need,
                                    keep,
                                    len: need,
                                    start,
                                    kind,
                                }
                            };
                        }
                    }
                }
            },
            State::Discard => {
                if b == b'\r' || b == b'\n' {
                    self.state = State::Idle;
                }
            }
            State::PayloadEnd {
                keep,
                cr,
                len,
                start,
                kind,
            } => {
                let closed = cr && b == b'\n';
                let used = match (cr, b) {
                    (false, b'\r') => {
                        self.state = State::PayloadEnd {
                            keep,
                            cr: true,
                            len,
                            start,
                            kind,
                        };
                        return (1, None);
                    }
                    (_, b'\n') => 1,
                    // No closer where one belongs: end the line here and read the byte as the
                    // start of what follows.
                    _ => 0,
                };
                self.state = State::Idle;
                self.chained = kind.chained && closed;
                let line = core::mem::take(&mut self.buf);
                return (
                    used,
                    Some(if keep {
                        Frame::Data {
                            line,
                            start,
                            kind,
                            closed,
                        }
                    } else {
                        Frame::Overflow { len }
                    }),
                );
            }
            State::Payload { .. } => {}
        }
        (1, None)
    }
}

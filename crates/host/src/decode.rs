//! A sans-IO decoder of what a module writes on its line: bytes in, [`Event`]s out.
//!
//! The proto crate parses one line at a time without its framing; this layer finds the lines
//! in the byte stream and tells them apart, then hands each one to [`Response::parse`] or
//! [`Urc::parse`]. What it has to know about the stream, and the proto crate does not:
//!
//! - **Framing.** The module frames every line `\r\n<line>\r\n` (manual §2.2). A command echo
//!   is not framed: it is the command bytes as they arrived, CR included. So a line that
//!   starts right after a `\r\n` opener is the module's; bytes that start without an opener
//!   are echo. This also holds when a URC is printed in the middle of an echo (the engine
//!   writes URCs at once while a command line is still being typed).
//! - **The `>` prompt** is `\r\n>` with nothing after it (docs/PROTOCOL.md §3.11).
//! - **Data lines.** `+MFTPRETR: <id>,0,<sum>,<recv>,<data>` and `+MFGET: <size>,<data>` carry
//!   raw bytes that may hold CR, LF or anything else: the header is read up to its last comma,
//!   then exactly that many bytes, then the closing `\r\n`.
//! - **Echoed prompt data.** With echo on, the module echoes what is sent at a `>` prompt. The
//!   host knows how much it sent and tells the decoder to [`skip`](Decoder::skip) it, because
//!   no framing could tell echoed binary data from lines.
//!
//! Everything is bounded: a line longer than [`Limits::max_line`] is dropped (one
//! [`Event::Overflow`]), a data payload larger than [`Limits::max_data`] is counted through
//! without being stored, so a hostile or broken line cannot make the host allocate at will.

use ftpmodem_proto::{CmeError, Response, Urc};
use std::collections::VecDeque;

/// Bounds of the decoder's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line kept (echo or module line, without data payload).
    pub max_line: usize,
    /// Largest data payload of one `+MFTPRETR` or `+MFGET` line kept; a larger one is skipped.
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

/// The end of a command's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Final {
    /// `OK`.
    Ok,
    /// `ERROR` (unknown command, over-long line, or any error with `AT+CMEE=0`).
    Error,
    /// `+CME ERROR: <n>` or its text form.
    Cme(CmeError),
}

/// One thing the module said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Echoed command bytes, without the CR (echo is on).
    Echo(Vec<u8>),
    /// The `>` prompt: the module waits for data.
    Prompt,
    /// `CONNECT`: transparent mode began.
    Connect,
    /// `OK`, `ERROR` or `+CME ERROR`.
    Final(Final),
    /// An information line of the command in progress.
    Info(Response),
    /// An unsolicited report.
    Urc(Urc),
    /// A framed line neither parser accepts; kept so nothing is silently lost.
    Unparsed(Vec<u8>),
    /// A line or data payload over the limits was dropped.
    Overflow {
        /// Bytes dropped (at least; a line is counted up to the limit).
        len: u64,
    },
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
    Payload { need: u64, keep: bool, len: u64 },
    /// After the payload: the closing `\r\n`.
    PayloadEnd { keep: bool, cr: bool, len: u64 },
}

/// The decoder. Feed it bytes with [`Decoder::feed`], take events with [`Decoder::next_event`]
/// until it returns `None`, then feed more.
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    state: State,
    /// A `\r\n` opener was seen since the last line: the next line is the module's.
    opened: bool,
    buf: Vec<u8>,
    input: VecDeque<u8>,
    skip: u64,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(Limits::default())
    }
}

impl Decoder {
    /// A decoder at the start of a line.
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            limits,
            state: State::Idle,
            opened: false,
            buf: Vec::new(),
            input: VecDeque::new(),
            skip: 0,
        }
    }

    /// Bytes from the line. Take every event before feeding again: the input waiting here is
    /// bounded by what one read gave.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// True while fed bytes wait to be decoded.
    pub fn has_input(&self) -> bool {
        !self.input.is_empty()
    }

    /// The next `n` bytes at the start of a line are the echo of data sent at a `>` prompt.
    pub fn skip(&mut self, n: u64) {
        self.skip = self.skip.saturating_add(n);
    }

    /// Forgets any partial line and pending skip (the module restarted).
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.opened = false;
        self.buf.clear();
        self.skip = 0;
    }

    /// Decodes until one event is complete or the input is used up.
    pub fn next_event(&mut self) -> Option<Event> {
        while !self.input.is_empty() {
            if let Some(ev) = self.step() {
                return Some(ev);
            }
        }
        None
    }

    fn step(&mut self) -> Option<Event> {
        match self.state {
            State::Payload { need, keep, len } => {
                let take = usize::try_from(need)
                    .unwrap_or(usize::MAX)
                    .min(self.input.len());
                if keep {
                    self.buf.extend(self.input.drain(..take));
                } else {
                    self.input.drain(..take);
                }
                let need = need - take as u64;
                self.state = if need == 0 {
                    State::PayloadEnd {
                        keep,
                        cr: false,
                        len,
                    }
                } else {
                    State::Payload { need, keep, len }
                };
                return None;
            }
            State::Idle if self.skip > 0 => {
                let take = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(self.input.len());
                self.input.drain(..take);
                self.skip -= take as u64;
                return None;
            }
            _ => {}
        }
        let b = self.input.pop_front()?;
        match self.state {
            State::Idle => match b {
                b'\r' => {}
                b'\n' => self.opened = true,
                _ => {
                    let framed = std::mem::take(&mut self.opened);
                    self.buf.clear();
                    if framed && b == b'>' {
                        self.state = State::Idle;
                        return Some(Event::Prompt);
                    }
                    self.buf.push(b);
                    self.state = State::Line { framed };
                }
            },
            State::LineEnd => {
                self.state = State::Idle;
                if b != b'\n' {
                    self.input.push_front(b);
                }
            }
            State::Line { framed } => match b {
                b'\r' | b'\n' => {
                    // A framed line's LF is its closer; after an echo's CR, the LF (if the
                    // CR was really a URC's opener cut into the echo) opens the next line.
                    self.state = if framed && b == b'\r' {
                        State::LineEnd
                    } else {
                        State::Idle
                    };
                    let line = std::mem::take(&mut self.buf);
                    return Some(if framed {
                        classify(line)
                    } else {
                        Event::Echo(line)
                    });
                }
                _ => {
                    if self.buf.len() >= self.limits.max_line {
                        let len = self.buf.len() as u64 + 1;
                        self.buf.clear();
                        self.state = State::Discard;
                        return Some(Event::Overflow { len });
                    }
                    self.buf.push(b);
                    if framed && b == b',' {
                        if let Some(need) = ftpmodem_proto::payload::payload_len(&self.buf) {
                            let keep = need <= self.limits.max_data;
                            self.state = State::Payload {
                                need,
                                keep,
                                len: need,
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
            State::PayloadEnd { keep, cr, len } => {
                match (cr, b) {
                    (false, b'\r') => {
                        self.state = State::PayloadEnd {
                            keep,
                            cr: true,
                            len,
                        };
                        return None;
                    }
                    (_, b'\n') => {}
                    // No closer where one belongs: end the line here and read the byte as the
                    // start of what follows.
                    _ => self.input.push_front(b),
                }
                self.state = State::Idle;
                let line = std::mem::take(&mut self.buf);
                return Some(if keep {
                    classify(line)
                } else {
                    Event::Overflow { len }
                });
            }
            State::Payload { .. } => {}
        }
        None
    }
}

fn classify(line: Vec<u8>) -> Event {
    // Data lines are reports; parsing them as responses first would split the payload.
    if line.starts_with(b"+MFTPRETR") {
        if let Ok(u) = Urc::parse(&line) {
            return Event::Urc(u);
        }
    }
    let resp = Response::parse(&line);
    match resp {
        Ok(Response::Ok) => return Event::Final(Final::Ok),
        Ok(Response::Error) => return Event::Final(Final::Error),
        Ok(Response::CmeError(e)) | Ok(Response::CmeErrorText(e)) => {
            return Event::Final(Final::Cme(e))
        }
        Ok(Response::Connect) => return Event::Connect,
        _ => {}
    }
    if let Ok(u) = Urc::parse(&line) {
        return Event::Urc(u);
    }
    match resp {
        Ok(r) => Event::Info(r),
        Err(_) => Event::Unparsed(line),
    }
}

#[cfg(test)]
mod tests;

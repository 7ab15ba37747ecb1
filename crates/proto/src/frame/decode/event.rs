//! What a [`Frame`] means: the frame handed to [`Response::parse`] or [`Urc::parse`].

use super::data_line::DataKind;
use super::framer::Frame;
use crate::{CmeError, Response, Urc};
use alloc::vec::Vec;

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

impl From<Frame> for Event {
    fn from(frame: Frame) -> Event {
        match frame {
            Frame::Echo(e) => Event::Echo(e),
            Frame::Prompt => Event::Prompt,
            Frame::Overflow { len } => Event::Overflow { len },
            Frame::Line(line) => classify(line),
            // A data line goes straight to its parser: parsing it as anything else first would
            // split its payload at the commas in it.
            Frame::Data { line, kind, .. } => {
                let parsed = match kind.kind {
                    DataKind::Urc => Urc::parse(&line).map(Event::Urc),
                    DataKind::Info => Response::parse(&line).map(Event::Info),
                };
                parsed.unwrap_or(Event::Unparsed(line))
            }
        }
    }
}

/// A framed line: final result and `CONNECT` first (they are responses), then a report, then
/// an information response.
fn classify(line: Vec<u8>) -> Event {
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

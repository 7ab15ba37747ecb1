//! What the module prints: responses in the error form `AT+CMEE` chose, URCs now or queued
//! while a data mode holds the line, download chunks. Every line goes through proto's frame
//! encoder; nothing here spells a byte of framing.

use super::output::Output;
use bytes::Bytes;
use ftpmodem_proto::frame::encode;
use ftpmodem_proto::{ChannelId, CmeError, CmeeMode, Response, Urc};
use std::collections::VecDeque;

/// The engine's side of the line, towards the host.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) out: Output,
    /// `AT+CMEE`: how errors are printed.
    pub(crate) cmee: CmeeMode,
    /// A data mode (`>` prompt, transparent) holds the line: URCs wait in `urcs`.
    pub(crate) held: bool,
    /// Framed URC lines waiting for the line to be free.
    urcs: VecDeque<Vec<u8>>,
    urc_bytes: usize,
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            out: Output::default(),
            cmee: CmeeMode::Numeric,
            held: false,
            urcs: VecDeque::new(),
            urc_bytes: 0,
        }
    }
}

impl Reply {
    pub(crate) fn respond(&mut self, r: &Response) {
        encode::response(self.out.buf_mut(), r);
    }

    pub(crate) fn ok(&mut self) {
        self.respond(&Response::Ok);
    }

    /// An error in the form `AT+CMEE` asks for.
    pub(crate) fn error(&mut self, e: CmeError) {
        let r = match self.cmee {
            CmeeMode::Off => Response::Error,
            CmeeMode::Numeric => Response::CmeError(e),
            CmeeMode::Verbose => Response::CmeErrorText(e),
        };
        self.respond(&r);
    }

    /// A URC now, or queued while a data mode holds the line.
    pub(crate) fn urc(&mut self, u: &Urc) {
        if !self.held {
            return encode::urc(self.out.buf_mut(), u);
        }
        self.queue(encode::urc_bytes(u));
    }

    /// Raw bytes (command echo, prompt data echo): no framing.
    pub(crate) fn echo(&mut self, bytes: &[u8]) {
        self.out.buf_mut().extend_from_slice(bytes);
    }

    /// Opens a `>` prompt; the line is held from now on.
    pub(crate) fn prompt(&mut self) {
        encode::prompt(self.out.buf_mut());
        self.held = true;
    }

    /// `CONNECT`; the line is held from now on.
    pub(crate) fn connect(&mut self) {
        encode::connect(self.out.buf_mut());
        self.held = true;
    }

    /// The data mode is over: the queued URCs follow what was printed.
    pub(crate) fn release(&mut self) {
        self.held = false;
        while let Some(u) = self.urcs.pop_front() {
            self.out.buf_mut().extend_from_slice(&u);
        }
        self.urc_bytes = 0;
    }

    /// Bytes of URCs waiting behind a data mode.
    pub(crate) fn queued(&self) -> usize {
        self.urc_bytes
    }

    fn queue(&mut self, framed: Vec<u8>) {
        self.urc_bytes += framed.len();
        self.urcs.push_back(framed);
    }

    /// `data` as `+MFTPRETR` chunks of `chunk` bytes (the last may be shorter), `sum` bytes
    /// having been reported before. Framed straight into the output, whose batch then holds
    /// `data`; queued chunk by chunk while a data mode holds the line.
    pub(crate) fn retr_chunks(&mut self, id: ChannelId, mut sum: u64, chunk: usize, data: Bytes) {
        let chunk = chunk.max(1);
        if !self.held {
            self.out
                .reserve(data.len() + data.len().div_ceil(chunk) * encode::RETR_OVERHEAD);
            for piece in data.chunks(chunk) {
                sum += piece.len() as u64;
                encode::retr_chunk(self.out.buf_mut(), id, sum, &[piece]);
            }
            self.out.hold(data);
            return;
        }
        for piece in data.chunks(chunk) {
            sum += piece.len() as u64;
            let mut framed = Vec::with_capacity(piece.len() + encode::RETR_OVERHEAD);
            encode::retr_chunk(&mut framed, id, sum, &[piece]);
            self.queue(framed);
        }
    }
}

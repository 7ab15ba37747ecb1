//! What the module prints: responses in the error form `AT+CMEE` chose, URCs now or queued
//! while a data mode holds the line, download chunks. Every line goes through proto's frame
//! encoder; nothing here spells a byte of framing.

use super::output::Output;
use bytes::Bytes;
use ftpmodem_proto::frame::encode::{self, Framing};
use ftpmodem_proto::{ChannelId, CmeError, CmeeMode, Response, Urc};
use std::collections::VecDeque;

/// The engine's side of the line, towards the host.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) out: Output,
    /// `AT+CMEE`: how errors are printed.
    pub(crate) cmee: CmeeMode,
    /// `ATV`, `ATQ`, S3 and S4: how every line is framed (settings.rs).
    pub(crate) framing: Framing,
    /// A command that is not the last of its line runs: its `OK` is not printed (V.250
    /// §5.2.1: one final result for the whole line).
    pub(crate) swallow_ok: bool,
    /// An error result was printed since the line began: the rest of the line is not run.
    pub(crate) failed: bool,
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
            framing: Framing::default(),
            swallow_ok: false,
            failed: false,
            held: false,
            urcs: VecDeque::new(),
            urc_bytes: 0,
        }
    }
}

impl Reply {
    pub(crate) fn respond(&mut self, r: &Response) {
        match r {
            Response::Ok if self.swallow_ok => return,
            Response::Error | Response::CmeError(_) | Response::CmeErrorText(_) => {
                self.failed = true;
            }
            _ => {}
        }
        encode::response_with(self.out.buf_mut(), &self.framing, r);
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
            return encode::urc_with(self.out.buf_mut(), &self.framing, u);
        }
        let mut framed = Vec::new();
        encode::urc_with(&mut framed, &self.framing, u);
        self.queue(framed);
    }

    /// A line the test bench injects (docs/CONTROL.md), framed as a URC: now, or queued while a
    /// data mode holds the line.
    pub(crate) fn injected_line(&mut self, content: &[u8]) {
        if !self.held {
            return encode::line(self.out.buf_mut(), content);
        }
        let mut framed = Vec::with_capacity(content.len() + 4);
        encode::line(&mut framed, content);
        self.queue(framed);
    }

    /// Raw bytes (command echo, prompt data echo): no framing.
    pub(crate) fn echo(&mut self, bytes: &[u8]) {
        self.out.buf_mut().extend_from_slice(bytes);
    }

    /// Opens a `>` prompt; the line is held from now on.
    pub(crate) fn prompt(&mut self) {
        encode::prompt_with(self.out.buf_mut(), &self.framing);
        self.held = true;
    }

    /// `CONNECT`; the line is held from now on.
    pub(crate) fn connect(&mut self) {
        encode::response_with(self.out.buf_mut(), &self.framing, &Response::Connect);
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

    /// Forgets the URCs waiting behind a data mode and frees the line (the module restarted:
    /// what it had not printed is lost).
    pub(crate) fn forget_queued(&mut self) {
        self.held = false;
        self.urcs.clear();
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

    /// Room for `bytes` of download data in `chunks` chunks about to be printed, so a large
    /// read is not copied again as the output grows.
    pub(crate) fn reserve_retr(&mut self, bytes: usize, chunks: usize) {
        if !self.held {
            self.out.reserve(bytes + chunks * encode::RETR_OVERHEAD);
        }
    }

    /// One `+MFTPRETR` chunk from its data in pieces (`sum` counts the bytes up to its end):
    /// framed straight into the output, or queued while a data mode holds the line. The
    /// download's cutting is `download.rs`'s.
    pub(crate) fn retr_chunk(&mut self, id: ChannelId, sum: u64, pieces: &[&[u8]]) {
        if !self.held {
            return encode::retr_chunk_with(self.out.buf_mut(), &self.framing, id, sum, pieces);
        }
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        let mut framed = Vec::with_capacity(len + encode::RETR_OVERHEAD);
        encode::retr_chunk_with(&mut framed, &self.framing, id, sum, pieces);
        self.queue(framed);
    }

    /// Keeps `source`, copied into the output, until that output is written (a download's
    /// read buffer carries its in-flight budget share). Queued chunks are copies of their
    /// own, so nothing is kept for them.
    pub(crate) fn hold(&mut self, source: Bytes) {
        if !self.held {
            self.out.hold(source);
        }
    }
}

//! The two data modes that take the line away from command parsing: the `>` prompt and
//! transparent mode (manual §3.11, §3.12).

use super::action::Eof;
use ftpmodem_proto::{ChannelId, CmeError, UploadOp};
use std::time::{Duration, Instant};

use ftpmodem_proto::data_mode::{CTRL_Z, ESC};

/// Who owns the line.
pub(crate) enum Mode {
    /// Command lines.
    Command,
    /// A `>` prompt collecting data.
    Prompt(Prompt),
    /// `CONNECT` ... `+++`.
    Transparent(Transparent),
}

/// How the prompt's data ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PromptEnd {
    /// Exactly this many bytes, any values.
    Length(usize),
    /// Ctrl+Z ends, ESC cancels; at most this many bytes.
    CtrlZ(usize),
}

/// What the prompt's data is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PromptPurpose {
    /// `AT+MFTPSTOR`/`AT+MFTPAPPE` packet.
    Upload {
        id: ChannelId,
        op: UploadOp,
        file: String,
        eof: Eof,
    },
    /// `AT+MFPUT` without inline data.
    MfPut { path: String },
    /// `AT+MFWRITE` without inline data (ONEMO-RELATED.md §C.3).
    MfWrite { handle: u16 },
    /// `AT+MSSLCERTWR`/`AT+MSSLKEYWR`.
    Credential { path: String },
}

impl PromptPurpose {
    /// The error when nobody sends the data: table 4's request errors for uploads, the file
    /// system's timeout for local files.
    pub(crate) fn timeout_error(&self) -> CmeError {
        match self {
            PromptPurpose::Upload {
                op: UploadOp::Stor, ..
            } => CmeError::StorRequest,
            PromptPurpose::Upload {
                op: UploadOp::Appe, ..
            } => CmeError::AppeRequest,
            PromptPurpose::MfPut { .. }
            | PromptPurpose::MfWrite { .. }
            | PromptPurpose::Credential { .. } => CmeError::FsTimeout,
        }
    }

    /// A file data mode (§C.1): its data goes to the file as it comes, and its inactivity
    /// timeout ends it successfully with what arrived.
    pub(crate) fn is_file_data(&self) -> bool {
        matches!(
            self,
            PromptPurpose::MfPut { .. } | PromptPurpose::MfWrite { .. }
        )
    }
}

/// Bytes a file data mode collects before handing them to the file: bounds the prompt's buffer
/// whatever length was announced.
pub(crate) const FILE_DATA_CHUNK: usize = 8192;

/// How a prompt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PromptOutcome {
    /// The data is complete.
    Data,
    /// ESC: nothing is sent.
    Cancelled,
    /// More than the maximum before Ctrl+Z: the data is dropped.
    Overflow,
    /// A file data mode's inactivity timeout (§C.1): it ends with what arrived.
    TimedOut,
}

/// A `>` prompt in progress.
pub(crate) struct Prompt {
    pub(crate) purpose: PromptPurpose,
    pub(crate) end: PromptEnd,
    pub(crate) data: Vec<u8>,
    pub(crate) last_rx: Instant,
    overflowed: bool,
    /// Bytes taken so far, including those already handed on from `data` (a file data mode).
    pub(crate) received: usize,
    /// Inactivity timeout of this prompt; the engine's default when `None`.
    pub(crate) timeout: Option<Duration>,
}

impl Prompt {
    pub(crate) fn new(purpose: PromptPurpose, end: PromptEnd, now: Instant) -> Prompt {
        Prompt {
            purpose,
            end,
            data: Vec::new(),
            last_rx: now,
            overflowed: false,
            received: 0,
            timeout: None,
        }
    }

    /// The same prompt with its own inactivity timeout (`AT+MFCFG="timeout"`).
    pub(crate) fn with_timeout(mut self, timeout: Duration) -> Prompt {
        self.timeout = Some(timeout);
        self
    }

    /// Takes bytes; returns how many were used and, when the prompt ended, how.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> (usize, Option<PromptOutcome>) {
        match self.end {
            PromptEnd::Length(n) => {
                let take = n.saturating_sub(self.received).min(bytes.len());
                self.data.extend_from_slice(&bytes[..take]);
                self.received += take;
                let done = (self.received == n).then_some(PromptOutcome::Data);
                (take, done)
            }
            PromptEnd::CtrlZ(max) => {
                for (i, &b) in bytes.iter().enumerate() {
                    match b {
                        CTRL_Z if self.overflowed => return (i + 1, Some(PromptOutcome::Overflow)),
                        CTRL_Z => return (i + 1, Some(PromptOutcome::Data)),
                        ESC => return (i + 1, Some(PromptOutcome::Cancelled)),
                        // Past the limit the bytes are dropped until the terminator, so the
                        // rest of an oversized packet is not read as commands.
                        _ if self.received >= max => {
                            self.overflowed = true;
                        }
                        _ => {
                            self.data.push(b);
                            self.received += 1;
                        }
                    }
                }
                (bytes.len(), None)
            }
        }
    }
}

/// Transparent mode: every byte is data except a `+++` with a guard time of silence before
/// and after it (V.25ter §6.3.? escape, NOTES "AT+MFTPSTOR").
pub(crate) struct Transparent {
    pub(crate) channel: ChannelId,
    /// When the last byte arrived.
    last_rx: Instant,
    /// `+` characters held back as a possible escape.
    pub(crate) held: Vec<u8>,
    /// The upload ended under the mode (its failure was reported): every further byte is
    /// dropped, and only the escape is still looked for (docs/PROTOCOL.md §3.12).
    pub(crate) failed: bool,
}

impl Transparent {
    pub(crate) fn new(channel: ChannelId, now: Instant) -> Transparent {
        Transparent {
            channel,
            last_rx: now,
            held: Vec::new(),
            failed: false,
        }
    }

    /// Returns the bytes that are data. A `+` is held back when it starts after a guard
    /// time of silence (or continues such a run); any other byte, or a late `+`, releases
    /// what was held as data.
    pub(crate) fn feed(&mut self, bytes: &[u8], now: Instant, guard: Duration) -> Vec<u8> {
        if self.all_data(bytes, now, guard) {
            return bytes.to_vec();
        }
        let silent_before = now.saturating_duration_since(self.last_rx) >= guard;
        let mut data = Vec::with_capacity(bytes.len() + self.held.len());
        for (i, &b) in bytes.iter().enumerate() {
            let first_of_read = i == 0;
            let may_hold = b == b'+'
                && self.held.len() < 3
                && if self.held.is_empty() {
                    first_of_read && silent_before
                } else {
                    // The pluses themselves must come close together.
                    !first_of_read || !silent_before
                };
            if may_hold {
                self.held.push(b);
            } else {
                data.append(&mut self.held);
                data.push(b);
            }
        }
        self.last_rx = now;
        data
    }

    /// True when every byte of `bytes` is data (then taken as received at `now`): nothing is
    /// held and no escape starts at the read's first byte, so no byte of it can be held (a
    /// first `+` may only start after silence).
    pub(crate) fn all_data(&mut self, bytes: &[u8], now: Instant, guard: Duration) -> bool {
        let silent_before = now.saturating_duration_since(self.last_rx) >= guard;
        let all = self.held.is_empty() && !(silent_before && bytes.first() == Some(&b'+'));
        if all {
            self.last_rx = now;
        }
        all
    }

    /// True once `+++` has been followed by a guard time of silence.
    pub(crate) fn escape_complete(&self, now: Instant, guard: Duration) -> bool {
        self.held.len() == 3 && now.saturating_duration_since(self.last_rx) >= guard
    }

    /// When [`Transparent::escape_complete`] may become true.
    pub(crate) fn deadline(&self, guard: Duration) -> Option<Instant> {
        (self.held.len() == 3).then_some(self.last_rx + guard)
    }
}

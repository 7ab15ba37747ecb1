//! The upload forms of `AT+MFTPSTOR` and `AT+MFTPAPPE` (§3.11, §3.12 and their footnotes 4-7).

use crate::args::{Args, MAX_STRING};
use crate::error::ParseError;
use crate::syntax::Param;
use crate::types::{ChannelId, Eof};
use alloc::string::String;
use alloc::vec::Vec;

/// `<length>` of the `>` prompt form: 1-4096 (§3.11).
pub const PROMPT_DATA_MAX: u16 = 4096;
/// `<data>` given inline on the command line: 1-1024 bytes (footnotes 5 and 7).
pub const INLINE_DATA_MAX: usize = 1024;

/// `AT+MFTPSTOR`/`AT+MFTPAPPE` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Channel.
    pub id: ChannelId,
    /// Server file name.
    pub file: String,
    /// Where the data comes from.
    pub body: UploadBody,
}

/// How the data of an upload arrives; the form is chosen by which parameters are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadBody {
    /// No eof/length/data: `CONNECT`, raw bytes until a guarded `+++`.
    Transparent,
    /// eof only: `>` prompt, data until Ctrl+Z, ESC cancels.
    Prompt {
        /// Last packet of the file, or more to follow.
        eof: Eof,
    },
    /// eof and length: `>` prompt, exactly `len` bytes of any value.
    PromptLen {
        /// Last packet of the file, or more to follow.
        eof: Eof,
        /// 1-4096.
        len: u16,
    },
    /// eof, length and data on the command line.
    Inline {
        /// Last packet of the file, or more to follow.
        eof: Eof,
        /// Declared size; equals `data.len()`.
        len: u16,
        /// 1-1024 bytes.
        data: Vec<u8>,
    },
    /// A third parameter that is a string: a file of the module's local fs (local_fs 1).
    Local(String),
}

impl Upload {
    pub(crate) fn parse(a: &mut Args<'_>) -> Result<Upload, ParseError> {
        let id = a.channel()?;
        let file = a.string(MAX_STRING)?;
        let body = match a.peek() {
            None | Some(Param::Empty) => UploadBody::Transparent,
            Some(Param::Str(_)) => UploadBody::Local(a.string(MAX_STRING)?),
            Some(_) => {
                let eof = Eof::from(a.int(0, 1)? == 1);
                match a.opt_int(1, u64::from(PROMPT_DATA_MAX))? {
                    None => UploadBody::Prompt { eof },
                    Some(len) => {
                        let len = len as u16;
                        if a.next_is_absent() {
                            UploadBody::PromptLen { eof, len }
                        } else {
                            let data = a.bytes(1, INLINE_DATA_MAX)?;
                            if data.len() != usize::from(len) {
                                return Err(ParseError::Param);
                            }
                            UploadBody::Inline { eof, len, data }
                        }
                    }
                }
            }
        };
        a.end()?;
        Ok(Upload { id, file, body })
    }

    pub(crate) fn params(&self) -> Vec<Param> {
        let mut p = alloc::vec![
            Param::Int(u64::from(self.id.get())),
            Param::Str(crate::escape::escape_param(self.file.as_bytes())),
        ];
        match &self.body {
            UploadBody::Transparent => {}
            UploadBody::Prompt { eof } => p.push(Param::Int(eof.flag())),
            UploadBody::PromptLen { eof, len } => {
                p.extend([Param::Int(eof.flag()), Param::Int(u64::from(*len))]);
            }
            UploadBody::Inline { eof, len, data } => {
                p.extend([
                    Param::Int(eof.flag()),
                    Param::Int(u64::from(*len)),
                    Param::Str(data.clone()),
                ]);
            }
            UploadBody::Local(l) => p.push(Param::Str(crate::escape::escape_param(l.as_bytes()))),
        }
        p
    }
}

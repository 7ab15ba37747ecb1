//! The module's file commands (ONEMO-RELATED.md §C.3, NOTES "Local file system"), one file per
//! kind of work: they answer synchronously through the [`Sandbox`](crate::fs::Sandbox), with
//! the error numbers of §C.2 each command gives.
//!
//! What they share is here: the engine's [`FileState`] (open handles, `AT+MFCFG` settings, the
//! data mode in progress), the name rule (every name goes through
//! [`check_name`](crate::fs::check_name) first, as the FTP local names do) and the mapping of a
//! sandbox error to a command's own number.

pub(crate) mod cfg;
mod check;
pub(crate) mod data;
mod delete;
mod get;
mod list;
mod open;
mod put;
mod read;
mod seek;
mod write;

use std::time::Duration;

use crate::engine::ctx::Ctx;
use crate::fs::{AtomicWriter, FsError, OpenFiles};
use ftpmodem_proto::command::{InputEncoding, OutputEncoding};
use ftpmodem_proto::{CmeError, Command};

/// `AT+MFCFG` settings (§C.3), as the module has them after power-up until changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Inactivity timeout of the data modes, 1-120 s (default 10).
    pub(crate) timeout: u8,
    /// How inline data is typed.
    pub(crate) input: InputEncoding,
    /// How `+MFGET`/`+MFREAD` print data.
    pub(crate) output: OutputEncoding,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: 10,
            input: InputEncoding::Ascii,
            output: OutputEncoding::Raw,
        }
    }
}

impl Settings {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.timeout))
    }
}

/// Where the bytes of the data mode in progress go.
#[derive(Debug)]
pub(crate) enum Pending {
    /// `AT+MFPUT`: into a new file that replaces the (already emptied) one at the end; `None`
    /// once a write failed (the temp file is gone, the file stays empty).
    Put(Option<AtomicWriter>),
    /// `AT+MFWRITE`: straight into the open file; `start` is where this session began, for
    /// ESC (§C.3: it removes this session's bytes).
    Write { handle: u16, start: u64 },
}

/// The data mode in progress: where its bytes go, and the error that ends it if a write
/// failed (the rest of the data is then taken from the line and dropped).
#[derive(Debug)]
pub(crate) struct DataMode {
    pub(crate) to: Pending,
    pub(crate) failed: Option<u16>,
}

/// The engine's state for the file commands.
#[derive(Debug, Default)]
pub(crate) struct FileState {
    /// `AT+MFOPEN` handles.
    pub(crate) open: OpenFiles,
    /// `AT+MFCFG`.
    pub(crate) settings: Settings,
    /// The data mode in progress, if any.
    pub(crate) pending: Option<DataMode>,
}

/// Every file command.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::MfPut { path, len, data } => put::run(cx, &path, len, data),
        Command::MfGet(p) => get::mfget(cx, &p),
        Command::MfSize(p) => get::mfsize(cx, &p),
        Command::MfList(dir) => list::mflist(cx, dir.as_deref()),
        Command::MfSinfo => list::mfsinfo(cx),
        Command::MfDelete(p) => delete::mfdelete(cx, &p),
        Command::MfDeleteAll => delete::wipe(cx),
        Command::MfMove(a, b) => delete::mfmove(cx, &a, &b),
        Command::MfOpen { path, mode } => open::mfopen(cx, &path, mode),
        Command::MfClose(h) => open::mfclose(cx, h),
        Command::MfRead { handle, len } => read::run(cx, handle, len),
        Command::MfWrite { handle, len, data } => write::run(cx, handle, len, data),
        Command::MfSeek { handle, to } => seek::mfseek(cx, handle, to),
        Command::MfTrunc { handle, len } => seek::mftrunc(cx, handle, len),
        Command::MfSync(h) => seek::mfsync(cx, h),
        Command::MfCheck { path, .. } => check::run(cx, &path),
        Command::MfCfg(r) => cfg::run(cx, r),
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

/// The error number for `e`: its own (§C.2 through [`FsError::cme_code`]), or `missing` when
/// the command gives a missing file a number of its own (MFGET 1055, MFSIZE 1050, §E12).
fn code(e: &FsError, missing: Option<u16>) -> CmeError {
    match (e, missing) {
        (FsError::NotFound { .. }, Some(n)) => CmeError::from_code(n),
        _ => CmeError::from_code(e.cme_code()),
    }
}

/// Checks a typed name against the module's rule; answers 50 and returns false if it breaks it.
fn name_ok(cx: &mut Ctx<'_>, name: &str) -> bool {
    match crate::fs::check_name(name) {
        Ok(()) => true,
        Err(e) => {
            cx.reply.error(CmeError::from_code(e.cme_code()));
            false
        }
    }
}

/// The bytes of inline data as `AT+MFCFG="encoding"` reads them, checked against the announced
/// length (§C.3): ASCII takes the string as it is (length 0: its length), HEX two digits per
/// byte (length 0: half the digits). `None`: 50.
fn inline_bytes(input: InputEncoding, len: u32, data: &[u8]) -> Option<Vec<u8>> {
    let len = usize::try_from(len).ok()?;
    match input {
        InputEncoding::Ascii => (len == 0 || len == data.len()).then(|| data.to_vec()),
        InputEncoding::Hex => {
            let bytes = ftpmodem_proto::command::from_hex(data)?;
            (len == 0 || len == bytes.len()).then_some(bytes)
        }
    }
}

/// `AT+MSSLCERTWR`/`AT+MSSLKEYWR` data: stored as a file the TLS contexts name.
pub(crate) fn credential_data(cx: &mut Ctx<'_>, path: &str, data: &[u8]) {
    match cx.fs.write(path, data) {
        Ok(_) => cx.reply.ok(),
        Err(e) => cx.reply.error(code(&e, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_data_follows_the_encoding() {
        let a = InputEncoding::Ascii;
        let h = InputEncoding::Hex;
        assert_eq!(inline_bytes(a, 3, b"abc"), Some(b"abc".to_vec()));
        assert_eq!(inline_bytes(a, 0, b"abc"), Some(b"abc".to_vec()));
        assert_eq!(inline_bytes(a, 2, b"abc"), None);
        assert_eq!(inline_bytes(a, 4, b"abc"), None);
        assert_eq!(inline_bytes(h, 2, b"0d0A"), Some(b"\r\n".to_vec()));
        assert_eq!(inline_bytes(h, 0, b"0D0A"), Some(b"\r\n".to_vec()));
        assert_eq!(inline_bytes(h, 4, b"0D0A"), None);
        assert_eq!(inline_bytes(h, 0, b"0D0"), None);
        assert_eq!(inline_bytes(h, 0, b"0G"), None);
        assert_eq!(inline_bytes(a, 0, b""), Some(Vec::new()));
    }
}

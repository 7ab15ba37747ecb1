//! The bytes of the data modes (manual §3.11, §3.12): what the module prints to open a `>`
//! prompt, what ends or cancels it, and the transparent-mode escape. The device and the host
//! both take them from here.

/// Opens a `>` prompt: the manual prints `>BBBBB`, so no space follows (docs/PROTOCOL.md).
pub const PROMPT: &[u8] = b"\r\n>";
/// Ends a `>` prompt without a length (Ctrl+Z); it is not part of the data.
pub const CTRL_Z: u8 = 0x1a;
/// Cancels a `>` prompt without a length: nothing is sent.
pub const ESC: u8 = 0x1b;
/// Leaves transparent mode when sent alone between two guard times of silence.
pub const ESCAPE: &[u8] = b"+++";
/// The silence required before and after [`ESCAPE`] (V.25ter S12 default).
pub const GUARD_TIME: core::time::Duration = core::time::Duration::from_secs(1);

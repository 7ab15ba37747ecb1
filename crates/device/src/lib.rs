//! The virtual OneMO ML30x module.
//!
//! Layers, data flowing down (see DESIGN.md): [`transport`] moves bytes between a line (PTY, TCP,
//! serial, stdio) and the module; `engine` is the sans-IO state machine; `fs` is the module's
//! local file system sandbox; channels run the FTP sessions.

pub mod channel;
pub mod control;
pub mod engine;
pub mod fs;
pub mod net;
pub mod pool;
pub mod runtime;
pub mod transport;

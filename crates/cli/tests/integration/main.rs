//! The `ftpmodem` binary's integration tests, one binary (as ripgrep does): each module was
//! its own test binary before, and is still selected by its name (`cargo test -p ftpmodem
//! --test integration serve_pty::`).

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken_pipe;
mod cli_docs;
#[cfg(feature = "demo")]
mod demo;
mod doc_commands;
mod host_cli;
mod host_interrupt;
mod serve_pty;
mod serve_ready;
mod stream_transfers;

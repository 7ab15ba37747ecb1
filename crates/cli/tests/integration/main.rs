//! The `ftpmodem` binary's integration tests, one binary (as ripgrep does): each module was
//! its own test binary before, and is still selected by its name (`cargo test -p ftpmodem
//! --test integration serve_pty::`).

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken_pipe;
mod cli_docs;
mod control_common;
mod control_socket;
#[cfg(feature = "demo")]
mod demo;
mod doc_commands;
mod esp_ml307;
mod host_cli;
mod host_interrupt;
mod readme_ota;
mod serve_baud;
mod serve_identity;
mod serve_pty;
mod serve_ready;
mod stream_transfers;

//! The proto crate's integration tests, one binary (as ripgrep does): each module was its own
//! test binary before, and is still selected by its name (`cargo test -p ftpmodem-proto
//! --test integration roundtrip::`).

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod strategy;

mod bad_lines;
mod file_commands;
mod manual_vectors;
mod roundtrip;
mod v25_vectors;

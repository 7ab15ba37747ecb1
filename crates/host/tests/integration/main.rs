//! The host driver's integration tests, one binary (as ripgrep does): each module was its own
//! test binary before, and is still selected by its name (`cargo test -p ftpmodem-host --test
//! integration host_ftp::`). [`common`] starts the module they drive.

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod host_abandon;
mod host_faults;
mod host_ftp;
mod host_late_answers;
mod host_local;

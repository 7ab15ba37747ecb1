//! The fixtures' integration tests, one binary (as ripgrep does): each module was its own test
//! binary before, and is still selected by its name (`cargo test -p ftpmodem-testsrv --test
//! integration vsftpd::`). [`common`] holds the curl helpers.

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod certs;
mod missing_binary;
mod proftpd;
mod pureftpd;
mod unftp;
mod vsftpd;

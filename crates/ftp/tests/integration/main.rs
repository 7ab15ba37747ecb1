//! The FTP client's integration tests, one binary (as ripgrep does): each module was its own
//! test binary before, and is still selected by its name (`cargo test -p ftpmodem-ftp --test
//! integration vsftpd::`). [`common`] holds what the per-server modules share.

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod faults;
mod proftpd;
mod pureftpd;
mod tls_options;
mod unftp;
mod vsftpd;

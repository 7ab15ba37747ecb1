//! The FTP client's integration tests, one binary (as ripgrep does): each module was its own
//! test binary before, and is still selected by its name (`cargo test -p ftpmodem-ftp --test
//! integration vsftpd::`). [`common`] holds what the per-server modules share.

mod common;

mod faults;
mod proftpd;
mod pureftpd;
mod unftp;
mod vsftpd;

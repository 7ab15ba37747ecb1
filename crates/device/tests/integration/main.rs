//! The device crate's integration tests, one binary (as ripgrep does): each module was its own
//! test binary before, and is still selected by its name (`cargo test -p ftpmodem-device
//! --test integration at_matrix::`).
//!
//! Shared helpers: [`at_common`] (a module on a real line, driven over AT, and the servers it
//! talks to), [`channel_common`] (channel tasks without the AT line), [`ftp_script`] (a scripted
//! FTP server for what no real server does on demand) and [`transport_common`].

// Tests may panic on what they did not expect; the product's lints deny that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod at_common;
mod channel_common;
mod ftp_script;
mod transport_common;

mod at_channels;
mod at_chapter4;
mod at_failures;
mod at_hardware_ftp;
mod at_ipr_serial;
mod at_list_stream;
mod at_matrix;
mod at_network;
mod at_reboot;
mod at_retr_range;
mod at_ssl;
mod channel_commands;
mod channel_connect;
mod channel_faults;
mod channel_retr;
mod channel_upload;
mod control_faults;
mod fs_capacity;
mod fs_escape;
mod fs_firmware;
mod fs_sandbox;
mod module_session;
mod net_faults;
mod pdp_bind;
mod transport_pty;
mod transport_serial;
mod transport_stdio;
mod transport_stream;
mod transport_tcp;

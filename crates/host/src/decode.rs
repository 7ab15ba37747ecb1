//! The decoder of the module's output lives in the protocol crate
//! ([`ftpmodem_proto::frame::decode`]), with the framing it reverses; the driver and the
//! `ftpmodem` command's AT console read the line with it. Re-exported here so a host needs
//! one crate.

pub use ftpmodem_proto::frame::decode::{Decoder, Event, Final, Limits};

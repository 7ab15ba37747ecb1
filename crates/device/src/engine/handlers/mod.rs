//! Command handlers, one file per command family, each a function of [`Ctx`] (the narrow state
//! a command may touch) listed in the command table (`table.rs`). A handler turns a typed
//! [`Command`] into response lines, actions and mode changes; none of them frames or spells a
//! line itself.
//!
//! [`Ctx`]: super::ctx::Ctx
//! [`Command`]: ftpmodem_proto::Command

pub(super) mod basic;
pub(super) mod cfg;
pub(super) mod csq;
pub(super) mod files;
pub(super) mod ftp;
pub(super) mod identity;
pub(super) mod ipr;
pub(super) mod lpm;
pub(super) mod network;
pub(super) mod pdp;
pub(super) mod reboot;
pub(super) mod ssl;
pub(super) mod test_form;
pub(super) mod v25;

//! The module's network, with faults on demand: the test bench's way to make the failures of
//! the field (a name that does not resolve, a refused or black-holed connect, a server that
//! stops answering, a link lost half way through a download, a certificate that does not
//! verify, a slow radio link) happen for real under the FTP client.
//!
//! Every fault is made where it happens: a refused connect is a real connect to a closed
//! port, a reset is a real RST (`SO_LINGER` 0), a failed certificate check is rustls
//! rejecting the server's chain against an empty root store, a stall is a connection whose
//! bytes stop moving. The FTP client meets them through its ordinary code paths, so the
//! result codes and URCs the module prints are the ones the existing tables give.
//!
//! [`NetFaults`] is the handle shared by the channels (each gets its [`Network`] from
//! [`NetFaults::network`]) and by whoever arms faults: the control socket (JSON), a scenario
//! file (TOML), `serve --network`, a test.
//!
//! [`Network`]: ftpmodem_ftp::net::Network

mod bucket;
mod fault;
mod network;
mod registry;
mod stream;

pub use bucket::Bucket;
pub use fault::{
    ArmedNetFault, FaultId, FaultState, NetFault, NetFaultError, NetFaultEvent, NetFaultKind,
    Trigger, When, MAX_ARMED,
};
pub use registry::NetFaults;

//! What a channel task is given besides its requests: its tunables and where its events go.

use crate::engine::ChannelEvent;
use crate::net::NetFaults;
use ftpmodem_proto::ChannelId;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where a channel task sends its events (the runtime reads them into the engine).
pub type EventSender = mpsc::Sender<(ChannelId, ChannelEvent)>;

/// Tunables of the channel tasks that are not `AT+MFTPCFG` settings.
#[derive(Debug, Clone)]
pub struct ChannelOptions {
    /// Requests queued towards a task before the runtime waits: small, since the engine
    /// sends one command at a time apart from transparent-mode data.
    pub request_queue: usize,
    /// The longest `AT+MFTPDISC` waits for the server to answer QUIT before closing anyway.
    pub quit_timeout: Duration,
    /// Name resolution plus TCP connect; `None` uses the channel's rsptimeout.
    pub connect_timeout: Option<Duration>,
    /// Passive mode asks for EPSV first (PASV only as a fallback); `false` uses PASV on IPv4,
    /// for servers or middleboxes that mishandle EPSV. IPv6 always uses EPSV.
    pub use_epsv: bool,
    /// The test bench's network faults (and shaping); `None` is the system's network as is.
    pub net_faults: Option<NetFaults>,
}

impl Default for ChannelOptions {
    fn default() -> Self {
        ChannelOptions {
            request_queue: 16,
            quit_timeout: Duration::from_secs(5),
            connect_timeout: None,
            use_epsv: true,
            net_faults: None,
        }
    }
}

//! What the engine asks of the outside world, and what the outside world tells it back.
//!
//! The engine never performs network I/O: a command that needs a server becomes an
//! [`Action::Channel`] for the channel task, and the task's results come back as
//! [`ChannelEvent`]s. That is the whole interface between the sans-IO core and the FTP layer.

use ftpmodem_proto::{
    ChannelId, ChannelState, DataType, FtpOp, LocalFs, SimpleOp, SslMode, TransMode, UploadOp, Urc,
};
use std::net::IpAddr;
use std::time::Duration;

/// Largest `+MFTPRETR` chunk: a profile asking for more gets this, so one chunk cannot take
/// arbitrary memory.
pub const MAX_RETR_CHUNK: usize = 64 * 1024;

/// Something the engine wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Hand a request to a channel task.
    Channel {
        /// Which channel.
        id: ChannelId,
        /// What to do.
        request: ChannelRequest,
    },
    /// The module restarted (`AT+MREBOOT`, [`Engine::power_cycle`](super::Engine::power_cycle)):
    /// end every channel task, so that each session is closed (QUIT, or a close when the
    /// server does not answer), drop every event the old tasks still send, and start fresh
    /// ones for the requests that follow.
    Reboot,
}

/// A channel's `AT+MFTPCFG` settings, as they were when the command was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelSettings {
    /// TYPE I or TYPE A.
    pub data_type: DataType,
    /// Active or passive data connections.
    pub trans_mode: TransMode,
    /// Longest wait for any server reply.
    pub rsp_timeout: Duration,
    /// Plain, implicit or explicit FTPS.
    pub ssl_mode: SslMode,
    /// TLS context used with FTPS.
    pub ssl_id: u8,
    /// Serial line or local file system for file data.
    pub local_fs: LocalFs,
    /// PDP context.
    pub cid: u8,
}

impl Default for ChannelSettings {
    /// NOTES "Per-command decisions": binary, passive, 10 s, plain, serial, cid 1.
    fn default() -> Self {
        ChannelSettings {
            data_type: DataType::Binary,
            trans_mode: TransMode::Passive,
            rsp_timeout: Duration::from_secs(10),
            ssl_mode: SslMode::Plain,
            ssl_id: 0,
            local_fs: LocalFs::Serial,
            cid: 1,
        }
    }
}

/// A TLS context (`AT+MSSLCFG`): files are module paths in the local file system.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsContext {
    /// 0 none, 1 verify the server, 2 mutual.
    pub auth: u8,
    /// CA certificate file.
    pub ca: Option<String>,
    /// Client certificate file.
    pub cert: Option<String>,
    /// Client key file.
    pub key: Option<String>,
    /// Server name to send instead of the host.
    pub sni: Option<String>,
    /// 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2, 3 TLS 1.3, 4 any.
    pub version: u8,
    /// Accept any certificate.
    pub ignore_verify: bool,
}

/// `AT+MFTPCONN` with defaults applied and the contexts it depends on resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRequest {
    /// Host name or address literal.
    pub host: String,
    /// Server port (21, or 990 for implicit FTPS, when omitted).
    pub port: u16,
    /// User, `anonymous` when omitted.
    pub user: String,
    /// Password, empty when omitted.
    pub pass: String,
    /// The channel's settings.
    pub settings: ChannelSettings,
    /// The TLS context named by the settings' ssl_id.
    pub tls: TlsContext,
    /// Local source address of the channel's PDP context, if bound.
    pub bind: Option<IpAddr>,
}

/// The work a channel task is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRequest {
    /// Log in (§3.2).
    Connect(Box<ConnectRequest>),
    /// Log out and close (§3.3); also cancels a running command.
    Disconnect,
    /// The channel's PDP context went down: close and report the disconnect.
    PdpDown,
    /// CWD (§3.4).
    Cwd(String),
    /// PWD (§3.5).
    Pwd,
    /// MKD (§3.6).
    Mkd(String),
    /// MLSD/LIST (§3.7).
    List(String),
    /// DELE, then RMD (§3.8).
    Delete(String),
    /// RNFR/RNTO (§3.9).
    Rename {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// RETR (§3.10) to the serial line in chunks, or to a local file.
    Retr {
        /// Server file.
        file: String,
        /// Local file when local_fs is 1.
        local: Option<String>,
        /// REST offset.
        offset: u64,
        /// Bytes wanted, all when `None`.
        length: Option<u64>,
        /// Bytes per `+MFTPRETR` chunk, which the engine decided (from the profile) and cuts
        /// with; the channel only paces its reads by it (a small chunk makes a read's printed
        /// form many times its size).
        chunk: usize,
    },
    /// STOR/APPE of a local file (local_fs 1).
    UploadLocal {
        /// STOR or APPE.
        op: UploadOp,
        /// Server file.
        file: String,
        /// Local file.
        local: String,
    },
    /// One packet from a `>` prompt or inline data. With [`Eof::More`] the data connection
    /// stays open for the next packet of the same file.
    UploadPacket {
        /// STOR or APPE.
        op: UploadOp,
        /// Server file.
        file: String,
        /// The packet.
        data: Vec<u8>,
        /// Last packet or not.
        eof: Eof,
    },
    /// Transparent mode begins: open the data connection.
    UploadStreamBegin {
        /// STOR or APPE.
        op: UploadOp,
        /// Server file.
        file: String,
    },
    /// Transparent mode data, in arrival order.
    UploadStreamData(Vec<u8>),
    /// `+++` ended transparent mode: close the data connection and report.
    UploadStreamEnd,
}

impl ChannelRequest {
    /// The operation whose report this request ends with; `None` for the requests that end
    /// with the disconnect sequence or belong to a running upload.
    pub fn op(&self) -> Option<FtpOp> {
        Some(match self {
            ChannelRequest::Cwd(_) => FtpOp::Simple(SimpleOp::Cwd),
            ChannelRequest::Mkd(_) => FtpOp::Simple(SimpleOp::Mkd),
            ChannelRequest::Delete(_) => FtpOp::Simple(SimpleOp::Del),
            ChannelRequest::Rename { .. } => FtpOp::Simple(SimpleOp::Rn),
            ChannelRequest::Pwd => FtpOp::Pwd,
            ChannelRequest::List(_) => FtpOp::List,
            ChannelRequest::Retr { .. } => FtpOp::Retr,
            ChannelRequest::UploadLocal { op, .. }
            | ChannelRequest::UploadPacket { op, .. }
            | ChannelRequest::UploadStreamBegin { op, .. } => FtpOp::Upload(*op),
            ChannelRequest::Connect(_)
            | ChannelRequest::Disconnect
            | ChannelRequest::PdpDown
            | ChannelRequest::UploadStreamData(_)
            | ChannelRequest::UploadStreamEnd => return None,
        })
    }
}

pub use ftpmodem_proto::Eof;

/// What a channel task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    /// A line for the host. `done` ends the command the channel was running, so the next one
    /// is accepted instead of answered with result 4.
    Report {
        /// The report.
        urc: Urc,
        /// The command is finished.
        done: bool,
    },
    /// `AT+MFTPSTATE` from now on.
    State(ChannelState),
    /// Downloaded data for the serial line (§3.10, local_fs 0), every byte of a download: the
    /// engine cuts it into `+MFTPRETR: <id>,0,<sum>,<n>,<bytes>` chunks of the size it chose
    /// when it sent [`ChannelRequest::Retr`], carrying a read's tail over to the next. A whole
    /// network read is one event, so a download costs one queue slot and one wake-up per read,
    /// not per chunk.
    Download {
        /// A network read as it came (any length; the last event's may be empty). The engine
        /// frames a copy into its output and holds this buffer until that output is written:
        /// the buffer carries the download's share of its in-flight budget.
        data: bytes::Bytes,
        /// Bytes of the download reported before `data`.
        sum: u64,
        /// `None` while more follows. The download's end (after the server's 226) has
        /// `Some(done)`, with `done` as in [`ChannelEvent::Report`]: only then is the chunk with
        /// the last byte printed.
        done: Option<bool>,
    },
}

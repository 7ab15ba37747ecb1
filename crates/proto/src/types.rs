//! Small value types shared by commands, responses and URCs. Each enum is `#[repr(u8)]` with
//! the number the module prints, documented with the manual section that defines it.

use crate::syntax::Param;
use alloc::string::String;
use alloc::vec::Vec;

/// `<connect_id>`: an FTP channel, 0-5 (manual §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(u8);

impl ChannelId {
    /// Number of channels the module has.
    pub const COUNT: usize = 6;

    /// `Some` for 0-5.
    pub fn new(n: u8) -> Option<ChannelId> {
        (usize::from(n) < Self::COUNT).then_some(ChannelId(n))
    }

    /// The number on the wire.
    pub fn get(self) -> u8 {
        self.0
    }

    /// For arrays indexed by channel.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// All six channels in order.
    pub fn all() -> impl Iterator<Item = ChannelId> {
        (0..Self::COUNT as u8).map(ChannelId)
    }
}

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $n:expr),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name { $($(#[$vm])* $v = $n),+ }
        impl $name {
            /// The variant for a wire number.
            pub fn from_u8(n: u8) -> Option<Self> {
                match n { $($n => Some(Self::$v),)+ _ => None }
            }
            /// The wire number.
            pub fn as_u8(self) -> u8 { self as u8 }
        }
    };
}

wire_enum!(
    /// `<data_trans_type>` of `AT+MFTPCFG` (§3.1): TYPE I or TYPE A.
    DataType {
        /// 0, default: binary (TYPE I).
        Binary = 0,
        /// 1: ASCII (TYPE A), line ends converted both ways.
        Ascii = 1,
    }
);

wire_enum!(
    /// `<trans_mode>` of `AT+MFTPCFG` (§3.1, footnote 1: the hardware models are passive only).
    TransMode {
        /// 0: active (PORT/EPRT).
        Active = 0,
        /// 1, default: passive (PASV/EPSV).
        Passive = 1,
    }
);

wire_enum!(
    /// `<ssl_mode>` of `AT+MFTPCFG` (§3.1, footnote 2: the hardware models are plain FTP only).
    SslMode {
        /// 0, default: plain FTP.
        Plain = 0,
        /// 1: implicit FTPS (TLS from the first byte, port 990 by default).
        Implicit = 1,
        /// 2: explicit FTPS (AUTH TLS).
        Explicit = 2,
    }
);

wire_enum!(
    /// `<fs_trans_type>` of `AT+MFTPCFG` (§3.1): where file data comes from and goes to.
    LocalFs {
        /// 0, default: through the serial line.
        Serial = 0,
        /// 1: through the module's local file system.
        File = 1,
    }
);

wire_enum!(
    /// `<state>` of `AT+MFTPSTATE` (§3.13).
    ChannelState {
        /// 0: no FTP connection.
        Disconnected = 0,
        /// 1: connected, idle.
        Connected = 1,
        /// 2: downloading.
        Downloading = 2,
        /// 3: uploading.
        Uploading = 3,
    }
);

wire_enum!(
    /// `AT+CMEE=<n>` (§2.2): how errors are reported.
    CmeeMode {
        /// 0: plain `ERROR`.
        Off = 0,
        /// 1, default here: `+CME ERROR: <number>`.
        Numeric = 1,
        /// 2: `+CME ERROR: <text>`.
        Verbose = 2,
    }
);

/// The keys of `AT+MFTPCFG` (§3.1), in the order the module prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CfgKey {
    /// `"data_type"`.
    DataType,
    /// `"transmode"`.
    TransMode,
    /// `"rsptimeout"`.
    RspTimeout,
    /// `"ssl"`.
    Ssl,
    /// `"local_fs"`.
    LocalFs,
    /// `"cid"`.
    Cid,
}

impl CfgKey {
    /// All keys in print order.
    pub const ALL: [CfgKey; 6] = [
        CfgKey::DataType,
        CfgKey::TransMode,
        CfgKey::RspTimeout,
        CfgKey::Ssl,
        CfgKey::LocalFs,
        CfgKey::Cid,
    ];

    /// The quoted key as written on the wire, without quotes.
    pub fn as_str(self) -> &'static str {
        match self {
            CfgKey::DataType => "data_type",
            CfgKey::TransMode => "transmode",
            CfgKey::RspTimeout => "rsptimeout",
            CfgKey::Ssl => "ssl",
            CfgKey::LocalFs => "local_fs",
            CfgKey::Cid => "cid",
        }
    }

    /// Keys are matched exactly as the manual spells them, ignoring ASCII case.
    pub fn from_bytes(b: &[u8]) -> Option<CfgKey> {
        CfgKey::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(b))
    }
}

/// One `AT+MFTPCFG` setting with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CfgValue {
    /// `"data_type",<0|1>`.
    DataType(DataType),
    /// `"transmode",<0|1>`.
    TransMode(TransMode),
    /// `"rsptimeout",<2-30>` seconds.
    RspTimeout(u8),
    /// `"ssl",<mode>,<ssl_id 0-5>`.
    Ssl(SslMode, u8),
    /// `"local_fs",<0|1>`.
    LocalFs(LocalFs),
    /// `"cid",<1-15>` (1-7 on ML305U, checked by the profile).
    Cid(u8),
}

impl CfgValue {
    /// The key this value belongs to.
    pub fn key(&self) -> CfgKey {
        match self {
            CfgValue::DataType(_) => CfgKey::DataType,
            CfgValue::TransMode(_) => CfgKey::TransMode,
            CfgValue::RspTimeout(_) => CfgKey::RspTimeout,
            CfgValue::Ssl(..) => CfgKey::Ssl,
            CfgValue::LocalFs(_) => CfgKey::LocalFs,
            CfgValue::Cid(_) => CfgKey::Cid,
        }
    }

    /// Fields after the key, as printed.
    pub(crate) fn params(&self) -> Vec<Param> {
        let n = |v: u8| Param::Int(u64::from(v));
        match *self {
            CfgValue::DataType(v) => alloc::vec![n(v.as_u8())],
            CfgValue::TransMode(v) => alloc::vec![n(v.as_u8())],
            CfgValue::RspTimeout(v) => alloc::vec![n(v)],
            CfgValue::Ssl(m, id) => alloc::vec![n(m.as_u8()), n(id)],
            CfgValue::LocalFs(v) => alloc::vec![n(v.as_u8())],
            CfgValue::Cid(v) => alloc::vec![n(v)],
        }
    }
}

/// A file or directory name as the module takes it: UTF-8, at most 255 bytes (§3.x, "最大长度255").
pub type Name255 = String;

/// `<eof>` of an upload packet (§3.11): whether the file ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eof {
    /// `0`: more packets of the same file follow; the data connection stays open.
    More,
    /// `1`: the file's last packet; the upload finishes after it.
    Last,
}

impl From<bool> for Eof {
    /// The `<eof>` flag as a bool (true is `1`, the last packet).
    fn from(last: bool) -> Eof {
        if last {
            Eof::Last
        } else {
            Eof::More
        }
    }
}

impl Eof {
    /// The flag's value on the wire.
    pub fn flag(self) -> u64 {
        match self {
            Eof::More => 0,
            Eof::Last => 1,
        }
    }
}

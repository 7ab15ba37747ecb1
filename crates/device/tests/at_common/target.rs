//! A server as the module sees it (where to connect, how to log in, where to work) and how the
//! test checks what landed on its disk.

use std::path::PathBuf;

/// TLS on the channel (`AT+MFTPCFG=<id>,"ssl",<mode>,<ssl_id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ssl {
    /// 0: plain FTP.
    Plain,
    /// 2: `AUTH TLS` on the control connection.
    Explicit,
    /// 1: TLS from the first byte.
    Implicit,
}

impl Ssl {
    /// The `ssl` mode number.
    pub fn mode(self) -> u8 {
        match self {
            Ssl::Plain => 0,
            Ssl::Implicit => 1,
            Ssl::Explicit => 2,
        }
    }
}

/// How data connections are made, and what the server's log must show for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// transmode 1 with EPSV refused on the way (see `relay`): PASV.
    Pasv,
    /// transmode 1: EPSV.
    Epsv,
    /// transmode 0: PORT over IPv4, EPRT over IPv6.
    Active,
}

impl Data {
    /// The `transmode` number.
    pub fn transmode(self) -> u8 {
        match self {
            Data::Active => 0,
            Data::Pasv | Data::Epsv => 1,
        }
    }
}

/// Everything a cell needs to know about its server.
#[derive(Debug, Clone)]
pub struct Target {
    /// Cell name for messages.
    pub name: String,
    /// Host as written in `AT+MFTPCONN`.
    pub host: String,
    /// Control port.
    pub port: u16,
    /// Login.
    pub user: String,
    /// Password.
    pub pass: String,
    /// PWD right after login.
    pub login_dir: String,
    /// The empty directory the cell works in (absolute FTP path).
    pub work_dir: String,
    /// The same directory on the host's disk.
    pub disk_dir: PathBuf,
    /// TLS.
    pub ssl: Ssl,
    /// The CA that signed the server's certificate (PEM), verified with auth 1.
    pub ca_pem: Option<String>,
    /// Data connections.
    pub data: Data,
    /// Owner permission triplet the server lists for files and directories the cell made.
    pub perm_file: String,
    /// The same for directories.
    pub perm_dir: String,
    /// Whether `AT+MFTPLIST` of one file may name it relative to the working directory
    /// (libunftp 0.24 resolves an MLST path against `/`, not the working directory, so a
    /// relative name is not found there: mlst.rs uses the path as given).
    pub relative_file_list: bool,
}

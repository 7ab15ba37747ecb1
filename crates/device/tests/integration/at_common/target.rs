//! A server as the module sees it (where to connect, how to log in, where to work) and how the
//! test checks what landed on its disk.

use std::net::SocketAddr;
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
    /// relative name is not found there: its mlst.rs uses the path as given).
    pub relative_file_list: bool,
}

impl Target {
    /// A system server (vsftpd, pure-ftpd, proftpd) at `addr` with the local user `uftp`:
    /// logged in at `/home/uftp`, working in `dir` (its disk path is its FTP path), files
    /// listed `rw-` and directories `rwx`, names resolved against the working directory.
    pub fn uftp(name: String, addr: SocketAddr, dir: PathBuf, ssl: Ssl, data: Data) -> Target {
        Target {
            name,
            host: addr.ip().to_string(),
            port: addr.port(),
            user: ftpmodem_testsrv::USER.into(),
            pass: ftpmodem_testsrv::PASSWORD.into(),
            login_dir: ftpmodem_testsrv::USER_HOME.into(),
            work_dir: dir.to_string_lossy().into_owned(),
            disk_dir: dir,
            ssl,
            ca_pem: None,
            data,
            perm_file: "rw-".into(),
            perm_dir: "rwx".into(),
            relative_file_list: true,
        }
    }

    /// With the CA (PEM) that signed the server's certificate.
    pub fn trusting(mut self, ca_pem: &str) -> Target {
        self.ca_pem = Some(ca_pem.to_string());
        self
    }
}

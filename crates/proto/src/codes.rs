//! Error and result codes of manual chapter 5, plus the file-system errors of the vendor's
//! file commands (NOTES "Local file system of the module").
//!
//! Both enums are `#[repr]` with explicit discriminants so a code reads the same in the source
//! as on the wire, and both keep unknown values (`Other`) so a host talking to a newer firmware
//! never loses a number it did not expect.

use core::fmt;

/// `+CME ERROR: <err>` codes: manual table 4 and the file system range 1050-1064.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CmeError {
    /// 27.007 §9.2.1, 30: no network service. A PDP context or attach asked for while the radio
    /// is off (`AT+CFUN=0/4`).
    NoNetworkService = 30,
    /// Table 4, 50: 参数错误. Syntax error or a parameter out of range.
    ParameterError = 50,
    /// Table 4, 800: FTP未知错误.
    FtpUnknown = 800,
    /// Table 4, 801: FTP没有运行. A channel command on a channel that is not connected.
    FtpNotRunning = 801,
    /// Table 4, 802: FTP正在运行. `AT+MFTPCONN` or a configuration change on a connected channel.
    FtpRunning = 802,
    /// Table 4, 803: 连接请求错误.
    ConnRequest = 803,
    /// Table 4, 804: 断开连接请求错误.
    DiscRequest = 804,
    /// Table 4, 805: 请求切换当前路径错误.
    CwdRequest = 805,
    /// Table 4, 806: 请求获取当前路径错误.
    PwdRequest = 806,
    /// Table 4, 807: 请求新建目录错误.
    MkdRequest = 807,
    /// Table 4, 808: 请求列出指定目录或文件信息错误.
    ListRequest = 808,
    /// Table 4, 809: 请求删除目录或文件错误.
    DelRequest = 809,
    /// Table 4, 810: 请求重命名错误.
    RnRequest = 810,
    /// Table 4, 811: 请求获取文件错误.
    RetrRequest = 811,
    /// Table 4, 812: 请求覆盖写入文件错误.
    StorRequest = 812,
    /// Table 4, 813: 请求上传文件错误.
    AppeRequest = 813,
    /// File commands, 1050: file system error.
    FsError = 1050,
    /// File commands, 1051: file does not exist.
    FileNotExist = 1051,
    /// File commands, 1052: file already exists.
    FileExists = 1052,
    /// File commands, 1053: file too large.
    FileTooLarge = 1053,
    /// File commands, 1054: too many open files.
    MaxOpen = 1054,
    /// File commands, 1055: open failed.
    OpenFail = 1055,
    /// File commands, 1056: file already open.
    AlreadyOpen = 1056,
    /// File commands, 1057: write failed.
    WriteFail = 1057,
    /// File commands, 1058: read failed.
    ReadFail = 1058,
    /// File commands, 1059: read-only.
    ReadOnly = 1059,
    /// File commands, 1060: bad file descriptor.
    BadDescriptor = 1060,
    /// File commands, 1061: delete failed.
    DeleteFail = 1061,
    /// File commands, 1062: list failed.
    ListFail = 1062,
    /// File commands, 1063: no space left.
    NoSpace = 1063,
    /// File commands, 1064: timeout.
    FsTimeout = 1064,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 750: SSL unknown error.
    SslUnknown = 750,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 751: initialising SSL resources failed.
    SslInit = 751,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 752: the server certificate check failed.
    SslServerCert = 752,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 753: the handshake timed out.
    SslHandshakeTimeout = 753,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 754: the handshake failed.
    SslHandshake = 754,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 760: certificate or key unknown.
    SslCertUnknown = 760,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 761: certificate or key invalid (format or content).
    SslInvalid = 761,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 762: certificate or key does not exist.
    SslNotExist = 762,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 763: the name already exists.
    SslExists = 763,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 764: writing the certificate or key failed.
    SslWrite = 764,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 765: another certificate or key is being written.
    SslBusy = 765,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 766: reading the certificate or key failed.
    SslRead = 766,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 767: deleting the certificate or key failed.
    SslDelete = 767,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 768: certificate or key too large.
    SslTooLarge = 768,
    /// ONEMO-RELATED.md §B.4 (SSLM §5.2), 769: loading the certificate or key failed.
    SslLoad = 769,
    /// 27.007 §9.2.1, 3: operation not allowed. The file commands (ONEMO-RELATED.md §C) answer
    /// it to every form they do not implement (`AT+MFOPEN?`, `AT+MFREAD`, `AT+MFSEEK=?`).
    OperationNotAllowed = 3,
    /// 27.007 §9.2.1, 10: SIM not inserted. `AT+CPIN?` while the SIM is out (the test bench's
    /// SIM-removed fault, docs/CONTROL.md).
    SimNotInserted = 10,
    /// A code this crate does not know; kept so nothing is lost.
    Other(u16) = u16::MAX,
}

/// Every known code with its text for `AT+CMEE=2` (English renderings of table 4).
const CME_TABLE: &[(CmeError, &str)] = &[
    (CmeError::ParameterError, "parameter error"),
    (CmeError::FtpUnknown, "FTP unknown error"),
    (CmeError::FtpNotRunning, "FTP not running"),
    (CmeError::FtpRunning, "FTP running"),
    (CmeError::ConnRequest, "FTP connect request error"),
    (CmeError::DiscRequest, "FTP disconnect request error"),
    (CmeError::CwdRequest, "FTP change directory request error"),
    (
        CmeError::PwdRequest,
        "FTP get current directory request error",
    ),
    (CmeError::MkdRequest, "FTP make directory request error"),
    (CmeError::ListRequest, "FTP list request error"),
    (CmeError::DelRequest, "FTP delete request error"),
    (CmeError::RnRequest, "FTP rename request error"),
    (CmeError::RetrRequest, "FTP get file request error"),
    (CmeError::StorRequest, "FTP store file request error"),
    (CmeError::AppeRequest, "FTP append file request error"),
    (CmeError::FsError, "file system error"),
    (CmeError::FileNotExist, "file not exist"),
    (CmeError::FileExists, "file already exists"),
    (CmeError::FileTooLarge, "file too large"),
    (CmeError::MaxOpen, "too many open files"),
    (CmeError::OpenFail, "file open failed"),
    (CmeError::AlreadyOpen, "file already open"),
    (CmeError::WriteFail, "file write failed"),
    (CmeError::ReadFail, "file read failed"),
    (CmeError::ReadOnly, "file is read-only"),
    (CmeError::BadDescriptor, "bad file descriptor"),
    (CmeError::DeleteFail, "file delete failed"),
    (CmeError::ListFail, "file list failed"),
    (CmeError::NoSpace, "no space left"),
    (CmeError::FsTimeout, "file operation timeout"),
    (CmeError::NoNetworkService, "no network service"),
    (CmeError::SslUnknown, "SSL unknown error"),
    (CmeError::SslInit, "SSL init resources failed"),
    (
        CmeError::SslServerCert,
        "SSL server certificate check failed",
    ),
    (CmeError::SslHandshakeTimeout, "SSL handshake timeout"),
    (CmeError::SslHandshake, "SSL handshake failed"),
    (CmeError::SslCertUnknown, "SSL certificate or key unknown"),
    (CmeError::SslInvalid, "SSL certificate or key invalid"),
    (
        CmeError::SslNotExist,
        "SSL certificate or key does not exist",
    ),
    (
        CmeError::SslExists,
        "SSL certificate or key name already exists",
    ),
    (CmeError::SslWrite, "SSL certificate or key write error"),
    (
        CmeError::SslBusy,
        "SSL another certificate or key is being written",
    ),
    (CmeError::SslRead, "SSL certificate or key read error"),
    (CmeError::SslDelete, "SSL certificate or key delete error"),
    (CmeError::SslTooLarge, "SSL certificate or key too large"),
    (CmeError::SslLoad, "SSL certificate or key load failed"),
    (CmeError::OperationNotAllowed, "operation not allowed"),
    (CmeError::SimNotInserted, "SIM not inserted"),
];

impl CmeError {
    /// The number printed after `+CME ERROR: `.
    pub fn code(self) -> u16 {
        match self {
            CmeError::Other(n) => n,
            known => CME_TABLE
                .iter()
                .position(|(c, _)| *c == known)
                .map(|i| CME_NUMBERS[i])
                .unwrap_or(0),
        }
    }

    /// The known variant for `n`, or `Other(n)`.
    pub fn from_code(n: u16) -> CmeError {
        CME_NUMBERS
            .iter()
            .position(|&c| c == n)
            .and_then(|i| CME_TABLE.get(i))
            .map(|(c, _)| *c)
            .unwrap_or(CmeError::Other(n))
    }

    /// The `AT+CMEE=2` text; unknown codes have none.
    pub fn text(self) -> Option<&'static str> {
        CME_TABLE.iter().find(|(c, _)| *c == self).map(|(_, t)| *t)
    }

    /// Reverse of [`CmeError::text`], for a host reading verbose errors.
    pub fn from_text(text: &str) -> Option<CmeError> {
        CME_TABLE
            .iter()
            .find(|(_, t)| t.eq_ignore_ascii_case(text))
            .map(|(c, _)| *c)
    }
}

/// Numbers in the order of [`CME_TABLE`]; kept beside it because a data-carrying `#[repr]`
/// enum cannot be cast with `as`.
const CME_NUMBERS: &[u16] = &[
    50, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813, 1050, 1051, 1052,
    1053, 1054, 1055, 1056, 1057, 1058, 1059, 1060, 1061, 1062, 1063, 1064, 30,
    // §B.4 SSL errors.
    750, 751, 752, 753, 754, 760, 761, 762, 763, 764, 765, 766, 767, 768, 769,
    // §C: the file commands' "operation not allowed".
    3, // SimNotInserted
    10,
];

impl fmt::Display for CmeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(t) => write!(f, "{} ({})", t, self.code()),
            None => write!(f, "CME error {}", self.code()),
        }
    }
}

/// `<result_code>` of the asynchronous `+MFTPxxx:` reports: manual table 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ResultCode {
    /// Table 5, 0: 指令执行成功.
    Success = 0,
    /// Table 5, 1: 指令执行过程中 (in progress).
    InProgress = 1,
    /// Table 5, 2: 未知结果码.
    Unknown = 2,
    /// Table 5, 3: 参数错误.
    ParameterError = 3,
    /// Table 5, 4: 上一条指令未执行结束. The channel is busy with an earlier command.
    Busy = 4,
    /// Table 5, 5: 指令执行超时. No server reply within rsptimeout.
    Timeout = 5,
    /// Table 5, 6: 指令执行错误.
    ExecError = 6,
    /// Table 5, 7: SSL证书校验错误.
    TlsCertificate = 7,
    /// Table 5, 8: 域名解析错误.
    DnsError = 8,
    /// Table 5, 9: 网络连接超时.
    ConnectTimeout = 9,
    /// Table 5, 10: 服务端错误. The server answered 4xx or 5xx.
    ServerError = 10,
    /// Table 5, 11: 网络连接错误.
    NetworkError = 11,
    /// Table 5, 12: 服务端返回数据解析错误.
    BadServerReply = 12,
    /// Table 5, 13: 数据发送错误.
    SendError = 13,
    /// Table 5, 14: 查询指定目录为空.
    EmptyDirectory = 14,
    /// Table 5, 15: 内存申请失败.
    OutOfMemory = 15,
    /// Table 5, 16: 存储空间访问失败.
    StorageAccess = 16,
    /// Table 5, 17: 透传错误.
    TransparentError = 17,
    /// Table 5, 18: 文件操作错误.
    FileError = 18,
    /// Table 5, 19: 请求下载的文件大小为零.
    ZeroSizeFile = 19,
    /// Table 5, 20: PDP未激活.
    PdpInactive = 20,
    /// A code this crate does not know; kept so nothing is lost.
    Other(u16) = u16::MAX,
}

const RESULT_TABLE: [ResultCode; 21] = [
    ResultCode::Success,
    ResultCode::InProgress,
    ResultCode::Unknown,
    ResultCode::ParameterError,
    ResultCode::Busy,
    ResultCode::Timeout,
    ResultCode::ExecError,
    ResultCode::TlsCertificate,
    ResultCode::DnsError,
    ResultCode::ConnectTimeout,
    ResultCode::ServerError,
    ResultCode::NetworkError,
    ResultCode::BadServerReply,
    ResultCode::SendError,
    ResultCode::EmptyDirectory,
    ResultCode::OutOfMemory,
    ResultCode::StorageAccess,
    ResultCode::TransparentError,
    ResultCode::FileError,
    ResultCode::ZeroSizeFile,
    ResultCode::PdpInactive,
];

impl ResultCode {
    /// The number printed in the URC.
    pub fn code(self) -> u16 {
        match self {
            ResultCode::Other(n) => n,
            known => RESULT_TABLE
                .iter()
                .position(|c| *c == known)
                .map(|i| i as u16)
                .unwrap_or(2),
        }
    }

    /// The known variant for `n`, or `Other(n)`.
    pub fn from_code(n: u16) -> ResultCode {
        RESULT_TABLE
            .get(usize::from(n))
            .copied()
            .unwrap_or(ResultCode::Other(n))
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultCode::Other(n) => write!(f, "result {n}"),
            known => write!(f, "{known:?} ({})", known.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cme_codes_round_trip_and_unknown_is_lossless() {
        for n in 0..=2000u16 {
            assert_eq!(CmeError::from_code(n).code(), n);
        }
        assert_eq!(CmeError::from_code(801), CmeError::FtpNotRunning);
        assert_eq!(CmeError::from_code(3), CmeError::OperationNotAllowed);
        assert_eq!(CmeError::from_code(4), CmeError::Other(4));
        assert_eq!(CME_TABLE.len(), CME_NUMBERS.len());
    }

    #[test]
    fn cme_texts_map_back() {
        for (c, t) in CME_TABLE {
            assert_eq!(CmeError::from_text(t), Some(*c));
        }
    }

    #[test]
    fn result_codes_round_trip() {
        for n in 0..=300u16 {
            assert_eq!(ResultCode::from_code(n).code(), n);
        }
        assert_eq!(ResultCode::from_code(20), ResultCode::PdpInactive);
        assert_eq!(ResultCode::from_code(21), ResultCode::Other(21));
    }
}

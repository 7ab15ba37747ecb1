//! The commands this client sends, encoded to bytes.
//!
//! Arguments come from the serial line (file names typed by the firmware), so a CR or LF in a
//! path would let the caller smuggle a second command onto the control connection. Encoding
//! refuses those bytes (and NUL, which servers treat as a terminator) instead of escaping them:
//! FTP has no escape for them.

use std::fmt;
use std::net::{SocketAddr, SocketAddrV4};

/// The representation type of a transfer (RFC 959 §3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferType {
    /// `TYPE A`: the server converts line ends to CRLF on the wire.
    Ascii,
    /// `TYPE I`: bytes as they are.
    Binary,
}

/// One FTP command. Borrowed arguments, so building one costs nothing.
#[derive(Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `USER name`.
    User(&'a str),
    /// `PASS password` (masked in `Debug`/`Display`).
    Pass(&'a str),
    /// `AUTH TLS` (RFC 4217).
    AuthTls,
    /// `PBSZ 0`, required before PROT.
    Pbsz0,
    /// `PROT P`: protect the data connections.
    ProtP,
    /// `TYPE A` / `TYPE I`.
    Type(TransferType),
    /// `PASV`.
    Pasv,
    /// `EPSV` (RFC 2428).
    Epsv,
    /// `PORT h1,h2,h3,h4,p1,p2`.
    Port(SocketAddrV4),
    /// `EPRT |1|addr|port|` or `|2|addr|port|`.
    Eprt(SocketAddr),
    /// `REST offset` (RFC 3659 stream mode restart).
    Rest(u64),
    /// `RETR path`.
    Retr(&'a str),
    /// `STOR path`.
    Stor(&'a str),
    /// `APPE path`.
    Appe(&'a str),
    /// `LIST [path]`.
    List(Option<&'a str>),
    /// `NLST [path]`.
    Nlst(Option<&'a str>),
    /// `MLSD [path]` (RFC 3659).
    Mlsd(Option<&'a str>),
    /// `MLST [path]` (RFC 3659), answered on the control connection.
    Mlst(Option<&'a str>),
    /// `CWD path`.
    Cwd(&'a str),
    /// `CDUP`.
    Cdup,
    /// `PWD`.
    Pwd,
    /// `MKD path`.
    Mkd(&'a str),
    /// `RMD path`.
    Rmd(&'a str),
    /// `DELE path`.
    Dele(&'a str),
    /// `RNFR path`.
    Rnfr(&'a str),
    /// `RNTO path`.
    Rnto(&'a str),
    /// `SIZE path` (RFC 3659).
    Size(&'a str),
    /// `MDTM path` (RFC 3659).
    Mdtm(&'a str),
    /// `ABOR`.
    Abor,
    /// `QUIT`.
    Quit,
    /// `FEAT` (RFC 2389).
    Feat,
    /// `OPTS UTF8 ON`.
    OptsUtf8On,
    /// `NOOP`.
    Noop,
}

/// Why a command cannot be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// An argument holds CR, LF or NUL, which would end the command early.
    #[error("argument of {verb} contains a line break or NUL")]
    ForbiddenByte {
        /// The command whose argument was refused.
        verb: &'static str,
    },
}

impl Command<'_> {
    /// The command verb as sent.
    pub fn verb(&self) -> &'static str {
        match self {
            Self::User(_) => "USER",
            Self::Pass(_) => "PASS",
            Self::AuthTls => "AUTH",
            Self::Pbsz0 => "PBSZ",
            Self::ProtP => "PROT",
            Self::Type(_) => "TYPE",
            Self::Pasv => "PASV",
            Self::Epsv => "EPSV",
            Self::Port(_) => "PORT",
            Self::Eprt(_) => "EPRT",
            Self::Rest(_) => "REST",
            Self::Retr(_) => "RETR",
            Self::Stor(_) => "STOR",
            Self::Appe(_) => "APPE",
            Self::List(_) => "LIST",
            Self::Nlst(_) => "NLST",
            Self::Mlsd(_) => "MLSD",
            Self::Mlst(_) => "MLST",
            Self::Cwd(_) => "CWD",
            Self::Cdup => "CDUP",
            Self::Pwd => "PWD",
            Self::Mkd(_) => "MKD",
            Self::Rmd(_) => "RMD",
            Self::Dele(_) => "DELE",
            Self::Rnfr(_) => "RNFR",
            Self::Rnto(_) => "RNTO",
            Self::Size(_) => "SIZE",
            Self::Mdtm(_) => "MDTM",
            Self::Abor => "ABOR",
            Self::Quit => "QUIT",
            Self::Feat => "FEAT",
            Self::OptsUtf8On => "OPTS",
            Self::Noop => "NOOP",
        }
    }

    /// The argument text, if any (unchecked).
    fn argument(&self) -> Option<String> {
        Some(match self {
            Self::User(s)
            | Self::Pass(s)
            | Self::Retr(s)
            | Self::Stor(s)
            | Self::Appe(s)
            | Self::Cwd(s)
            | Self::Mkd(s)
            | Self::Rmd(s)
            | Self::Dele(s)
            | Self::Rnfr(s)
            | Self::Rnto(s)
            | Self::Size(s)
            | Self::Mdtm(s) => (*s).to_owned(),
            Self::List(s) | Self::Nlst(s) | Self::Mlsd(s) | Self::Mlst(s) => (*s)?.to_owned(),
            Self::AuthTls => "TLS".to_owned(),
            Self::Pbsz0 => "0".to_owned(),
            Self::ProtP => "P".to_owned(),
            Self::Type(TransferType::Ascii) => "A".to_owned(),
            Self::Type(TransferType::Binary) => "I".to_owned(),
            Self::OptsUtf8On => "UTF8 ON".to_owned(),
            Self::Rest(n) => n.to_string(),
            Self::Port(a) => {
                let o = a.ip().octets();
                format!(
                    "{},{},{},{},{},{}",
                    o[0],
                    o[1],
                    o[2],
                    o[3],
                    a.port() >> 8,
                    a.port() & 0xff
                )
            }
            Self::Eprt(SocketAddr::V4(a)) => format!("|1|{}|{}|", a.ip(), a.port()),
            Self::Eprt(SocketAddr::V6(a)) => format!("|2|{}|{}|", a.ip(), a.port()),
            Self::Pasv
            | Self::Epsv
            | Self::Cdup
            | Self::Pwd
            | Self::Abor
            | Self::Quit
            | Self::Feat
            | Self::Noop => return None,
        })
    }

    /// Appends the command with its CRLF to `out`; on error nothing is appended.
    ///
    /// An empty argument is sent as the bare verb (`PASS` with an empty password), which is
    /// what servers accept for an empty password.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), CommandError> {
        let verb = self.verb();
        let arg = self.argument();
        if let Some(a) = &arg {
            if a.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(CommandError::ForbiddenByte { verb });
            }
        }
        out.extend_from_slice(verb.as_bytes());
        if let Some(a) = arg.filter(|a| !a.is_empty()) {
            out.push(b' ');
            out.extend_from_slice(a.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// The encoded command as a new buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CommandError> {
        let mut v = Vec::new();
        self.encode(&mut v)?;
        Ok(v)
    }
}

impl fmt::Display for Command<'_> {
    /// The command as a log line, with the password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.argument()) {
            (Self::Pass(_), _) => write!(f, "PASS ****"),
            (_, Some(a)) => write!(f, "{} {}", self.verb(), a.escape_debug()),
            (_, None) => f.write_str(self.verb()),
        }
    }
}

impl fmt::Debug for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(c: Command<'_>) -> String {
        String::from_utf8(c.to_bytes().unwrap()).unwrap()
    }

    #[test]
    fn encodings() {
        assert_eq!(s(Command::User("uftp")), "USER uftp\r\n");
        assert_eq!(s(Command::Pass("")), "PASS\r\n");
        assert_eq!(s(Command::AuthTls), "AUTH TLS\r\n");
        assert_eq!(s(Command::Pbsz0), "PBSZ 0\r\n");
        assert_eq!(s(Command::ProtP), "PROT P\r\n");
        assert_eq!(s(Command::Type(TransferType::Binary)), "TYPE I\r\n");
        assert_eq!(s(Command::Type(TransferType::Ascii)), "TYPE A\r\n");
        assert_eq!(s(Command::Rest(12345)), "REST 12345\r\n");
        assert_eq!(s(Command::List(None)), "LIST\r\n");
        assert_eq!(s(Command::Mlsd(Some("a b"))), "MLSD a b\r\n");
        assert_eq!(s(Command::OptsUtf8On), "OPTS UTF8 ON\r\n");
        assert_eq!(
            s(Command::Port("192.168.1.2:1027".parse().unwrap())),
            "PORT 192,168,1,2,4,3\r\n"
        );
        assert_eq!(
            s(Command::Eprt("[::1]:5282".parse().unwrap())),
            "EPRT |2|::1|5282|\r\n"
        );
        assert_eq!(
            s(Command::Eprt("127.0.0.1:21".parse().unwrap())),
            "EPRT |1|127.0.0.1|21|\r\n"
        );
        assert_eq!(s(Command::Rnto("/x/ü.txt")), "RNTO /x/ü.txt\r\n");
    }

    #[test]
    fn injection_is_refused() {
        for bad in ["a\r\nDELE b", "a\nb", "a\rb", "a\0b"] {
            let mut out = b"keep".to_vec();
            assert_eq!(
                Command::Retr(bad).encode(&mut out),
                Err(CommandError::ForbiddenByte { verb: "RETR" })
            );
            assert_eq!(out, b"keep");
        }
        assert!(Command::List(Some("x\n")).to_bytes().is_err());
        assert!(Command::Pass("p\r\nQUIT").to_bytes().is_err());
    }

    #[test]
    fn password_is_masked() {
        assert_eq!(Command::Pass("secret").to_string(), "PASS ****");
        assert_eq!(format!("{:?}", Command::Pass("secret")), "PASS ****");
    }

    proptest! {
        #[test]
        fn encoded_command_is_one_line(arg in ".{0,40}") {
            if let Ok(bytes) = Command::Stor(&arg).to_bytes() {
                prop_assert!(bytes.ends_with(b"\r\n"));
                let body = &bytes[..bytes.len() - 2];
                prop_assert!(!body.iter().any(|&b| b == b'\r' || b == b'\n'));
            } else {
                prop_assert!(arg.contains(['\r', '\n', '\0']));
            }
        }
    }
}

//! The client's error type and the one-to-one classification the device maps to the module's
//! result codes (manual table 5).

use std::io;
use std::time::Duration;

use crate::command::CommandError;
use crate::list::{ListError, ListingLimitError};
use crate::reply::{Reply, ReplyError};

/// Which module result code an error stands for. The device maps each class to exactly one
/// code; the numbers in the variant docs are the mapping the manual implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// No reply (or no data-connection progress) within the channel's rsptimeout: result 5.
    Timeout,
    /// The server's TLS certificate did not verify: result 7.
    Certificate,
    /// The host name did not resolve: result 8.
    Resolve,
    /// The TCP connect (control or data) did not complete in time: result 9.
    ConnectTimeout,
    /// The server answered 4xx/5xx: result 10.
    ServerReply,
    /// Refused, reset or closed connection, TLS failure other than the certificate: result 11.
    Connection,
    /// The server's bytes are not a reply we can understand, or a listing is garbage: result 12.
    Unparseable,
    /// Writing to the server failed: result 13.
    Send,
    /// The caller's argument cannot be sent (CR/LF/NUL in a path): a parameter error for the
    /// device (the AT layer's "invalid parameter"), never a network result.
    InvalidInput,
    /// The TLS configuration is unusable (bad PEM, key not matching, no version left): the
    /// device decides; result 7 is the nearest module code.
    TlsConfig,
}

/// Why an answer from the server could not be understood (result 12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The control connection's bytes are not a reply.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// A reply with a code that makes no sense at this point (e.g. `2xx` to RETR without a
    /// preliminary reply, or `1xx` to PWD).
    #[error("unexpected reply to {command}: {reply}")]
    Unexpected {
        /// The command that was answered.
        command: &'static str,
        /// The reply.
        reply: Reply,
    },
    /// A positive reply whose data (PASV address, EPSV port, 257 path, SIZE) is missing.
    #[error("cannot decode reply to {command}: {reply}")]
    Undecodable {
        /// The command that was answered.
        command: &'static str,
        /// The reply.
        reply: Reply,
    },
    /// Bytes arrived between `234` and the TLS handshake: a plaintext injection attempt.
    #[error("server sent data before the TLS handshake")]
    DataBeforeTls,
    /// A listing where no line could be parsed.
    #[error(transparent)]
    Listing(#[from] ListError),
    /// A listing over its size limits.
    #[error(transparent)]
    ListingLimit(#[from] ListingLimitError),
}

/// Everything that can go wrong in a session.
#[derive(Debug, thiserror::Error)]
pub enum FtpError {
    /// No reply within `reply_timeout` (or no data for that long): the session is unusable.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, &'static str),
    /// The server's certificate was rejected.
    #[error("server certificate rejected: {0}")]
    Certificate(#[source] rustls::Error),
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {reason}")]
    Resolve {
        /// The name as given.
        host: String,
        /// The resolver's message.
        reason: String,
    },
    /// A TCP connect did not complete within `connect_timeout`.
    #[error("connect to {0} timed out")]
    ConnectTimeout(String),
    /// The server refused a command with a 4xx/5xx reply (or asked for ACCT, which is not
    /// supported). The session stays usable.
    #[error("{command} refused: {reply}")]
    Refused {
        /// The command that was refused.
        command: &'static str,
        /// The reply.
        reply: Reply,
    },
    /// Connecting failed, or the connection broke (reset, refused, EOF while reading).
    #[error("connection error: {0}")]
    Connection(#[source] io::Error),
    /// The server closed the control connection, with its last reply if it sent one (an idle
    /// `421`). The session is unusable.
    #[error("server closed the connection{}", .0.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Closed(Option<Reply>),
    /// The TLS handshake failed for a reason other than the certificate.
    #[error("TLS error: {0}")]
    Tls(#[source] io::Error),
    /// The server's answer is not understood.
    #[error("unparseable server reply: {0}")]
    Protocol(#[from] ProtocolError),
    /// Writing to the server failed.
    #[error("send error: {0}")]
    Send(#[source] io::Error),
    /// An argument cannot be encoded into a command.
    #[error(transparent)]
    InvalidArgument(#[from] CommandError),
    /// The TLS options cannot be turned into a configuration.
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// An earlier error left the control connection out of step; reconnect.
    #[error("session unusable after an earlier error")]
    Broken,
}

impl FtpError {
    /// The class the device maps to a result code.
    pub fn result_class(&self) -> ErrorClass {
        match self {
            Self::Timeout(..) => ErrorClass::Timeout,
            Self::Certificate(_) => ErrorClass::Certificate,
            Self::Resolve { .. } => ErrorClass::Resolve,
            Self::ConnectTimeout(_) => ErrorClass::ConnectTimeout,
            Self::Refused { .. } => ErrorClass::ServerReply,
            Self::Connection(_) | Self::Closed(_) | Self::Tls(_) | Self::Broken => {
                ErrorClass::Connection
            }
            Self::Protocol(_) => ErrorClass::Unparseable,
            Self::Send(_) => ErrorClass::Send,
            Self::InvalidArgument(_) => ErrorClass::InvalidInput,
            Self::TlsConfig(_) => ErrorClass::TlsConfig,
        }
    }

    /// The server's reply, for errors that carry one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Self::Refused { reply, .. } => Some(reply),
            Self::Closed(r) => r.as_ref(),
            Self::Protocol(
                ProtocolError::Unexpected { reply, .. } | ProtocolError::Undecodable { reply, .. },
            ) => Some(reply),
            _ => None,
        }
    }

    /// Whether the session can take further commands after this error: a refusal by the
    /// server, an argument refused before sending, and a complete reply (or listing) whose
    /// content could not be decoded leave the control connection in step; everything else
    /// (timeouts, broken connections, malformed or unexpected replies) does not.
    pub fn session_survives(&self) -> bool {
        matches!(
            self,
            Self::Refused { .. }
                | Self::InvalidArgument(_)
                | Self::Protocol(ProtocolError::Undecodable { .. } | ProtocolError::Listing(_))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::ReplyCode;

    #[test]
    fn classes() {
        let reply = Reply {
            code: ReplyCode::new(550).unwrap(),
            lines: vec!["no".into()],
        };
        let refused = FtpError::Refused {
            command: "RETR",
            reply: reply.clone(),
        };
        assert_eq!(refused.result_class(), ErrorClass::ServerReply);
        assert!(refused.session_survives());
        assert_eq!(refused.reply(), Some(&reply));
        assert_eq!(refused.to_string(), "RETR refused: 550 no");
        let closed = FtpError::Closed(Some(reply));
        assert_eq!(closed.result_class(), ErrorClass::Connection);
        assert!(!closed.session_survives());
        assert_eq!(
            FtpError::Timeout(Duration::from_secs(1), "reply").result_class(),
            ErrorClass::Timeout
        );
        assert_eq!(
            FtpError::from(ProtocolError::DataBeforeTls).result_class(),
            ErrorClass::Unparseable
        );
        assert_eq!(
            FtpError::Send(io::ErrorKind::BrokenPipe.into()).result_class(),
            ErrorClass::Send
        );
    }
}

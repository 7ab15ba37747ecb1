//! [`ParseError`]: why a line could not be read, on either side of the wire.

use crate::syntax::SyntaxError;

/// Why a line could not be read. The device answers [`ParseError::Unknown`] with `ERROR` and
/// [`ParseError::NotAllowed`] with `+CME ERROR: 3` and the rest with `+CME ERROR: 50` (NOTES
/// "Errors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The line does not start with `AT`/`at`.
    #[error("no AT prefix")]
    NoPrefix,
    /// A command or response name this module does not have.
    #[error("unknown command")]
    Unknown,
    /// A known command with a missing, extra, malformed or out-of-range parameter.
    #[error("parameter error")]
    Param,
    /// The field list itself is malformed.
    #[error("syntax error: {0}")]
    Syntax(SyntaxError),
    /// A known command in a form it does not have: the file commands answer `+CME ERROR: 3`
    /// to it (ONEMO-RELATED.md §C: `AT+MFOPEN?`, `AT+MFREAD`, `AT+MFSEEK=?`).
    #[error("form not allowed")]
    NotAllowed,
}

//! The local file names the module accepts as typed in an AT command: one rule for the file
//! commands (`AT+MFPUT`, `AT+MFOPEN`, ...) and for the local file of `AT+MFTPRETR`,
//! `AT+MFTPSTOR` and `AT+MFTPAPPE` with `local_fs` 1, so a name one accepts the other does too.
//!
//! The rule, and where it comes from (ONEMO-RELATED.md §C.1, X-mftp RETR ids 14, 20-23):
//! - at most [`NAME_MAX`] = 128 bytes, path included (`FS_FILENAME_MAX_LEN`);
//! - bare relative names (`test1.txt`, `dir/sub/file.txt`, 64×`a`) and absolute ones
//!   (`/usr/test.txt`) both work;
//! - `test_@*%$.txt` and `中文.txt` are refused. The testers did not say which character
//!   is at fault, so the rule is the portable file-name set of POSIX (letters, digits, `.`,
//!   `_`, `-`) plus the `/` separator: everything the testers expect to work passes, both
//!   refused names fail, and so do spaces, quotes, `\`, control bytes and non-ASCII text.
//!
//! A refused name is `+CME ERROR: 50` (§C.1: "a longer or unparsable name → 50") and touches
//! nothing. The sandbox's own checks (`..` above `/`, links, the reserved temp directory) still
//! apply after this one.

use thiserror::Error;

/// Longest name, path included, in bytes (§C.1 `FS_FILENAME_MAX_LEN`).
pub const NAME_MAX: usize = 128;

/// Why a typed local file name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NameError {
    /// Empty: names nothing.
    #[error("empty file name")]
    Empty,
    /// Longer than [`NAME_MAX`] bytes.
    #[error("file name longer than {NAME_MAX} bytes")]
    TooLong,
    /// A character outside letters, digits, `.`, `_`, `-` and `/`.
    #[error("file name holds {0:?}, which the module refuses")]
    Character(char),
}

impl NameError {
    /// The `+CME ERROR` code: 50 for every case (§C.1).
    pub fn cme_code(&self) -> u16 {
        50
    }
}

/// Checks a local file name as typed in an AT command (see the module docs for the rule).
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > NAME_MAX {
        return Err(NameError::TooLong);
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
    {
        Some(c) => Err(NameError::Character(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_testers_expect_to_work_pass() {
        // X-mftp: bare relative names, a nested path, 64×a, and the manual's `/usr/test.txt`.
        for ok in [
            "test1.txt",
            "dir/sub/file.txt",
            &"a".repeat(64),
            "/usr/test.txt",
            "/usr/testESC.txt",
            "1000.txt",
            "/usr/",
            "a-b_c.d",
            &"b".repeat(NAME_MAX),
        ] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn the_names_testers_expect_to_fail_are_refused() {
        assert_eq!(check_name("test_@*%$.txt"), Err(NameError::Character('@')));
        assert_eq!(check_name("中文.txt"), Err(NameError::Character('中')));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(
            check_name(&"b".repeat(NAME_MAX + 1)),
            Err(NameError::TooLong)
        );
        for bad in ["a b", "a\"b", "a\\b", "a\u{1b}", "a\r", "a,b", "a:b", "a*"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(NameError::TooLong.cme_code(), 50);
    }
}

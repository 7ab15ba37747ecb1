//! Typed reading of a field list, with the range checks of the manual. Every failure here is
//! `+CME ERROR: 50` on the device side.

use crate::error::ParseError;
use crate::syntax::Param;
use crate::types::ChannelId;
use alloc::string::String;
use alloc::vec::Vec;

/// Strings of the manual are "最大长度255" unless a command says otherwise.
pub const MAX_STRING: usize = 255;

/// A cursor over the fields of one line.
pub(crate) struct Args<'a> {
    params: &'a [Param],
    next: usize,
}

impl<'a> Args<'a> {
    pub(crate) fn new(params: &'a [Param]) -> Self {
        Args { params, next: 0 }
    }

    fn take(&mut self) -> Option<&'a Param> {
        let p = self.params.get(self.next);
        self.next += 1;
        p
    }

    /// True when the next field is absent or empty: an omitted optional parameter.
    pub(crate) fn next_is_absent(&self) -> bool {
        matches!(self.params.get(self.next), None | Some(Param::Empty))
    }

    /// True when no field is left at all.
    pub(crate) fn at_end(&self) -> bool {
        self.next >= self.params.len()
    }

    pub(crate) fn peek(&self) -> Option<&'a Param> {
        self.params.get(self.next)
    }

    pub(crate) fn int(&mut self, lo: u64, hi: u64) -> Result<u64, ParseError> {
        match self.take() {
            Some(Param::Int(n)) if (lo..=hi).contains(n) => Ok(*n),
            _ => Err(ParseError::Param),
        }
    }

    pub(crate) fn opt_int(&mut self, lo: u64, hi: u64) -> Result<Option<u64>, ParseError> {
        if self.next_is_absent() {
            self.next += 1;
            return Ok(None);
        }
        self.int(lo, hi).map(Some)
    }

    pub(crate) fn u8_in(&mut self, lo: u8, hi: u8) -> Result<u8, ParseError> {
        self.int(u64::from(lo), u64::from(hi)).map(|n| n as u8)
    }

    pub(crate) fn channel(&mut self) -> Result<ChannelId, ParseError> {
        let n = self.u8_in(0, 5)?;
        ChannelId::new(n).ok_or(ParseError::Param)
    }

    /// A quoted field of `min..=max` bytes. CR and LF are refused: a line holding one cannot
    /// be written back as one line, and a name holding one would carry a second command into
    /// the FTP control connection (`CWD a\r\nDELE b`).
    pub(crate) fn bytes(&mut self, min: usize, max: usize) -> Result<Vec<u8>, ParseError> {
        match self.take() {
            Some(Param::Str(s))
                if (min..=max).contains(&s.len())
                    && !s.iter().any(|b| matches!(b, b'\r' | b'\n')) =>
            {
                Ok(s.clone())
            }
            _ => Err(ParseError::Param),
        }
    }

    /// A UTF-8 string of 1..=max bytes (an empty name is never meaningful), its `\XX`
    /// escapes decoded (`crate::escape`), so a name the module printed escaped can be passed
    /// back as printed.
    pub(crate) fn string(&mut self, max: usize) -> Result<String, ParseError> {
        self.text(1, max)
    }

    pub(crate) fn opt_string(&mut self, max: usize) -> Result<Option<String>, ParseError> {
        if self.next_is_absent() {
            self.next += 1;
            return Ok(None);
        }
        self.string(max).map(Some)
    }

    /// Like [`Args::opt_string`] but an empty quoted string `""` is kept as `Some("")`:
    /// a password may be empty.
    pub(crate) fn opt_string_allow_empty(
        &mut self,
        max: usize,
    ) -> Result<Option<String>, ParseError> {
        if self.next_is_absent() {
            self.next += 1;
            return Ok(None);
        }
        self.text(0, max).map(Some)
    }

    /// A quoted field decoded to UTF-8 text of `min..=max` bytes (counted after decoding).
    /// CR and LF are refused after decoding too, for the reasons of [`Args::bytes`].
    fn text(&mut self, min: usize, max: usize) -> Result<String, ParseError> {
        let Some(Param::Str(raw)) = self.take() else {
            return Err(ParseError::Param);
        };
        let b = crate::escape::unescape(raw);
        if !(min..=max).contains(&b.len()) || b.iter().any(|c| matches!(c, b'\r' | b'\n')) {
            return Err(ParseError::Param);
        }
        String::from_utf8(b).map_err(|_| ParseError::Param)
    }

    /// Every field not yet read, consumed at once (a command whose field count selects its form).
    pub(crate) fn rest(&mut self) -> &'a [Param] {
        let rest = self.params.get(self.next..).unwrap_or_default();
        self.next = self.params.len();
        rest
    }

    /// Fails unless every field has been consumed; trailing empty fields are tolerated.
    pub(crate) fn end(&self) -> Result<(), ParseError> {
        if self.params[self.next.min(self.params.len())..]
            .iter()
            .all(|p| *p == Param::Empty)
        {
            Ok(())
        } else {
            Err(ParseError::Param)
        }
    }
}

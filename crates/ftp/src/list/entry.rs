//! What every listing parser produces: one [`Entry`] per listed name, whatever the format, and
//! the line parsers' own verdict ([`Parsed`]). Its own file so that the parsers and the streaming
//! parser depend on it, not on the module that dispatches to them.

use crate::time::Timestamp;

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (its target, when the listing shows it, is in `link_target`).
    Link,
    /// Anything else: devices, sockets, pipes, unknown MLSD types.
    Other,
}

/// One directory entry, whatever the listing format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as the server sent it (never `.` or `..`).
    pub name: String,
    /// File, directory, link or other.
    pub kind: EntryKind,
    /// Size in bytes, where the listing gives one.
    pub size: Option<u64>,
    /// Modification time, where the listing gives one. MLSD times are UTC; Unix and DOS
    /// listings give the server's local time, taken as is.
    pub modified: Option<Timestamp>,
    /// The owner's permission triplet, three characters of `r`/`w`/`x`/`-` (e.g. `"rw-"`);
    /// empty when the listing says nothing about permissions (DOS lines, MLSD without `perm`
    /// and `UNIX.mode`).
    pub perm: String,
    /// The target of a symbolic link, where the listing shows it (`name -> target`).
    pub link_target: Option<String>,
}

/// What a line parser found.
#[derive(Debug)]
pub(super) enum Parsed {
    /// A real entry.
    Entry(Entry),
    /// A well-formed line that is not listed: `.`, `..`, MLSD `cdir`/`pdir`.
    Skip,
}

impl Parsed {
    pub(super) fn entry(self) -> Option<Entry> {
        match self {
            Self::Entry(e) => Some(e),
            Self::Skip => None,
        }
    }
}

/// Builds the result of a parser, dropping `.` and `..`.
pub(super) fn entry_or_skip(e: Entry) -> Parsed {
    if e.name == "." || e.name == ".." {
        Parsed::Skip
    } else {
        Parsed::Entry(e)
    }
}

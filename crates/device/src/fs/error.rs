//! Errors of the local file system, each mapping to exactly one `+CME ERROR` code of the vendor's
//! file commands, so the engine never has to guess what the module would have said.

use std::io;
use std::path::PathBuf;

use rustix::io::Errno;
use thiserror::Error;

use super::path::PathError;

/// What was asked of one of the module's own directories ([`FsError::OwnDirectory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// `AT+MFDELETE`.
    Delete,
    /// `AT+MFMOVE`, the directory as the source.
    Move,
    /// A write (`AT+MFPUT`, a download into the module) naming the directory as its file.
    Replace,
}

/// Why a file system operation failed. Paths are module paths (`/usr/test.txt`), never host paths,
/// so a message can be shown to the module's user without leaking the host layout.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FsError {
    /// The path string was refused before the host was touched (empty, NUL, too long, `..` above
    /// `/`, the reserved temp directory): the module's generic 1050.
    #[error("invalid path: {0}")]
    InvalidPath(#[from] PathError),
    /// A component is a symbolic link. The module cannot make links, so one was planted on the
    /// host; it is never followed, whatever it points at (1050).
    #[error("{path}: symbolic link refused")]
    Symlink {
        /// Module path of the link.
        path: String,
    },
    /// The host tree is deeper than a walk may descend (1050).
    #[error("{path}: directory tree too deep")]
    TooDeep {
        /// Module path of the directory where the walk stopped.
        path: String,
    },
    /// A directory cannot be moved below itself (1050).
    #[error("{path}: cannot move a directory into itself")]
    IntoItself {
        /// Module path of the directory.
        path: String,
    },
    /// The sandbox root could not be created or opened (1050).
    #[error("sandbox root {root}: {source}")]
    RootUnavailable {
        /// Host path of the root, only ever shown to the operator starting the service.
        root: PathBuf,
        /// The host's error.
        source: io::Error,
    },
    /// At start-up, a directory the module needs (`/usr`, the temp directory) could not be made
    /// usable: the host path and the host's own reason, for the operator (1050).
    #[error("{path}: {source}")]
    Damaged {
        /// Host path of the directory.
        path: PathBuf,
        /// The host's error.
        source: io::Error,
    },
    /// `.` or `..` follows a name that is not an existing directory (`/usr/a.txt/..`): the path
    /// names nothing real. §C.1 "a name that cannot be mapped to a real path → 50".
    #[error("{path}: not a directory, so `.` or `..` cannot follow it")]
    Unresolvable {
        /// Module path of the name that is not a directory.
        path: String,
    },
    /// One of the module's own directories (`/`, `/usr`) was to be deleted, moved or replaced
    /// by a file: refused with that command's failure code from §C.3 (MFDELETE 1061, MFMOVE
    /// 1051, MFPUT "open failure" 1055).
    #[error("{path}: the module's own directory cannot be {}", match action {
        Guarded::Delete => "deleted",
        Guarded::Move => "moved",
        Guarded::Replace => "replaced",
    })]
    OwnDirectory {
        /// Module path of the directory.
        path: String,
        /// What was asked of it.
        action: Guarded,
    },
    /// Any other host failure outside reading, writing, deleting and listing (1050).
    #[error("{path}: {source}")]
    Io {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// No such file or directory (1051).
    #[error("{path}: not found")]
    NotFound {
        /// Module path concerned.
        path: String,
    },
    /// The target of a move already exists (1052).
    #[error("{path}: already exists")]
    Exists {
        /// Module path concerned.
        path: String,
    },
    /// The file is bigger than the caller can take (1053).
    #[error("{path}: {size} bytes, more than {max}")]
    TooLarge {
        /// Module path concerned.
        path: String,
        /// Size of the file.
        size: u64,
        /// Largest size the caller accepts.
        max: u64,
    },
    /// Too many writes in progress, or the host ran out of descriptors (1054).
    #[error("too many open files")]
    MaxOpen,
    /// The path names a directory where a file is needed (1055).
    #[error("{path}: is a directory")]
    IsDirectory {
        /// Module path concerned.
        path: String,
    },
    /// The path names a FIFO, socket or device planted on the host, which is never opened (1055).
    #[error("{path}: not a regular file")]
    NotAFile {
        /// Module path concerned.
        path: String,
    },
    /// A write needs a directory where a file sits (1055).
    #[error("{path}: parent is not a directory")]
    ParentNotDirectory {
        /// Module path of the file in the way.
        path: String,
    },
    /// Opening the file failed on the host for another reason (1055).
    #[error("{path}: open failed: {source}")]
    OpenFailed {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// Another write to the same file is in progress (1056).
    #[error("{path}: already open for writing")]
    AlreadyOpen {
        /// Module path concerned.
        path: String,
    },
    /// The host failed a write (1057).
    #[error("{path}: write failed: {source}")]
    WriteFailed {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// The host failed a read (1058).
    #[error("{path}: read failed: {source}")]
    ReadFailed {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// The host refused permission, or the root `/` itself was to be written, deleted or moved
    /// (1059).
    #[error("{path}: read-only")]
    ReadOnly {
        /// Module path concerned.
        path: String,
    },
    /// A directory to delete is not empty (1061).
    #[error("{path}: directory not empty")]
    NotEmpty {
        /// Module path concerned.
        path: String,
    },
    /// The host failed a delete (1061).
    #[error("{path}: delete failed: {source}")]
    DeleteFailed {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// `AT+MFLIST` named a file, not a directory (1062).
    #[error("{path}: not a directory")]
    NotADirectory {
        /// Module path concerned.
        path: String,
    },
    /// A listing would exceed its bound (1062).
    #[error("more than {max} entries to list")]
    TooManyEntries {
        /// The bound.
        max: usize,
    },
    /// The host failed reading a directory (1062).
    #[error("{path}: list failed: {source}")]
    ListFailed {
        /// Module path concerned.
        path: String,
        /// The host's error.
        source: io::Error,
    },
    /// The write would take the module's file system past its capacity (1063).
    #[error("no space: {needed} more bytes needed, {free} free")]
    NoSpace {
        /// Bytes the refused write asked for.
        needed: u64,
        /// Bytes free when it asked.
        free: u64,
    },
    /// The name as typed breaks the module's rule for local file names (50, §C.1).
    #[error("invalid file name: {0}")]
    BadName(#[from] super::name::NameError),
    /// The host's own disk or quota is full, below the module's capacity (1063).
    #[error("{path}: host disk full")]
    DiskFull {
        /// Module path concerned.
        path: String,
    },
}

impl FsError {
    /// The `+CME ERROR` code the module answers with: 50 or 1050-1064 (§C.2). 1060 (bad
    /// descriptor) and 1064 (timeout) are never produced here: handles are the engine's, and the
    /// sandbox never waits.
    pub fn cme_code(&self) -> u16 {
        match self {
            FsError::Unresolvable { .. } | FsError::BadName(_) => 50,
            FsError::OwnDirectory { action, .. } => match action {
                Guarded::Delete => 1061,
                Guarded::Move => 1051,
                Guarded::Replace => 1055,
            },
            FsError::InvalidPath(_)
            | FsError::Symlink { .. }
            | FsError::TooDeep { .. }
            | FsError::IntoItself { .. }
            | FsError::RootUnavailable { .. }
            | FsError::Damaged { .. }
            | FsError::Io { .. } => 1050,
            FsError::NotFound { .. } => 1051,
            FsError::Exists { .. } => 1052,
            FsError::TooLarge { .. } => 1053,
            FsError::MaxOpen => 1054,
            FsError::IsDirectory { .. }
            | FsError::NotAFile { .. }
            | FsError::ParentNotDirectory { .. }
            | FsError::OpenFailed { .. } => 1055,
            FsError::AlreadyOpen { .. } => 1056,
            FsError::WriteFailed { .. } => 1057,
            FsError::ReadFailed { .. } => 1058,
            FsError::ReadOnly { .. } => 1059,
            FsError::NotEmpty { .. } | FsError::DeleteFailed { .. } => 1061,
            FsError::NotADirectory { .. }
            | FsError::TooManyEntries { .. }
            | FsError::ListFailed { .. } => 1062,
            FsError::NoSpace { .. } | FsError::DiskFull { .. } => 1063,
        }
    }

    /// Recovers the typed error from an `io::Error` returned by
    /// [`AtomicWriter`](super::AtomicWriter)'s `std::io::Write` impl, so a caller using
    /// `io::copy` still gets the right code; any other `io::Error` becomes a write failure.
    pub fn from_write_error(err: io::Error, path: &str) -> FsError {
        if err.get_ref().is_some_and(|inner| inner.is::<FsError>()) {
            if let Some(inner) = err.into_inner() {
                if let Ok(fs) = inner.downcast::<FsError>() {
                    return *fs;
                }
            }
            return FsError::WriteFailed {
                path: path.to_owned(),
                source: io::Error::other("write failed"),
            };
        }
        FsError::WriteFailed {
            path: path.to_owned(),
            source: err,
        }
    }
}

/// Which kind of operation a host error interrupted: decides the code of failures that have no
/// more specific meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Open,
    Read,
    Write,
    Delete,
    List,
    Other,
}

/// Maps a host errno met during `op` on `path` to the error the module would report.
pub(crate) fn from_errno(err: Errno, op: Op, path: &str) -> FsError {
    let path = path.to_owned();
    match err {
        Errno::NOENT => FsError::NotFound { path },
        Errno::LOOP => FsError::Symlink { path },
        Errno::ISDIR => FsError::IsDirectory { path },
        Errno::EXIST => FsError::Exists { path },
        Errno::NOTEMPTY => FsError::NotEmpty { path },
        Errno::NOSPC | Errno::DQUOT => FsError::DiskFull { path },
        Errno::ROFS | Errno::ACCESS | Errno::PERM => FsError::ReadOnly { path },
        Errno::MFILE | Errno::NFILE => FsError::MaxOpen,
        Errno::NXIO => FsError::NotAFile { path },
        other => {
            let source = io::Error::from(other);
            match op {
                Op::Open => FsError::OpenFailed { path, source },
                Op::Read => FsError::ReadFailed { path, source },
                Op::Write => FsError::WriteFailed { path, source },
                Op::Delete => FsError::DeleteFailed { path, source },
                Op::List => FsError::ListFailed { path, source },
                Op::Other => FsError::Io { path, source },
            }
        }
    }
}

/// Maps a `std::io::Error` from reading or writing an open file.
pub(crate) fn from_io(err: io::Error, op: Op, path: &str) -> FsError {
    match err.raw_os_error() {
        Some(code) => from_errno(Errno::from_raw_os_error(code), op, path),
        None => {
            let path = path.to_owned();
            match op {
                Op::Read => FsError::ReadFailed { path, source: err },
                Op::Write => FsError::WriteFailed { path, source: err },
                Op::Open => FsError::OpenFailed { path, source: err },
                Op::Delete => FsError::DeleteFailed { path, source: err },
                Op::List => FsError::ListFailed { path, source: err },
                Op::Other => FsError::Io { path, source: err },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping_gives_the_module_codes() {
        let cases = [
            (Errno::NOENT, Op::Read, 1051),
            (Errno::EXIST, Op::Other, 1052),
            (Errno::MFILE, Op::Open, 1054),
            (Errno::ISDIR, Op::Open, 1055),
            (Errno::NXIO, Op::Open, 1055),
            (Errno::IO, Op::Open, 1055),
            (Errno::IO, Op::Write, 1057),
            (Errno::IO, Op::Read, 1058),
            (Errno::ROFS, Op::Write, 1059),
            (Errno::ACCESS, Op::Delete, 1059),
            (Errno::NOTEMPTY, Op::Delete, 1061),
            (Errno::IO, Op::Delete, 1061),
            (Errno::IO, Op::List, 1062),
            (Errno::NOSPC, Op::Write, 1063),
            (Errno::DQUOT, Op::Write, 1063),
            (Errno::IO, Op::Other, 1050),
            (Errno::LOOP, Op::Read, 1050),
        ];
        for (errno, op, code) in cases {
            assert_eq!(
                from_errno(errno, op, "/x").cme_code(),
                code,
                "{errno:?} {op:?}"
            );
        }
    }

    #[test]
    fn write_errors_round_trip_through_io() {
        let original = FsError::NoSpace { needed: 5, free: 1 };
        let io_err = io::Error::other(original);
        let back = FsError::from_write_error(io_err, "/x");
        assert!(matches!(back, FsError::NoSpace { needed: 5, free: 1 }));
        let plain = FsError::from_write_error(io::Error::other("socket closed"), "/x");
        assert_eq!(plain.cme_code(), 1057);
    }

    #[test]
    fn every_code_is_in_the_file_range() {
        let samples = [
            FsError::InvalidPath(PathError::Escape),
            FsError::MaxOpen,
            FsError::TooManyEntries { max: 1 },
            FsError::NoSpace { needed: 1, free: 0 },
        ];
        for e in samples {
            assert!((1050..=1064).contains(&e.cme_code()));
        }
        let own = |action| FsError::OwnDirectory {
            path: "/usr".into(),
            action,
        };
        assert_eq!(own(Guarded::Delete).cme_code(), 1061);
        assert_eq!(own(Guarded::Move).cme_code(), 1051);
        assert_eq!(own(Guarded::Replace).cme_code(), 1055);
        let dots = FsError::Unresolvable {
            path: "/usr/a.txt".into(),
        };
        assert_eq!(dots.cme_code(), 50);
    }
}

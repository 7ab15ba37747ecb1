//! What the user typed, resolved into a [`ModulePath`] with `.` and `..` taken against the real
//! tree, one component at a time, as a POSIX file system does.
//!
//! Applied as text, `..` after a file name removes the file name: `/usr/a.txt/..` became `/usr`,
//! and `AT+MFMOVE="/usr/a.txt/..","/old"` moved all of `/usr`; `/usr/ok.txt/.` read the file.
//! Here a `.` or `..` is only accepted after a name that is an existing directory (walked with
//! the sandbox's usual no-link rules), so such a path names nothing and is refused
//! ([`FsError::Unresolvable`], 50 per §C.1). The sandbox guarantees do not depend on this: a
//! `..` above `/` is still refused, and the result is still plain names below the root.

use std::os::fd::BorrowedFd;

use super::error::FsError;
use super::path::{split, ModulePath, PathError, Step, MAX_DEPTH};
use super::walk::{open_dir, Want};

/// Resolves `input` below `root`. The directories checked may change after this returns; that
/// can only make the later operation fail or act on another name below the root, never leave it.
pub(crate) fn resolve(root: BorrowedFd<'_>, input: &str) -> Result<ModulePath, FsError> {
    let mut parts: Vec<String> = Vec::new();
    // How many leading names of `parts` are known to be a directory: each prefix is walked once.
    let mut known = 0;
    for step in split(input)? {
        match step {
            Step::Name(name) => parts.push(name.to_owned()),
            Step::Here | Step::Up => {
                if parts.len() > known {
                    must_be_dir(root, &parts)?;
                    known = parts.len();
                }
                if step == Step::Up {
                    if parts.pop().is_none() {
                        return Err(PathError::Escape.into());
                    }
                    known = parts.len();
                }
            }
        }
    }
    Ok(ModulePath::from_parts(parts)?)
}

/// Checks that `parts` names an existing directory; a missing name or a file on the way makes
/// the path unresolvable.
fn must_be_dir(root: BorrowedFd<'_>, parts: &[String]) -> Result<(), FsError> {
    // No directory deeper than this can be made through the module; do not walk further.
    if parts.len() > MAX_DEPTH {
        return Err(PathError::TooDeep.into());
    }
    match open_dir(root, parts, Want::Lookup) {
        Ok(_) => Ok(()),
        Err(FsError::NotFound { path }) => Err(FsError::Unresolvable { path }),
        Err(e) => Err(e),
    }
}

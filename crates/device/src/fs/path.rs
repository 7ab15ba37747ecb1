//! Module paths: the names a user types in `AT+MFPUT` and friends, checked and normalised before
//! anything touches the host, so the rest of the sandbox only ever sees plain names.

use std::fmt;

use thiserror::Error;

/// Longest single name, in bytes: what littlefs-style flash file systems and Linux both allow, so a
/// name accepted here can always be created on the host.
pub const MAX_NAME: usize = 255;

/// Longest path string accepted, in bytes: bounds the work of parsing input from the serial line.
pub const MAX_PATH: usize = 1024;

/// Deepest path accepted, in components: bounds the number of directory descriptors a walk holds.
pub const MAX_DEPTH: usize = 32;

/// Name of the hidden directory under the root holding the temporary files of writes in progress;
/// reserved so no module path can reach, overwrite or list it.
pub const TEMP_DIR: &str = ".ftpmodem-tmp";

/// Name of the hidden directory under the root holding the module's own saved settings (the
/// `AT&W` profile, `nv.rs`); reserved like [`TEMP_DIR`].
pub const NV_DIR: &str = ".ftpmodem-nv";

/// Why a path string was refused before touching the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PathError {
    /// Nothing to resolve: `AT+MFGET=""` names no file.
    #[error("empty path")]
    Empty,
    /// NUL cannot be passed to the host and never appears in a real name.
    #[error("path contains a NUL byte")]
    Nul,
    /// Longer than [`MAX_PATH`].
    #[error("path longer than {MAX_PATH} bytes")]
    TooLong,
    /// One name longer than [`MAX_NAME`].
    #[error("name longer than {MAX_NAME} bytes")]
    NameTooLong,
    /// More than [`MAX_DEPTH`] components.
    #[error("path deeper than {MAX_DEPTH} directories")]
    TooDeep,
    /// A `..` that would climb above the module's `/`.
    #[error("path leaves the root")]
    Escape,
    /// The first name is [`TEMP_DIR`] or [`NV_DIR`], which belong to the sandbox itself.
    #[error("path names the sandbox's reserved directory")]
    Reserved,
}

/// A checked module path: a list of names, none empty, `.`, `..`, or containing `/` or NUL.
///
/// The empty list is the module's root `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModulePath {
    parts: Vec<String>,
}

impl ModulePath {
    /// The module's `/`.
    pub fn root() -> ModulePath {
        ModulePath { parts: Vec::new() }
    }

    /// Checks and normalises a path as typed on the module, lexically.
    ///
    /// Relative paths resolve against `/` (the module has no current directory); empty and `.`
    /// components are dropped and `..` removes the name before it, without looking at the host.
    /// The sandbox does not use this for what the user types: [`Sandbox`](super::Sandbox)
    /// resolves `.` and `..` against the real tree, so `/usr/a.txt/..` (a file followed by `..`)
    /// is refused there instead of naming `/usr`.
    pub fn parse(input: &str) -> Result<ModulePath, PathError> {
        let mut parts: Vec<String> = Vec::new();
        for step in split(input)? {
            match step {
                Step::Here => {}
                Step::Up => {
                    if parts.pop().is_none() {
                        return Err(PathError::Escape);
                    }
                }
                Step::Name(name) => parts.push(name.to_owned()),
            }
        }
        ModulePath::from_parts(parts)
    }

    /// Checks a resolved list of plain names against the depth limit and the reserved name.
    pub(crate) fn from_parts(parts: Vec<String>) -> Result<ModulePath, PathError> {
        if parts.len() > MAX_DEPTH {
            return Err(PathError::TooDeep);
        }
        if parts
            .first()
            .is_some_and(|first| first == TEMP_DIR || first == NV_DIR)
        {
            return Err(PathError::Reserved);
        }
        Ok(ModulePath { parts })
    }

    /// The names from the root down.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// True for `/`, which cannot be written, deleted or moved.
    pub fn is_root(&self) -> bool {
        self.parts.is_empty()
    }

    /// The parent's names and the last name; `None` for the root.
    pub fn split_last(&self) -> Option<(&[String], &str)> {
        self.parts
            .split_last()
            .map(|(last, parent)| (parent, last.as_str()))
    }

    /// True if `self` is `other` or lies below it: moving a directory there would orphan it.
    pub fn starts_with(&self, other: &ModulePath) -> bool {
        self.parts.starts_with(&other.parts)
    }

    /// The child `name` of this directory; `name` must be a plain name (callers pass names read
    /// from a directory, which cannot contain `/` or NUL).
    pub(crate) fn child(&self, name: &str) -> ModulePath {
        let mut parts = self.parts.clone();
        parts.push(name.to_owned());
        ModulePath { parts }
    }
}

/// One component of a path as typed, before `.` and `..` are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// `.`: the directory named so far.
    Here,
    /// `..`: the parent of the directory named so far.
    Up,
    /// A plain name, checked for length; never empty, `.`, `..`, and never containing `/`.
    Name(&'a str),
}

/// Splits a path string into its components, refusing what can never be a path (empty, too
/// long, NUL, an over-long name) before anything looks at the tree. Empty components (`//`, a
/// leading or trailing `/`) are dropped.
pub(crate) fn split(input: &str) -> Result<Vec<Step<'_>>, PathError> {
    if input.is_empty() {
        return Err(PathError::Empty);
    }
    if input.len() > MAX_PATH {
        return Err(PathError::TooLong);
    }
    if input.contains('\0') {
        return Err(PathError::Nul);
    }
    let mut steps = Vec::new();
    for name in input.split('/') {
        steps.push(match name {
            "" => continue,
            "." => Step::Here,
            ".." => Step::Up,
            name if name.len() > MAX_NAME => return Err(PathError::NameTooLong),
            name => Step::Name(name),
        });
    }
    Ok(steps)
}

impl fmt::Display for ModulePath {
    /// Absolute module form, e.g. `/usr/test.txt`, as `+MFLIST` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parts.is_empty() {
            return f.write_str("/");
        }
        for name in &self.parts {
            write!(f, "/{name}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        ModulePath::parse(s).unwrap().to_string()
    }

    #[test]
    fn absolute_and_relative_agree() {
        assert_eq!(norm("/usr/test.txt"), "/usr/test.txt");
        assert_eq!(norm("usr/test.txt"), "/usr/test.txt");
        assert_eq!(norm("test.txt"), "/test.txt");
        assert_eq!(norm("//usr///./a/"), "/usr/a");
        assert_eq!(norm("/usr/../x"), "/x");
        assert_eq!(norm("/"), "/");
        assert_eq!(norm("."), "/");
        assert!(ModulePath::parse("/").unwrap().is_root());
    }

    #[test]
    fn refusals() {
        assert_eq!(ModulePath::parse(""), Err(PathError::Empty));
        assert_eq!(ModulePath::parse("../x"), Err(PathError::Escape));
        assert_eq!(ModulePath::parse("/usr/../../x"), Err(PathError::Escape));
        assert_eq!(ModulePath::parse(".."), Err(PathError::Escape));
        assert_eq!(ModulePath::parse("a\0b"), Err(PathError::Nul));
        assert_eq!(
            ModulePath::parse(&"n".repeat(MAX_NAME + 1)),
            Err(PathError::NameTooLong)
        );
        assert!(ModulePath::parse(&"n".repeat(MAX_NAME)).is_ok());
        assert_eq!(
            ModulePath::parse(&"a/".repeat(MAX_PATH)),
            Err(PathError::TooLong)
        );
        assert_eq!(
            ModulePath::parse(&"a/".repeat(MAX_DEPTH + 1)),
            Err(PathError::TooDeep)
        );
        assert!(ModulePath::parse(&"a/".repeat(MAX_DEPTH)).is_ok());
        assert_eq!(
            ModulePath::parse("/.ftpmodem-tmp/w1"),
            Err(PathError::Reserved)
        );
        assert_eq!(
            ModulePath::parse("usr/../.ftpmodem-tmp"),
            Err(PathError::Reserved)
        );
        // Reserved only at the top, where the sandbox keeps it.
        assert!(ModulePath::parse("/usr/.ftpmodem-tmp").is_ok());
    }

    #[test]
    fn split_and_prefix() {
        let p = ModulePath::parse("/usr/a/b").unwrap();
        let (parent, last) = p.split_last().unwrap();
        assert_eq!(parent, ["usr".to_owned(), "a".to_owned()]);
        assert_eq!(last, "b");
        assert!(p.starts_with(&ModulePath::parse("/usr").unwrap()));
        assert!(!p.starts_with(&ModulePath::parse("/us").unwrap()));
        assert!(ModulePath::root().split_last().is_none());
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("..".to_owned()),
            Just(".".to_owned()),
            Just(String::new()),
            Just("usr".to_owned()),
            Just(TEMP_DIR.to_owned()),
            "[a-z.]{1,4}",
            any::<String>(),
        ]
    }

    proptest! {
        /// Whatever the input, an accepted path is plain names only, and it equals a stack model
        /// of `..` that refuses to pop the root.
        #[test]
        fn accepted_paths_are_plain_names(
            segs in proptest::collection::vec(segment(), 0..12),
            lead in any::<bool>(),
        ) {
            let input = format!("{}{}", if lead { "/" } else { "" }, segs.join("/"));
            let mut model: Vec<&str> = Vec::new();
            let mut escaped = false;
            for s in input.split('/') {
                match s {
                    "" | "." => {}
                    ".." => if model.pop().is_none() { escaped = true; break },
                    s => model.push(s),
                }
            }
            match ModulePath::parse(&input) {
                Ok(p) => {
                    prop_assert!(!escaped);
                    prop_assert_eq!(p.parts(), &model[..]);
                    for name in p.parts() {
                        prop_assert!(!name.is_empty() && name != "." && name != "..");
                        prop_assert!(!name.contains('/') && !name.contains('\0'));
                        prop_assert!(name.len() <= MAX_NAME);
                    }
                    prop_assert!(p.parts().first().map(String::as_str) != Some(TEMP_DIR));
                    // Joined under a host root it stays under that root, lexically.
                    let root = std::path::Path::new("/sandbox/root");
                    let mut host = root.to_path_buf();
                    for name in p.parts() {
                        host.push(name);
                    }
                    prop_assert!(host.starts_with(root));
                    prop_assert_eq!(host.components().count(), root.components().count() + p.parts().len());
                }
                Err(PathError::Escape) => prop_assert!(escaped),
                Err(_) => {}
            }
        }
    }
}

//! The table of `AT+MFOPEN` handles (ONEMO-RELATED.md §C.1): which number a new file gets,
//! and closing files by handle, by name (`AT+MFDELETE` closes a file's handles first) or all.

use std::collections::BTreeMap;

use super::error::FsError;
use super::open::OpenFile;
use super::path::ModulePath;

/// Most files open at once. The vendor's list has no limit (1054 is never raised, E11); this one
/// bounds the host descriptors a client can hold, far above what firmware keeps open.
pub const MAX_OPEN_FILES: usize = 64;

/// Open files by handle. The engine owns one; the files themselves are in the [`Sandbox`].
///
/// [`Sandbox`]: super::Sandbox
#[derive(Debug, Default)]
pub struct OpenFiles {
    files: BTreeMap<u16, OpenFile>,
}

impl OpenFiles {
    /// Adds `file` and returns its handle: 1 when none is open, else the lowest free number
    /// after the run of consecutive handles that starts at the lowest open one (§C.1: so a
    /// freed handle 1 is reused only once the list is empty). [`FsError::MaxOpen`] (1054)
    /// past [`MAX_OPEN_FILES`] or past handle 65535, which no command could name.
    pub fn insert(&mut self, file: OpenFile) -> Result<u16, FsError> {
        if self.files.len() >= MAX_OPEN_FILES {
            return Err(FsError::MaxOpen);
        }
        let handle = match self.files.keys().next() {
            None => 1,
            Some(&first) => {
                let mut h = u32::from(first);
                while u16::try_from(h).is_ok_and(|h| self.files.contains_key(&h)) {
                    h += 1;
                }
                u16::try_from(h).map_err(|_| FsError::MaxOpen)?
            }
        };
        self.files.insert(handle, file);
        Ok(handle)
    }

    /// The file of `handle`.
    pub fn get_mut(&mut self, handle: u16) -> Option<&mut OpenFile> {
        self.files.get_mut(&handle)
    }

    /// Closes `handle`; false if it was not open.
    pub fn close(&mut self, handle: u16) -> bool {
        self.files.remove(&handle).is_some()
    }

    /// Closes every handle on `path` or below it (a directory deleted with its contents).
    pub fn close_under(&mut self, path: &ModulePath) {
        self.files.retain(|_, f| !f.path().starts_with(path));
    }

    /// Closes everything (`AT+MFDELETE` of the whole file system).
    pub fn close_all(&mut self) {
        self.files.clear();
    }

    /// How many are open.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::fs::Sandbox;
    use ftpmodem_proto::command::OpenMode;

    #[test]
    fn handles_follow_the_vendor_list() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Sandbox::open(dir.path().join("fs"), 1 << 20).unwrap();
        let open = |name: &str| fs.open_file(name, OpenMode::Append).unwrap();
        let mut t = OpenFiles::default();
        assert_eq!(t.insert(open("a")).unwrap(), 1);
        assert_eq!(t.insert(open("b")).unwrap(), 2);
        assert_eq!(t.insert(open("c")).unwrap(), 3);
        // A gap inside the run is filled.
        assert!(t.close(2));
        assert_eq!(t.insert(open("d")).unwrap(), 2);
        // A freed 1 is not reused while others are open: the run starts at 2.
        assert!(t.close(1));
        assert!(!t.close(1));
        assert_eq!(t.insert(open("e")).unwrap(), 4);
        assert_eq!(t.len(), 3);
        t.close_under(&crate::fs::ModulePath::parse("/e").unwrap());
        assert!(t.get_mut(4).is_none());
        t.close_all();
        assert!(t.is_empty());
        assert_eq!(t.insert(open("f")).unwrap(), 1);
        // The bound.
        for i in 1..MAX_OPEN_FILES {
            t.insert(open(&format!("g{i}"))).unwrap();
        }
        assert_eq!(t.insert(open("h")).unwrap_err().cme_code(), 1054);
    }
}

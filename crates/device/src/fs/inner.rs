//! The state the sandbox's clones and its atomic writers share: the open root and temp
//! directories and the space accounting. Its own file so that the writers depend on it, not on
//! the sandbox that hands them out.

use std::collections::HashSet;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::error::{from_io, FsError, Op};
use super::path::ModulePath;
use super::walk::{visit_tree, Entry};

/// Shared by the sandbox's clones and its writers.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(super) root_path: PathBuf,
    /// The root, held open so a rename or swap of the root's host path after opening changes
    /// nothing: every operation walks from this descriptor.
    pub(super) root: OwnedFd,
    pub(super) tmp: OwnedFd,
    /// Bytes the module's file system holds; changed at run time by a fault switch
    /// ([`Sandbox::set_capacity`](super::Sandbox::set_capacity)).
    pub(super) capacity: AtomicU64,
    /// Every write is refused with 1059 ([`Sandbox::set_read_only`](super::Sandbox::set_read_only)).
    pub(super) read_only: AtomicBool,
    pub(super) state: Mutex<State>,
    pub(super) next_temp: AtomicU64,
}

/// Accounting and claims, changed only under the lock so checks and updates are atomic.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Bytes of committed files, from the last scan plus changes made through the sandbox since.
    pub(crate) committed: u64,
    /// Bytes charged to writes in progress.
    pub(crate) reserved: u64,
    /// Targets of writes in progress.
    pub(crate) writing: HashSet<ModulePath>,
}

impl Inner {
    /// Locks the state; a panic elsewhere while holding it cannot leave it half-updated (every
    /// update is a plain assignment), so a poisoned lock is still usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn capacity(&self) -> u64 {
        self.capacity.load(Ordering::Relaxed)
    }

    /// Refuses a write while the file system is switched read-only.
    pub(crate) fn writable(&self, path: &str) -> Result<(), FsError> {
        if self.read_only.load(Ordering::Relaxed) {
            return Err(FsError::ReadOnly {
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    pub(crate) fn root_fd(&self) -> BorrowedFd<'_> {
        self.root.as_fd()
    }

    pub(crate) fn tmp_fd(&self) -> BorrowedFd<'_> {
        self.tmp.as_fd()
    }

    /// Charges `n` bytes to a write in progress, or refuses them if they do not fit.
    pub(crate) fn reserve(&self, n: u64) -> Result<(), FsError> {
        let mut state = self.lock();
        let used = state.committed.saturating_add(state.reserved);
        let free = self.capacity().saturating_sub(used);
        if n > free {
            return Err(FsError::NoSpace { needed: n, free });
        }
        state.reserved = state.reserved.saturating_add(n);
        Ok(())
    }

    /// Sum of the committed files' sizes, walked from the root.
    pub(super) fn scan(&self) -> Result<u64, FsError> {
        let root = self
            .root
            .try_clone()
            .map_err(|e| from_io(e, Op::List, "/"))?;
        let mut total: u64 = 0;
        visit_tree(&root, &ModulePath::root(), &mut |entry| {
            if let Entry::File(_, n) | Entry::Unnamed(n) = entry {
                total = total.saturating_add(n);
            }
            Ok(())
        })?;
        Ok(total)
    }
}

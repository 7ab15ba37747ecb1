#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Escape attempts against the sandbox: `..`, host paths, symlinks to files and directories
//! outside, a symlink swapped in for a directory (also while operations run), and random paths.
//! Each test keeps a sentinel directory next to the root and checks it was not touched.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use ftpmodem_device::fs::{FsError, Sandbox};
use proptest::prelude::*;

const SECRET: &[u8] = b"outside secret";

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
    fs: Sandbox,
}

/// A sandbox at `<tmp>/fs` and `<tmp>/outside/secret.txt` next to it.
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("fs");
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    let fs = Sandbox::open(&root, 1 << 20).unwrap();
    Setup {
        _tmp: tmp,
        root,
        outside,
        fs,
    }
}

/// Every file below `dir` with its content, links recorded as their target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            let p = e.path();
            if ft.is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.insert(p, target.into_os_string().into_encoded_bytes());
            } else if ft.is_dir() {
                out.insert(p.clone(), b"<dir>".to_vec());
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn outside_untouched(s: &Setup) {
    let snap = snapshot(&s.outside);
    assert_eq!(snap.len(), 1, "outside dir changed: {snap:?}");
    assert_eq!(snap[&s.outside.join("secret.txt")], SECRET);
}

fn is_symlink_err<T: std::fmt::Debug>(r: Result<T, FsError>) {
    match r {
        Err(e @ FsError::Symlink { .. }) => assert_eq!(e.cme_code(), 1050),
        other => panic!("expected a symlink refusal, got {other:?}"),
    }
}

#[test]
fn dot_dot_above_root_is_refused_everywhere() {
    let s = setup();
    s.fs.write("/usr/in.txt", b"in").unwrap();
    for bad in [
        "../outside/secret.txt",
        "/usr/../../outside/secret.txt",
        "usr/../../outside/secret.txt",
        "/../outside",
    ] {
        let code = |r: Result<(), FsError>| r.unwrap_err().cme_code();
        assert_eq!(code(s.fs.write(bad, b"x").map(drop)), 1050, "{bad}");
        assert_eq!(code(s.fs.read(bad, 100).map(drop)), 1050, "{bad}");
        assert_eq!(code(s.fs.open_read(bad).map(drop)), 1050, "{bad}");
        assert_eq!(code(s.fs.size(bad).map(drop)), 1050, "{bad}");
        assert_eq!(code(s.fs.list(Some(bad)).map(drop)), 1050, "{bad}");
        assert_eq!(code(s.fs.delete(bad)), 1050, "{bad}");
        assert_eq!(code(s.fs.rename(bad, "/usr/stolen")), 1050, "{bad}");
        assert_eq!(code(s.fs.rename("/usr/in.txt", bad)), 1050, "{bad}");
        assert!(matches!(
            s.fs.create(bad),
            Err(FsError::InvalidPath(ftpmodem_device::fs::PathError::Escape))
        ));
    }
    assert_eq!(s.fs.read("/usr/in.txt", 10).unwrap(), b"in");
    outside_untouched(&s);
}

#[test]
fn host_absolute_paths_stay_inside_the_root() {
    let s = setup();
    let host_secret = s.outside.join("secret.txt");
    let host = host_secret.to_str().unwrap();
    assert_eq!(s.fs.read(host, 100).unwrap_err().cme_code(), 1051);
    assert_eq!(s.fs.size(host).unwrap_err().cme_code(), 1051);
    assert_eq!(s.fs.delete(host).unwrap_err().cme_code(), 1051);
    assert_eq!(
        s.fs.read("/etc/passwd", 1 << 20).unwrap_err().cme_code(),
        1051
    );
    // Writing one creates the module path under the root, nothing on the host's path.
    s.fs.write(host, b"module file").unwrap();
    let inside = s.root.join(host.trim_start_matches('/'));
    assert_eq!(std::fs::read(inside).unwrap(), b"module file");
    assert_eq!(s.fs.read(host, 100).unwrap(), b"module file");
    s.fs.delete(host).unwrap();
    outside_untouched(&s);
}

#[test]
fn symlink_to_outside_file_is_refused_for_every_operation() {
    let s = setup();
    s.fs.write("/usr/mine.txt", b"mine").unwrap();
    symlink(s.outside.join("secret.txt"), s.root.join("usr/link")).unwrap();
    is_symlink_err(s.fs.read("/usr/link", 100));
    is_symlink_err(s.fs.open_read("/usr/link"));
    is_symlink_err(s.fs.size("/usr/link"));
    is_symlink_err(s.fs.write("/usr/link", b"overwrite"));
    is_symlink_err(s.fs.create("/usr/link"));
    is_symlink_err(s.fs.delete("/usr/link"));
    is_symlink_err(s.fs.rename("/usr/link", "/usr/moved"));
    is_symlink_err(s.fs.list(Some("/usr/link")));
    // Onto it: the link is an existing name, refused without following it.
    assert_eq!(
        s.fs.rename("/usr/mine.txt", "/usr/link")
            .unwrap_err()
            .cme_code(),
        1052
    );
    // Listing leaves it out; usage does not count what it points at.
    let listed = s.fs.list(None).unwrap();
    assert!(
        listed.iter().all(|e| !e.path.contains("link")),
        "{listed:?}"
    );
    assert_eq!(s.fs.info().unwrap().free, (1 << 20) - 4);
    assert!(s.root.join("usr/link").is_symlink());
    outside_untouched(&s);
}

#[test]
fn symlinked_directory_is_refused_for_every_operation() {
    let s = setup();
    s.fs.write("/usr/mine.txt", b"mine").unwrap();
    symlink(&s.outside, s.root.join("usr/dlink")).unwrap();
    symlink(&s.outside, s.root.join("top")).unwrap();
    for p in ["/usr/dlink/secret.txt", "/top/secret.txt"] {
        is_symlink_err(s.fs.read(p, 100));
        is_symlink_err(s.fs.open_read(p));
        is_symlink_err(s.fs.size(p));
        is_symlink_err(s.fs.delete(p));
        is_symlink_err(s.fs.rename(p, "/usr/stolen"));
    }
    is_symlink_err(s.fs.write("/usr/dlink/new.txt", b"x"));
    is_symlink_err(s.fs.create("/usr/dlink/deeper/new.txt"));
    is_symlink_err(s.fs.write("/top/new.txt", b"x"));
    is_symlink_err(s.fs.list(Some("/usr/dlink")));
    is_symlink_err(s.fs.list(Some("/top")));
    is_symlink_err(s.fs.delete("/usr/dlink"));
    is_symlink_err(s.fs.rename("/usr/dlink", "/usr/d2"));
    is_symlink_err(s.fs.rename("/usr/mine.txt", "/usr/dlink/mine.txt"));
    is_symlink_err(s.fs.rename("/usr/mine.txt", "/top/x/mine.txt"));
    // `.` and `..` are resolved on the tree, so a link before them is met and refused too.
    is_symlink_err(s.fs.read("/usr/dlink/../mine.txt", 100));
    is_symlink_err(s.fs.read("/top/./secret.txt", 100));
    is_symlink_err(s.fs.delete("/usr/dlink/.."));
    is_symlink_err(s.fs.rename("/top/..", "/x"));
    let listed = s.fs.list(None).unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(s.fs.read("/usr/mine.txt", 10).unwrap(), b"mine");
    outside_untouched(&s);
}

#[test]
fn symlink_swapped_in_for_a_directory_is_refused() {
    let s = setup();
    s.fs.write("/usr/d/f.txt", b"inside").unwrap();
    // A write starts while /usr/d is a directory...
    let mut w = s.fs.create("/usr/d/new.txt").unwrap();
    std::io::Write::write_all(&mut w, b"payload").unwrap();
    // ...then /usr/d becomes a link to the outside before the commit.
    std::fs::rename(s.root.join("usr/d"), s.root.join("usr/d.real")).unwrap();
    symlink(&s.outside, s.root.join("usr/d")).unwrap();
    is_symlink_err(w.commit());
    is_symlink_err(s.fs.read("/usr/d/secret.txt", 100));
    is_symlink_err(s.fs.list(Some("/usr/d")));
    is_symlink_err(s.fs.write("/usr/d/f.txt", b"x"));
    assert_eq!(s.fs.read("/usr/d.real/f.txt", 100).unwrap(), b"inside");
    outside_untouched(&s);
}

/// A thread keeps exchanging `/usr/d` between a real directory and a link to the outside while
/// the sandbox reads, sizes, lists and writes through it: a check-then-use implementation would
/// sooner or later follow the link; a descriptor walk never does.
#[cfg(target_os = "linux")]
#[test]
fn racing_symlink_swaps_never_reach_outside() {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let s = setup();
    s.fs.write("/usr/d/secret.txt", b"inside").unwrap();
    symlink(&s.outside, s.root.join("usr/alt")).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = {
        let stop = Arc::clone(&stop);
        let (a, b) = (s.root.join("usr/d"), s.root.join("usr/alt"));
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                renameat_with(CWD, &a, CWD, &b, RenameFlags::EXCHANGE).unwrap();
                n += 1;
            }
            n
        })
    };
    let mut seen_inside = 0;
    for i in 0..3000 {
        match s.fs.read("/usr/d/secret.txt", 100) {
            Ok(data) => {
                assert_eq!(data, b"inside", "read reached outside at iteration {i}");
                seen_inside += 1;
            }
            Err(e) => assert!(
                matches!(e, FsError::Symlink { .. } | FsError::NotFound { .. }),
                "{e:?}"
            ),
        }
        if let Ok(n) = s.fs.size("/usr/d/secret.txt") {
            assert_eq!(n, 6);
        }
        if let Ok(list) = s.fs.list(Some("/usr/d")) {
            assert!(list.iter().all(|e| e.size != Some(SECRET.len() as u64)));
        }
        let _ = s.fs.write(&format!("/usr/d/w{i}"), b"w");
        let _ = s.fs.delete("/usr/d/secret.txt.none");
    }
    stop.store(true, Ordering::Relaxed);
    let swapped = swaps.join().unwrap();
    assert!(swapped > 0);
    assert!(seen_inside > 0, "the race never let a read through");
    outside_untouched(&s);
}

#[test]
fn temp_directory_is_unreachable_and_crash_leftovers_are_cleared() {
    let s = setup();
    let w = s.fs.create("/usr/pending.txt").unwrap();
    assert!(s
        .fs
        .list(None)
        .unwrap()
        .iter()
        .all(|e| !e.path.contains("tmp")));
    for p in ["/.ftpmodem-tmp", ".ftpmodem-tmp/x", "/usr/../.ftpmodem-tmp"] {
        assert_eq!(s.fs.list(Some(p)).unwrap_err().cme_code(), 1050);
        assert_eq!(s.fs.delete(p).unwrap_err().cme_code(), 1050);
        assert_eq!(s.fs.write(p, b"x").unwrap_err().cme_code(), 1050);
    }
    drop(w);
    // A crash leaves a temp file behind: the next open removes it and it never counts.
    std::fs::write(s.root.join(".ftpmodem-tmp/w999-0"), [0u8; 100]).unwrap();
    let again = Sandbox::open(&s.root, 1000).unwrap();
    assert_eq!(
        std::fs::read_dir(s.root.join(".ftpmodem-tmp"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(again.info().unwrap().free, 1000);
}

/// A link planted where `/usr` or the temp directory belongs is moved aside (renaming a link
/// never follows it) and a real directory made in its place: nothing outside is touched.
#[test]
fn open_moves_planted_links_for_usr_and_temp_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let root = tmp.path().join("fs");
    std::fs::create_dir(&root).unwrap();
    symlink(&outside, root.join("usr")).unwrap();
    let fs = Sandbox::open(&root, 10).unwrap();
    let usr = std::fs::symlink_metadata(root.join("usr")).unwrap();
    assert!(usr.is_dir(), "a real /usr replaced the link");
    let aside = std::fs::symlink_metadata(root.join("usr.damaged-1")).unwrap();
    assert!(aside.file_type().is_symlink(), "the link kept, renamed");
    fs.write("/usr/x", b"in").unwrap();
    assert_eq!(std::fs::read(root.join("usr/x")).unwrap(), b"in");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // The moved link is still never followed.
    is_symlink_err(fs.write("/usr.damaged-1/y", b"y"));
    drop(fs);

    std::fs::remove_dir(root.join(".ftpmodem-tmp")).unwrap();
    symlink(&outside, root.join(".ftpmodem-tmp")).unwrap();
    std::fs::write(outside.join("keep"), b"k").unwrap();
    let fs = Sandbox::open(&root, 10).unwrap();
    assert!(std::fs::symlink_metadata(root.join(".ftpmodem-tmp"))
        .unwrap()
        .is_dir());
    // The temp clearing did not run through the link.
    assert_eq!(std::fs::read(outside.join("keep")).unwrap(), b"k");
    fs.write("/usr/x", b"again").unwrap();
    assert_eq!(std::fs::read(outside.join("keep")).unwrap(), b"k");
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just(String::new()),
        Just("usr".to_owned()),
        Just("link".to_owned()),
        Just("dlink".to_owned()),
        Just("secret.txt".to_owned()),
        Just("outside".to_owned()),
        Just(".ftpmodem-tmp".to_owned()),
        "[a-c]{1,2}",
        any::<String>(),
    ]
}

fn path_string() -> impl Strategy<Value = String> {
    (proptest::collection::vec(segment(), 0..7), any::<bool>())
        .prop_map(|(segs, lead)| format!("{}{}", if lead { "/" } else { "" }, segs.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// Random paths through every operation, in a tree holding links to a file and a directory
    /// outside: the outside never changes and its secret is never read.
    #[test]
    fn random_paths_never_leave_the_root(
        ops in proptest::collection::vec((0u8..7, path_string(), path_string()), 1..12)
    ) {
        let s = setup();
        symlink(s.outside.join("secret.txt"), s.root.join("usr/link")).unwrap();
        symlink(&s.outside, s.root.join("dlink")).unwrap();
        s.fs.write("/usr/a", b"a").unwrap();
        for (op, p, q) in ops {
            match op {
                0 => { let _ = s.fs.write(&p, b"w"); }
                1 => if let Ok(data) = s.fs.read(&p, 1 << 20) { prop_assert_ne!(data, SECRET) },
                2 => if let Ok(n) = s.fs.size(&p) { prop_assert_ne!(n, SECRET.len() as u64) },
                3 => if let Ok(list) = s.fs.list(Some(&p)) {
                    for e in list {
                        prop_assert_ne!(e.size, Some(SECRET.len() as u64));
                        prop_assert!(!e.path.starts_with("/.ftpmodem-tmp"));
                    }
                },
                4 => { let _ = s.fs.delete(&p); }
                5 => { let _ = s.fs.rename(&p, &q); }
                _ => if let Ok((_, n)) = s.fs.open_read(&p) { prop_assert_ne!(n, SECRET.len() as u64) },
            }
        }
        outside_untouched(&s);
        // The top-level link can be neither deleted nor moved through the sandbox.
        prop_assert!(s.root.join("dlink").is_symlink());
    }
}

/// The commands on open files, `AT+MFCHECK` and the deletes of whole trees
/// (ONEMO-RELATED.md §C.3) keep the same guarantees: `..` above the root, a link to a file or a
/// directory outside, and a host path all stay inside, in every open mode.
#[test]
fn open_files_checksums_and_tree_deletes_stay_inside() {
    use ftpmodem_proto::command::{OpenMode, Whence};
    let s = setup();
    symlink(s.outside.join("secret.txt"), s.root.join("usr/file_link")).unwrap();
    symlink(&s.outside, s.root.join("usr/dir_link")).unwrap();
    symlink(&s.outside, s.root.join("top_link")).unwrap();
    let host = s.outside.join("secret.txt");
    for m in 0..=4 {
        let mode = OpenMode::from_u8(m).unwrap();
        is_symlink_err(s.fs.open_file("/usr/file_link", mode));
        is_symlink_err(s.fs.open_file("/usr/dir_link/secret.txt", mode));
        is_symlink_err(s.fs.open_file("top_link/new.txt", mode));
        let up = s.fs.open_file("../outside/secret.txt", mode).unwrap_err();
        assert_eq!(up.cme_code(), 1050);
    }
    is_symlink_err(s.fs.md5("/usr/file_link"));
    is_symlink_err(s.fs.md5("/usr/dir_link/secret.txt"));
    // A host path names a file below the root.
    let mut f =
        s.fs.open_file(host.to_str().unwrap(), OpenMode::ReadWrite)
            .unwrap();
    f.write(b"inside").unwrap();
    f.seek(0, Whence::Start).unwrap();
    assert_eq!(f.read(100).unwrap(), b"inside");
    assert_eq!(s.fs.md5(host.to_str().unwrap()).unwrap().len(), 16);
    // Deleting trees removes links as names, never what they point at.
    s.fs.write("/usr/deep/a/b.txt", b"b").unwrap();
    symlink(&s.outside, s.root.join("usr/deep/a/out")).unwrap();
    s.fs.delete_tree("/usr/deep/").unwrap();
    is_symlink_err(s.fs.delete_tree("/top_link/"));
    s.fs.wipe().unwrap();
    assert!(!s.root.join("usr/file_link").exists());
    assert!(s.root.join("usr").is_dir());
    outside_untouched(&s);
}

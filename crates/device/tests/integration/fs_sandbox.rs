#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The module's file system on a real temp directory: every operation's happy path and every
//! error code the sandbox can produce, produced for real.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;

use ftpmodem_device::fs::{FsEntry, FsError, FsInfo, Sandbox, MAX_LIST_ENTRIES, MAX_WRITERS};

fn code<T: std::fmt::Debug>(r: Result<T, FsError>) -> u16 {
    r.expect_err("expected an error").cme_code()
}

fn sandbox(cap: u64) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), cap).unwrap();
    (dir, fs)
}

fn file(path: &str, size: u64) -> FsEntry {
    FsEntry {
        path: path.to_owned(),
        size: Some(size),
    }
}

fn dir(path: &str) -> FsEntry {
    FsEntry {
        path: path.to_owned(),
        size: None,
    }
}

#[test]
fn sandbox_is_shareable() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<Sandbox>();
    fn send<T: Send>() {}
    send::<ftpmodem_device::fs::AtomicWriter>();
}

#[test]
fn open_creates_root_and_usr_and_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("a/b/fs");
    let fs = Sandbox::open(&root, 1000).unwrap();
    assert!(root.join("usr").is_dir());
    assert_eq!(fs.root(), root);
    assert_eq!(fs.capacity(), 1000);
    assert_eq!(fs.list(None).unwrap(), vec![dir("/usr")]);
    fs.write("/usr/test.txt", b"CESHI1111111").unwrap();
    drop(fs);
    let again = Sandbox::open(&root, 1000).unwrap();
    assert_eq!(again.read("/usr/test.txt", 100).unwrap(), b"CESHI1111111");
    assert_eq!(
        again.info().unwrap(),
        FsInfo {
            total: 1000,
            free: 988
        }
    );
}

#[test]
fn manual_example_put_get_size() {
    let (_t, fs) = sandbox(1 << 20);
    assert_eq!(fs.write("/usr/test.txt", b"CESHI1111111").unwrap(), 12);
    assert_eq!(fs.size("/usr/test.txt").unwrap(), 12);
    assert_eq!(fs.write("/usr/test.txt", b"3333333").unwrap(), 7);
    assert_eq!(fs.read("/usr/test.txt", 100).unwrap(), b"3333333");
    // Relative paths resolve against "/": the same file.
    assert_eq!(fs.read("usr/test.txt", 100).unwrap(), b"3333333");
    assert_eq!(fs.read("//usr/./../usr/test.txt", 100).unwrap(), b"3333333");
    // `..` steps out of real directories only: `x` does not exist.
    assert_eq!(code(fs.read("/usr/x/../test.txt", 100)), 50);
    // Empty files exist too.
    fs.write("empty", b"").unwrap();
    assert_eq!(fs.size("/empty").unwrap(), 0);
    assert_eq!(fs.read("/empty", 0).unwrap(), b"");
}

#[test]
fn write_creates_parents_and_list_is_recursive_in_tree_order() {
    let (_t, fs) = sandbox(1 << 20);
    fs.write("/usr/a/b/c.txt", b"abc").unwrap();
    fs.write("/usr-x", b"12").unwrap();
    fs.write("/usr/z.txt", b"z").unwrap();
    fs.write("/usr/a/1.txt", b"").unwrap();
    assert_eq!(
        fs.list(None).unwrap(),
        vec![
            dir("/usr"),
            dir("/usr/a"),
            file("/usr/a/1.txt", 0),
            dir("/usr/a/b"),
            file("/usr/a/b/c.txt", 3),
            file("/usr/z.txt", 1),
            file("/usr-x", 2),
        ]
    );
    assert_eq!(
        fs.list(Some("/usr/a")).unwrap(),
        vec![
            file("/usr/a/1.txt", 0),
            dir("/usr/a/b"),
            file("/usr/a/b/c.txt", 3)
        ]
    );
    assert_eq!(
        fs.list(Some("usr/a/b")).unwrap(),
        vec![file("/usr/a/b/c.txt", 3)]
    );
    assert_eq!(fs.list(Some("/")).unwrap(), fs.list(None).unwrap());
}

#[test]
fn streaming_read_and_write() {
    let (_t, fs) = sandbox(64 << 20);
    let data: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut w = fs.create("/usr/big.bin").unwrap();
    assert_eq!(w.path(), "/usr/big.bin");
    let copied = std::io::copy(&mut &data[..], &mut w).unwrap();
    assert_eq!(copied, data.len() as u64);
    assert_eq!(w.written(), data.len() as u64);
    // Not visible before the commit.
    assert_eq!(code(fs.size("/usr/big.bin")), 1051);
    assert_eq!(w.commit().unwrap(), data.len() as u64);
    let (mut f, len) = fs.open_read("/usr/big.bin").unwrap();
    assert_eq!(len, data.len() as u64);
    let mut back = Vec::new();
    f.read_to_end(&mut back).unwrap();
    assert!(back == data);
}

#[test]
fn delete_files_and_empty_directories() {
    let (_t, fs) = sandbox(1000);
    fs.write("/usr/d/f.txt", b"hello").unwrap();
    assert_eq!(code(fs.delete("/usr/d")), 1061);
    fs.delete("/usr/d/f.txt").unwrap();
    assert_eq!(code(fs.read("/usr/d/f.txt", 10)), 1051);
    fs.delete("/usr/d").unwrap();
    assert_eq!(fs.list(None).unwrap(), vec![dir("/usr")]);
    assert_eq!(fs.info().unwrap().free, 1000);
    assert_eq!(code(fs.delete("/usr/d")), 1051);
}

#[test]
fn rename_files_and_directories() {
    let (_t, fs) = sandbox(1000);
    fs.write("/usr/a.txt", b"A").unwrap();
    fs.rename("/usr/a.txt", "/usr/b.txt").unwrap();
    assert_eq!(code(fs.size("/usr/a.txt")), 1051);
    assert_eq!(fs.read("/usr/b.txt", 10).unwrap(), b"A");
    // Target parents are created: the module has no mkdir.
    fs.rename("usr/b.txt", "/new/dir/b.txt").unwrap();
    assert_eq!(fs.read("/new/dir/b.txt", 10).unwrap(), b"A");
    fs.rename("/new", "/usr/moved").unwrap();
    assert_eq!(fs.read("/usr/moved/dir/b.txt", 10).unwrap(), b"A");
    fs.write("/usr/c.txt", b"C").unwrap();
    // Onto an existing name: refused, both intact.
    assert_eq!(code(fs.rename("/usr/c.txt", "/usr/moved/dir/b.txt")), 1052);
    assert_eq!(code(fs.rename("/usr/c.txt", "/usr/moved")), 1052);
    assert_eq!(code(fs.rename("/usr/c.txt", "/usr/c.txt")), 1052);
    assert_eq!(code(fs.rename("/usr/c.txt", "/")), 1052);
    assert_eq!(fs.read("/usr/moved/dir/b.txt", 10).unwrap(), b"A");
    assert_eq!(fs.read("/usr/c.txt", 10).unwrap(), b"C");
    assert_eq!(code(fs.rename("/usr/nothing", "/usr/x")), 1051);
    assert_eq!(code(fs.rename("/usr/moved", "/usr/moved/dir/inside")), 1050);
    assert_eq!(code(fs.rename("/", "/x")), 1051);
    // A file where the target's parent should be.
    assert_eq!(
        code(fs.rename("/usr/c.txt", "/usr/moved/dir/b.txt/x")),
        1055
    );
}

#[test]
fn error_1050_invalid_paths() {
    let (_t, fs) = sandbox(1000);
    for bad in ["", "a\0b", "../x", "/usr/../../x", "/.ftpmodem-tmp/w"] {
        assert_eq!(code(fs.write(bad, b"x")), 1050, "{bad:?}");
        assert_eq!(code(fs.read(bad, 10)), 1050, "{bad:?}");
        assert!(matches!(fs.size(bad), Err(FsError::InvalidPath(_))));
    }
    assert_eq!(code(fs.write(&"n".repeat(256), b"x")), 1050);
    fs.write(&"n".repeat(255), b"x").unwrap();
    assert_eq!(code(fs.write(&"d/".repeat(40), b"x")), 1050);
}

#[test]
fn error_1050_root_unavailable_and_tree_too_deep() {
    let tmp = tempfile::tempdir().unwrap();
    let not_a_dir = tmp.path().join("file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    assert_eq!(code(Sandbox::open(&not_a_dir, 10)), 1050);

    let root = tmp.path().join("fs");
    let fs = Sandbox::open(&root, 1000).unwrap();
    let mut deep = root.clone();
    for _ in 0..70 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    assert!(matches!(fs.info(), Err(FsError::TooDeep { .. })));
    assert_eq!(code(fs.list(None)), 1050);
}

#[test]
fn error_1051_not_exist() {
    let (_t, fs) = sandbox(1000);
    assert_eq!(code(fs.read("/usr/none", 10)), 1051);
    assert_eq!(code(fs.open_read("/none/x")), 1051);
    assert_eq!(code(fs.size("/usr/none")), 1051);
    assert_eq!(code(fs.delete("/usr/none")), 1051);
    assert_eq!(code(fs.list(Some("/nodir"))), 1051);
    fs.write("/usr/f", b"x").unwrap();
    // A file used as a directory: that path does not exist.
    assert_eq!(code(fs.read("/usr/f/x", 10)), 1051);
}

#[test]
fn error_1053_too_large() {
    let (_t, fs) = sandbox(1000);
    fs.write("/usr/f", &[7u8; 100]).unwrap();
    assert_eq!(fs.read("/usr/f", 100).unwrap().len(), 100);
    assert_eq!(code(fs.read("/usr/f", 99)), 1053);
}

#[test]
fn error_1054_too_many_writers() {
    let (_t, fs) = sandbox(1000);
    let writers: Vec<_> = (0..MAX_WRITERS)
        .map(|i| fs.create(&format!("/usr/w{i}")).unwrap())
        .collect();
    assert_eq!(code(fs.create("/usr/one-more")), 1054);
    drop(writers);
    fs.create("/usr/one-more").unwrap().commit().unwrap();
}

#[test]
fn error_1055_directories_sockets_and_files_in_the_way() {
    let (t, fs) = sandbox(1000);
    assert_eq!(code(fs.read("/usr", 10)), 1055);
    assert_eq!(code(fs.open_read("/")), 1055);
    assert_eq!(code(fs.size("/usr")), 1055);
    assert_eq!(code(fs.write("/usr", b"x")), 1055);
    assert_eq!(code(fs.write("/", b"x")), 1055);
    fs.write("/usr/f", b"x").unwrap();
    assert_eq!(code(fs.write("/usr/f/g", b"x")), 1055);
    assert_eq!(code(fs.create("/usr/f/g/h")), 1055);

    // A socket planted on the host is never opened, listed or counted.
    let _sock = UnixListener::bind(t.path().join("fs/usr/sock")).unwrap();
    assert!(matches!(
        fs.read("/usr/sock", 10),
        Err(FsError::NotAFile { .. })
    ));
    assert_eq!(code(fs.size("/usr/sock")), 1055);
    assert_eq!(code(fs.write("/usr/sock", b"x")), 1055);
    assert_eq!(fs.list(Some("/usr")).unwrap(), vec![file("/usr/f", 1)]);
}

#[test]
fn error_1055_directory_swapped_in_before_commit() {
    let (t, fs) = sandbox(1000);
    fs.write("/usr/f", b"old").unwrap();
    let mut w = fs.create("/usr/f").unwrap();
    w.write_all(b"new").unwrap();
    std::fs::remove_file(t.path().join("fs/usr/f")).unwrap();
    std::fs::create_dir(t.path().join("fs/usr/f")).unwrap();
    assert_eq!(code(w.commit()), 1055);
    assert!(t.path().join("fs/usr/f").is_dir());
    assert_eq!(fs.info().unwrap().free, 1000);
}

#[test]
fn error_1056_already_open() {
    let (_t, fs) = sandbox(1000);
    let w = fs.create("/usr/f").unwrap();
    assert_eq!(code(fs.create("usr/f")), 1056);
    assert_eq!(code(fs.write("/usr/f", b"x")), 1056);
    drop(w);
    fs.write("/usr/f", b"x").unwrap();
}

/// The module's own directories (`/`, `/usr`) survive every command that would remove them,
/// with each command's failure code from §C.3; the issue's route (delete `/usr`, then put a file
/// named `/usr`, then restart) leaves a root that opens.
#[test]
fn own_directories_cannot_be_deleted_moved_or_replaced() {
    let (t, fs) = sandbox(1000);
    // Even empty, /usr is not deleted (MFDELETE failure: 1061).
    assert_eq!(code(fs.delete("/usr")), 1061);
    assert_eq!(code(fs.delete("/usr/")), 1061);
    assert_eq!(code(fs.delete("/")), 1061);
    assert_eq!(code(fs.delete("/usr/..")), 1061);
    // Not replaced by a file (MFPUT open failure: 1055), nor written over by a stream.
    assert_eq!(code(fs.write("/usr", b"x")), 1055);
    assert_eq!(code(fs.create("usr")), 1055);
    assert_eq!(code(fs.write("/", b"x")), 1055);
    // Not moved (MFMOVE failure: 1051); a move onto one finds it existing (1052).
    assert_eq!(code(fs.rename("/usr", "/old")), 1051);
    assert_eq!(code(fs.rename("/usr/./", "/old")), 1051);
    assert_eq!(code(fs.rename("/", "/usr/root")), 1051);
    fs.write("/a.txt", b"a").unwrap();
    assert_eq!(code(fs.rename("/a.txt", "/usr")), 1052);
    let usr = t.path().join("fs/usr");
    assert!(std::fs::symlink_metadata(&usr).unwrap().is_dir());
    // What is inside /usr is the user's: deletable, movable.
    fs.write("/usr/sub/f", b"f").unwrap();
    fs.rename("/usr/sub", "/usr/moved").unwrap();
    fs.delete("/usr/moved/f").unwrap();
    fs.delete("/usr/moved").unwrap();
    drop(fs);
    Sandbox::open(t.path().join("fs"), 1000).unwrap();
}

/// `.` and `..` are taken against the real tree: after a file they name nothing (50, §C.1),
/// after a directory they work as on any file system.
#[test]
fn dots_after_a_file_are_refused() {
    let (_t, fs) = sandbox(1000);
    fs.write("/usr/a.txt", b"A").unwrap();
    fs.write("/usr/ok.txt", b"OK").unwrap();
    fs.write("/usr/d/in.txt", b"in").unwrap();
    assert_eq!(code(fs.rename("/usr/a.txt/..", "/old")), 50);
    assert_eq!(code(fs.rename("/usr/a.txt", "/usr/ok.txt/../b")), 50);
    assert_eq!(code(fs.read("/usr/ok.txt/.", 10)), 50);
    assert_eq!(code(fs.open_read("/usr/ok.txt/.")), 50);
    assert_eq!(code(fs.size("/usr/ok.txt/.")), 50);
    assert_eq!(code(fs.list(Some("/usr/ok.txt/."))), 50);
    assert_eq!(code(fs.delete("/usr/a.txt/..")), 50);
    assert_eq!(code(fs.write("/usr/a.txt/../c.txt", b"c")), 50);
    // A directory that does not exist cannot be stepped out of either.
    assert_eq!(code(fs.read("/usr/none/../a.txt", 10)), 50);
    assert_eq!(code(fs.write("/usr/none/./c.txt", b"c")), 50);
    // Nothing moved or changed.
    assert_eq!(fs.read("/usr/a.txt", 10).unwrap(), b"A");
    assert_eq!(fs.read("/usr/d/in.txt", 10).unwrap(), b"in");
    // After directories, `.` and `..` resolve.
    assert_eq!(fs.read("/usr/./d/../ok.txt", 10).unwrap(), b"OK");
    assert_eq!(fs.read("./usr/d/./in.txt", 10).unwrap(), b"in");
    fs.write("/usr/d/../new.txt", b"n").unwrap();
    assert_eq!(fs.read("/usr/new.txt", 10).unwrap(), b"n");
    fs.rename("/usr/d/./in.txt", "/usr/d/../in.txt").unwrap();
    assert_eq!(fs.read("/usr/in.txt", 10).unwrap(), b"in");
}

/// A damaged root is repaired at start-up: a file or a missing directory where `/usr` belongs,
/// a file where the temp directory belongs. Nothing the user had is lost.
#[test]
fn damaged_root_is_repaired_at_open() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("fs");
    drop(Sandbox::open(&root, 1000).unwrap());
    // /usr replaced by a file: moved aside under a name that says so, /usr recreated.
    std::fs::remove_dir(root.join("usr")).unwrap();
    std::fs::write(root.join("usr"), b"x").unwrap();
    std::fs::write(root.join("usr.damaged-1"), b"older").unwrap();
    let fs = Sandbox::open(&root, 1000).unwrap();
    assert!(std::fs::symlink_metadata(root.join("usr"))
        .unwrap()
        .is_dir());
    assert_eq!(fs.read("/usr.damaged-2", 10).unwrap(), b"x");
    assert_eq!(fs.read("/usr.damaged-1", 10).unwrap(), b"older");
    fs.write("/usr/a.txt", b"a").unwrap();
    assert_eq!(fs.read("/usr/a.txt", 10).unwrap(), b"a");
    drop(fs);
    // /usr missing: recreated.
    std::fs::remove_dir_all(root.join("usr")).unwrap();
    let fs = Sandbox::open(&root, 1000).unwrap();
    fs.write("/usr/b.txt", b"b").unwrap();
    drop(fs);
    // The temp directory replaced by a file: moved aside too, writes work.
    std::fs::remove_dir(root.join(".ftpmodem-tmp")).unwrap();
    std::fs::write(root.join(".ftpmodem-tmp"), b"t").unwrap();
    let fs = Sandbox::open(&root, 1000).unwrap();
    assert_eq!(fs.read("/.ftpmodem-tmp.damaged-1", 10).unwrap(), b"t");
    fs.write("/usr/c.txt", b"c").unwrap();
    assert_eq!(fs.read("/usr/c.txt", 10).unwrap(), b"c");
}

/// What cannot be repaired is reported with the host path and the host's reason.
#[test]
fn unrepairable_root_names_path_and_reason() {
    let t = tempfile::tempdir().unwrap();
    // A root whose parent is a file cannot be created.
    std::fs::write(t.path().join("plain"), b"f").unwrap();
    let root = t.path().join("plain/fs");
    let msg = Sandbox::open(&root, 1000).unwrap_err().to_string();
    assert!(msg.contains(&*root.to_string_lossy()), "{msg}");
    assert!(msg.contains("Not a directory"), "{msg}");
    // Every `<name>.damaged-<n>` taken: /usr cannot be moved aside.
    let root = t.path().join("fs");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("usr"), b"x").unwrap();
    for n in 1..=1000 {
        std::fs::write(root.join(format!("usr.damaged-{n}")), b"").unwrap();
    }
    let err = Sandbox::open(&root, 1000).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&*root.join("usr").to_string_lossy()), "{msg}");
    assert!(msg.contains("exists"), "{msg}");
    assert_eq!(err.cme_code(), 1050);
    assert_eq!(std::fs::read(root.join("usr")).unwrap(), b"x");
}

#[test]
fn error_1062_list_failures() {
    let (t, fs) = sandbox(1000);
    fs.write("/usr/f", b"x").unwrap();
    assert_eq!(code(fs.list(Some("/usr/f"))), 1062);
    let many = t.path().join("fs/many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..=MAX_LIST_ENTRIES {
        std::fs::File::create(many.join(i.to_string())).unwrap();
    }
    assert_eq!(code(fs.list(Some("/many"))), 1062);
    assert!(matches!(fs.list(None), Err(FsError::TooManyEntries { .. })));
}

#[test]
fn error_1063_no_space() {
    let (_t, fs) = sandbox(10);
    assert_eq!(code(fs.write("/usr/f", &[0; 11])), 1063);
    assert_eq!(code(fs.size("/usr/f")), 1051);
}

#[test]
fn host_changes_and_unreadable_names_are_counted() {
    let (t, fs) = sandbox(1000);
    std::fs::write(t.path().join("fs/usr/host.txt"), [1u8; 100]).unwrap();
    // A name that is not UTF-8 cannot be typed on the module but still takes space.
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"\xff\xfe");
    std::fs::write(t.path().join("fs").join(odd), [1u8; 50]).unwrap();
    assert_eq!(fs.info().unwrap().free, 850);
    assert_eq!(
        fs.list(None).unwrap(),
        vec![dir("/usr"), file("/usr/host.txt", 100)]
    );
}

/// The routes of the bricked-module report, as typed on the AT line: each is refused with its
/// command's code, and `/usr` is still a directory afterwards.
#[test]
fn bricking_routes_are_refused_on_the_at_line() {
    use ftpmodem_device::engine::{Engine, EngineConfig};
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("fs");
    let fs = Sandbox::open(&root, 1000).unwrap();
    let now = std::time::Instant::now();
    let mut e = Engine::new(EngineConfig::default(), fs.clone(), now);
    let mut at = |line: &str| {
        e.input(line.as_bytes(), now);
        String::from_utf8(e.take_output()).unwrap()
    };
    at("ATE0\r");
    assert_eq!(at("AT+MFDELETE=\"/usr\"\r"), "\r\n+CME ERROR: 1061\r\n");
    assert_eq!(
        at("AT+MFPUT=\"/usr\",1,\"x\"\r"),
        "\r\n+CME ERROR: 1055\r\n"
    );
    assert_eq!(
        at("AT+MFPUT=\"/usr/a.txt\",1,\"a\"\r"),
        "\r\n+MFPUT: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        at("AT+MFMOVE=\"/usr/a.txt/..\",\"/old\"\r"),
        "\r\n+CME ERROR: 50\r\n"
    );
    assert_eq!(
        at("AT+MFMOVE=\"/usr\",\"/old\"\r"),
        "\r\n+CME ERROR: 1051\r\n"
    );
    assert_eq!(at("AT+MFGET=\"/usr/a.txt/.\"\r"), "\r\n+CME ERROR: 50\r\n");
    assert_eq!(
        at("AT+MFGET=\"/usr/a.txt\"\r"),
        "\r\n+MFGET: 1,a\r\n\r\nOK\r\n"
    );
    assert!(std::fs::symlink_metadata(root.join("usr"))
        .unwrap()
        .is_dir());
    drop(fs);
    Sandbox::open(&root, 1000).unwrap();
}

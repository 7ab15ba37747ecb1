#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Capacity and atomicity: limits hit exactly, streaming writers over the limit, concurrent
//! writers from threads, and writers dropped without commit.

use std::io::Write;
use std::sync::{Arc, Barrier};

use ftpmodem_device::fs::{FsError, FsInfo, Sandbox};

fn sandbox(cap: u64) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), cap).unwrap();
    (dir, fs)
}

fn free(fs: &Sandbox) -> u64 {
    fs.info().unwrap().free
}

#[test]
fn exactly_at_the_limit_and_one_byte_over() {
    let (_t, fs) = sandbox(100);
    assert_eq!(
        fs.info().unwrap(),
        FsInfo {
            total: 100,
            free: 100
        }
    );
    assert_eq!(fs.write("/usr/full", &[1; 100]).unwrap(), 100);
    assert_eq!(free(&fs), 0);
    let err = fs.write("/usr/more", &[1]).unwrap_err();
    assert!(
        matches!(err, FsError::NoSpace { needed: 1, free: 0 }),
        "{err:?}"
    );
    assert_eq!(err.cme_code(), 1063);
    // Empty files take no space and still fit.
    fs.write("/usr/empty", b"").unwrap();

    let (_t, fs) = sandbox(100);
    assert_eq!(fs.write("/usr/f", &[1; 101]).unwrap_err().cme_code(), 1063);
    assert_eq!(fs.size("/usr/f").unwrap_err().cme_code(), 1051);
    assert_eq!(free(&fs), 100);
}

#[test]
fn refused_overwrite_leaves_the_old_file() {
    let (_t, fs) = sandbox(100);
    fs.write("/usr/f", &[1; 60]).unwrap();
    // Old and new coexist until the rename: 60 + 50 does not fit.
    assert_eq!(fs.write("/usr/f", &[2; 50]).unwrap_err().cme_code(), 1063);
    assert_eq!(fs.read("/usr/f", 100).unwrap(), vec![1; 60]);
    assert_eq!(free(&fs), 40);
    // 60 + 40 does, and afterwards only the new content counts.
    fs.write("/usr/f", &[3; 40]).unwrap();
    assert_eq!(fs.read("/usr/f", 100).unwrap(), vec![3; 40]);
    assert_eq!(free(&fs), 60);
}

#[test]
fn streaming_writer_over_the_limit() {
    let (_t, fs) = sandbox(100);
    fs.write("/usr/old", b"keep").unwrap();
    let mut w = fs.create("/usr/old").unwrap();
    for _ in 0..3 {
        w.write_all(&[9; 30]).unwrap();
    }
    assert_eq!(free(&fs), 6);
    let err = w.write_chunk(&[9; 7]).unwrap_err();
    assert!(
        matches!(err, FsError::NoSpace { needed: 7, free: 6 }),
        "{err:?}"
    );
    // A refused chunk writes nothing; a smaller one still fits.
    w.write_all(&[9; 6]).unwrap();
    assert_eq!(w.written(), 96);
    assert_eq!(w.commit().unwrap(), 96);
    assert_eq!(free(&fs), 4);

    // Through io::copy the typed error survives the io::Error.
    let (_t, fs) = sandbox(1000);
    let mut w = fs.create("/usr/big").unwrap();
    let err = std::io::copy(&mut &[5u8; 4096][..], &mut w).unwrap_err();
    assert_eq!(FsError::from_write_error(err, "/usr/big").cme_code(), 1063);
    drop(w);
    assert_eq!(free(&fs), 1000);
    assert_eq!(fs.size("/usr/big").unwrap_err().cme_code(), 1051);
}

#[test]
fn temp_files_of_writes_in_progress_count() {
    let (_t, fs) = sandbox(100);
    let mut a = fs.create("/usr/a").unwrap();
    a.write_all(&[1; 60]).unwrap();
    let mut b = fs.create("/usr/b").unwrap();
    assert_eq!(b.write_chunk(&[2; 60]).unwrap_err().cme_code(), 1063);
    assert_eq!(fs.write("/usr/c", &[3; 41]).unwrap_err().cme_code(), 1063);
    b.write_all(&[2; 40]).unwrap();
    assert_eq!(free(&fs), 0);
    a.commit().unwrap();
    b.commit().unwrap();
    assert_eq!(free(&fs), 0);
    assert_eq!(fs.size("/usr/a").unwrap() + fs.size("/usr/b").unwrap(), 100);
}

#[test]
fn dropped_writer_leaves_the_old_content_and_no_temp_file() {
    let (t, fs) = sandbox(1000);
    fs.write("/usr/f", b"old content").unwrap();
    let before = free(&fs);
    {
        let mut w = fs.create("/usr/f").unwrap();
        w.write_all(b"half of the new").unwrap();
        assert_eq!(free(&fs), before - 15);
        // Readers see the old file while the write is in progress.
        assert_eq!(fs.read("/usr/f", 100).unwrap(), b"old content");
        // Dropped here: the simulated crash.
    }
    assert_eq!(fs.read("/usr/f", 100).unwrap(), b"old content");
    assert_eq!(free(&fs), before);
    let temp = t.path().join("fs/.ftpmodem-tmp");
    assert_eq!(std::fs::read_dir(temp).unwrap().count(), 0);
    // A new file that was never committed does not exist at all.
    drop(fs.create("/usr/new/file").unwrap());
    assert_eq!(fs.size("/usr/new/file").unwrap_err().cme_code(), 1051);
}

#[test]
fn concurrent_writers_never_overfill() {
    const CAP: u64 = 1000;
    const THREADS: usize = 8;
    let (_t, fs) = sandbox(CAP);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let fs = fs.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<u64, FsError> {
                let mut w = fs.create(&format!("/usr/t{i}"))?;
                barrier.wait();
                for _ in 0..20 {
                    w.write_chunk(&[i as u8; 10])?;
                }
                w.commit()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok: u64 = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(FsError::NoSpace { .. })))
        .count();
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), refused);
    // 8 x 200 bytes asked for, 1000 available: at most five complete.
    assert!(ok <= CAP, "{ok}");
    assert!(refused >= 3, "{results:?}");
    let listed: u64 = fs.list(None).unwrap().iter().filter_map(|e| e.size).sum();
    assert_eq!(listed, ok);
    assert_eq!(free(&fs), CAP - ok);
    for (i, r) in results.iter().enumerate() {
        let size = fs.size(&format!("/usr/t{i}"));
        match r {
            Ok(n) => assert_eq!(size.unwrap(), *n),
            Err(_) => assert_eq!(size.unwrap_err().cme_code(), 1051),
        }
    }
}

#[test]
fn concurrent_writers_to_one_file_are_refused_not_interleaved() {
    let (_t, fs) = sandbox(10_000);
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4u8)
        .map(|i| {
            let fs = fs.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                fs.write("/usr/same", &[i; 1000])
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(results.iter().any(|r| r.is_ok()));
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.cme_code(), 1056, "{e:?}");
        }
    }
    let data = fs.read("/usr/same", 2000).unwrap();
    assert_eq!(data.len(), 1000);
    assert!(data.iter().all(|b| *b == data[0]), "interleaved content");
}

#[test]
fn deletes_and_host_changes_free_space() {
    let (t, fs) = sandbox(100);
    fs.write("/usr/a", &[1; 70]).unwrap();
    assert_eq!(fs.write("/usr/b", &[1; 31]).unwrap_err().cme_code(), 1063);
    fs.delete("/usr/a").unwrap();
    fs.write("/usr/b", &[1; 31]).unwrap();
    // Space freed on the host is seen when the next write starts.
    std::fs::remove_file(t.path().join("fs/usr/b")).unwrap();
    fs.write("/usr/c", &[1; 100]).unwrap();
    assert_eq!(free(&fs), 0);
}

#[test]
fn deferred_commit_holds_the_replaced_file_and_counts_only_the_new_one() {
    let (_t, fs) = sandbox(100);
    let mut w = fs.create("/usr/f").unwrap();
    w.write_all(&[1; 30]).unwrap();
    let (n, replaced) = w.commit_deferred().unwrap();
    assert_eq!(n, 30);
    assert!(!replaced.is_held(), "nothing was replaced");

    let mut w = fs.create("/usr/f").unwrap();
    w.write_all(&[2; 50]).unwrap();
    let (n, replaced) = w.commit_deferred().unwrap();
    assert_eq!(n, 50);
    assert!(replaced.is_held(), "the old file is still open");
    // The name shows the new content at once, and the capacity counts only it.
    assert_eq!(fs.read("/usr/f", 100).unwrap(), vec![2; 50]);
    assert_eq!(free(&fs), 50);
    drop(replaced);
    assert_eq!(free(&fs), 50);
}

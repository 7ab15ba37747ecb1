//! Shared by the self-tests: curl as the peer client, and an upload/list/download round trip.

use std::path::Path;
use std::process::{Command, Output};

/// Runs curl with a hard time limit so a hung server fails the test instead of hanging it.
pub fn curl(args: &[&str]) -> Output {
    Command::new("curl")
        .args(["-sS", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl missing: run .ci/install-test-servers.sh")
}

pub fn describe(o: &Output) -> String {
    format!(
        "status {:?}, stderr {:?}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Uploads a file to `dir_url` (ending in '/'), lists the directory, downloads the file back
/// and compares bytes. `extra` carries login, TLS and addressing options.
pub fn roundtrip(dir_url: &str, extra: &[&str], tag: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("rt-{tag}.bin");
    let local = tmp.path().join(&name);
    let data: Vec<u8> = (0..70_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&local, &data).unwrap();

    let file_url = format!("{dir_url}{name}");
    let local_s = local.to_str().unwrap();
    let mut up = vec!["-T", local_s, file_url.as_str()];
    up.extend_from_slice(extra);
    let o = curl(&up);
    assert!(o.status.success(), "upload {file_url}: {}", describe(&o));

    let mut ls = vec![dir_url];
    ls.extend_from_slice(extra);
    let o = curl(&ls);
    assert!(o.status.success(), "list {dir_url}: {}", describe(&o));
    let listing = String::from_utf8_lossy(&o.stdout);
    assert!(listing.contains(&name), "{name} not in listing {listing:?}");

    let mut down = vec![file_url.as_str()];
    down.extend_from_slice(extra);
    let o = curl(&down);
    assert!(o.status.success(), "download {file_url}: {}", describe(&o));
    assert_eq!(o.stdout.len(), data.len(), "downloaded size");
    assert!(o.stdout == data, "downloaded bytes differ");
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

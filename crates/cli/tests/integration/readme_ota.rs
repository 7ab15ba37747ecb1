//! The README's firmware-style test ("A firmware test: the link lost at 60 %"), run as
//! written: its Python script is read from README.md, and runs with the `ftpmodem` just built
//! against a vsftpd on loopback. The script boots a module whose link is reset at 60 % of the
//! image, loses the download there, resumes from its offset and checks the sha256; this test
//! checks in addition that the loss happened where it was armed and that the image is whole.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::{Command, Stdio};

/// The README's ```python block that holds `ota_resume.py`.
fn readme_script() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match (&mut cur, line.trim_end()) {
            (None, "```python") => cur = Some(String::new()),
            (Some(_), "```") => blocks.extend(cur.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    let found: Vec<String> = blocks
        .into_iter()
        .filter(|b| b.contains("ota_resume.py"))
        .collect();
    assert_eq!(found.len(), 1, "README.md holds one ota_resume.py block");
    found.into_iter().next().unwrap()
}

#[test]
fn the_readme_ota_script_loses_the_link_at_60_percent_and_finishes_bit_exact() {
    let server = Vsftpd::start(VsftpdOptions::plain()).unwrap();
    let dir = server.fresh_user_dir().unwrap();
    let size = 300_000usize;
    let image: Vec<u8> = (0..size as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(dir.join("image.bin"), &image).unwrap();
    let sha = format!("{:x}", Sha256::digest(&image));

    let work = tempfile::tempdir().unwrap();
    let script = work.path().join("ota_resume.py");
    std::fs::write(&script, readme_script()).unwrap();
    let bin = work.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ftpmodem"), bin.join("ftpmodem")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let url = format!(
        "ftp://uftp:12341@{}:{}{}/image.bin",
        server.host(),
        server.port(),
        dir.display()
    );
    let o = Command::new("python3")
        .arg(&script)
        .args([url.as_str(), &size.to_string(), &sha])
        .current_dir(work.path())
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "--- stdout\n{out}\n--- stderr\n{err}");
    // "+MFTPRETR: 0,11 after N of SIZE bytes; resuming", N at most the 60 % mark.
    let lost = out
        .lines()
        .find_map(|l| l.strip_prefix("+MFTPRETR: 0,11 after "))
        .unwrap_or_else(|| panic!("no loss reported:\n{out}"));
    let n: usize = lost.split(' ').next().unwrap().parse().unwrap();
    assert!(n <= size * 6 / 10 && n >= size / 2, "lost after {n} bytes");
    assert!(
        out.contains(&format!("image: {size} bytes, sha256 {sha}")),
        "{out}"
    );
}

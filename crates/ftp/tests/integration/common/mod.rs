//! Shared helpers of the integration tests: configurations and the per-server scenario.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ftpmodem_ftp::{ConnectConfig, DataMode, EntryKind, RootCerts, Security, Session, TlsOptions};
use ftpmodem_testsrv::Certs;

/// A configuration for `addr` with short timeouts (tests wait for events, never sleep).
pub fn config(addr: SocketAddr, security: Security, certs: Option<&Certs>) -> ConnectConfig {
    let mut cfg = ConnectConfig::new(addr.ip().to_string(), addr.port());
    cfg.security = security;
    cfg.reply_timeout = Duration::from_secs(10);
    cfg.connect_timeout = Duration::from_secs(10);
    if let Some(c) = certs {
        cfg.tls = TlsOptions {
            roots: RootCerts::Pem(c.ca().cert_pem().as_bytes().to_vec()),
            ..TlsOptions::default()
        };
    }
    cfg
}

/// The login of the shared local account.
pub fn as_uftp(mut cfg: ConnectConfig) -> ConnectConfig {
    cfg.user = ftpmodem_testsrv::USER.to_owned();
    cfg.password = ftpmodem_testsrv::PASSWORD.to_owned();
    cfg
}

pub fn active(mut cfg: ConnectConfig) -> ConnectConfig {
    cfg.data_mode = DataMode::Active;
    cfg
}

pub fn pasv_only(mut cfg: ConnectConfig) -> ConnectConfig {
    cfg.use_epsv = false;
    cfg
}

/// Bytes that a text-mode bug would mangle: CR, LF, CRLF, NUL, Ctrl-Z, every byte value.
pub fn payload(len: usize) -> Vec<u8> {
    let mut v = b"\r\n\n\r\0\x1a+++\r\r\n".to_vec();
    let mut x: u32 = 12345;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.push((x >> 16) as u8);
    }
    v.truncate(len);
    v
}

pub async fn upload(s: &mut Session, path: &str, append: bool, ascii: bool, data: &[u8]) -> u64 {
    let mut up = s.store(path, append, ascii).await.expect("store");
    // Several writes of odd sizes, as the device's serial chunks arrive.
    for piece in data.chunks(1000) {
        up.write_all(piece).await.expect("write");
    }
    up.finish().await.expect("finish")
}

pub async fn download(
    s: &mut Session,
    path: &str,
    offset: u64,
    limit: Option<u64>,
    ascii: bool,
) -> Vec<u8> {
    let mut dl = s
        .retrieve(path, offset, limit, ascii)
        .await
        .expect("retrieve");
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1024];
    // Both ways of reading, alternating, so each meets every state the other leaves (offset
    // skipped or not, limit reached, ASCII, end of data).
    for turn in 0u64.. {
        let n = if turn % 2 == 0 {
            let n = dl.next_chunk(&mut buf).await.expect("chunk");
            assert!(n <= buf.len());
            out.extend_from_slice(&buf[..n]);
            n
        } else {
            let before = out.len();
            let n = dl.next_chunk_into(&mut out, 777).await.expect("chunk into");
            assert!(n <= 777 && out.len() == before + n);
            n
        };
        if n == 0 {
            break;
        }
    }
    assert_eq!(dl.received(), out.len() as u64);
    out
}

/// Compares byte strings without printing megabytes when they differ.
#[track_caller]
pub fn same_bytes(got: &[u8], want: &[u8]) {
    if got != want {
        let first = got.iter().zip(want).position(|(a, b)| a != b);
        panic!(
            "bytes differ: got {} bytes, want {}, first difference at {:?}; got starts {:?}",
            got.len(),
            want.len(),
            first,
            &got[..got.len().min(32)]
        );
    }
}

/// What a scenario run saw, for server-specific assertions.
#[derive(Debug, Default)]
pub struct Seen {
    pub listing: Vec<ftpmodem_ftp::Entry>,
}

/// The matrix cell: login, pwd, mkd, cwd, store, append, list, retrieve (whole, offset+limit,
/// offset only), a command after the aborted transfer, size, rename, delete file, delete
/// directory, ASCII round trip, quit. `dir` is the FTP path of an empty writable directory
/// and `local` the same directory on disk (checked after each change).
pub async fn scenario(cfg: &ConnectConfig, dir: &str, local: &Path) -> (Seen, Session) {
    scenario_with(cfg, dir, local, true).await
}

/// [`scenario`] for servers whose listings carry no permissions (`perms_known == false`:
/// libunftp's MLSD has neither `perm` nor `UNIX.mode`, so the owner triplet is empty).
pub async fn scenario_with(
    cfg: &ConnectConfig,
    dir: &str,
    local: &Path,
    perms_known: bool,
) -> (Seen, Session) {
    let mut s = Session::connect(cfg).await.expect("connect");
    let home = s.pwd().await.expect("pwd");
    assert!(home.starts_with('/'), "{home}");
    s.cwd(dir).await.expect("cwd");
    assert_eq!(
        s.pwd().await.unwrap().trim_end_matches('/'),
        dir.trim_end_matches('/')
    );

    s.mkd("sub dir").await.expect("mkd");
    assert!(local.join("sub dir").is_dir());
    s.cwd("sub dir").await.expect("cwd sub");
    assert!(s.pwd().await.unwrap().ends_with("/sub dir"));
    s.cwd(dir).await.unwrap();

    let data = payload(150_000);
    assert_eq!(
        upload(&mut s, "bin.dat", false, false, &data).await,
        data.len() as u64
    );
    same_bytes(&std::fs::read(local.join("bin.dat")).unwrap(), &data);
    let more = payload(3000);
    assert_eq!(
        upload(&mut s, "bin.dat", true, false, &more).await,
        more.len() as u64
    );
    let mut all = data.clone();
    all.extend_from_slice(&more);
    same_bytes(&std::fs::read(local.join("bin.dat")).unwrap(), &all);

    let listing = s.list("").await.expect("list");
    let f = listing
        .iter()
        .find(|e| e.name == "bin.dat")
        .expect("bin.dat listed");
    assert_eq!(f.kind, EntryKind::File);
    assert_eq!(f.size, Some(all.len() as u64));
    assert_eq!(f.perm, if perms_known { "rw-" } else { "" }, "{f:?}");
    assert!(f.modified.is_some());
    let d = listing
        .iter()
        .find(|e| e.name == "sub dir")
        .expect("dir listed");
    assert_eq!(d.kind, EntryKind::Dir);
    assert_eq!(d.perm, if perms_known { "rwx" } else { "" }, "{d:?}");
    assert!(!listing.iter().any(|e| e.name == "." || e.name == ".."));
    assert_eq!(s.list("sub dir").await.expect("list empty"), vec![]);
    // Listing a file describes the file.
    let one = s.list("bin.dat").await.expect("list a file");
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(
        (one[0].name.as_str(), one[0].size),
        ("bin.dat", Some(all.len() as u64))
    );

    same_bytes(&download(&mut s, "bin.dat", 0, None, false).await, &all);
    same_bytes(
        &download(&mut s, "bin.dat", 10, Some(100), false).await,
        &all[10..110],
    );
    // The control connection is in step after the abort.
    assert_eq!(
        s.pwd()
            .await
            .expect("pwd after abort")
            .trim_end_matches('/'),
        dir.trim_end_matches('/')
    );
    same_bytes(
        &download(&mut s, "bin.dat", 149_990, None, false).await,
        &all[149_990..],
    );
    // A small remainder after the limit (read to the end rather than cut off).
    same_bytes(
        &download(&mut s, "bin.dat", 100_000, Some(10), false).await,
        &all[100_000..100_010],
    );
    same_bytes(
        &download(&mut s, "bin.dat", 0, Some(all.len() as u64), false).await,
        &all,
    );
    assert_eq!(s.size("bin.dat").await.expect("size"), all.len() as u64);

    // A file larger than the socket buffers: the server is still writing when the limit is
    // reached, so it sees the closed data connection mid-transfer (426 on most servers).
    let big = payload(8 << 20);
    let mut up = s.store("big.bin", false, false).await.unwrap();
    up.write_all(&big).await.unwrap();
    assert_eq!(up.finish().await.unwrap(), big.len() as u64);
    same_bytes(
        &download(&mut s, "big.bin", 1 << 20, Some(5000), false).await,
        &big[1 << 20..(1 << 20) + 5000],
    );
    assert!(s.is_usable());
    // Issue 13.6: the ranged download of the report (70,000 bytes at 1,000,000), ended by
    // ABOR, delivers every requested byte and keeps the session.
    same_bytes(
        &download(&mut s, "big.bin", 1_000_000, Some(70_000), false).await,
        &big[1_000_000..1_070_000],
    );
    assert!(s.is_usable());
    assert_eq!(
        s.size("big.bin").await.expect("size after abort"),
        big.len() as u64
    );
    s.dele("big.bin").await.unwrap();

    let text = b"line one\nline two\n\nend\n";
    upload(&mut s, "text.txt", false, true, text).await;
    same_bytes(&download(&mut s, "text.txt", 0, None, true).await, text);

    s.rename("bin.dat", "renamed.dat").await.expect("rename");
    assert!(local.join("renamed.dat").is_file() && !local.join("bin.dat").exists());
    s.delete_any("renamed.dat").await.expect("delete file");
    assert!(!local.join("renamed.dat").exists());
    s.delete_any("sub dir").await.expect("delete dir");
    assert!(!local.join("sub dir").exists());
    s.delete_any("text.txt").await.expect("delete text");
    assert!(s.is_usable());
    (Seen { listing }, s)
}

/// The field between the first two `"` of an emitted line: what a firmware takes as the name.
fn first_quoted(line: &[u8]) -> Vec<u8> {
    let mut parts = line.split(|b| *b == b'"');
    parts.next();
    parts.next().expect("a quoted field").to_vec()
}

/// Issue 13.2: a name holding `"` and `,` is listed, printed on the AT line escaped (six
/// fields even for a host that cuts at every comma), and passed back as printed in
/// `AT+MFTPRETR` and `AT+MFTPDEL`, which reach the same file; a directory of that name is
/// printed by `+MFTPPWD` and entered again with `AT+MFTPCWD` as printed.
pub async fn hostile_names_pass_back(cfg: &ConnectConfig, dir: &str) {
    use ftpmodem_proto::{ChannelId, Command, ResultCode, Timestamp, Urc};
    let id = ChannelId::new(0).unwrap();
    let mut s = Session::connect(cfg).await.expect("connect");
    s.cwd(dir).await.expect("cwd");
    let name = "q\"uote, comma.txt";
    upload(&mut s, name, false, false, b"hostile").await;
    let listing = s.list("").await.expect("list");
    let e = listing
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name:?} not in {listing:?}"));
    let line = Urc::ListFile {
        id,
        name: e.name.clone(),
        size: e.size.unwrap_or(0),
        modified: Timestamp {
            year: 2024,
            month: 1,
            day: 2,
            hour: 3,
            minute: 4,
            second: 5,
        },
        perm: e.perm.clone(),
    }
    .to_bytes();
    assert_eq!(line.iter().filter(|b| **b == b',').count(), 5, "{line:?}");
    assert_eq!(line.iter().filter(|b| **b == b'"').count(), 4, "{line:?}");
    let printed = first_quoted(&line);
    assert_eq!(printed, b"q\\22uote\\2C comma.txt");
    let with = |cmd: &str| [cmd.as_bytes(), b"\"", &printed, b"\""].concat();
    let file = match Command::parse(&with("AT+MFTPRETR=0,")) {
        Ok(Command::MftpRetr(r)) => r.file,
        other => panic!("{other:?}"),
    };
    same_bytes(&download(&mut s, &file, 0, None, false).await, b"hostile");
    match Command::parse(&with("AT+MFTPDEL=0,")) {
        Ok(Command::MftpDel(_, f)) => s.dele(&f).await.expect("dele by the printed name"),
        other => panic!("{other:?}"),
    }
    assert!(!s.list("").await.unwrap().iter().any(|e| e.name == name));

    let sub = "d\"ir, two";
    s.mkd(sub).await.expect("mkd");
    s.cwd(sub).await.expect("cwd");
    let path = s.pwd().await.expect("pwd");
    assert!(path.ends_with(sub), "{path:?}");
    let line = Urc::Pwd {
        id,
        code: ResultCode::Success,
        path: Some(path.clone()),
    }
    .to_bytes();
    assert_eq!(line.iter().filter(|b| **b == b',').count(), 2, "{line:?}");
    let printed = first_quoted(&line);
    assert_eq!(printed, [dir.as_bytes(), b"/d\\22ir\\2C two"].concat());
    let with = |cmd: &str| [cmd.as_bytes(), b"\"", &printed, b"\""].concat();
    s.cwd("/").await.expect("cwd /");
    match Command::parse(&with("AT+MFTPCWD=0,")) {
        Ok(Command::MftpCwd(_, p)) => {
            assert_eq!(p, path);
            s.cwd(&p).await.expect("cwd by the printed path");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.pwd().await.unwrap(), path);
    s.cwd("..").await.unwrap();
    s.rmd(sub).await.expect("rmd");
    s.quit().await.expect("quit");
}

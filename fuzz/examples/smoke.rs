//! A stable-toolchain stand-in for `cargo fuzz run`: runs each target's body over its corpus
//! (`seeds/<target>/`, and `corpus/<target>/` when libFuzzer has made one), then over random
//! mutations of it for a given time. No coverage feedback, so it finds less than libFuzzer;
//! it exists so that the targets are exercised where no nightly toolchain is.
//!
//! `cargo run --release --example smoke -- [--seconds N] [--seed S] [--target NAME]`
//!
//! A failing input is written to `artifacts/<target>/crash-<hash>` and the run exits 1.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Inputs longer than this are cut: the parsers' interesting paths are all in short lines.
const MAX_LEN: usize = 8192;

/// Fragments that make random bytes look like AT lines, module output, FTP replies and
/// directory listings.
const TOKENS: &[&[u8]] = &[
    b"AT",
    b"at",
    b"AT+",
    b"+",
    b"=",
    b"=?",
    b"?",
    b",",
    b",,",
    b"\"",
    b"(",
    b")",
    b"(0-5)",
    b" ",
    b": ",
    b"\r",
    b"\n",
    b"\r\n",
    b"MFTPCFG",
    b"MFTPCONN",
    b"MFTPRETR",
    b"MFTPSTOR",
    b"MFTPAPPE",
    b"MFTPLIST",
    b"MFTPPWD",
    b"MFTPURC",
    b"MFPUT",
    b"MFGET",
    b"MFLIST",
    b"MSSLCFG",
    b"CGDCONT",
    b"MIPCALL",
    b"CME ERROR: ",
    b"\"ssl\"",
    b"\"cid\"",
    b"\"conn\"",
    b"\"cert\"",
    b"OK",
    b"\x1a",
    b"\x1b",
    b"\x00",
    b"\xff",
    b"-",
    // Module output (host_decoder).
    b"\r\n>",
    b"\r\n+MFTPRETR: 0,0,",
    b"\r\n+MFGET: ",
    b"\r\nOK\r\n",
    // FTP replies (ftp_reply).
    b"211-",
    b"211 ",
    b"150 ",
    b"213 ",
    b"227 ",
    b"229 ",
    b"257 ",
    b"(|||",
    b"|)",
    b"\"\"",
    b" bytes)",
    b"20240229235960",
    // Listings (list_parsers).
    b"type=file;",
    b"type=dir;",
    b"type=cdir;",
    b"type=OS.unix=slink:",
    b"size=",
    b"modify=",
    b"perm=",
    b"UNIX.mode=",
    b";",
    b"; ",
    b"drwxr-xr-x",
    b"-rw-r--r--",
    b"lrwxrwxrwx",
    b" -> ",
    b"total ",
    b"Feb",
    b"Dec",
    b"12:00",
    b"2022-08-16",
    b"08-16-22",
    b"05:38PM",
    b"<DIR>",
    b"1,234",
];

/// Numbers at the edges of the manual's ranges and of the integer types.
const NUMBERS: &[&[u8]] = &[
    b"0",
    b"1",
    b"2",
    b"5",
    b"6",
    b"15",
    b"16",
    b"30",
    b"31",
    b"255",
    b"256",
    b"1023",
    b"1024",
    b"1025",
    b"4096",
    b"4097",
    b"65535",
    b"65536",
    b"4294967295",
    b"4294967296",
    b"18446744073709551615",
    b"18446744073709551616",
    b"99999999999999999999999",
];

/// xorshift64*: no dependency, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a>(&mut self, list: &[&'a [u8]]) -> &'a [u8] {
        list[self.below(list.len())]
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => input.insert(at, rng.next() as u8),
            3 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at.min(end)..end);
            }
            4 => {
                let t = rng.pick(TOKENS);
                input.splice(at..at, t.iter().copied());
            }
            5 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk = input[start..end].to_vec();
                input.splice(at..at, chunk);
            }
            6 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            7 => input.truncate(at),
            _ => {
                // Replace the digit run at or after `at` with an edge number.
                let start = input[at.min(len)..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|p| p + at);
                let n = rng.pick(NUMBERS);
                match start {
                    Some(s) => {
                        let end = input[s..]
                            .iter()
                            .position(|b| !b.is_ascii_digit())
                            .map_or(input.len(), |p| p + s);
                        input.splice(s..end, n.iter().copied());
                    }
                    None => input.splice(at..at, n.iter().copied()).for_each(drop),
                }
            }
        }
    }
    input.truncate(MAX_LEN);
}

fn read_corpus(dirs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(mut b) = fs::read(&p) {
                b.truncate(MAX_LEN);
                out.push(b);
            }
        }
    }
    out
}

/// FNV-1a, to name a crash file after its content.
fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, x| {
        (h ^ u64::from(*x)).wrapping_mul(0x100_0000_01b3)
    })
}

fn run_one(root: &Path, name: &str, body: fn(&[u8]), input: &[u8]) -> Result<(), PathBuf> {
    if panic::catch_unwind(|| body(input)).is_ok() {
        return Ok(());
    }
    let dir = root.join("artifacts").join(name);
    let path = dir.join(format!("crash-{:016x}", hash(input)));
    let _ = fs::create_dir_all(&dir);
    let _ = fs::write(&path, input);
    Err(path)
}

struct Args {
    seconds: u64,
    seed: u64,
    target: Option<String>,
}

fn args() -> Result<Args, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut a = Args {
        seconds: 10,
        seed: now | 1,
        target: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => a.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seed" => a.seed = value()?.parse::<u64>().map_err(|e| format!("{e}"))? | 1,
            "--target" => a.target = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("smoke: {e}");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("smoke: seed {} ({}s per target)", a.seed, a.seconds);
    let mut ran = 0;
    for &(name, body) in ftpmodem_fuzz::TARGETS {
        if a.target.as_deref().is_some_and(|t| t != name) {
            continue;
        }
        ran += 1;
        let corpus = read_corpus(&[
            root.join("seeds").join(name),
            root.join("corpus").join(name),
        ]);
        let mut rng = Rng(a.seed ^ hash(name.as_bytes()) | 1);
        let mut execs = 0u64;
        let mut check = |input: &[u8]| -> bool {
            execs += 1;
            match run_one(root, name, body, input) {
                Ok(()) => true,
                Err(path) => {
                    eprintln!(
                        "smoke: {name} failed on {input:?}; saved as {}",
                        path.display()
                    );
                    false
                }
            }
        };
        for input in &corpus {
            if !check(input) {
                return ExitCode::FAILURE;
            }
        }
        let deadline = Instant::now() + Duration::from_secs(a.seconds);
        while Instant::now() < deadline {
            for _ in 0..256 {
                let mut input = if corpus.is_empty() || rng.below(16) == 0 {
                    (0..rng.below(256)).map(|_| rng.next() as u8).collect()
                } else {
                    corpus[rng.below(corpus.len())].clone()
                };
                mutate(&mut rng, &mut input, &corpus);
                if !check(&input) {
                    return ExitCode::FAILURE;
                }
            }
        }
        println!(
            "smoke: {name}: {} corpus inputs, {execs} runs, 0 failures",
            corpus.len()
        );
    }
    if ran == 0 {
        eprintln!("smoke: no target matched");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

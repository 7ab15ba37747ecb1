//! The streaming benchmark (`bench/run.sh` runs it; method in BENCHMARKS.md): one vsftpd, one
//! file, curl against the module on the same transfers, medians of several runs, the module's
//! peak RSS per transfer kind.
//!
//! `cargo run --release -p ftpmodem --example stream_bench -- --size-mib 256 --runs 5`
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod relay;
mod wire;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use wire::{Module, Sha256Pipe};

/// Time limit of one transfer: generous, it only stops a hung run.
const LIMIT: Duration = Duration::from_secs(600);
/// The module's `+++` guard time (EngineConfig default, V.25ter S12).
const GUARD: Duration = Duration::from_secs(1);
/// Silence the client keeps before `+++`: the guard time plus a margin for timer slack.
const PRE_GUARD: Duration = Duration::from_millis(1100);

#[derive(Parser)]
struct Args {
    /// Size of the test file in MiB.
    #[arg(long, default_value_t = 256)]
    size_mib: u64,
    /// Timed runs of each transfer (after one untimed, verified run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The ftpmodem binary (default: the one built next to this example).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Only these transfers (comma-separated: curl-get-null, curl-get-file, retr-local,
    /// retr-serial, relay-serial, zero-copy-serial, curl-put, stor, relay-stor,
    /// zero-copy-stor), e.g. to profile one under `perf record`.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Skip the verification run.
    #[arg(long)]
    no_verify: bool,
    /// Before the timed rounds, print the module's pid and wait this many seconds (time to
    /// attach `perf record -p` or `strace -c -p`).
    #[arg(long, default_value_t = 0)]
    attach_delay: u64,
    /// Internal: run as the relay against the FTP server at this address (relay.rs).
    #[arg(long, hide = true)]
    relay_child: Option<String>,
    /// Internal: the relay moves the data without copying it in user space.
    #[arg(long, hide = true)]
    zero_copy: bool,
}

/// The transfers measured, in the order of each round.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    CurlGetNull,
    CurlGetFile,
    RetrLocal,
    RetrSerial,
    RelaySerial,
    ZeroCopySerial,
    CurlPut,
    StorTransparent,
    RelayStor,
    ZeroCopyStor,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::CurlGetNull,
        Kind::CurlGetFile,
        Kind::RetrLocal,
        Kind::RetrSerial,
        Kind::RelaySerial,
        Kind::ZeroCopySerial,
        Kind::CurlPut,
        Kind::StorTransparent,
        Kind::RelayStor,
        Kind::ZeroCopyStor,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::CurlGetNull => "curl-get-null",
            Kind::CurlGetFile => "curl-get-file",
            Kind::RetrLocal => "retr-local",
            Kind::RetrSerial => "retr-serial",
            Kind::RelaySerial => "relay-serial",
            Kind::ZeroCopySerial => "zero-copy-serial",
            Kind::CurlPut => "curl-put",
            Kind::StorTransparent => "stor",
            Kind::RelayStor => "relay-stor",
            Kind::ZeroCopyStor => "zero-copy-stor",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::CurlGetNull => "curl download -> /dev/null",
            Kind::CurlGetFile => "curl download -> file",
            Kind::RetrLocal => "RETR -> module local fs",
            Kind::RetrSerial => "RETR -> TCP line reader",
            Kind::RelaySerial => "copying relay -> TCP line reader",
            Kind::ZeroCopySerial => "zero-copy relay -> TCP line reader",
            Kind::CurlPut => "curl -T upload",
            Kind::StorTransparent => "transparent STOR",
            Kind::RelayStor => "copying relay transparent STOR",
            Kind::ZeroCopyStor => "zero-copy relay transparent STOR",
        }
    }

    /// The curl transfer a module transfer is compared with.
    fn baseline(self) -> Option<Kind> {
        match self {
            Kind::RetrLocal => Some(Kind::CurlGetFile),
            Kind::RetrSerial | Kind::RelaySerial | Kind::ZeroCopySerial => Some(Kind::CurlGetNull),
            Kind::StorTransparent | Kind::RelayStor | Kind::ZeroCopyStor => Some(Kind::CurlPut),
            _ => None,
        }
    }

    /// The target ratio against the baseline.
    fn target(self) -> Option<f64> {
        match self {
            Kind::RetrLocal => Some(1.1),
            Kind::RetrSerial | Kind::StorTransparent => Some(1.3),
            _ => None,
        }
    }
}

/// One measured transfer.
#[derive(Clone, Copy, Default)]
struct Sample {
    secs: f64,
    /// Module peak RSS during the transfer (KiB); 0 for curl.
    peak_kib: u64,
    /// CPU time of the module during the transfer (0 for curl).
    cpu: f64,
    /// CPU time of the client: curl, or this program's reader/writer for the module.
    client_cpu: f64,
    /// curl only: its connect, login and pre-transfer commands (`time_pretransfer`).
    setup: f64,
}

struct Bench {
    server: Vsftpd,
    module: Module,
    /// The copying relay (relay.rs), when its transfers are measured.
    relay: Option<Module>,
    /// The zero-copy relay (relay/zero_copy.rs), when its transfers are measured.
    zero_copy: Option<Module>,
    /// Server-side directory (local path = FTP path for uftp).
    dir: PathBuf,
    /// The module's file system root.
    fs_root: PathBuf,
    /// Scratch directory of the client (curl's output file).
    scratch: PathBuf,
    size: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(ftp) = &args.relay_child {
        return relay::run(ftp, args.zero_copy).context("relay");
    }
    let bin = match args.bin.clone() {
        Some(b) => b,
        None => wire::sibling_binary("ftpmodem")
            .context("ftpmodem binary not found next to the example; pass --bin")?,
    };
    ensure!(args.runs >= 1, "--runs must be at least 1");
    let size = args.size_mib << 20;
    let server = Vsftpd::start(VsftpdOptions::plain())
        .context("starting vsftpd (run .ci/install-test-servers.sh as root)")?;
    let dir = server.fresh_user_dir()?;
    let tmp = tempfile::Builder::new()
        .prefix("ftpmodem-bench-")
        .tempdir()?;
    let fs_root = tmp.path().join("fs");
    let scratch = tmp.path().join("client");
    std::fs::create_dir_all(&scratch)?;
    eprintln!("bench: creating the {} MiB file", args.size_mib);
    let src_sum = wire::make_file(&dir.join("bench.bin"), size, 0x5EED)?;
    let module = Module::start(&bin, &fs_root, size.saturating_mul(4))?;
    let wanted = |k: Kind| args.only.is_empty() || args.only.iter().any(|n| n == k.name());
    let start_relay = |zero_copy: bool| -> Result<Module> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("--relay-child")
            .arg(format!("127.0.0.1:{}", server.port()));
        if zero_copy {
            cmd.arg("--zero-copy");
        }
        Module::spawn(cmd).context("starting a relay")
    };
    let relay = if wanted(Kind::RelaySerial) || wanted(Kind::RelayStor) {
        Some(start_relay(false)?)
    } else {
        None
    };
    let zero_copy = if wanted(Kind::ZeroCopySerial) || wanted(Kind::ZeroCopyStor) {
        Some(start_relay(true)?)
    } else {
        None
    };
    let mut b = Bench {
        server,
        module,
        relay,
        zero_copy,
        dir,
        fs_root,
        scratch,
        size,
    };
    b.connect()?;
    let idle_kib = b.module.rss_kib()?;

    if !args.no_verify {
        eprintln!("bench: verification run (untimed, also the warm-up)");
        b.verify(&src_sum)?;
    }

    if args.attach_delay > 0 {
        eprintln!(
            "bench: module pid {}; waiting {} s",
            b.module.pid(),
            args.attach_delay
        );
        std::thread::sleep(Duration::from_secs(args.attach_delay));
    }
    for name in &args.only {
        ensure!(
            Kind::ALL.iter().any(|k| k.name() == name),
            "unknown transfer {name:?}"
        );
    }
    let mut samples: Vec<(Kind, Vec<Sample>)> = Kind::ALL
        .iter()
        .filter(|k| wanted(**k))
        .map(|k| (*k, Vec::new()))
        .collect();
    for round in 1..=args.runs {
        for (kind, list) in samples.iter_mut() {
            b.settle(*kind)?;
            let s = b
                .run(*kind)
                .with_context(|| format!("{} (round {round})", kind.label()))?;
            eprintln!(
                "bench: round {round} {:<28} {:8.3} s  module CPU {:5.2} s  client CPU {:5.2} s  peak RSS {} KiB",
                kind.label(),
                s.secs,
                s.cpu,
                s.client_cpu,
                s.peak_kib
            );
            list.push(s);
        }
    }
    report(&b, &bin, args.runs, idle_kib, &samples);
    Ok(())
}

impl Bench {
    fn remote(&self, name: &str) -> String {
        format!("{}/{name}", self.dir.display())
    }

    fn url(&self, name: &str) -> String {
        // %2F: an absolute path, not one relative to the login directory.
        format!(
            "{}/%2F{}",
            self.server.url(),
            self.remote(name).trim_start_matches('/')
        )
    }

    /// Channel 0 for the serial line, channel 1 with local_fs 1, both logged in.
    fn connect(&mut self) -> Result<()> {
        let m = &mut self.module;
        m.command("AT+MFTPCFG=1,\"local_fs\",1", b"\r\nOK\r\n")?;
        for id in 0..2 {
            m.command(
                &format!(
                    "AT+MFTPCONN={id},\"127.0.0.1\",\"uftp\",\"12341\",{}",
                    self.server.port()
                ),
                b"\r\nOK\r\n",
            )?;
            m.expect(
                format!("\r\n+MFTPCONN: {id},0\r\n").as_bytes(),
                wire::AT_TIMEOUT,
            )?;
        }
        Ok(())
    }

    /// One of each module transfer, with sha256 checks of every result against the source.
    fn verify(&mut self, src_sum: &str) -> Result<()> {
        let size = self.size;
        self.retr_local()?;
        check(
            "RETR to local fs",
            &wire::sha256_file(&self.fs_root.join("bench.bin"))?,
            src_sum,
        )?;

        let remote = self.remote("bench.bin");
        let mut hash = Sha256Pipe::new()?;
        let m = &mut self.module;
        m.command(&format!("AT+MFTPRETR=0,\"{remote}\""), b"\r\nOK\r\n")?;
        m.read_retr_chunks(0, size, LIMIT, &mut |d| hash.update(d))?;
        check("RETR to the TCP line", &hash.finish()?, src_sum)?;

        for (relay, name) in [
            (&mut self.relay, "copying relay"),
            (&mut self.zero_copy, "zero-copy relay"),
        ] {
            let Some(relay) = relay else { continue };
            let mut hash = Sha256Pipe::new()?;
            relay.command(&format!("AT+MFTPRETR=0,\"{remote}\""), b"\r\nOK\r\n")?;
            relay.read_retr_chunks(0, size, LIMIT, &mut |d| hash.update(d))?;
            check(&format!("{name} to the TCP line"), &hash.finish()?, src_sum)?;
            stor_on(relay, &self.dir, size)?;
            check(
                &format!("{name} transparent STOR"),
                &wire::sha256_file(&self.dir.join("stor.bin"))?,
                src_sum,
            )?;
        }

        self.stor()?;
        check(
            "transparent STOR",
            &wire::sha256_file(&self.dir.join("stor.bin"))?,
            src_sum,
        )?;

        self.curl(Kind::CurlPut)?;
        check(
            "curl -T",
            &wire::sha256_file(&self.dir.join("curl_up.bin"))?,
            src_sum,
        )?;
        self.curl(Kind::CurlGetFile)?;
        check(
            "curl download",
            &wire::sha256_file(&self.scratch.join("curl.bin"))?,
            src_sum,
        )?;
        Ok(())
    }

    fn run(&mut self, kind: Kind) -> Result<Sample> {
        match kind {
            Kind::CurlGetNull | Kind::CurlGetFile | Kind::CurlPut => {
                let me = std::process::id();
                let cpu0 = wire::cpu_secs(me, true)?;
                // The transfer alone, as the module's timings are: its channel is logged in
                // before the clock starts, curl logs in inside its time_total.
                let (total, setup) = self.curl(kind)?;
                let secs = total - setup;
                let client_cpu = wire::cpu_secs(me, true)? - cpu0;
                Ok(Sample {
                    secs,
                    peak_kib: 0,
                    cpu: 0.0,
                    client_cpu,
                    setup,
                })
            }
            Kind::RelaySerial | Kind::RelayStor | Kind::ZeroCopySerial | Kind::ZeroCopyStor => {
                let remote = self.remote("bench.bin");
                let size = self.size;
                let relay = match kind {
                    Kind::RelaySerial | Kind::RelayStor => &mut self.relay,
                    _ => &mut self.zero_copy,
                };
                let relay = relay.as_mut().context("the relay is not running")?;
                relay.reset_peak_rss()?;
                let me = std::process::id();
                let client0 = wire::cpu_secs(me, false)?;
                let cpu0 = wire::cpu_secs(relay.pid(), false)?;
                let secs = if matches!(kind, Kind::RelaySerial | Kind::ZeroCopySerial) {
                    read_chunks(relay, &remote, size)?
                } else {
                    stor_on(relay, &self.dir, size)?
                };
                Ok(Sample {
                    secs,
                    peak_kib: relay.peak_rss_kib()?,
                    cpu: wire::cpu_secs(relay.pid(), false)? - cpu0,
                    client_cpu: wire::cpu_secs(me, false)? - client0,
                    setup: 0.0,
                })
            }
            Kind::RetrLocal | Kind::RetrSerial | Kind::StorTransparent => {
                self.module.reset_peak_rss()?;
                let me = std::process::id();
                let client0 = wire::cpu_secs(me, false)?;
                let cpu0 = wire::cpu_secs(self.module.pid(), false)?;
                let secs = match kind {
                    Kind::RetrLocal => self.retr_local()?,
                    Kind::RetrSerial => self.retr_serial()?,
                    _ => self.stor()?,
                };
                let cpu = wire::cpu_secs(self.module.pid(), false)? - cpu0;
                let client_cpu = wire::cpu_secs(me, false)? - client0;
                Ok(Sample {
                    secs,
                    peak_kib: self.module.peak_rss_kib()?,
                    cpu,
                    client_cpu,
                    setup: 0.0,
                })
            }
        }
    }

    /// Untimed, before each timed transfer: removes the file the transfer is about to write,
    /// then flushes the page cache to disk, so that no transfer pays for an earlier one.
    /// Replacing a 256 MiB file frees its page cache, which takes 0.1 s here (curl pays for it
    /// when it truncates its output, the module after its reply); the writeback of 1.5 GiB
    /// written per round slowed every file-writing transfer after it by up to 0.5 s.
    fn settle(&self, kind: Kind) -> Result<()> {
        let target = match kind {
            Kind::CurlGetFile => Some(self.scratch.join("curl.bin")),
            Kind::RetrLocal => Some(self.fs_root.join("bench.bin")),
            Kind::CurlPut => Some(self.dir.join("curl_up.bin")),
            Kind::StorTransparent | Kind::RelayStor | Kind::ZeroCopyStor => {
                Some(self.dir.join("stor.bin"))
            }
            _ => None,
        };
        if let Some(path) = target {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", path.display()))
                }
                _ => {}
            }
        }
        nix::unistd::sync();
        Ok(())
    }

    /// Command written to `+MFTPRETR: 1,0,<n>,<n>` read.
    fn retr_local(&mut self) -> Result<f64> {
        let cmd = format!(
            "AT+MFTPRETR=1,\"{}\",\"/bench.bin\"",
            self.remote("bench.bin")
        );
        let done = format!("\r\n+MFTPRETR: 1,0,{0},{0}\r\n", self.size);
        let t0 = Instant::now();
        self.module.command(&cmd, b"\r\nOK\r\n")?;
        self.module.expect(done.as_bytes(), LIMIT)?;
        Ok(t0.elapsed().as_secs_f64())
    }

    /// Command written to the last byte of the last chunk read.
    fn retr_serial(&mut self) -> Result<f64> {
        let remote = self.remote("bench.bin");
        read_chunks(&mut self.module, &remote, self.size)
    }

    /// Transparent STOR of the source file (sent with `io::copy`, i.e. sendfile, the cheapest
    /// way a client can write a file to a socket); the time without the guard silences.
    fn stor(&mut self) -> Result<f64> {
        stor_on(&mut self.module, &self.dir, self.size)
    }

    /// curl's own `time_total` (connect, login, transfer, 226), which is what a user waits
    /// for, process start-up not in it; and its `time_pretransfer` (connect, login, the
    /// commands before the transfer), the part the module's timings do not contain.
    fn curl(&mut self, kind: Kind) -> Result<(f64, f64)> {
        let mut cmd = Command::new("curl");
        cmd.args([
            "-sS",
            "--fail",
            "-u",
            "uftp:12341",
            "-w",
            "%{time_total} %{time_pretransfer}",
        ]);
        match kind {
            Kind::CurlGetNull => {
                cmd.args(["-o", "/dev/null"]).arg(self.url("bench.bin"));
            }
            Kind::CurlGetFile => {
                cmd.arg("-o")
                    .arg(self.scratch.join("curl.bin"))
                    .arg(self.url("bench.bin"));
            }
            Kind::CurlPut => {
                cmd.arg("-T")
                    .arg(self.dir.join("bench.bin"))
                    .arg(self.url("curl_up.bin"));
            }
            _ => bail!("not a curl transfer"),
        }
        let out = cmd.output().context("running curl")?;
        ensure!(
            out.status.success(),
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split_whitespace().map(str::parse::<f64>);
        match (fields.next(), fields.next()) {
            (Some(Ok(total)), Some(Ok(pre))) => Ok((total, pre)),
            _ => bail!("curl -w output {text:?}"),
        }
    }
}

/// `AT+MFTPRETR=0,"<remote>"` written to the last byte of the last chunk read; every chunk
/// header is checked, the data discarded.
fn read_chunks(line: &mut Module, remote: &str, size: u64) -> Result<f64> {
    let cmd = format!("AT+MFTPRETR=0,\"{remote}\"");
    let t0 = Instant::now();
    line.command(&cmd, b"\r\nOK\r\n")?;
    let mut got: u64 = 0;
    line.read_retr_chunks(0, size, LIMIT, &mut |d| {
        got += d.len() as u64;
        Ok(())
    })?;
    let secs = t0.elapsed().as_secs_f64();
    ensure!(got == size, "received {got} bytes");
    Ok(secs)
}

/// Transparent STOR of the source file over `line` (sent with `io::copy`, i.e. sendfile, the
/// cheapest way a client can write a file to a socket); the time without the guard silences.
fn stor_on(line: &mut Module, dir: &Path, size: u64) -> Result<f64> {
    let src = dir.join("bench.bin");
    let dst = dir.join("stor.bin");
    let remote = format!("{}/stor.bin", dir.display());
    let plan = wire::StorPlan {
        id: 0,
        remote: &remote,
        server_path: &dst,
        len: size,
        pre_guard: PRE_GUARD,
        limit: LIMIT,
    };
    let times = wire::transparent_stor(line, &plan, &mut |line| {
        let mut f = std::fs::File::open(&src)?;
        io::copy(&mut f, line).map(|_| ())
    })?;
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
    eprintln!(
        "bench:   STOR steps (ms): command->CONNECT {:.1}, CONNECT->last write {:.1}, \
         last write->server file complete {:.1}, +++ -> OK {:.1}, OK -> report {:.1}",
        ms(times.command, times.connect),
        ms(times.connect, times.last_write),
        ms(times.last_write, times.complete),
        ms(times.escape, times.ok),
        ms(times.ok, times.report),
    );
    Ok(times.transfer(GUARD).as_secs_f64())
}

fn check(what: &str, got: &str, want: &str) -> Result<()> {
    ensure!(got == want, "{what}: sha256 {got}, source {want}");
    eprintln!("bench: {what}: sha256 matches ({got})");
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn report(b: &Bench, bin: &Path, runs: usize, idle_kib: u64, samples: &[(Kind, Vec<Sample>)]) {
    let med = |k: Kind| {
        samples
            .iter()
            .find(|(kk, _)| *kk == k)
            .filter(|(_, s)| !s.is_empty())
            .map(|(_, s)| median(&s.iter().map(|x| x.secs).collect::<Vec<_>>()))
            .unwrap_or(f64::NAN)
    };
    let mib = b.size as f64 / (1u64 << 20) as f64;
    println!();
    println!(
        "file: {mib} MiB, runs: {runs} (median), module: {}",
        bin.display()
    );
    println!(
        "module RSS when idle and connected: {:.1} MiB",
        idle_kib as f64 / 1024.0
    );
    println!();
    println!("| transfer | median s | MiB/s | runs (s) | module CPU s | client CPU s | vs | ratio | target | module peak RSS |");
    println!("|---|---:|---:|---|---:|---:|---|---:|---:|---:|");
    for (kind, list) in samples {
        let m = med(*kind);
        let runs_text = list
            .iter()
            .map(|s| format!("{:.3}", s.secs))
            .collect::<Vec<_>>()
            .join(" ");
        let (vs, ratio, target) = match (kind.baseline(), kind.target()) {
            (Some(base), t) => {
                let r = m / med(base);
                let target = match t {
                    Some(t) if r <= t => format!("{t}x met"),
                    Some(t) => format!("{t}x missed"),
                    None => "(peer)".to_owned(),
                };
                (base.label().to_owned(), format!("{r:.2}x"), target)
            }
            _ => ("".to_owned(), "".to_owned(), "".to_owned()),
        };
        let cpu = median(&list.iter().map(|s| s.cpu).collect::<Vec<_>>());
        let client = median(&list.iter().map(|s| s.client_cpu).collect::<Vec<_>>());
        let cpu_text = if cpu == 0.0 {
            "".to_owned()
        } else {
            format!("{cpu:.2}")
        };
        let peak = list.iter().map(|s| s.peak_kib).max().unwrap_or(0);
        let peak_text = if peak == 0 {
            "".to_owned()
        } else {
            format!("{:.1} MiB", peak as f64 / 1024.0)
        };
        println!("| {} | {m:.3} | {:.0} | {runs_text} | {cpu_text} | {client:.2} | {vs} | {ratio} | {target} | {peak_text} |", kind.label(), mib / m);
    }
    println!();
    for (kind, list) in samples {
        if list.iter().any(|s| s.setup > 0.0) {
            let setup = median(&list.iter().map(|s| s.setup).collect::<Vec<_>>());
            println!(
                "{}: time shown is curl's time_total minus time_pretransfer (connect, login, \
                 commands before the transfer: {:.1} ms median, left out as the module's \
                 timings start on a logged-in channel)",
                kind.label(),
                setup * 1e3
            );
        }
    }
}

//! What the streaming tests (`tests/integration/stream_transfers.rs`) and the benchmark driver
//! (`examples/stream_bench`) share: the module as a child process on the TCP transport, AT
//! exchanges on its line, a `+MFTPRETR` chunk reader, a deterministic data stream, streaming
//! sha256 and the module's peak RSS.
//!
//! Everything is blocking std I/O: the client side must never be the bottleneck of what it
//! measures, and a plain socket with a large buffer is as cheap as a client gets.
//!
//! sha256 runs in an `openssl dgst -sha256` child fed through a pipe (openssl uses the CPU's SHA
//! instructions; `.ci/install-test-servers.sh` installs it), because the `ftpmodem` crate has no
//! sha256 implementation among its dependencies.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one AT exchange may take before the caller gives up.
pub const AT_TIMEOUT: Duration = Duration::from_secs(20);

fn err(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

/// `ftpmodem serve --tcp 127.0.0.1:0` as a child process, with its line connected.
pub struct Module {
    child: Child,
    line: TcpStream,
    /// Bytes read from the line and not yet consumed.
    pending: Vec<u8>,
    /// Room for one read from the line.
    scratch: Vec<u8>,
}

impl Drop for Module {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Module {
    /// Starts the module with its file system at `fs_root` holding up to `capacity` bytes,
    /// connects to its line and turns echo off (so the line carries answers only).
    pub fn start(bin: &Path, fs_root: &Path, capacity: u64) -> io::Result<Module> {
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--tcp", "127.0.0.1:0", "--fs-root"])
            .arg(fs_root)
            .arg("--fs-capacity")
            .arg(capacity.to_string());
        Module::spawn(cmd)
    }

    /// Starts `cmd`, a program that announces its line as `... on tcp <address>` on stderr
    /// as `ftpmodem serve` does, connects and turns echo off.
    pub fn spawn(mut cmd: Command) -> io::Result<Module> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or_else(|| err("no stderr pipe"))?;
        // The start line names the port; everything after it is passed through, so the pipe
        // never fills and stalls the module.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            while let Some(Ok(line)) = lines.next() {
                if line.contains(" on tcp ") {
                    let _ = tx.send(line);
                } else {
                    eprintln!("[module] {line}");
                }
            }
        });
        let line = match rx.recv_timeout(AT_TIMEOUT) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait()?;
                return Err(err(format!("module did not announce its port ({status})")));
            }
        };
        let addr = line
            .rsplit(' ')
            .next()
            .ok_or_else(|| err(format!("no address in {line:?}")))?
            .to_owned();
        let stream = TcpStream::connect(&addr)?;
        stream.set_nodelay(true)?;
        let mut m = Module {
            child,
            line: stream,
            pending: Vec::new(),
            scratch: vec![0; 256 * 1024],
        };
        m.command("ATE0", b"\r\nOK\r\n")?;
        Ok(m)
    }

    /// The module's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size of the module so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> io::Result<u64> {
        status_kib(self.pid(), "VmHWM:")
    }

    /// Current resident set size (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> io::Result<u64> {
        status_kib(self.pid(), "VmRSS:")
    }

    /// Resets the peak RSS to the current RSS (`clear_refs` 5), so the next
    /// [`Module::peak_rss_kib`] covers only what follows.
    pub fn reset_peak_rss(&self) -> io::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), b"5")
    }

    /// Writes raw bytes to the line.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.line.write_all(bytes)
    }

    /// The line itself, for bulk writes.
    pub fn line(&mut self) -> &mut TcpStream {
        &mut self.line
    }

    /// Sends `cmd` (CR appended) and reads until `until` has arrived; returns what came.
    pub fn command(&mut self, cmd: &str, until: &[u8]) -> io::Result<Vec<u8>> {
        self.send_raw(format!("{cmd}\r").as_bytes())?;
        self.expect(until, AT_TIMEOUT)
    }

    /// Reads until `want` has arrived; returns everything up to and including it and keeps the
    /// rest for the next read.
    pub fn expect(&mut self, want: &[u8], limit: Duration) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + limit;
        let mut searched = 0;
        loop {
            if let Some(pos) = find(&self.pending[searched..], want) {
                let end = searched + pos + want.len();
                let rest = self.pending.split_off(end);
                return Ok(std::mem::replace(&mut self.pending, rest));
            }
            searched = self.pending.len().saturating_sub(want.len());
            let now = Instant::now();
            if now >= deadline {
                return Err(err(format!(
                    "timed out waiting for {:?}; got {:?}",
                    String::from_utf8_lossy(want),
                    String::from_utf8_lossy(
                        &self.pending[self.pending.len().saturating_sub(300)..]
                    )
                )));
            }
            self.line.set_read_timeout(Some(deadline - now))?;
            let n = self.line.read(&mut self.scratch)?;
            if n == 0 {
                return Err(err("the module closed the line"));
            }
            self.pending.extend_from_slice(&self.scratch[..n]);
        }
    }

    /// Reads the `+MFTPRETR` chunks of channel `id` until `total` bytes have come, handing each
    /// chunk's data to `sink`; returns the number of chunks. Checks every header: channel,
    /// result 0, running sum, chunk length, framing.
    pub fn read_retr_chunks(
        &mut self,
        id: u8,
        total: u64,
        limit: Duration,
        sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<u64> {
        let deadline = Instant::now() + limit;
        let prefix = format!("\r\n+MFTPRETR: {id},");
        let mut buf = std::mem::take(&mut self.pending);
        let mut pos = 0;
        let mut end = buf.len();
        buf.resize(end.max(1 << 20), 0);
        let mut sum: u64 = 0;
        let mut chunks: u64 = 0;
        // One time-out for every read: a stall longer than the whole limit fails the read, and
        // the deadline is checked before each read.
        self.line.set_read_timeout(Some(limit))?;
        while sum < total {
            // The header: prefix, then `<code>,<sum>,<recv>,` or `<code>\r\n` on failure.
            let (csum, recv, header_end) = loop {
                let avail = &buf[pos..end];
                if avail.len() >= prefix.len() {
                    if !avail.starts_with(prefix.as_bytes()) {
                        return Err(err(format!(
                            "expected a +MFTPRETR chunk after {sum} bytes, got {:?}",
                            String::from_utf8_lossy(&avail[..avail.len().min(80)])
                        )));
                    }
                    match parse_retr_fields(&avail[prefix.len()..]) {
                        Fields::Incomplete => {}
                        Fields::Chunk { sum: s, recv, len } => {
                            break (s, recv, pos + prefix.len() + len)
                        }
                        Fields::Other(text) => {
                            return Err(err(format!("after {sum} bytes: +MFTPRETR: {id},{text}")))
                        }
                    }
                }
                fill(&mut self.line, deadline, sum, &mut buf, &mut pos, &mut end)?;
            };
            if recv == 0 || csum != sum + recv {
                return Err(err(format!("chunk {csum},{recv} after {sum} bytes")));
            }
            pos = header_end;
            let mut left = usize::try_from(recv).map_err(|_| err("chunk too large"))?;
            while left > 0 {
                if pos == end {
                    fill(&mut self.line, deadline, sum, &mut buf, &mut pos, &mut end)?;
                }
                let take = left.min(end - pos);
                sink(&buf[pos..pos + take])?;
                pos += take;
                left -= take;
            }
            while end - pos < 2 {
                fill(&mut self.line, deadline, sum, &mut buf, &mut pos, &mut end)?;
            }
            if &buf[pos..pos + 2] != b"\r\n" {
                return Err(err(format!("chunk {csum},{recv} not followed by CRLF")));
            }
            pos += 2;
            sum = csum;
            chunks += 1;
        }
        if sum != total {
            return Err(err(format!(
                "download delivered {sum} bytes, expected {total}"
            )));
        }
        buf.truncate(end);
        self.pending = buf.split_off(pos);
        Ok(chunks)
    }
}

/// What follows `+MFTPRETR: <id>,` in the line.
enum Fields {
    /// Not all there yet.
    Incomplete,
    /// `0,<sum>,<recv>,`: a chunk header of `len` bytes.
    Chunk { sum: u64, recv: u64, len: usize },
    /// Anything else (a failure report such as `5`, or garbage), up to the line's end.
    Other(String),
}

/// Reads the fields of a chunk header without allocating: this runs once per KiB of a
/// download, so it must cost next to nothing next to the module's work.
fn parse_retr_fields(b: &[u8]) -> Fields {
    let other = |b: &[u8]| {
        let end = b
            .iter()
            .position(|&c| c == b'\r')
            .unwrap_or(b.len().min(40));
        Fields::Other(String::from_utf8_lossy(&b[..end]).into_owned())
    };
    let mut i = 0;
    let mut nums = [0u64; 3];
    for (k, n) in nums.iter_mut().enumerate() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 20 {
            *n = n.wrapping_mul(10).wrapping_add(u64::from(b[i] - b'0'));
            i += 1;
        }
        if i == b.len() {
            return Fields::Incomplete;
        }
        if i == start || b[i] != b',' || (k == 0 && *n != 0) {
            return other(b);
        }
        i += 1;
    }
    Fields::Chunk {
        sum: nums[1],
        recv: nums[2],
        len: i,
    }
}

/// Reads more of the line into `buf[end..]`, first moving the unread part to the front; the
/// buffer never grows.
fn fill(
    line: &mut TcpStream,
    deadline: Instant,
    sum: u64,
    buf: &mut [u8],
    pos: &mut usize,
    end: &mut usize,
) -> io::Result<()> {
    if *pos > 0 {
        buf.copy_within(*pos..*end, 0);
        *end -= *pos;
        *pos = 0;
    }
    let now = Instant::now();
    if now >= deadline {
        return Err(err(format!("timed out in the download after {sum} bytes")));
    }
    let n = line.read(&mut buf[*end..])?;
    if n == 0 {
        return Err(err("the module closed the line"));
    }
    *end += n;
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// CPU time (user + system) used so far by process `pid`, in seconds; with `children`, the CPU
/// time of its children that have been waited for instead (`/proc/<pid>/stat` fields 14-17,
/// in clock ticks of 1/100 s, Linux's `USER_HZ` on every architecture).
pub fn cpu_secs(pid: u32, children: bool) -> io::Result<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so field n is at index n - 3.
    let at = |n: usize| -> io::Result<f64> {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .map(|t| t as f64 / 100.0)
            .ok_or_else(|| err(format!("bad /proc/{pid}/stat")))
    };
    if children {
        Ok(at(16)? + at(17)?)
    } else {
        Ok(at(14)? + at(15)?)
    }
}

fn status_kib(pid: u32, key: &str) -> io::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = text
        .lines()
        .find(|l| l.starts_with(key))
        .ok_or_else(|| err(format!("no {key} in /proc/{pid}/status")))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .map_err(|_| err(format!("bad line {line:?}")))
}

/// A deterministic byte stream (splitmix64): the same seed always gives the same bytes, at
/// several GB/s, with no structure a transfer could get right by accident.
pub struct DataStream {
    state: u64,
}

impl DataStream {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        DataStream { state: seed }
    }

    /// Fills `buf` (its length a multiple of 8) with the next bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for word in buf.chunks_exact_mut(8) {
            self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            word.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
    }

    /// Writes `len` bytes of the stream to `out` in 1 MiB blocks, also feeding `also`.
    pub fn write_to(
        &mut self,
        len: u64,
        out: &mut dyn Write,
        also: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut block = vec![0u8; 1 << 20];
        let mut left = len;
        while left > 0 {
            self.fill(&mut block);
            let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
            out.write_all(&block[..n])?;
            also(&block[..n])?;
            left -= n as u64;
        }
        Ok(())
    }
}

/// Creates `path` holding `len` bytes of the stream of `seed`, world-readable (vsftpd serves
/// only such files); returns its sha256.
pub fn make_file(path: &Path, len: u64, seed: u64) -> io::Result<String> {
    let mut f = File::create(path)?;
    let mut hash = Sha256Pipe::new()?;
    DataStream::new(seed).write_to(len, &mut f, &mut |b| hash.update(b))?;
    f.sync_all()?;
    drop(f);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    hash.finish()
}

/// Streaming sha256 in an `openssl dgst -sha256` child: bytes go through a pipe, in large
/// writes, so a 1 GiB stream is never held anywhere.
pub struct Sha256Pipe {
    child: Child,
    stdin: Option<io::BufWriter<ChildStdin>>,
}

impl Sha256Pipe {
    /// Starts the hasher.
    pub fn new() -> io::Result<Self> {
        let mut child = Command::new("openssl")
            .args(["dgst", "-sha256", "-r"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                err(format!(
                    "starting openssl (see .ci/install-test-servers.sh): {e}"
                ))
            })?;
        let stdin = child.stdin.take().ok_or_else(|| err("no stdin pipe"))?;
        Ok(Sha256Pipe {
            child,
            stdin: Some(io::BufWriter::with_capacity(1 << 20, stdin)),
        })
    }

    /// Hashes `bytes`.
    pub fn update(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.stdin.as_mut() {
            Some(w) => w.write_all(bytes),
            None => Err(err("hash already finished")),
        }
    }

    /// The hex digest of everything passed in.
    pub fn finish(mut self) -> io::Result<String> {
        if let Some(mut w) = self.stdin.take() {
            w.flush()?;
        }
        let mut out = String::new();
        if let Some(mut so) = self.child.stdout.take() {
            so.read_to_string(&mut out)?;
        }
        let status = self.child.wait()?;
        if !status.success() {
            return Err(err(format!("openssl dgst failed: {status}")));
        }
        digest_of(&out)
    }
}

impl Drop for Sha256Pipe {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn digest_of(out: &str) -> io::Result<String> {
    let hex = out.split_whitespace().next().unwrap_or("");
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(err(format!("unexpected openssl output {out:?}")))
    }
}

/// sha256 of a file, read streaming by openssl.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-r"])
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            err(format!(
                "starting openssl (see .ci/install-test-servers.sh): {e}"
            ))
        })?;
    if !out.status.success() {
        return Err(err(format!(
            "openssl dgst {} failed: {}",
            path.display(),
            out.status
        )));
    }
    digest_of(&String::from_utf8_lossy(&out.stdout))
}

/// Waits until the file at `path` holds `len` bytes (the server has received the whole
/// upload), checking every millisecond; returns when that was seen.
pub fn wait_for_size(path: &Path, len: u64, limit: Duration) -> io::Result<Instant> {
    let deadline = Instant::now() + limit;
    loop {
        let now = Instant::now();
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size == len {
            return Ok(now);
        }
        if size > len {
            return Err(err(format!(
                "{} grew to {size} bytes, expected {len}",
                path.display()
            )));
        }
        if now >= deadline {
            return Err(err(format!(
                "{} stuck at {size} of {len} bytes",
                path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// When each step of a transparent-mode upload happened.
#[derive(Debug, Clone, Copy)]
pub struct StorTimes {
    /// `AT+MFTPSTOR` written.
    pub command: Instant,
    /// `CONNECT` read.
    pub connect: Instant,
    /// The last data byte written to the line.
    pub last_write: Instant,
    /// The server's file reached its full size.
    pub complete: Instant,
    /// `+++` written.
    pub escape: Instant,
    /// `OK` read (the module saw the trailing guard time).
    pub ok: Instant,
    /// `+MFTPSTOR: <id>,0,<len>` read.
    pub report: Instant,
}

impl StorTimes {
    /// The upload's time without the silences the escape needs: the wait before `+++` (from
    /// the server holding every byte to `+++` being written, idle time the client chose) and
    /// the module's trailing guard time (`guard`, during which it must wait by protocol).
    /// What remains: command to complete file, plus the module's own work after the guard
    /// (closing the data connection, the server's `226`, the report).
    pub fn transfer(&self, guard: Duration) -> Duration {
        (self.report - self.command)
            .saturating_sub(self.escape - self.complete)
            .saturating_sub(guard)
    }
}

/// A transparent-mode upload to make with [`transparent_stor`].
pub struct StorPlan<'a> {
    /// The channel.
    pub id: u8,
    /// The file name in the command.
    pub remote: &'a str,
    /// Where the server stores it (removed first, so its size tells when every byte arrived).
    pub server_path: &'a Path,
    /// Bytes `feed` writes.
    pub len: u64,
    /// Silence after the server holds the whole file and before `+++`; more than the
    /// module's guard time.
    pub pre_guard: Duration,
    /// Longest wait for the file to complete and for the report.
    pub limit: Duration,
}

/// `AT+MFTPSTOR=<id>,"<remote>"`, `CONNECT`, `feed` writes the data to the line; once the
/// server holds every byte the line stays silent for `pre_guard`, then `+++`, `OK`, and the
/// report `+MFTPSTOR: <id>,0,<len>`.
pub fn transparent_stor(
    m: &mut Module,
    plan: &StorPlan<'_>,
    feed: &mut dyn FnMut(&mut TcpStream) -> io::Result<()>,
) -> io::Result<StorTimes> {
    let StorPlan {
        id,
        remote,
        server_path,
        len,
        pre_guard,
        limit,
    } = *plan;
    match std::fs::remove_file(server_path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let command = Instant::now();
    m.command(
        &format!("AT+MFTPSTOR={id},\"{remote}\""),
        b"\r\nCONNECT\r\n",
    )?;
    let connect = Instant::now();
    feed(m.line())?;
    let last_write = Instant::now();
    let complete = wait_for_size(server_path, len, limit)?;
    // The guard time before the escape is silence the protocol demands: a sleep is the point.
    std::thread::sleep((complete + pre_guard).saturating_duration_since(Instant::now()));
    let escape = Instant::now();
    m.send_raw(b"+++")?;
    m.expect(b"\r\nOK\r\n", AT_TIMEOUT)?;
    let ok = Instant::now();
    m.expect(format!("\r\n+MFTPSTOR: {id},0,{len}\r\n").as_bytes(), limit)?;
    let report = Instant::now();
    Ok(StorTimes {
        command,
        connect,
        last_write,
        complete,
        escape,
        ok,
        report,
    })
}

/// Where `cargo` put the release build of `ftpmodem`, next to this executable's directory
/// (`target/release/examples/..`).
pub fn sibling_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join(name), dir.parent()?.join(name)]
        .into_iter()
        .find(|p| p.is_file())
}

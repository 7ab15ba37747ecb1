//! What the benchmark driver needs besides [`ftpmodem_testsrv::modem`] (the module as a child
//! process, its line, the chunk reader, data stream and sha256, shared with the streaming
//! tests): CPU time of a process and the path of the release binary.

use std::io;
use std::path::PathBuf;

pub use ftpmodem_testsrv::modem::{
    make_file, sha256_file, transparent_stor, Module, Sha256Pipe, StorPlan, AT_TIMEOUT,
};

fn err(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
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

/// Where `cargo` put the release build of `ftpmodem`, next to this executable's directory
/// (`target/release/examples/..`).
pub fn sibling_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join(name), dir.parent()?.join(name)]
        .into_iter()
        .find(|p| p.is_file())
}

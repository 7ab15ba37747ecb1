//! Standard output that may be a pipe whose reader has gone (`ftpmodem ls ... | head -1`).
//!
//! Rust ignores SIGPIPE, so a write to such a pipe fails with EPIPE, and `println!` panics on
//! it. Every line the commands print goes through [`line()`] instead (the `outln!` macro), and
//! a broken pipe is told apart from other write errors ([`is_broken_pipe`]) so that the
//! command stops quietly: the reader wanted no more.

use std::io::{self, Write};

/// Writes one line to standard output.
pub fn line(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")?;
    // Line by line, as `println!` to a terminal: a reader sees each line when it is printed.
    out.flush()
}

/// Whether `e` (or what it wraps) says standard output's reader has gone.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Whether any error in an `anyhow` chain is a broken pipe.
pub fn chain_is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<io::Error>().is_some_and(is_broken_pipe))
}

/// `println!` that returns the write's error instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::stdout::line(format_args!($($arg)*))
    };
}

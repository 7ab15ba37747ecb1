//! The bodies of the fuzz targets. They live here rather than in `fuzz_targets/` so that
//! `examples/smoke.rs` runs exactly what libFuzzer runs, on the stable toolchain.
//!
//! Each body panics when a property fails; that is how a fuzzer learns of it.

use ftpmodem_proto::{syntax, Command, Response, Urc};

/// What every target shares: the field splitter must not panic on any input.
fn split_any(data: &[u8]) {
    let _ = syntax::split(data);
    let _ = syntax::split_with_tail(data, 4);
}

/// `Command::parse` must not panic, and what it accepts must come back unchanged through
/// `emit` and `parse`; the emitted line must be canonical (emitting it again gives the same
/// bytes) and must fit on one line.
pub fn command_line(data: &[u8]) {
    split_any(data);
    let Ok(cmd) = Command::parse(data) else {
        return;
    };
    let line = cmd.to_bytes();
    assert!(
        !line.contains(&b'\r') && !line.contains(&b'\n'),
        "emitted command holds CR/LF: {line:?}"
    );
    let again = Command::parse(&line);
    assert_eq!(again.as_ref(), Ok(&cmd), "re-parse of {line:?}");
    if let Ok(again) = again {
        assert_eq!(again.to_bytes(), line, "emit is not canonical");
    }
}

/// `Response::parse` and `Urc::parse` must not panic; each accepted value must come back
/// unchanged through `emit` and `parse`; and no line may read as both an answer and a report,
/// since a host routes on which reader accepts it.
pub fn response_line(data: &[u8]) {
    split_any(data);
    let response = Response::parse(data);
    let urc = Urc::parse(data);
    assert!(
        !(response.is_ok() && urc.is_ok()),
        "{data:?} reads as {response:?} and as {urc:?}"
    );
    if let Ok(r) = response {
        let line = r.to_bytes();
        assert_eq!(Response::parse(&line), Ok(r), "re-parse of {line:?}");
    }
    if let Ok(u) = urc {
        let line = u.to_bytes();
        assert_eq!(Urc::parse(&line), Ok(u), "re-parse of {line:?}");
    }
}

/// A target's body.
pub type Body = fn(&[u8]);

/// The targets by name, for drivers.
pub const TARGETS: &[(&str, Body)] = &[
    ("command_line", command_line),
    ("response_line", response_line),
];

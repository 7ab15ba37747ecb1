//! The bodies of the fuzz targets. They live here rather than in `fuzz_targets/` so that
//! `examples/smoke.rs` runs exactly what libFuzzer runs, on the stable toolchain.
//!
//! Each body panics when a property fails; that is how a fuzzer learns of it.
//!
//! The AT targets (`command_line`, `response_line`, `engine_input`) are in this file; the
//! decoders of what servers and modules send are in their own modules.

mod chunks;
mod ftp_reply;
mod host_decoder;
mod list_parsers;

pub use ftp_reply::ftp_reply;
pub use host_decoder::host_decoder;
pub use list_parsers::list_parsers;

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

/// The engine's byte input: the input is a sequence of records `[len, gap]` + `len` bytes,
/// each fed at `gap` times 50 ms after the previous one (so the `+++` guard and prompt
/// time-outs are reached). Whatever arrives, the engine must not panic, must keep its output
/// bounded, and after a line end and a prompt time-out must take `AT&F` (the input may have
/// changed S3, `ATV`, `ATQ`, echo) and then answer `AT` with `OK`. The profile `AT&W` saves
/// is removed before each run, so runs do not depend on each other.
pub fn engine_input(data: &[u8]) {
    use ftpmodem_device::engine::{Engine, EngineConfig};
    use std::time::{Duration, Instant};
    thread_local! {
        static FS: Option<(tempfile::TempDir, ftpmodem_device::fs::Sandbox)> = tempfile::TempDir::new()
            .ok()
            .and_then(|d| {
                let fs = ftpmodem_device::fs::Sandbox::open(d.path().join("fs"), 1 << 16).ok()?;
                Some((d, fs))
            });
    }
    let Some((root, fs)) = FS.with(|f| f.as_ref().map(|(d, fs)| (d.path().join("fs"), fs.clone())))
    else {
        return;
    };
    let _ = std::fs::remove_dir_all(root.join(ftpmodem_device::fs::NV_DIR));
    let mut t = Instant::now();
    let mut engine = Engine::new(EngineConfig::default(), fs, t);
    let mut rest = data;
    while let [len, gap, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        t += Duration::from_millis(50 * u64::from(*gap));
        engine.input(&tail[..n], t);
        while engine.poll_action().is_some() {}
        assert!(engine.take_output().len() < 1 << 20, "unbounded output");
        rest = &tail[n..];
    }
    // A CR completes a half-typed line (which may open a prompt); the prompt time-out then
    // returns the line to command mode.
    engine.input(&[engine.line_end()], t);
    t += Duration::from_secs(61);
    engine.tick(t);
    let _ = engine.take_output();
    engine.input(b"AT&F", t);
    engine.input(&[engine.line_end()], t);
    while engine.poll_action().is_some() {}
    let _ = engine.take_output();
    engine.input(b"AT\r", t);
    let out = engine.take_output();
    assert!(
        out.ends_with(b"\r\nOK\r\n"),
        "no OK after recovery: {out:?}"
    );
}

/// What kind of event the module-output decoder gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodedKind {
    /// Echoed command bytes.
    Echo,
    /// The `>` prompt.
    Prompt,
    /// `CONNECT`.
    Connect,
    /// `OK`, `ERROR` or `+CME ERROR`.
    Final,
    /// An information line.
    Info,
    /// An unsolicited report.
    Urc,
    /// A framed line no parser accepts.
    Unparsed,
    /// A line or payload over the limits, dropped.
    Overflow,
}

/// One event of the module-output decoder, in a form that does not depend on where the
/// decoder lives: its kind, the bytes it holds (the line as emitted again for parsed lines,
/// the raw bytes otherwise, the dropped length in decimal for an overflow), and its `Debug`
/// form, which carries the full typed value for comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Which event.
    pub kind: DecodedKind,
    /// The bytes it holds.
    pub bytes: Vec<u8>,
    /// The typed event, printed.
    pub debug: String,
}

/// The adapter to the module-output decoder, the one place `host_decoder` names it.
///
/// The decoder is `ftpmodem_proto::frame::decode`, the one the host driver, the tests and the
/// bench read the module's output with. It builds a
/// decoder with the given limits, skips `skip` leading bytes (the echo of data sent at a `>`
/// prompt), feeds `pieces` one at a time taking every event after each, as the host driver
/// does, and returns the events.
pub fn decode_module_output(
    max_line: usize,
    max_data: u64,
    skip: u64,
    pieces: &[&[u8]],
) -> Vec<Decoded> {
    use ftpmodem_proto::frame::decode::{Decoder, Event, Limits};
    let mut decoder = Decoder::new(Limits { max_line, max_data });
    decoder.skip(skip);
    let mut out = Vec::new();
    for piece in pieces {
        decoder.feed(piece);
        while let Some(event) = decoder.next_event() {
            let (kind, bytes) = match &event {
                Event::Echo(b) => (DecodedKind::Echo, b.clone()),
                Event::Prompt => (DecodedKind::Prompt, Vec::new()),
                Event::Connect => (DecodedKind::Connect, Vec::new()),
                Event::Final(_) => (DecodedKind::Final, Vec::new()),
                Event::Info(r) => (DecodedKind::Info, r.to_bytes()),
                Event::Urc(u) => (DecodedKind::Urc, u.to_bytes()),
                Event::Unparsed(b) => (DecodedKind::Unparsed, b.clone()),
                Event::Overflow { len } => (DecodedKind::Overflow, len.to_string().into_bytes()),
            };
            out.push(Decoded {
                kind,
                bytes,
                debug: format!("{event:?}"),
            });
        }
        assert!(!decoder.has_input(), "input left after the last event");
    }
    out
}

/// A target's body.
pub type Body = fn(&[u8]);

/// The targets by name, for drivers.
pub const TARGETS: &[(&str, Body)] = &[
    ("command_line", command_line),
    ("response_line", response_line),
    ("engine_input", engine_input),
    ("ftp_reply", ftp_reply),
    ("list_parsers", list_parsers),
    ("host_decoder", host_decoder),
];

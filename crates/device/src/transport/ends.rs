//! The two ends of the module's serial line: what a transport holds ([`LineEnds`]) and what the
//! runtime holds ([`ModuleEnds`]).

use super::line_out::LineOut;
use tokio::sync::mpsc;

/// Largest chunk a transport reads from a line in one go; bounds what is in flight per hop.
pub const CHUNK: usize = 256 * 1024;

/// The transport's side of the module's serial line.
#[derive(Debug)]
pub struct LineEnds {
    /// Bytes the module writes to the line (responses, URCs, data).
    pub from_module: mpsc::Receiver<LineOut>,
    /// Bytes arriving from the line into the module.
    pub to_module: mpsc::Sender<Vec<u8>>,
}

/// The module's side of its serial line, the counterpart of [`LineEnds`].
#[derive(Debug)]
pub struct ModuleEnds {
    /// Where the module writes what goes out on the line.
    pub to_line: mpsc::Sender<LineOut>,
    /// What arrives from the line; `None` means the line's input has ended (stdin EOF, UART
    /// hang-up): the module should finish and drop `to_line`, which ends the transport. An
    /// empty chunk (never sent for data) means the line's far end detached while the line
    /// goes on (a TCP client left; the next may come): see `Engine::line_detached`.
    pub from_line: mpsc::Receiver<Vec<u8>>,
}

/// Makes the two ends of a serial line whose channels hold `capacity` chunks each direction.
///
/// `capacity` is in chunks (each at most [`CHUNK`] bytes from the line), so the memory held is
/// bounded by `capacity * CHUNK` towards the module; towards the line, by whatever batch sizes
/// the module sends (the runtime bounds download data by a byte budget per channel).
/// A capacity of 0 is raised to 1 (tokio channels need at least one slot).
pub fn line_channel(capacity: usize) -> (LineEnds, ModuleEnds) {
    let capacity = capacity.max(1);
    let (to_line, from_module) = mpsc::channel(capacity);
    let (to_module, from_line) = mpsc::channel(capacity);
    (
        LineEnds {
            from_module,
            to_module,
        },
        ModuleEnds { to_line, from_line },
    )
}

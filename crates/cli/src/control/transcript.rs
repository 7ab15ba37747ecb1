//! `serve --transcript FILE`: both directions of the line with timestamps, one record a line,
//! `<seconds> <dir> <text>` (`>` host to module, `<` module to host; text escaped as
//! `ftpmodem demo --raw` does). Redaction and data summaries are `lineview.rs`'s. Parse it
//! with `[l.rstrip("\n").split(" ", 2) for l in open("t.log")]`.

use super::lineview::{DataMode, LineView, Record};
use anyhow::{Context, Result};
use ftpmodem_device::control::{ModuleControl, ModuleEvent};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Events the transcript may fall behind by before its subscription is dropped (the module is
/// never slowed down for it; a gap is then written into the file).
const QUEUE: usize = 16 * 1024;

/// Opens `path` (truncated) and records the line until the module stops.
pub fn start(
    path: &Path,
    data: DataMode,
    module: &ModuleControl,
    start: Instant,
) -> Result<tokio::task::JoinHandle<()>> {
    let file =
        std::fs::File::create(path).with_context(|| format!("transcript {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut sub = module.subscribe(QUEUE);
    Ok(tokio::spawn(async move {
        let mut view = LineView::new(data);
        while let Some(ev) = sub.recv().await {
            let t = start.elapsed().as_secs_f64();
            let recs = match ev {
                ModuleEvent::LineIn(b) => view.input(&b),
                ModuleEvent::LineOut(b) => view.output(&b),
                _ => continue,
            };
            if write(&mut out, t, &recs).is_err() {
                return;
            }
            // Flushed while the line is quiet, so a reader (`tail -f`, a test) sees it whole.
            let _ = out.flush();
        }
        let t = start.elapsed().as_secs_f64();
        let _ = write(&mut out, t, &view.finish());
        if sub.dropped() {
            let _ = writeln!(
                out,
                "{t:.3} ! <transcript fell behind; records lost from here>"
            );
        }
        let _ = out.flush();
    }))
}

fn write(out: &mut impl Write, t: f64, recs: &[Record]) -> std::io::Result<()> {
    for r in recs {
        writeln!(out, "{t:.3} {} {}", r.dir.arrow(), r.text)?;
    }
    Ok(())
}

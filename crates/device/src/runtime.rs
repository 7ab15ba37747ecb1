//! The module at run time: one task that owns the [`Engine`], feeds it the line's bytes, the
//! clock and the channels' events, and hands its actions to the channel tasks. This is the only
//! place where the sans-IO engine meets async I/O, and it holds no protocol logic of its own.

use crate::control::{Bench, ControlPort};
use crate::engine::{Action, Batch, ChannelEvent, ChannelRequest, Engine, LARGE_OUTPUT};
use crate::pool::BufPool;
use crate::transport::{LineOut, ModuleEnds};
use ftpmodem_proto::ChannelId;
use tokio::sync::mpsc;
use tokio::time::Instant as TokioInstant;
use tokio_util::sync::CancellationToken;

/// Chunks in flight between the line and the module in each direction: small, so a slow
/// consumer pushes back on its producer instead of queueing.
pub const LINE_QUEUE: usize = 16;
/// Channel events in flight towards the engine.
pub const EVENT_QUEUE: usize = 64;
/// Output gathered from queued events before it is handed to the line: small events (reports,
/// short reads) are joined; a download's large blocks (up to 1 MiB each) go one by one, so an
/// output buffer does not grow past about one block.
const COALESCE: usize = 256 * 1024;

pub use crate::channel::EventSender;

/// Large output buffers kept for the engine's reuse.
const OUTPUT_SPARE: usize = 4;

/// Starts one channel task and returns where its requests go. The FTP implementation is
/// [`crate::channel::spawn`]; tests may pass a scripted one.
pub trait SpawnChannel {
    /// Spawns the task for `id`.
    fn spawn(&mut self, id: ChannelId, events: EventSender) -> mpsc::Sender<ChannelRequest>;
}

impl<F> SpawnChannel for F
where
    F: FnMut(ChannelId, EventSender) -> mpsc::Sender<ChannelRequest>,
{
    fn spawn(&mut self, id: ChannelId, events: EventSender) -> mpsc::Sender<ChannelRequest> {
        self(id, events)
    }
}

/// Runs the module until `shutdown` fires or the line closes.
pub async fn run(
    engine: Engine,
    line: ModuleEnds,
    spawner: impl SpawnChannel,
    shutdown: CancellationToken,
) {
    run_controlled(engine, line, spawner, shutdown, ControlPort::none()).await;
}

/// [`run`] with the test bench's control channel (docs/CONTROL.md): its requests are handled in
/// the same loop as the line and the channels, between two steps of the engine.
pub async fn run_controlled(
    mut engine: Engine,
    mut line: ModuleEnds,
    mut spawner: impl SpawnChannel,
    shutdown: CancellationToken,
    control: ControlPort,
) {
    let mut bench = Bench::new(control);
    let mut requests = bench.take_rx();
    let (mut channels, mut events) = spawn_channels(&mut spawner);
    let pool = BufPool::new(OUTPUT_SPARE);
    loop {
        // Everything the engine has produced goes out before anything new comes in, so the
        // order on the line is the order of the engine's decisions (more than one batch when
        // the line changes rate in the middle: `Batch::rate_after`). A hung module prints
        // nothing.
        while engine.has_output() && !bench.hung() {
            let batch = engine.take_batch();
            bench.line_out(&batch.bytes);
            if line.to_line.send(line_out(&pool, batch)).await.is_err() {
                return;
            }
        }
        if engine.wants_spare() {
            if let Some(buf) = pool.take_spare() {
                engine.give_spare(buf);
            }
        }
        let action = engine.poll_action();
        if let Some(Action::Reboot) = action {
            // The module restarted: the old tasks see their requests end and their events go
            // nowhere, so each closes its session (QUIT, or a close) and ends; what they still
            // send is dropped with the old receiver.
            (channels, events) = spawn_channels(&mut spawner);
            bench.after_reboot(&mut engine);
            continue;
        }
        if let Some(Action::Channel { id, request }) = action {
            let Some(tx) = channels.get(id.index()) else {
                continue;
            };
            bench.on_request(id, &request, std::time::Instant::now());
            // While a channel is slow to take its request, its events must still flow, or it
            // could wait on us while we wait on it.
            let send = tx.send(request);
            tokio::pin!(send);
            loop {
                tokio::select! {
                    r = &mut send => {
                        if r.is_err() {
                            tracing::warn!(channel = id.get(), "channel task has ended");
                        }
                        break;
                    }
                    Some((cid, ev)) = events.recv(), if engine.wants_events() => {
                        bench.on_event(cid, &ev);
                        engine.channel_event(cid, ev);
                    }
                    _ = shutdown.cancelled() => return,
                }
            }
            bench.after_request(&mut engine, std::time::Instant::now());
            continue;
        }
        bench.observe(&engine);
        let hung = bench.hung();
        let deadline = match (
            engine.next_deadline().filter(|_| !hung),
            bench.next_deadline(),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tokio::select! {
            bytes = line.from_line.recv() => match bytes {
                // A hung firmware does not drain its UART: what arrives is lost.
                Some(b) if hung => bench.line_in(&b, true),
                // An empty chunk: the line's far end detached (transport::ModuleEnds).
                Some(b) if b.is_empty() => engine.line_detached(std::time::Instant::now()),
                Some(b) => {
                    bench.line_in(&b, false);
                    engine.input_vec(b, std::time::Instant::now());
                }
                None => return,
            },
            Some((id, ev)) = events.recv(), if engine.wants_events() && !hung => {
                bench.on_event(id, &ev);
                engine.channel_event(id, ev);
                // Whatever else is queued already goes into the same write to the line.
                for _ in 0..EVENT_QUEUE {
                    if !engine.wants_events() || engine.output_len() >= COALESCE {
                        break;
                    }
                    match events.try_recv() {
                        Ok((id, ev)) => {
                            bench.on_event(id, &ev);
                            engine.channel_event(id, ev);
                        }
                        Err(_) => break,
                    }
                }
            }
            req = Bench::recv(&mut requests) => match req {
                Some(req) => bench.handle(req, &mut engine, std::time::Instant::now()),
                // The control plane has gone; the module carries on without it.
                None => requests = None,
            },
            _ = sleep_until_opt(deadline) => {
                let now = std::time::Instant::now();
                if !hung {
                    engine.tick(now);
                }
                bench.tick(&mut engine, now);
            }
            _ = shutdown.cancelled() => return,
        }
    }
}

/// One task per channel, and the receiver of their events.
fn spawn_channels(
    spawner: &mut impl SpawnChannel,
) -> (
    Vec<mpsc::Sender<ChannelRequest>>,
    mpsc::Receiver<(ChannelId, ChannelEvent)>,
) {
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let channels = ChannelId::all()
        .map(|id| spawner.spawn(id, events_tx.clone()))
        .collect();
    (channels, events)
}

/// The engine's batch as the transport takes it: a large buffer goes back to `pool` once
/// written, and the download blocks it holds are released at the same moment. A rate change
/// after the batch travels with it ([`LineOut::rate_after`]).
fn line_out(pool: &BufPool, batch: Batch) -> LineOut {
    let rate = batch.rate_after;
    let mut out = if batch.bytes.capacity() < LARGE_OUTPUT && batch.held.is_empty() {
        LineOut::from(batch.bytes)
    } else {
        LineOut::from(pool.share(batch.bytes, batch.held))
    };
    out.set_rate_after(rate);
    out
}

async fn sleep_until_opt(deadline: Option<std::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(TokioInstant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

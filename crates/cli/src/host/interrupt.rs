//! SIGINT (Ctrl+C) and SIGTERM for the host commands.
//!
//! The default action would end the process in the middle of a command: the channel left
//! connected, a download still streaming into the line for the next program to wade through, a
//! transparent upload never escaped. Instead the first signal is reported to [`interrupted`],
//! and the command ends its transfer and logs out ([`super::with_session`]) before exiting with
//! 128 + the signal's number. A second signal ends the process at once.

use std::sync::OnceLock;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// The signals a host command ends on cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl+C on the terminal.
    Int,
    /// SIGTERM: `kill`, a service manager, `timeout`.
    Term,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }

    /// 128 + the signal's number, as a shell reports a process the signal ended.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Int => 130,
            Signal::Term => 143,
        }
    }
}

static FIRST: OnceLock<watch::Receiver<Option<Signal>>> = OnceLock::new();

/// Takes SIGINT and SIGTERM from now on (inside the runtime). Idempotent.
pub fn install() -> std::io::Result<()> {
    if FIRST.get().is_some() {
        return Ok(());
    }
    // Both handlers are in place when these return, before anything is opened.
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let (tx, rx) = watch::channel(None);
    if FIRST.set(rx).is_err() {
        return Ok(());
    }
    tokio::spawn(async move {
        let mut seen = false;
        loop {
            let s = tokio::select! {
                Some(()) = int.recv() => Signal::Int,
                Some(()) = term.recv() => Signal::Term,
                else => return,
            };
            if seen {
                eprintln!("ftpmodem: {} again: quitting without logging out", s.name());
                std::process::exit(s.exit_code());
            }
            seen = true;
            let _ = tx.send(Some(s));
        }
    });
    Ok(())
}

/// The first signal, once it came; never when [`install`] was not called.
pub async fn interrupted() -> Signal {
    let Some(rx) = FIRST.get() else {
        return std::future::pending().await;
    };
    let mut rx = rx.clone();
    let first = rx.wait_for(Option::is_some).await.map(|s| *s);
    match first {
        Ok(s) => s.unwrap_or(Signal::Int),
        // The watching task ended (the runtime is shutting down): no signal will come.
        Err(_) => std::future::pending().await,
    }
}

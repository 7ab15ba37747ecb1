//! The FTP channel tasks: one tokio task per channel turns the engine's [`ChannelRequest`]s
//! into FTP work on a [`Session`](ftpmodem_ftp::Session) and reports back with
//! [`ChannelEvent`](crate::engine::ChannelEvent)s (see `engine/action.rs` for the contract).
//!
//! The engine has already checked everything that can be checked without the network (801,
//! 802, busy, the local_fs form of a command); a task only does the network and file work and
//! turns every outcome into exactly one report.
//!
//! # Reports, states and `done`
//!
//! - Connect: `State(Connected)` then `+MFTPCONN: <id>,0`; a failure is
//!   `+MFTPCONN: <id>,<code>` and the state stays 0.
//! - `AT+MFTPDISC`: QUIT with a bounded wait ([`ChannelOptions::quit_timeout`]), then
//!   `+MFTPDISC: <id>,0` (always 0: the channel is disconnected whatever the server says),
//!   `State(Disconnected)`, `+MFTPURC: <id>,"conn",0`.
//! - A command that loses the session (an error after which the control connection is out of
//!   step: timeout, connection error, unparseable reply) gets its own failure report with
//!   `done: false`, then `State(Disconnected)` and `+MFTPURC: <id>,"conn",0` with `done: true`,
//!   so the engine cannot start a new command between the two.
//! - While idle, a server that closes the control connection (`421` or EOF) is noticed at once
//!   through [`Session::closed`](ftpmodem_ftp::Session::closed): `State(Disconnected)` and
//!   `+MFTPURC`.
//! - Every command's last report has `done: true`; transfers report `State(Downloading)` or
//!   `State(Uploading)` once the data connection is open, and `State(Connected)` after their
//!   last report (so `AT+MFTPSTATE` answering 1 means every byte has been reported).
//!
//! # Result codes (manual table 5)
//!
//! Network errors map one-to-one from [`ErrorClass`](ftpmodem_ftp::ErrorClass): timeout 5,
//! certificate 7, name resolution 8, connect timeout 9, server `4xx`/`5xx` 10, connection
//! error or EOF 11, unparseable reply 12, send error 13, an argument the client refuses to send
//! (CR/LF/NUL in a path) 3, an unusable TLS configuration (bad PEM, key not matching the
//! certificate, auth 2 without certificate or key) 7. Local files: a full file system or a
//! failed host write is 16 (storage access); any other local file problem (missing, not a
//! file, unreadable, invalid path, already open) is 18 (file operation). A TLS context file
//! (CA, certificate, key) that cannot be read is a local file problem too: 18.
//!
//! # Decisions
//!
//! - TLS (docs/PROTOCOL.md "SSL command family"): auth 0 does not verify the server; auth 1
//!   verifies against the context's CA (from the credential store) or the built-in web PKI
//!   roots when no CA is set; auth 2 also presents the context's certificate and key.
//!   `ignoreverify` turns verification off whatever auth says; `ignorestamp` (default 1)
//!   forgives only the validity dates. `sni` 1 sends the host as SNI. `version` 3 is TLS 1.2
//!   only, 255 TLS 1.2 or 1.3; 0-2 (SSL 3.0, TLS 1.0/1.1, which the TLS library does not
//!   implement) make the context unusable (7). `ciphersuite` offers that one suite (7 when the
//!   library lacks it). `negotime` bounds each handshake (5 when it runs out). `session` 1
//!   resumes the control connection's session on data connections and, through the channel's
//!   per-ssl_id cache, on reconnects; 0 makes every handshake a full one.
//! - The connect timeout (name resolution plus TCP connect) is the channel's rsptimeout unless
//!   [`ChannelOptions::connect_timeout`] sets one.
//! - `AT+MFTPDISC` and a PDP context going down cancel a running command at once, without a
//!   report of its own: the `+MFTPURC: <id>,"conn",0` that follows ends it. A DISC that
//!   arrives after the session was already lost answers `+MFTPDISC: <id>,0` alone. A
//!   disconnect while a connect is in progress gives the full disconnect sequence too.
//! - A command that reaches a task whose session is gone (the server closed it a moment
//!   before) fails with 11.
//! - Listing: `.` and `..` are never reported; directories are `+MFTPLIST: <id>,0,"<dir>",
//!   "<perm>"`, everything else (files, links, devices) is reported as a file. A size the
//!   listing does not give is 0 and a missing time is the epoch (`19700101000000`): no SIZE or
//!   MDTM per entry, so a listing stays one data connection. Times are printed as the listing
//!   gives them (MLSD is UTC; LIST is the server's zone, UTC for vsftpd). A missing permission
//!   triplet is an empty string. An empty directory is `+MFTPLIST: <id>,14`.
//! - Download to the serial line: `Download` events of whole chunks of the request's `chunk`
//!   bytes (the engine prints them as `+MFTPRETR` chunks of that size; the last may be
//!   shorter), one chunk held back until the next byte or the end is known, so the last chunk
//!   goes in the event with `done` and is sent only after the server's `226`. What is read
//!   ahead of the line is bounded by the download's in-flight budget (`pace.rs`). A download of zero bytes (also to a local
//!   file, which is then not created) is result 19. A failure after some chunks is
//!   `+MFTPRETR: <id>,<code>`.
//! - Download to a local file: the file is written through an atomic writer and committed
//!   after the `226`, so a failure leaves nothing new under the name; the report is
//!   `+MFTPRETR: <id>,0,<n>,<n>`. A local file error aborts the transfer (ABOR), keeping the
//!   session.
//! - Upload packets (`>` prompt or inline data): the first packet of a file opens STOR/APPE.
//!   A packet with eof 0 reports `+MFTPSTOR|APPE: <id>,0,<total so far>` and keeps the data
//!   connection open (state 3). Any other request while a file is open, including a packet
//!   for another file or the other operation, first finishes the open file (closes the data
//!   connection, waits for `226`) without a report of its own, because its packets were all
//!   reported already; a failure of that finish is reported as `+MFTPSTOR|APPE: <id>,<code>,
//!   <total>` with `done: false` (the new command owns the channel), then the new request
//!   runs. A DISC while a file is open finishes it within the quit timeout, then QUITs; while
//!   a file is open the idle-close watch is off (the next write notices a dead server).
//! - Transparent upload: Begin opens the transfer, Data is written in order, End finishes and
//!   reports `+MFTPSTOR|APPE: <id>,0,<sent>`. A failure reports `<code>,<sent>` at once (the
//!   engine leaves transparent mode on it) and Data or End that still arrive for it are
//!   dropped.
//! - Local upload: a local file that cannot be opened is `+MFTPSTOR|APPE: <id>,18,0` (before
//!   anything is sent to the server); a read error part way aborts the upload (18).

mod codes;
mod config;
mod io;
mod list;
mod local;
mod options;
mod pace;
mod report;
mod retr;
mod task;
mod upload;

use crate::engine::ChannelRequest;
use crate::fs::Sandbox;
use ftpmodem_proto::ChannelId;
use tokio::sync::mpsc;

pub use crate::engine::MAX_RETR_CHUNK;
pub use codes::{fs_result_code, ftp_result_code};
pub use options::{ChannelOptions, EventSender};

/// Starts the task of channel `id` with the default [`ChannelOptions`]; must be called
/// inside a tokio runtime. The task ends when the returned sender is dropped or the event
/// receiver is gone.
pub fn spawn(id: ChannelId, fs: Sandbox, events: EventSender) -> mpsc::Sender<ChannelRequest> {
    spawn_with(id, fs, events, ChannelOptions::default())
}

/// [`spawn`] with explicit options.
pub fn spawn_with(
    id: ChannelId,
    fs: Sandbox,
    events: EventSender,
    opts: ChannelOptions,
) -> mpsc::Sender<ChannelRequest> {
    let (tx, rx) = mpsc::channel(opts.request_queue.max(1));
    let task = task::Task::new(id, fs, events, rx, opts);
    tokio::spawn(task.run());
    tx
}

//! The driver's time-outs and bounds, in a file of their own: the driver task reads them and the
//! [`Modem`](crate::Modem) hands them over, so neither depends on the other for them.

use crate::decode;
use std::time::Duration;

/// Time-outs and bounds of a [`Modem`](crate::Modem).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Longest wait for a command's final result once it was written (and for the `>`
    /// prompt or `CONNECT` of a data command).
    pub command_timeout: Duration,
    /// Longest wait for a channel report after its command's `OK`, and for the next chunk of
    /// a download. The module itself gives up after its rsptimeout (at most 30 s). Also how
    /// long the driver waits for a call to take a report, and for the line to take
    /// transparent-mode data.
    pub report_timeout: Duration,
    /// The module's escape guard time (V.25ter S12): silence needed before and after `+++`.
    pub guard_time: Duration,
    /// Added to the guard before `+++`, because the last data byte leaves the host's buffers
    /// (a USB-serial adapter, a PTY) a little after it was written.
    pub guard_margin: Duration,
    /// A download with no chunk for this long asks `AT+MFTPSTATE` whether it has ended: the
    /// module marks no last chunk, and its state returns to 1 after the last one (spec
    /// NOTES.md "AT+MFTPRETR").
    pub poll_idle: Duration,
    /// Decoder buffer bounds.
    pub limits: decode::Limits,
    /// Reports buffered for one channel call. When it is full the driver holds the next
    /// report and reads no further from the line (the line's flow control slows the module)
    /// until the call takes it; a call that takes nothing for `report_timeout` is given up
    /// and fails with a time-out.
    pub route_queue: usize,
    /// Unsolicited reports kept for [`Modem::events`](crate::Modem::events) subscribers that fall behind.
    pub event_queue: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            command_timeout: Duration::from_secs(10),
            report_timeout: Duration::from_secs(60),
            guard_time: ftpmodem_proto::data_mode::GUARD_TIME,
            guard_margin: Duration::from_millis(200),
            poll_idle: Duration::from_millis(50),
            limits: decode::Limits::default(),
            route_queue: 64,
            event_queue: 256,
        }
    }
}

//! The line's far end went away (a TCP client disconnected): the data mode it opened ends, so
//! whoever attaches next finds the module in command mode.

use std::time::Instant;

use super::action::ChannelRequest;
use super::line::LineBuffer;
use super::modes::{Mode, PromptPurpose};
use super::Engine;

impl Engine {
    /// The line's far end detached at `now`.
    ///
    /// A UART has no such event, so the hardware is no guide; this is what a host that vanished
    /// would most plausibly have wanted, and what keeps its successor's bytes from being taken as
    /// data:
    /// - a `>` prompt is abandoned as if ESC came: nothing is written or sent, a prompted
    ///   upload's channel is free again;
    /// - transparent mode ends as if `+++` came: the bytes received so far are uploaded and the
    ///   transfer finishes (`+++` is the only way §3.12 gives to end it); a `+` or two held as a
    ///   possible escape were data after all; after the upload failed (its report is out), the mode
    ///   just ends;
    /// - a half-typed command line is dropped.
    ///
    /// No final result (`OK`, an error) is written: it would answer a command of the client that
    /// left to the one that comes next. URCs held back by the data mode are released as usual.
    pub fn line_detached(&mut self, now: Instant) {
        self.tick(now);
        self.line = LineBuffer::new(self.cfg.max_line);
        match std::mem::replace(&mut self.mode, Mode::Command) {
            Mode::Command => return,
            // A file data mode is cancelled as ESC cancels it (§C.3): MFPUT's file stays
            // empty, MFWRITE loses this session's bytes.
            Mode::Prompt(p) if p.purpose.is_file_data() => {
                super::handlers::files::data::abandon(&mut self.files, &p.purpose);
            }
            Mode::Prompt(p) => {
                if let PromptPurpose::Upload { id, .. } = p.purpose {
                    // The prompt ended without data: the channel is free again.
                    self.channels.get_mut(id).busy = false;
                }
            }
            // After a failure (already reported) nothing is left to upload or end.
            Mode::Transparent(t) if t.failed => {}
            Mode::Transparent(mut t) => {
                if t.held.len() < 3 && !t.held.is_empty() {
                    self.act(
                        t.channel,
                        ChannelRequest::UploadStreamData(std::mem::take(&mut t.held)),
                    );
                }
                self.act(t.channel, ChannelRequest::UploadStreamEnd);
            }
        }
        self.reply.release();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::engine::{Action, ChannelEvent, EngineConfig};
    use crate::fs::Sandbox;
    use ftpmodem_proto::{ChannelId, ChannelState, ResultCode, SimpleOp, Urc};

    /// An engine with echo off, through its public entry points only.
    fn engine(dir: &tempfile::TempDir, now: Instant) -> (Engine, Sandbox) {
        let fs = Sandbox::open(dir.path().join("fs"), 4096).unwrap();
        let mut e = Engine::new(EngineConfig::default(), fs.clone(), now);
        e.input(b"ATE0\r", now);
        e.take_output();
        (e, fs)
    }

    fn send(e: &mut Engine, s: &str, now: Instant) -> String {
        e.input(s.as_bytes(), now);
        String::from_utf8_lossy(&e.take_output()).into_owned()
    }

    fn requests(e: &mut Engine) -> Vec<ChannelRequest> {
        std::iter::from_fn(|| e.poll_action())
            .filter_map(|a| match a {
                Action::Channel { request, .. } => Some(request),
                Action::Reboot => None,
            })
            .collect()
    }

    #[test]
    fn a_prompt_is_abandoned_as_if_esc_came() {
        let dir = tempfile::tempdir().unwrap();
        let now = Instant::now();
        let (mut e, fs) = engine(&dir, now);
        assert_eq!(send(&mut e, "AT+MFPUT=\"/usr/a.txt\",10\r", now), "\r\n>");
        assert_eq!(send(&mut e, "abc", now), "");
        e.line_detached(now);
        assert_eq!(e.take_output(), b"");
        assert_eq!(e.next_deadline(), None);
        assert_eq!(send(&mut e, "AT\r", now), "\r\nOK\r\n");
        // §C.3: AT+MFPUT emptied the file before the data came; the cancelled data never lands.
        assert_eq!(fs.read("/usr/a.txt", 100).unwrap(), b"");
    }

    #[test]
    fn a_half_typed_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let now = Instant::now();
        let (mut e, _fs) = engine(&dir, now);
        assert_eq!(send(&mut e, "AT+MFDEL", now), "");
        e.line_detached(now);
        assert_eq!(send(&mut e, "AT\r", now), "\r\nOK\r\n");
    }

    #[test]
    fn transparent_mode_ends_as_if_the_escape_came() {
        let dir = tempfile::tempdir().unwrap();
        let now = Instant::now();
        let (mut e, _fs) = engine(&dir, now);
        let id = ChannelId::new(0).unwrap();
        send(&mut e, "AT+MFTPCONN=0,\"h\"\r", now);
        requests(&mut e);
        e.channel_event(id, ChannelEvent::State(ChannelState::Connected));
        let conn = Urc::Result {
            op: SimpleOp::Conn,
            id,
            code: ResultCode::Success,
        };
        e.channel_event(
            id,
            ChannelEvent::Report {
                urc: conn,
                done: true,
            },
        );
        e.take_output();
        assert_eq!(
            send(&mut e, "AT+MFTPSTOR=0,\"t\"\r", now),
            "\r\nCONNECT\r\n"
        );
        requests(&mut e);
        assert_eq!(send(&mut e, "data", now), "");
        // A `+` after silence is held as a possible escape; the client leaves with it held.
        let later = now + std::time::Duration::from_secs(2);
        assert_eq!(send(&mut e, "+", later), "");
        e.line_detached(later);
        assert_eq!(e.take_output(), b"");
        let got = requests(&mut e);
        assert!(
            matches!(
                &got[..],
                [
                    ChannelRequest::UploadStreamData(d),
                    ChannelRequest::UploadStreamData(plus),
                    ChannelRequest::UploadStreamEnd,
                ] if d == b"data" && plus == b"+"
            ),
            "{got:?}"
        );
        assert_eq!(send(&mut e, "AT\r", later), "\r\nOK\r\n");
    }
}

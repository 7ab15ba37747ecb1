//! Engine tests: a fake clock, a temp-dir sandbox, bytes in and bytes out. No sockets.

use super::*;
use ftpmodem_proto::{ChannelId, ChannelState, ResultCode, SimpleOp};
use std::time::Duration;
use tempfile::TempDir;

pub(super) struct Rig {
    pub(super) e: Engine,
    pub(super) t: Instant,
    _dir: TempDir,
}

pub(super) fn rig_with(profile: Profile) -> Rig {
    rig_config(EngineConfig {
        profile,
        ..EngineConfig::default()
    })
}

/// A rig on a whole configuration (identity overrides, PDP bindings); echo stays on.
pub(super) fn rig_config(cfg: EngineConfig) -> Rig {
    let dir = TempDir::new().unwrap();
    let fs = Sandbox::open(dir.path().join("fs"), 4096).unwrap();
    let t = Instant::now();
    let mut r = Rig {
        e: Engine::new(cfg, fs, t),
        t,
        _dir: dir,
    };
    assert_eq!(r.out(), "\r\n+MATREADY\r\n");
    r
}

/// Echo off, so expectations show only what the module answers.
pub(super) fn rig() -> Rig {
    let mut r = rig_with(Profile::default());
    r.send("ATE0\r");
    r
}

pub(super) fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

impl Rig {
    pub(super) fn out(&mut self) -> String {
        String::from_utf8_lossy(&self.e.take_output()).into_owned()
    }
    pub(super) fn send_bytes(&mut self, b: &[u8]) -> String {
        self.e.input(b, self.t);
        self.out()
    }
    pub(super) fn send(&mut self, s: &str) -> String {
        self.send_bytes(s.as_bytes())
    }
    /// As the runtime feeds the engine: the read's buffer handed over.
    pub(super) fn send_vec(&mut self, s: &str) -> String {
        self.e.input_vec(s.as_bytes().to_vec(), self.t);
        self.out()
    }
    pub(super) fn wait(&mut self, ms: u64) -> String {
        self.t += Duration::from_millis(ms);
        self.e.tick(self.t);
        self.out()
    }
    pub(super) fn actions(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.e.poll_action()).collect()
    }
    pub(super) fn report(&mut self, id: u8, urc: Urc, done: bool) -> String {
        self.e
            .channel_event(ch(id), ChannelEvent::Report { urc, done });
        self.out()
    }
    /// [`Rig::connected`] with numeric result codes (`ATV0`).
    pub(super) fn connected_v0(&mut self, id: u8) {
        assert_eq!(self.send(&format!("AT+MFTPCONN={id},\"h\"\r")), "0\r");
        self.actions();
        self.e
            .channel_event(ch(id), ChannelEvent::State(ChannelState::Connected));
        let u = Urc::Result {
            op: SimpleOp::Conn,
            id: ch(id),
            code: ResultCode::Success,
        };
        assert_eq!(self.report(id, u, true), format!("+MFTPCONN: {id},0\r\n"));
    }

    /// Drives channel `id` through a successful connect as a channel task would.
    pub(super) fn connected(&mut self, id: u8) {
        assert_eq!(
            self.send(&format!("AT+MFTPCONN={id},\"h\"\r")),
            "\r\nOK\r\n"
        );
        self.actions();
        self.e
            .channel_event(ch(id), ChannelEvent::State(ChannelState::Connected));
        let u = Urc::Result {
            op: SimpleOp::Conn,
            id: ch(id),
            code: ResultCode::Success,
        };
        assert_eq!(
            self.report(id, u, true),
            format!("\r\n+MFTPCONN: {id},0\r\n")
        );
    }
}

mod at_core;
mod channels;
mod clock;
mod data_modes;
mod files;
mod ftp_records;
mod garbage;
mod identity;
mod network;
mod reboot;
mod services;
mod ssl;
mod v25;

//! `AT+MFTPCONN` plus the channel's settings and TLS context, turned into the FTP client's
//! [`ConnectConfig`] (the TLS decisions are in the module docs).

use super::codes::fs_result_code;
use super::local::read_small;
use super::options::ChannelOptions;
use crate::engine::{cert_file, key_file, ConnectRequest, TlsContext};
use crate::fs::Sandbox;
use ftpmodem_ftp::{
    ClientAuth, ConnectConfig, DataMode, Resume, RootCerts, Security, SessionCache, TlsOptions,
    TlsVersion,
};
use ftpmodem_proto::{ResultCode, SslMode, SslVersion, TransMode};
use std::time::Duration;

/// Largest CA, certificate or key file read from the module's file system.
const MAX_PEM: u64 = 256 * 1024;

/// Builds the session configuration; a TLS context that cannot be used is a result code.
pub(super) async fn connect_config(
    req: &ConnectRequest,
    fs: &Sandbox,
    opts: &ChannelOptions,
    sessions: &mut TlsSessions,
) -> Result<ConnectConfig, ResultCode> {
    let s = &req.settings;
    let mut cfg = ConnectConfig::new(req.host.clone(), req.port);
    cfg.user.clone_from(&req.user);
    cfg.password.clone_from(&req.pass);
    cfg.security = match s.ssl_mode {
        SslMode::Plain => Security::None,
        SslMode::Implicit => Security::Implicit,
        SslMode::Explicit => Security::Explicit,
    };
    cfg.data_mode = match s.trans_mode {
        TransMode::Active => DataMode::Active,
        TransMode::Passive => DataMode::Passive,
    };
    cfg.reply_timeout = s.rsp_timeout;
    cfg.connect_timeout = opts.connect_timeout.unwrap_or(s.rsp_timeout);
    cfg.use_epsv = opts.use_epsv;
    cfg.bind = req.bind;
    if cfg.security != Security::None {
        let ssl_id = req.settings.ssl_id;
        cfg.tls = tls_options(&req.tls, fs, sessions.cache(ssl_id)).await?;
    }
    Ok(cfg)
}

/// TLS session stores of one channel, one per ssl_id, kept across connects so that a reconnect
/// resumes (the module's `session` 1). The FTP client's [`SessionCache`] starts afresh when the
/// context's settings change, so a session made under an old CA is not resumed under a new one.
#[derive(Debug, Default)]
pub(super) struct TlsSessions([SessionCache; 6]);

impl TlsSessions {
    fn cache(&mut self, ssl_id: u8) -> Option<SessionCache> {
        self.0.get(usize::from(ssl_id)).cloned()
    }
}

fn named(p: &str) -> Option<&str> {
    Some(p).filter(|s| !s.is_empty())
}

async fn read_pem(fs: &Sandbox, path: &str) -> Result<Vec<u8>, ResultCode> {
    read_small(fs, path, MAX_PEM).await.map_err(|e| {
        tracing::info!(error = %e, "TLS context file unreadable");
        fs_result_code(&e)
    })
}

/// The context as the FTP client's TLS options (the decisions are in the module docs of
/// `channel/mod.rs` and docs/PROTOCOL.md "SSL command family").
async fn tls_options(
    t: &TlsContext,
    fs: &Sandbox,
    cache: Option<SessionCache>,
) -> Result<TlsOptions, ResultCode> {
    let verify = t.auth >= 1 && !t.ignore_verify;
    let roots = match named(&t.ca) {
        Some(ca) if verify => RootCerts::Pem(read_pem(fs, &cert_file(ca)).await?),
        _ => RootCerts::WebPki,
    };
    let client_auth = if t.auth >= 2 {
        let (Some(cert), Some(key)) = (named(&t.cert), named(&t.key)) else {
            tracing::info!("TLS auth 2 without a client certificate and key");
            return Err(ResultCode::TlsCertificate);
        };
        Some(ClientAuth {
            cert_chain_pem: read_pem(fs, &cert_file(cert)).await?,
            key_pem: read_pem(fs, &key_file(key)).await?,
        })
    } else {
        None
    };
    let (min_version, max_version) = match t.version {
        SslVersion::Tls12 => (Some(TlsVersion::Tls12), Some(TlsVersion::Tls12)),
        SslVersion::All => (None, None),
        // SSL 3.0, TLS 1.0 and 1.1 cannot be offered by the TLS library: the context is
        // unusable, like a bad PEM (result 7), rather than silently upgraded.
        SslVersion::Ssl30 | SslVersion::Tls10 | SslVersion::Tls11 => {
            tracing::info!(version = ?t.version, "TLS version the library does not have");
            return Err(ResultCode::TlsCertificate);
        }
    };
    Ok(TlsOptions {
        roots,
        verify,
        ignore_time: t.ignore_stamp,
        client_auth,
        sni: None,
        enable_sni: t.sni,
        min_version,
        max_version,
        cipher_suite: Some(t.cipher_suite).filter(|c| *c != 0),
        handshake_timeout: Some(Duration::from_secs(u64::from(t.negotime))),
        resume: match (t.session, cache) {
            (false, _) => Resume::Off,
            (true, Some(c)) => Resume::Shared(c),
            (true, None) => Resume::PerSession,
        },
    })
}

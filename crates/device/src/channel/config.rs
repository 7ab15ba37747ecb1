//! `AT+MFTPCONN` plus the channel's settings and TLS context, turned into the FTP client's
//! [`ConnectConfig`] (the TLS decisions are in the module docs).

use super::codes::fs_result_code;
use super::local::read_small;
use super::options::ChannelOptions;
use crate::engine::{ConnectRequest, TlsContext};
use crate::fs::Sandbox;
use ftpmodem_ftp::{
    ClientAuth, ConnectConfig, DataMode, RootCerts, Security, TlsOptions, TlsVersion,
};
use ftpmodem_proto::{ResultCode, SslMode, TransMode};

/// Largest CA, certificate or key file read from the module's file system.
const MAX_PEM: u64 = 256 * 1024;

/// Builds the session configuration; a TLS context that cannot be used is a result code.
pub(super) async fn connect_config(
    req: &ConnectRequest,
    fs: &Sandbox,
    opts: &ChannelOptions,
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
        cfg.tls = tls_options(&req.tls, fs).await?;
    }
    Ok(cfg)
}

fn named(p: &Option<String>) -> Option<&str> {
    p.as_deref().filter(|s| !s.is_empty())
}

async fn read_pem(fs: &Sandbox, path: &str) -> Result<Vec<u8>, ResultCode> {
    read_small(fs, path, MAX_PEM).await.map_err(|e| {
        tracing::info!(error = %e, "TLS context file unreadable");
        fs_result_code(&e)
    })
}

async fn tls_options(t: &TlsContext, fs: &Sandbox) -> Result<TlsOptions, ResultCode> {
    let verify = t.auth >= 1 && !t.ignore_verify;
    let roots = match named(&t.ca) {
        Some(ca) if verify => RootCerts::Pem(read_pem(fs, ca).await?),
        _ => RootCerts::WebPki,
    };
    let client_auth = if t.auth >= 2 {
        let (Some(cert), Some(key)) = (named(&t.cert), named(&t.key)) else {
            tracing::info!("TLS auth 2 without a client certificate and key");
            return Err(ResultCode::TlsCertificate);
        };
        Some(ClientAuth {
            cert_chain_pem: read_pem(fs, cert).await?,
            key_pem: read_pem(fs, key).await?,
        })
    } else {
        None
    };
    let (min_version, max_version) = match t.version {
        3 => (Some(TlsVersion::Tls13), Some(TlsVersion::Tls13)),
        0..=2 => (Some(TlsVersion::Tls12), Some(TlsVersion::Tls12)),
        _ => (None, None),
    };
    Ok(TlsOptions {
        roots,
        verify,
        client_auth,
        sni: named(&t.sni).map(str::to_owned),
        min_version,
        max_version,
    })
}

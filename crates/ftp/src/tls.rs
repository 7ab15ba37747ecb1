//! TLS options of a session and the rustls configuration built from them.
//!
//! One `ClientConfig` per session, shared by the control connection and every data
//! connection: its session store is what lets a data connection resume the control
//! connection's TLS session, which vsftpd's `require_ssl_reuse=YES` (its default) demands.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    SupportedCipherSuite,
};

use crate::error::FtpError;

/// Where trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// The Mozilla roots compiled in (webpki-roots): public servers.
    WebPki,
    /// One or more PEM certificates (the module's CA file written with `AT+MSSLCERTWR`).
    Pem(Vec<u8>),
}

/// A TLS protocol version, for the `"version"` TLS setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// A client certificate chain and its key, both PEM, for mutual TLS.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAuth {
    /// The certificate chain, leaf first.
    pub cert_chain_pem: Vec<u8>,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth")
            .field("cert_chain_pem", &self.cert_chain_pem.len())
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A TLS session store that outlives one [`Session`](crate::Session): sessions given the same
/// cache resume each other's TLS sessions (a reconnect resumes the previous connection's).
///
/// It keeps the whole client configuration, because rustls resumes only between connections
/// of one configuration (the same certificate verifier and client credentials): options that
/// differ from the cached ones (another CA, another client key) get a new configuration and so
/// a new store, and a session made under the old settings is never resumed under the new.
#[derive(Clone, Default)]
pub struct SessionCache(Arc<Mutex<Option<Cached>>>);

/// A client configuration and the options it was built from (without `resume`).
type Cached = (TlsOptions, Arc<ClientConfig>);

impl SessionCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached configuration when it was built for `opts`, else a new one, cached.
    fn config(&self, opts: &TlsOptions) -> Result<Arc<ClientConfig>, FtpError> {
        let key = TlsOptions {
            resume: Resume::Off,
            ..opts.clone()
        };
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((made_for, config)) = slot.as_ref() {
            if *made_for == key {
                return Ok(config.clone());
            }
        }
        let config = Arc::new(client_config(opts)?);
        *slot = Some((key, config.clone()));
        Ok(config)
    }
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCache")
    }
}

/// Two handles are equal when they share the store.
impl PartialEq for SessionCache {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SessionCache {}

/// TLS session reuse.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Resume {
    /// A store of this session's own: data connections resume the control connection's session.
    #[default]
    PerSession,
    /// A store shared with other sessions (reconnects resume too).
    Shared(SessionCache),
    /// Every handshake is a full one (the module's `session` 0).
    Off,
}

/// The TLS settings of one session (the module's `AT+MSSLCFG` context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Trusted roots when `verify` is on.
    pub roots: RootCerts,
    /// Check the server certificate (`false` is the module's `ignoreverify`).
    pub verify: bool,
    /// With `verify`: accept a certificate outside its validity period (the module's
    /// `ignorestamp`); everything else is still checked.
    pub ignore_time: bool,
    /// A client certificate for mutual TLS.
    pub client_auth: Option<ClientAuth>,
    /// The name to send as SNI and to verify the certificate against, instead of the host.
    pub sni: Option<String>,
    /// Send the server name indication at all (the module's `sni`).
    pub enable_sni: bool,
    /// Lowest version offered (`None`: TLS 1.2).
    pub min_version: Option<TlsVersion>,
    /// Highest version offered (`None`: TLS 1.3).
    pub max_version: Option<TlsVersion>,
    /// Offer only this cipher suite (IANA number); one the library does not have is a
    /// configuration error.
    pub cipher_suite: Option<u16>,
    /// Longest TLS handshake (the module's `negotime`); `None`: the reply time-out.
    pub handshake_timeout: Option<Duration>,
    /// Session reuse.
    pub resume: Resume,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            roots: RootCerts::WebPki,
            verify: true,
            ignore_time: false,
            client_auth: None,
            sni: None,
            enable_sni: true,
            min_version: None,
            max_version: None,
            cipher_suite: None,
            handshake_timeout: None,
            resume: Resume::PerSession,
        }
    }
}

/// What a session needs to open TLS connections: the shared config and the server name.
#[derive(Debug, Clone)]
pub(crate) struct TlsContext {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
    /// Longest handshake, when the options set one.
    pub(crate) handshake_timeout: Option<Duration>,
}

impl TlsContext {
    /// Builds the context for `host` (a name or an IP literal).
    pub(crate) fn new(opts: &TlsOptions, host: &str) -> Result<Self, FtpError> {
        Ok(Self {
            config: match &opts.resume {
                Resume::Shared(cache) => cache.config(opts)?,
                _ => Arc::new(client_config(opts)?),
            },
            server_name: server_name(opts, host)?,
            handshake_timeout: opts.handshake_timeout,
        })
    }
}

fn server_name(opts: &TlsOptions, host: &str) -> Result<ServerName<'static>, FtpError> {
    let name = opts.sni.as_deref().unwrap_or(host);
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(bare.to_owned())
        .map_err(|e| FtpError::TlsConfig(format!("server name {bare:?}: {e}")))
}

fn client_config(opts: &TlsOptions) -> Result<ClientConfig, FtpError> {
    let mut provider = rustls::crypto::ring::default_provider();
    let min = opts.min_version.unwrap_or(TlsVersion::Tls12);
    let max = opts.max_version.unwrap_or(TlsVersion::Tls13);
    let mut range = min..=max;
    if let Some(id) = opts.cipher_suite {
        provider
            .cipher_suites
            .retain(|s| u16::from(s.suite()) == id);
        // A suite belongs to one version: offering the other would offer no suite for it.
        match provider.cipher_suites.first() {
            None => {
                return Err(FtpError::TlsConfig(format!(
                    "cipher suite 0x{id:04X} is not one the TLS library has"
                )))
            }
            Some(SupportedCipherSuite::Tls12(_)) => range = TlsVersion::Tls12..=TlsVersion::Tls12,
            Some(SupportedCipherSuite::Tls13(_)) => range = TlsVersion::Tls13..=TlsVersion::Tls13,
        }
    }
    let provider = Arc::new(provider);
    let versions: Vec<&'static rustls::SupportedProtocolVersion> = [
        (TlsVersion::Tls12, &rustls::version::TLS12),
        (TlsVersion::Tls13, &rustls::version::TLS13),
    ]
    .into_iter()
    .filter(|(v, _)| (min..=max).contains(v) && range.contains(v))
    .map(|(_, p)| p)
    .collect();
    if versions.is_empty() {
        return Err(FtpError::TlsConfig(format!(
            "no TLS version between {min:?} and {max:?} for the cipher suites"
        )));
    }
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| FtpError::TlsConfig(e.to_string()))?;
    let builder = if !opts.verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
    } else if opts.ignore_time {
        let inner = WebPkiServerVerifier::builder_with_provider(
            Arc::new(root_store(&opts.roots)?),
            provider,
        )
        .build()
        .map_err(|e| FtpError::TlsConfig(format!("certificate verifier: {e}")))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(IgnoreTime(inner)))
    } else {
        builder.with_root_certificates(root_store(&opts.roots)?)
    };
    let mut config = match &opts.client_auth {
        None => builder.with_no_client_auth(),
        Some(auth) => {
            let chain = parse_certs(&auth.cert_chain_pem, "client certificate")?;
            let key = parse_key(&auth.key_pem)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| FtpError::TlsConfig(format!("client certificate: {e}")))?
        }
    };
    // A store per configuration: the data connections find the control connection's session
    // (TLS 1.2 session id or ticket, TLS 1.3 tickets) under the same server name; a shared
    // cache keeps the configuration, and with it the store, for the next connect.
    config.resumption = match &opts.resume {
        Resume::PerSession | Resume::Shared(_) => Resumption::in_memory_sessions(32),
        Resume::Off => Resumption::disabled(),
    };
    config.enable_sni = opts.enable_sni;
    Ok(config)
}

fn root_store(roots: &RootCerts) -> Result<RootCertStore, FtpError> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCerts::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        RootCerts::Pem(pem) => {
            for cert in parse_certs(pem, "CA certificate")? {
                store
                    .add(cert)
                    .map_err(|e| FtpError::TlsConfig(format!("CA certificate: {e}")))?;
            }
        }
    }
    Ok(store)
}

fn parse_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, FtpError> {
    let certs = rustls_pemfile::certs(&mut io::Cursor::new(pem))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| FtpError::TlsConfig(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(FtpError::TlsConfig(format!("{what}: no PEM certificate")));
    }
    Ok(certs)
}

fn parse_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, FtpError> {
    rustls_pemfile::private_key(&mut io::Cursor::new(pem))
        .map_err(|e| FtpError::TlsConfig(format!("private key: {e}")))?
        .ok_or_else(|| FtpError::TlsConfig("private key: no PEM key".to_owned()))
}

/// Classifies a failed handshake: a certificate problem is result 7, anything else is a
/// connection error (11).
pub(crate) fn handshake_error(err: io::Error) -> FtpError {
    let cert_problem = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .is_some_and(|e| {
            matches!(
                e,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::AlertReceived(
                        rustls::AlertDescription::BadCertificate
                            | rustls::AlertDescription::UnknownCA
                            | rustls::AlertDescription::CertificateRequired
                            | rustls::AlertDescription::CertificateExpired
                            | rustls::AlertDescription::CertificateUnknown
                    )
            )
        });
    if cert_problem {
        if let Some(e) = err
            .into_inner()
            .and_then(|e| e.downcast::<rustls::Error>().ok())
        {
            return FtpError::Certificate(*e);
        }
        return FtpError::Tls(io::Error::other("certificate rejected"));
    }
    FtpError::Tls(err)
}

/// The module's `ignorestamp`: the web PKI check, but a certificate outside its validity
/// period is checked again at a time inside it, so only the dates are forgiven (chain, name,
/// usage and signatures are still checked).
#[derive(Debug)]
struct IgnoreTime(Arc<WebPkiServerVerifier>);

/// A chain whose certificates' periods do not overlap moves the check time back and forth;
/// a few moves settle any real chain.
const TIME_RETRIES: usize = 4;

impl ServerCertVerifier for IgnoreTime {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut at = now;
        for _ in 0..TIME_RETRIES {
            match self.0.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                at,
            ) {
                Err(rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                    not_after,
                    ..
                })) => at = not_after,
                Err(rustls::Error::InvalidCertificate(CertificateError::NotValidYetContext {
                    not_before,
                    ..
                })) => at = not_before,
                other => return other,
            }
        }
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, at)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The module's `ignoreverify`: any certificate is accepted, but handshake signatures are
/// still checked so the connection is at least bound to the presented key.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names() {
        let o = TlsOptions::default();
        assert!(matches!(
            server_name(&o, "::1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            server_name(&o, "[::1]").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            server_name(&o, "ftp.example.com").unwrap(),
            ServerName::DnsName(_)
        ));
        let sni = TlsOptions {
            sni: Some("other.example".into()),
            ..TlsOptions::default()
        };
        assert_eq!(
            server_name(&sni, "127.0.0.1").unwrap(),
            ServerName::try_from("other.example").unwrap()
        );
        assert!(server_name(&o, "bad name!").is_err());
    }

    #[test]
    fn configs() {
        assert!(client_config(&TlsOptions::default()).is_ok());
        let bad = TlsOptions {
            roots: RootCerts::Pem(b"not pem".to_vec()),
            ..TlsOptions::default()
        };
        assert!(matches!(client_config(&bad), Err(FtpError::TlsConfig(_))));
        let inverted = TlsOptions {
            min_version: Some(TlsVersion::Tls13),
            max_version: Some(TlsVersion::Tls12),
            ..TlsOptions::default()
        };
        assert!(matches!(
            client_config(&inverted),
            Err(FtpError::TlsConfig(_))
        ));
        let noverify = TlsOptions {
            verify: false,
            roots: RootCerts::Pem(Vec::new()),
            ..TlsOptions::default()
        };
        assert!(client_config(&noverify).is_ok());
    }
}

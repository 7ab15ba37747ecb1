//! A minimal rustls client used only to see an implicit-FTPS server's greeting.

use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::certs::Certs;

/// Opens TLS over `tcp` trusting only `certs.ca()`; presents the client certificate in case
/// the server demands one.
pub(crate) fn connect(
    certs: &Certs,
    tcp: TcpStream,
) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(certs.ca().cert_der().to_vec()))
        .map_err(|e| format!("CA not usable: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certs.client().key_der().to_vec()));
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(
            vec![CertificateDer::from(certs.client().cert_der().to_vec())],
            key,
        )
        .map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let conn = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    Ok(StreamOwned::new(conn, tcp))
}

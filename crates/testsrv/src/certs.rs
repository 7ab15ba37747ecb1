//! Throwaway certificates: a CA, a server certificate it signs, an unrelated CA and a client
//! certificate, all made fresh per test so that verification tests can fail for real.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use tempfile::TempDir;

use crate::error::{IoContext, Result};

/// One certificate with its private key, in both encodings.
#[derive(Clone, Debug)]
pub struct CertKey {
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
    cert_path: PathBuf,
    key_path: PathBuf,
}

impl CertKey {
    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }
    /// The certificate, DER (what rustls' `CertificateDer` wraps).
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }
    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }
    /// The private key, PKCS#8 DER (what rustls' `PrivatePkcs8KeyDer` wraps).
    pub fn key_der(&self) -> &[u8] {
        &self.key_der
    }
    /// File holding [`Self::cert_pem`].
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }
    /// File holding [`Self::key_pem`].
    pub fn key_path(&self) -> &Path {
        &self.key_path
    }
}

/// A fresh PKI for one test (or one test binary): everything a TLS test needs on disk and in memory.
///
/// Keys are ECDSA P-256 (rcgen on ring cannot generate RSA keys); vsftpd, pure-ftpd, libunftp,
/// curl/OpenSSL and rustls all accept them. The files live in a temporary directory that is
/// removed when the last clone is dropped; servers started with these certificates keep a clone,
/// so the files outlive the `Certs` a test holds.
///
/// - [`Certs::ca`]: the CA that signs the server and client certificates ("auth with the right
///   CA succeeds").
/// - [`Certs::server`]: for `localhost`, `127.0.0.1` and `::1`, signed by [`Certs::ca`], with
///   the serverAuth usage.
/// - [`Certs::other_ca`]: an unrelated CA ("auth with the wrong CA fails").
/// - [`Certs::client`]: a clientAuth certificate (CN `ftpmodem-client`) signed by [`Certs::ca`],
///   for mutual TLS.
#[derive(Clone, Debug)]
pub struct Certs {
    ca: CertKey,
    other_ca: CertKey,
    server: CertKey,
    client: CertKey,
    server_keycert_path: PathBuf,
    dir: Arc<TempDir>,
}

impl Certs {
    /// Makes the CAs and certificates and writes them as PEM files into a new temporary directory.
    pub fn generate() -> Result<Certs> {
        let dir = tempfile::Builder::new()
            .prefix("ftpmodem-certs-")
            .tempdir()
            .ctx(|| "creating the certificate directory".into())?;
        let d = dir.path();

        let (ca, ca_issuer, ca_key) = make_ca("ftpmodem test CA", d, "ca")?;
        let (other_ca, _, _) = make_ca("ftpmodem unrelated CA", d, "other-ca")?;

        let mut sp = CertificateParams::default();
        sp.distinguished_name.push(DnType::CommonName, "localhost");
        sp.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into()?),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ];
        sp.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate()?;
        let server_cert = sp.signed_by(&server_key, &ca_issuer, &ca_key)?;
        let server = write_pair(
            d,
            "server",
            server_cert.pem(),
            server_cert.der(),
            &server_key,
        )?;

        let mut cp = CertificateParams::default();
        cp.distinguished_name
            .push(DnType::CommonName, "ftpmodem-client");
        cp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate()?;
        let client_cert = cp.signed_by(&client_key, &ca_issuer, &ca_key)?;
        let client = write_pair(
            d,
            "client",
            client_cert.pem(),
            client_cert.der(),
            &client_key,
        )?;

        // pure-ftpd's `-2` wants key and certificate in one file.
        let server_keycert_path = d.join("server-keycert.pem");
        let combined = format!("{}{}", server.key_pem, server.cert_pem);
        fs::write(&server_keycert_path, combined)
            .ctx(|| format!("writing {}", server_keycert_path.display()))?;

        Ok(Certs {
            ca,
            other_ca,
            server,
            client,
            server_keycert_path,
            dir: Arc::new(dir),
        })
    }

    /// The CA that signed [`Self::server`] and [`Self::client`].
    pub fn ca(&self) -> &CertKey {
        &self.ca
    }
    /// A CA unrelated to the servers' certificates: verifying against it must fail.
    pub fn other_ca(&self) -> &CertKey {
        &self.other_ca
    }
    /// The server certificate (SANs `localhost`, `127.0.0.1`, `::1`).
    pub fn server(&self) -> &CertKey {
        &self.server
    }
    /// The client certificate for mutual TLS, signed by [`Self::ca`].
    pub fn client(&self) -> &CertKey {
        &self.client
    }
    /// Shortcut: PEM file of [`Self::ca`], for `curl --cacert`.
    pub fn ca_pem_path(&self) -> &Path {
        &self.ca.cert_path
    }
    /// Shortcut: PEM file of [`Self::other_ca`].
    pub fn other_ca_pem_path(&self) -> &Path {
        &self.other_ca.cert_path
    }
    /// One PEM file with the server's private key followed by its certificate (pure-ftpd `-2`).
    pub fn server_keycert_path(&self) -> &Path {
        &self.server_keycert_path
    }
    /// The temporary directory holding all files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn make_ca(cn: &str, dir: &Path, stem: &str) -> Result<(CertKey, rcgen::Certificate, KeyPair)> {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "ftpmodem tests");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate()?;
    let cert = p.self_signed(&key)?;
    let ck = write_pair(dir, stem, cert.pem(), cert.der(), &key)?;
    Ok((ck, cert, key))
}

fn write_pair(
    dir: &Path,
    stem: &str,
    cert_pem: String,
    cert_der: &[u8],
    key: &KeyPair,
) -> Result<CertKey> {
    let cert_path = dir.join(format!("{stem}.pem"));
    let key_path = dir.join(format!("{stem}-key.pem"));
    let key_pem = key.serialize_pem();
    fs::write(&cert_path, &cert_pem).ctx(|| format!("writing {}", cert_path.display()))?;
    fs::write(&key_path, &key_pem).ctx(|| format!("writing {}", key_path.display()))?;
    Ok(CertKey {
        cert_pem,
        cert_der: cert_der.to_vec(),
        key_pem,
        key_der: key.serialize_der(),
        cert_path,
        key_path,
    })
}

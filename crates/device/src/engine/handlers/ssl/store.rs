//! The credential store: certificates under [`CERT_DIR`], private keys under [`KEY_DIR`], in
//! the module's file system, stored verbatim (ONEMO-RELATED.md §B.2, §B.3). The file system is
//! the only record: a file removed with `AT+MFDELETE` is gone from `AT+MSSLLIST` too.

use crate::engine::ctx::Ctx;
use crate::engine::{cert_file, key_file, CERT_DIR, KEY_DIR};
use crate::fs::FsError;
use ftpmodem_proto::command::SSL_NAME_MAX;
use ftpmodem_proto::{CmeError, Response};
use md5::{Digest, Md5};

/// Largest stored certificate or key (§B.2 `MSSLCERTWR_MAX_LEN`).
pub(super) const MAX_CRED: usize = 8192;

/// Certificate or private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `AT+MSSLCERTWR`, `AT+MSSLLIST=1`.
    Cert,
    /// `AT+MSSLKEYWR`, `AT+MSSLLIST=2`.
    Key,
}

impl Kind {
    pub(super) fn path(self, name: &str) -> String {
        match self {
            Kind::Cert => cert_file(name),
            Kind::Key => key_file(name),
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Kind::Cert => CERT_DIR,
            Kind::Key => KEY_DIR,
        }
    }
}

/// A name is one file name of 1..64 bytes (§B.2): no `/` (it would reach outside the store),
/// not `.` or `..`, no NUL. Anything else is a parameter error.
pub(super) fn check_name(name: &str) -> Result<(), CmeError> {
    let ok = !name.is_empty()
        && name.len() <= SSL_NAME_MAX
        && name != "."
        && name != ".."
        && !name.bytes().any(|b| b == b'/' || b == 0);
    if ok {
        Ok(())
    } else {
        Err(CmeError::ParameterError)
    }
}

/// Errors that mean "nothing stored under this name".
fn is_missing(e: &FsError) -> bool {
    matches!(
        e,
        FsError::NotFound { .. }
            | FsError::NotADirectory { .. }
            | FsError::ParentNotDirectory { .. }
            | FsError::IsDirectory { .. }
            | FsError::NotAFile { .. }
    )
}

pub(super) fn exists(cx: &Ctx<'_>, kind: Kind, name: &str) -> Result<bool, CmeError> {
    match cx.fs.size(&kind.path(name)) {
        Ok(_) => Ok(true),
        Err(e) if is_missing(&e) => Ok(false),
        Err(e) => {
            tracing::info!(error = %e, "credential store unreadable");
            Err(CmeError::SslRead)
        }
    }
}

/// The stored bytes of `name`: `None` when nothing is stored.
fn load(cx: &Ctx<'_>, kind: Kind, name: &str) -> Result<Option<Vec<u8>>, CmeError> {
    match cx.fs.read(&kind.path(name), MAX_CRED as u64) {
        Ok(d) => Ok(Some(d)),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => {
            tracing::info!(error = %e, "credential unreadable");
            Err(CmeError::SslRead)
        }
    }
}

fn answer(cx: &mut Ctx<'_>, r: Result<Vec<Response>, CmeError>) {
    match r {
        Ok(lines) => {
            for l in &lines {
                cx.reply.respond(l);
            }
            cx.reply.ok();
        }
        Err(e) => cx.reply.error(e),
    }
}

/// `AT+MSSLCERTRD`: a certificate, raw. Private keys cannot be read (§B.3): a key name is
/// "not stored" among the certificates, 762.
pub(super) fn read(cx: &mut Ctx<'_>, name: &str) {
    let r = check_name(name)
        .and_then(|()| load(cx, Kind::Cert, name))
        .and_then(|d| d.ok_or(CmeError::SslNotExist))
        .map(|d| vec![Response::MsslCertRd(d)]);
    answer(cx, r);
}

/// `AT+MSSLLIST=<1|2|3>`: one line per file of the kind, by name; just `OK` when empty. No PSK
/// can be stored (§B.3 `AT+MSSLPSK` is not supported), so 3 is always empty.
pub(super) fn list(cx: &mut Ctx<'_>, which: u8) {
    let kind = match which {
        1 => Kind::Cert,
        2 => Kind::Key,
        _ => return cx.reply.ok(),
    };
    let dir = kind.dir();
    let r = match cx.fs.list(Some(dir)) {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter_map(|e| {
                let name = e.path.strip_prefix(dir)?.strip_prefix('/')?;
                // Files directly in the store only: the module's own writes make no others.
                if name.contains('/') {
                    return None;
                }
                Some(Response::MsslList {
                    name: name.to_string(),
                    len: e.size?,
                })
            })
            .collect()),
        Err(e) if is_missing(&e) => Ok(Vec::new()),
        Err(e) => {
            tracing::info!(error = %e, "credential store unreadable");
            Err(CmeError::SslRead)
        }
    };
    answer(cx, r);
}

/// `AT+MSSLRM`: removes the certificate and the key of that name; 762 when there is neither.
pub(super) fn remove(cx: &mut Ctx<'_>, name: &str) {
    let r = check_name(name).and_then(|()| {
        let mut found = false;
        for kind in [Kind::Cert, Kind::Key] {
            match cx.fs.delete(&kind.path(name)) {
                Ok(()) => found = true,
                Err(e) if is_missing(&e) => {}
                Err(e) => {
                    tracing::info!(error = %e, "credential not deleted");
                    return Err(CmeError::SslDelete);
                }
            }
        }
        if found {
            Ok(Vec::new())
        } else {
            Err(CmeError::SslNotExist)
        }
    });
    answer(cx, r);
}

/// `AT+MSSLCHECK`: the MD5 of exactly the stored bytes, uppercase (§B.3, §E2, §E3: the
/// hardware's values are the standard MD5, uppercase). MD5 is the only algorithm of the ML30x;
/// the others are a parameter error.
pub(super) fn check(cx: &mut Ctx<'_>, name: &str, alg: Option<u8>) {
    let r = (|| {
        if alg.is_some_and(|a| a != 0) {
            return Err(CmeError::ParameterError);
        }
        check_name(name)?;
        let data = match load(cx, Kind::Cert, name)? {
            Some(d) => d,
            None => load(cx, Kind::Key, name)?.ok_or(CmeError::SslNotExist)?,
        };
        Ok(vec![Response::MsslCheck(md5_upper(&data))])
    })();
    answer(cx, r);
}

/// The MD5 of `data` as 32 uppercase hex digits.
pub(super) fn md5_upper(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

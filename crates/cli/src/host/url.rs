//! `ftp://user@host:port/path` URLs, and the password that never appears in one.

use super::Failure;
use std::io::{BufRead, Write};

/// Environment variable holding the FTP password.
pub const PASSWORD_ENV: &str = "FTPMODEM_PASSWORD";

/// A parsed URL. There is no password field: passwords on a command line end up in `ps` and
/// shell history, so they come from [`PASSWORD_ENV`] or a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpUrl {
    /// User, `None` for anonymous.
    pub user: Option<String>,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port, `None` for the module's default.
    pub port: Option<u16>,
    /// Path for the module: relative to the login directory, or absolute when the URL path
    /// starts with `%2F` (as curl reads URLs); `.` when empty.
    pub path: String,
}

fn decode(s: &str) -> Result<String, Failure> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Failure::usage(format!("bad %-escape in URL part {s:?}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Failure::usage("URL is not UTF-8 after decoding"))
}

impl FtpUrl {
    /// Parses `ftp://[user@]host[:port][/path]`.
    pub fn parse(s: &str) -> Result<FtpUrl, Failure> {
        let rest = s
            .strip_prefix("ftp://")
            .ok_or_else(|| Failure::usage("the URL must start with ftp://"))?;
        let (auth, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (user, hostport) = match auth.rfind('@') {
            Some(i) => (Some(&auth[..i]), &auth[i + 1..]),
            None => (None, auth),
        };
        if user.is_some_and(|u| u.contains(':')) {
            return Err(Failure::usage(format!(
                "no password in the URL, please: it would show in ps and shell history; use {PASSWORD_ENV} or the prompt"
            )));
        }
        let user = user.map(decode).transpose()?.filter(|u| !u.is_empty());
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let end = v6
                .find(']')
                .ok_or_else(|| Failure::usage("unclosed [ in URL host"))?;
            let port = v6[end + 1..].strip_prefix(':');
            (v6[..end].to_string(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(Failure::usage("URL has no host"));
        }
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .map_err(|_| Failure::usage(format!("bad port {p:?} in URL")))
            })
            .transpose()?;
        let path = decode(path)?;
        let path = if path.is_empty() { ".".into() } else { path };
        Ok(FtpUrl {
            user,
            host,
            port,
            path,
        })
    }

    /// The last part of the path, for a local file name.
    pub fn file_name(&self) -> &str {
        self.path
            .rsplit('/')
            .find(|p| !p.is_empty() && *p != ".")
            .unwrap_or("download")
    }

    /// The password for the URL's user: none for anonymous; else [`PASSWORD_ENV`], else a
    /// prompt on the terminal with echo off.
    pub fn password(&self) -> Result<Option<String>, Failure> {
        let Some(user) = &self.user else {
            return Ok(None);
        };
        if user == "anonymous" || user == "ftp" {
            return Ok(std::env::var(PASSWORD_ENV).ok());
        }
        if let Ok(p) = std::env::var(PASSWORD_ENV) {
            return Ok(Some(p));
        }
        prompt_password(&format!("Password for {user}@{}: ", self.host)).map(Some)
    }
}

/// Reads a line from the controlling terminal with echo off, restoring the terminal after.
fn prompt_password(prompt: &str) -> Result<String, Failure> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    let no_tty = || {
        Failure::usage(format!(
            "a password is needed and there is no terminal to ask on: set {PASSWORD_ENV}"
        ))
    };
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_tty())?;
    let saved = tcgetattr(&tty).map_err(|_| no_tty())?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    quiet.local_flags.insert(LocalFlags::ECHONL);
    let mut out = &tty;
    let _ = out.write_all(prompt.as_bytes());
    let _ = out.flush();
    tcsetattr(&tty, SetArg::TCSAFLUSH, &quiet).map_err(|_| no_tty())?;
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    let _ = tcsetattr(&tty, SetArg::TCSAFLUSH, &saved);
    read.map_err(|e| Failure::local("reading the password", e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_urls() {
        let u = FtpUrl::parse("ftp://uftp@127.0.0.1:2121/test/a%20b/f.bin").unwrap();
        assert_eq!(u.user.as_deref(), Some("uftp"));
        assert_eq!(u.host, "127.0.0.1");
        assert_eq!(u.port, Some(2121));
        assert_eq!(u.path, "test/a b/f.bin");
        assert_eq!(u.file_name(), "f.bin");
        let u = FtpUrl::parse("ftp://[::1]:21/%2Fhome/uftp/").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", Some(21)));
        assert_eq!(u.path, "/home/uftp/");
        let u = FtpUrl::parse("ftp://example.net").unwrap();
        assert_eq!((u.user, u.port, u.path.as_str()), (None, None, "."));
        assert!(FtpUrl::parse("ftp://u:secret@h/").is_err());
        assert!(FtpUrl::parse("http://h/").is_err());
        assert!(FtpUrl::parse("ftp://h:99999/").is_err());
    }
}

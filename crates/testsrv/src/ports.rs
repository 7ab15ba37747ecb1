//! Picking free loopback ports for servers that must be told their ports up front.
//!
//! A port is free when binding it succeeds; it is released before the server binds it, so
//! another process can in principle take it in between. The fixtures retry a start whose server
//! exits (as vsftpd and pure-ftpd do when their bind fails), and keep a process-wide set of
//! ports already handed out so that parallel tests in one binary never pick the same ones.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Passive ranges are drawn below Linux's default ephemeral range (32768–60999) so that the
/// kernel's own choices for outgoing connections and port-0 binds do not land in them.
const RANGE_LOW: u16 = 20000;
const RANGE_HIGH: u16 = 32000;

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

fn claim(ports: &[u16]) -> bool {
    let mut guard = match HANDED_OUT.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let set = guard.get_or_insert_with(HashSet::new);
    if ports.iter().any(|p| set.contains(p)) {
        return false;
    }
    set.extend(ports.iter().copied());
    true
}

/// Returns ports to the pool when a server is dropped.
pub(crate) fn release(ports: &[u16]) {
    let mut guard = match HANDED_OUT.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(set) = guard.as_mut() {
        for p in ports {
            set.remove(p);
        }
    }
}

/// Returns a server's control port and passive range to the pool.
pub(crate) fn release_server(port: u16, pasv: (u16, u16)) {
    let mut all: Vec<u16> = (pasv.0..=pasv.1).collect();
    all.push(port);
    release(&all);
}

/// A free port on `ip`, chosen by the kernel (bind to port 0, read it, release it).
pub(crate) fn free_port(ip: IpAddr) -> Result<u16> {
    for _ in 0..50 {
        let l = TcpListener::bind(SocketAddr::new(ip, 0))
            .map_err(|e| Error::io(format!("binding {ip}:0"), e))?;
        let port = l
            .local_addr()
            .map_err(|e| Error::io("reading the bound port", e))?
            .port();
        drop(l);
        if claim(&[port]) {
            return Ok(port);
        }
    }
    Err(Error::Unsupported(format!("no free port on {ip}")))
}

/// The loopback address of IPv6 or IPv4.
pub(crate) fn loopback(ipv6: bool) -> IpAddr {
    if ipv6 {
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
    } else {
        IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
    }
}

/// A control port and a range of 8 passive ports on `ip`, claimed together (the port is
/// released again when no range is found).
pub(crate) fn control_and_passive(ip: IpAddr) -> Result<(u16, (u16, u16))> {
    let port = free_port(ip)?;
    match free_range(ip, 8) {
        Ok(r) => Ok((port, r)),
        Err(e) => {
            release(&[port]);
            Err(e)
        }
    }
}

/// `len` consecutive free ports on `ip` (for passive data connections); returns (first, last).
pub(crate) fn free_range(ip: IpAddr, len: u16) -> Result<(u16, u16)> {
    let span = u64::from(RANGE_HIGH - RANGE_LOW - len);
    for _ in 0..200 {
        let mut h = RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let offset = u16::try_from(h.finish() % span).unwrap_or(0);
        let first = RANGE_LOW + offset;
        let ports: Vec<u16> = (first..first + len).collect();
        if !claim(&ports) {
            continue;
        }
        let all_free = ports
            .iter()
            .all(|&p| TcpListener::bind(SocketAddr::new(ip, p)).is_ok());
        if all_free {
            return Ok((first, first + len - 1));
        }
        release(&ports);
    }
    Err(Error::Unsupported(format!(
        "no {len} consecutive free ports on {ip}"
    )))
}

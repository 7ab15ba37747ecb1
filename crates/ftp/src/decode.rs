//! Decoders for the replies that carry data: PASV 227, EPSV 229, PWD/MKD 257, FEAT 211,
//! SIZE/MDTM 213 and the size hint some servers put in a 150.
//!
//! Each takes the reply (or its text) and returns a typed value or `None`; the I/O half turns
//! `None` into "unparseable server reply". Servers word these replies freely, so the decoders
//! look for the data anywhere in the text rather than at a fixed position.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::reply::Reply;
use crate::time::Timestamp;

/// Finds `h1,h2,h3,h4,p1,p2` anywhere in a 227 reply, with or without parentheses
/// (RFC 959 leaves the wording open; RFC 1123 §4.1.2.6 tells clients to scan for it).
pub fn parse_pasv(reply: &Reply) -> Option<SocketAddrV4> {
    reply.lines.iter().find_map(|l| pasv_in_text(l))
}

fn pasv_in_text(text: &str) -> Option<SocketAddrV4> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            if let Some(addr) = six_numbers(&text[i..]) {
                return Some(addr);
            }
        }
        i += 1;
    }
    None
}

fn six_numbers(s: &str) -> Option<SocketAddrV4> {
    let mut nums = [0u8; 6];
    let mut rest = s;
    for (k, slot) in nums.iter_mut().enumerate() {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 || end > 3 {
            return None;
        }
        *slot = rest[..end].parse().ok()?;
        rest = &rest[end..];
        if k < 5 {
            rest = rest.strip_prefix(',')?.trim_start_matches(' ');
        }
    }
    let ip = Ipv4Addr::new(nums[0], nums[1], nums[2], nums[3]);
    Some(SocketAddrV4::new(
        ip,
        u16::from(nums[4]) << 8 | u16::from(nums[5]),
    ))
}

/// Finds `(<d><d><d>port<d>)` in a 229 reply (RFC 2428 §3); `d` is any printable delimiter,
/// usually `|`.
pub fn parse_epsv(reply: &Reply) -> Option<u16> {
    reply.lines.iter().find_map(|l| epsv_in_text(l))
}

fn epsv_in_text(text: &str) -> Option<u16> {
    let mut search = text;
    while let Some(open) = search.find('(') {
        let after = &search[open + 1..];
        if let Some(port) = epsv_body(after) {
            return Some(port);
        }
        search = after;
    }
    None
}

fn epsv_body(s: &str) -> Option<u16> {
    let mut chars = s.chars();
    let d = chars.next()?;
    if !(d.is_ascii_graphic()) || d.is_ascii_digit() {
        return None;
    }
    if chars.next()? != d || chars.next()? != d {
        return None;
    }
    let rest = chars.as_str();
    let end = rest.find(d)?;
    let port: u16 = rest[..end].parse().ok()?;
    if !rest[end + d.len_utf8()..].starts_with(')') || port == 0 {
        return None;
    }
    Some(port)
}

/// Extracts the quoted path of a 257 reply, undoubling `""` (RFC 959 Appendix II). A quote
/// followed by neither a quote, a space nor the end is part of the path: pure-ftpd does not
/// double quotes (`257 "/a/d"ir" is your current location`).
pub fn parse_257(reply: &Reply) -> Option<String> {
    let text = reply.first_line();
    let start = text.find('"')?;
    let mut out = String::new();
    let mut chars = text[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            match chars.peek() {
                Some('"') => {
                    chars.next();
                    out.push('"');
                }
                None => return Some(out),
                Some(n) if n.is_whitespace() => return Some(out),
                Some(_) => out.push('"'),
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// The value of a 213 SIZE reply.
pub fn parse_size(reply: &Reply) -> Option<u64> {
    reply.first_line().trim().parse().ok()
}

/// The value of a 213 MDTM reply (`YYYYMMDDHHMMSS[.sss]`, UTC per RFC 3659 §2.3).
pub fn parse_mdtm(reply: &Reply) -> Option<Timestamp> {
    Timestamp::parse_compact(reply.first_line())
}

/// The size that vsftpd and others announce in the 150 before a download
/// (`150 Opening BINARY mode data connection for f (1234 bytes).`).
pub fn parse_announced_size(reply: &Reply) -> Option<u64> {
    let text = reply.first_line();
    let end = text.rfind(" bytes")?;
    let head = &text[..end];
    let start = head
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    if head.as_bytes().get(start.wrapping_sub(1)) != Some(&b'(') {
        return None;
    }
    head[start..].parse().ok()
}

/// The features a server announced in its FEAT reply (RFC 2389).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    entries: Vec<(String, String)>,
}

impl Features {
    /// Parses the feature lines of a 211 reply: each is a space, a name and optional
    /// parameters. A non-211 reply (FEAT not supported) gives no features.
    pub fn parse(reply: &Reply) -> Self {
        if reply.code.as_u16() != 211 || reply.lines.len() < 2 {
            return Self::default();
        }
        let inner = &reply.lines[1..reply.lines.len() - 1];
        let entries = inner
            .iter()
            .filter_map(|l| {
                let l = l.strip_prefix(' ')?.trim();
                if l.is_empty() {
                    return None;
                }
                let (name, params) = l.split_once(' ').unwrap_or((l, ""));
                Some((name.to_ascii_uppercase(), params.trim().to_owned()))
            })
            .collect();
        Self { entries }
    }

    /// Whether no feature is known (FEAT unsupported or empty), in which case the absence of
    /// a feature proves nothing.
    pub fn entries_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the server listed `name` (case-insensitive).
    pub fn has(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The parameters of feature `name`, e.g. the fact list of `MLST`.
    pub fn params(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, p)| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undoubled_quotes_in_a_257_path() {
        let r = |t: &str| Reply {
            code: crate::reply::ReplyCode::PATHNAME,
            lines: vec![t.to_owned()],
        };
        assert_eq!(
            parse_257(&r("\"/a/d\"ir, two\" is your current location")).as_deref(),
            Some("/a/d\"ir, two")
        );
        assert_eq!(parse_257(&r("\"/a/d\"\"ir\"")).as_deref(), Some("/a/d\"ir"));
        assert_eq!(parse_257(&r("\"/cr\rinj\"")).as_deref(), Some("/cr\rinj"));
        assert_eq!(parse_257(&r("\"/open")), None);
    }
    use crate::reply::decode_all;
    use proptest::prelude::*;

    fn r(s: &str) -> Reply {
        decode_all(s.as_bytes()).unwrap().remove(0)
    }

    #[test]
    fn pasv_forms() {
        let a = |s| parse_pasv(&r(s));
        assert_eq!(
            a("227 Entering Passive Mode (127,0,0,1,195,80).\r\n"),
            Some("127.0.0.1:50000".parse().unwrap())
        );
        assert_eq!(
            a("227 Entering Passive Mode 10,1,2,3,4,5\r\n"),
            Some("10.1.2.3:1029".parse().unwrap())
        );
        assert_eq!(
            a("227 =127,0,0,1,0,21 ok\r\n"),
            Some("127.0.0.1:21".parse().unwrap())
        );
        assert_eq!(
            a("227 1 file (0,0,0,0,4,1)\r\n"),
            Some("0.0.0.0:1025".parse().unwrap())
        );
        assert_eq!(a("227 Entering Passive Mode (256,0,0,1,1,1)\r\n"), None);
        assert_eq!(a("227 Entering Passive Mode (1,2,3,4,5)\r\n"), None);
        assert_eq!(a("227 nothing\r\n"), None);
    }

    #[test]
    fn epsv_forms() {
        let p = |s| parse_epsv(&r(s));
        assert_eq!(
            p("229 Entering Extended Passive Mode (|||6446|)\r\n"),
            Some(6446)
        );
        assert_eq!(p("229 ok (!!!1024!)\r\n"), Some(1024));
        assert_eq!(p("229 (x) then (|||80|)\r\n"), Some(80));
        assert_eq!(p("229 (|||0|)\r\n"), None);
        assert_eq!(p("229 (|||70000|)\r\n"), None);
        assert_eq!(p("229 (||6446|)\r\n"), None);
        assert_eq!(p("229 (|||6446|\r\n"), None);
        assert_eq!(p("229 (1116461)\r\n"), None);
    }

    #[test]
    fn pwd_quoting() {
        let q = |s| parse_257(&r(s));
        assert_eq!(
            q("257 \"/home/uftp\" is the current directory\r\n").as_deref(),
            Some("/home/uftp")
        );
        assert_eq!(q("257 \"/a \"\"b\"\"\"\r\n").as_deref(), Some("/a \"b\""));
        assert_eq!(q("257 \"\" empty\r\n").as_deref(), Some(""));
        assert_eq!(q("257 \"/unterminated\r\n"), None);
        assert_eq!(q("257 no quotes\r\n"), None);
    }

    #[test]
    fn size_mdtm_and_announced() {
        assert_eq!(parse_size(&r("213 1234\r\n")), Some(1234));
        assert_eq!(parse_size(&r("213 12x\r\n")), None);
        assert_eq!(
            parse_mdtm(&r("213 20220816173801\r\n"))
                .map(|t| t.to_compact())
                .as_deref(),
            Some("20220816173801")
        );
        assert_eq!(parse_mdtm(&r("213 2022\r\n")), None);
        assert_eq!(
            parse_announced_size(&r(
                "150 Opening BINARY mode data connection for f (1234 bytes).\r\n"
            )),
            Some(1234)
        );
        assert_eq!(
            parse_announced_size(&r("150 Accepted data connection\r\n")),
            None
        );
        assert_eq!(parse_announced_size(&r("150 bytes\r\n")), None);
        assert_eq!(parse_announced_size(&r("150 file 12 bytes\r\n")), None);
    }

    #[test]
    fn feat_lines() {
        let f = Features::parse(&r(
            "211-Features:\r\n EPRT\r\n mlst type*;size*;modify*;perm*;\r\n UTF8\r\n211 End\r\n",
        ));
        assert!(f.has("EPRT") && f.has("MLST") && f.has("utf8"));
        assert!(!f.has("MLSD"));
        assert_eq!(f.params("MLST"), Some("type*;size*;modify*;perm*;"));
        assert_eq!(Features::parse(&r("500 what\r\n")), Features::default());
    }

    proptest! {
        #[test]
        fn pwd_roundtrip(path in "[^\r\n]{0,30}") {
            let quoted = path.replace('"', "\"\"");
            let reply = r(&format!("257 \"{quoted}\" is current\r\n"));
            prop_assert_eq!(parse_257(&reply), Some(path));
        }

        #[test]
        fn pasv_roundtrip(ip in any::<[u8; 4]>(), port in any::<u16>(), junk in "[a-zA-Z .=]{0,10}") {
            let text = format!("227 {junk}({},{},{},{},{},{})\r\n", ip[0], ip[1], ip[2], ip[3], port >> 8, port & 0xff);
            prop_assert_eq!(parse_pasv(&r(&text)), Some(SocketAddrV4::new(ip.into(), port)));
        }

        #[test]
        fn decoders_never_panic(text in "[ -~\u{80}-\u{10ffff}]{0,60}") {
            let reply = r(&format!("200 {text}\r\n"));
            let _ = (parse_pasv(&reply), parse_epsv(&reply), parse_257(&reply),
                     parse_size(&reply), parse_mdtm(&reply), parse_announced_size(&reply));
        }
    }
}

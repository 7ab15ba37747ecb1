//! The line as a reader sees it, for the transcript and the control socket's `line`/`urc`
//! events: the host's bytes cut into command lines, the module's output cut into frames by
//! proto's decoder, with secrets redacted and data payloads summarised.
//!
//! - The password of `AT+MFTPCONN` (its fourth parameter) is replaced by `"<redacted>"`, in the
//!   command and in its echo.
//! - What is sent at the prompt of `AT+MSSLCERTWR`/`AT+MSSLKEYWR` (certificates and keys), and
//!   its echo, is recorded as `<redacted N bytes>` only, whatever the data setting.
//! - Other data (upload data after `>` or `CONNECT`, `+MFTPRETR`/`+MFGET`/`+MFREAD` payloads)
//!   is recorded as `<N bytes sha256=...>`, or in full with [`DataMode::Full`].

use ftpmodem_proto::command::{find_prefix, split_line};
use ftpmodem_proto::frame::decode::{Event, Final, Frame, Framer};
use ftpmodem_proto::{Command, Name};
use sha2::{Digest, Sha256};

/// How data payloads are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// Length and sha256.
    #[default]
    Digest,
    /// The bytes, escaped.
    Full,
}

/// Direction on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Host to module.
    In,
    /// Module to host.
    Out,
}

impl Dir {
    /// `>` host to module, `<` module to host (as `ftpmodem demo --raw`).
    pub fn arrow(self) -> &'static str {
        match self {
            Dir::In => ">",
            Dir::Out => "<",
        }
    }
}

/// One piece of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Which way.
    pub dir: Dir,
    /// Printable (escaped, redacted) text.
    pub text: String,
    /// The module's line was an unsolicited report.
    pub urc: bool,
}

/// Longest command line kept before it is cut (the module's own limit is 2048).
const MAX_IN_LINE: usize = 4096;

#[derive(Default)]
struct DataAcc {
    len: u64,
    hash: Sha256,
    full: Vec<u8>,
}

/// See the module docs.
pub struct LineView {
    data: DataMode,
    framer: Framer,
    inbuf: Vec<u8>,
    /// A `>` prompt or `CONNECT` is open: input is data until the final result.
    in_data: Option<DataAcc>,
    /// The command that opened the prompt carries a secret (certificate, key).
    secret: bool,
}

impl LineView {
    /// A view of a line at its start.
    pub fn new(data: DataMode) -> LineView {
        LineView {
            data,
            framer: Framer::default(),
            inbuf: Vec::new(),
            in_data: None,
            secret: false,
        }
    }

    /// Bytes the host sent.
    pub fn input(&mut self, bytes: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        if let Some(acc) = &mut self.in_data {
            acc.len += bytes.len() as u64;
            acc.hash.update(bytes);
            if self.data == DataMode::Full && !self.secret {
                acc.full.extend_from_slice(bytes);
            }
            return out;
        }
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                if !self.inbuf.is_empty() {
                    let line = std::mem::take(&mut self.inbuf);
                    self.note_command(&line);
                    out.push(Record {
                        dir: Dir::In,
                        text: escape(&redact_command(&line)),
                        urc: false,
                    });
                }
            } else if self.inbuf.len() < MAX_IN_LINE {
                self.inbuf.push(b);
            }
        }
        out
    }

    /// Bytes the module wrote.
    pub fn output(&mut self, mut bytes: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let (used, frame) = self.framer.decode(bytes);
            bytes = bytes.get(used.max(1)..).unwrap_or_default();
            if let Some(f) = frame {
                self.frame(f, &mut out);
            }
        }
        out
    }

    /// What is still open (a data stream not ended), for the end of the transcript.
    pub fn finish(&mut self) -> Vec<Record> {
        let mut out = Vec::new();
        self.end_data(&mut out);
        out
    }

    fn note_command(&mut self, line: &[u8]) {
        // The command that opens a prompt is the line's last (V.250 §5.2.1).
        self.secret = find_prefix(line)
            .and_then(|s| line.get(s + 2..))
            .and_then(|body| split_line(body).last().copied())
            .is_some_and(|p| matches!(piece_name(p), Some(Name::MsslCertWr | Name::MsslKeyWr)));
    }

    fn push_out(out: &mut Vec<Record>, text: String, urc: bool) {
        out.push(Record {
            dir: Dir::Out,
            text,
            urc,
        });
    }

    fn frame(&mut self, f: Frame, out: &mut Vec<Record>) {
        let in_data = self.in_data.is_some();
        match f {
            Frame::Echo(e) if in_data => {
                // The echo of the data being sent: its record is the data's own.
                let _ = e;
            }
            Frame::Echo(e) => Self::push_out(out, escape(&redact_command(&e)), false),
            Frame::Prompt => {
                Self::push_out(out, ">".into(), false);
                self.in_data = Some(DataAcc::default());
            }
            Frame::Data { .. } => {
                let head = f.head().unwrap_or_default();
                let data = f.data().unwrap_or_default();
                let text = format!("{}{}", escape(head), self.payload(data));
                Self::push_out(out, text, false);
            }
            Frame::Overflow { len } => {
                Self::push_out(out, format!("<overflow {len} bytes>"), false)
            }
            Frame::Line(l) => match Event::from(Frame::Line(l.clone())) {
                Event::Connect => {
                    Self::push_out(out, escape(&l), false);
                    self.in_data = Some(DataAcc::default());
                }
                Event::Final(fin) => {
                    self.end_data(out);
                    let _: &Final = &fin;
                    Self::push_out(out, escape(&l), false);
                }
                Event::Urc(_) => Self::push_out(out, escape(&l), true),
                _ if in_data && self.secret => {
                    Self::push_out(out, format!("<redacted {} bytes>", l.len()), false)
                }
                _ => Self::push_out(out, escape(&l), false),
            },
        }
    }

    fn end_data(&mut self, out: &mut Vec<Record>) {
        let Some(acc) = self.in_data.take() else {
            return;
        };
        let text = if self.secret {
            format!("<redacted {} bytes>", acc.len)
        } else if self.data == DataMode::Full {
            escape(&acc.full)
        } else {
            format!("<{} bytes sha256={}>", acc.len, hex(&acc.hash.finalize()))
        };
        self.secret = false;
        if acc.len > 0 {
            out.push(Record {
                dir: Dir::In,
                text,
                urc: false,
            });
        }
    }

    fn payload(&self, data: &[u8]) -> String {
        match self.data {
            DataMode::Full => escape(data),
            DataMode::Digest => format!(
                "<{} bytes sha256={}>",
                data.len(),
                hex(&Sha256::digest(data))
            ),
        }
    }
}

/// A command line with its secrets replaced: the password of `AT+MFTPCONN`, the inline data
/// of `AT+MSSLCERTWR`/`AT+MSSLKEYWR`, wherever they stand on the line (`AT+CMEE=1;+MFTPCONN=`,
/// lower case). proto splits and parses the line, as the module does; a line without a
/// secret is kept as typed, one with a secret is printed back command by command.
pub fn redact_command(line: &[u8]) -> Vec<u8> {
    let Some(start) = find_prefix(line) else {
        return line.to_vec();
    };
    let body = line.get(start + 2..).unwrap_or_default();
    let pieces: Vec<(&[u8], Option<Vec<u8>>)> = split_line(body)
        .into_iter()
        .map(|p| (p, redact_piece(p)))
        .collect();
    if pieces.iter().all(|(_, r)| r.is_none()) {
        return line.to_vec();
    }
    let mut out = line.get(..start + 2).unwrap_or_default().to_vec();
    for (i, (piece, red)) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(red.as_deref().unwrap_or(piece));
    }
    out
}

/// One command of a line (as [`split_line`] cuts it) with its secret replaced, or `None` when
/// it has none. A secret-carrying command the module would refuse (a parameter too many, a bad
/// number) keeps only its name: what it holds cannot be told apart.
fn redact_piece(piece: &[u8]) -> Option<Vec<u8>> {
    match Command::parse_body(piece) {
        // Without its `AT`: the line's own prefix stands before the first command.
        Ok(cmd) => redacted(cmd).map(|c| c.to_bytes().get(2..).unwrap_or_default().to_vec()),
        Err(_) => (secret_name(piece) && piece.contains(&b'=')).then(|| {
            let mut v = piece
                .iter()
                .take_while(|&&b| b != b'=')
                .copied()
                .collect::<Vec<u8>>();
            v.extend_from_slice(b"=<redacted>");
            v
        }),
    }
}

/// The extended command's name of a piece (`+NAME...`), whatever follows it.
fn piece_name(piece: &[u8]) -> Option<Name> {
    let rest = piece.strip_prefix(b"+")?;
    let end = rest
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    Name::from_bytes(rest.get(..end)?)
}

/// Whether a piece is a command that carries a password, a certificate or a key.
fn secret_name(piece: &[u8]) -> bool {
    matches!(
        piece_name(piece),
        Some(Name::MftpConn | Name::MsslCertWr | Name::MsslKeyWr)
    )
}

/// `cmd` with its secret replaced, or `None` when it carries none.
fn redacted(cmd: Command) -> Option<Command> {
    const MARK: &str = "<redacted>";
    match cmd {
        Command::MftpConn(mut c) if c.pass.as_deref().is_some_and(|p| !p.is_empty()) => {
            c.pass = Some(MARK.into());
            Some(Command::MftpConn(c))
        }
        Command::MsslCertWr(mut w) if w.data.is_some() => {
            w.data = Some(MARK.into());
            Some(Command::MsslCertWr(w))
        }
        Command::MsslKeyWr(mut w) if w.data.is_some() => {
            w.data = Some(MARK.into());
            Some(Command::MsslKeyWr(w))
        }
        _ => None,
    }
}

/// Printable ASCII as it is (quotes too, so a command reads as typed); `\\`, `\r`, `\n`,
/// `\t` and `\xHH` for the rest, so one record is one line of text.
pub fn escape(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(char::from(c)),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_mftpconn_is_redacted_and_nothing_else() {
        let l = br#"AT+MFTPCONN=0,"h,x","u","se,cret",21"#;
        assert_eq!(
            redact_command(l),
            br#"AT+MFTPCONN=0,"h,x","u","<redacted>",21"#.to_vec()
        );
        // One the module refuses (a parameter too many) may hold a password anywhere.
        let l = br#"AT+MFTPCONN=0,"h","u","se,cret",21,1"#;
        assert_eq!(redact_command(l), b"AT+MFTPCONN=<redacted>".to_vec());
        // Without a password, nothing to hide.
        let l = br#"AT+MFTPCONN=0,"h""#;
        assert_eq!(redact_command(l), l.to_vec());
        // Lower case: the module takes it, so the redaction must too.
        assert_eq!(
            redact_command(br#"at+mftpconn=0,"h","u","p""#),
            br#"at+MFTPCONN=0,"h","u","<redacted>""#.to_vec()
        );
        // Further along a line of several commands.
        let l = br#"AT+CMEE=1;+MFTPCONN=0,"h","u","pw";+MFTPSTATE=0"#;
        let r = redact_command(l);
        assert!(!r.windows(2).any(|w| w == b"pw"), "{}", escape(&r));
        assert_eq!(
            r,
            br#"AT+CMEE=1;+MFTPCONN=0,"h","u","<redacted>";+MFTPSTATE=0"#.to_vec()
        );
        // A line without a secret stays as typed, spaces and all.
        let l = br#"AT+CMEE=1; +MFTPSTATE=0"#;
        assert_eq!(redact_command(l), l.to_vec());
    }

    #[test]
    fn inline_certificate_and_key_data_is_redacted() {
        let l = br#"AT+MSSLKEYWR="k",0,0,"-----BEGIN PRIVATE KEY-----\r\nMIIE""#;
        let r = redact_command(l);
        assert!(!r.windows(4).any(|w| w == b"MIIE"), "{}", escape(&r));
        assert_eq!(r, br#"AT+MSSLKEYWR="k",0,0,"<redacted>""#.to_vec());
        let l = br#"AT+CMEE=1;+MSSLCERTWR="ca",0,4,"abcd""#;
        assert_eq!(
            redact_command(l),
            br#"AT+CMEE=1;+MSSLCERTWR="ca",0,4,"<redacted>""#.to_vec()
        );
        // The prompt form has no inline data: kept.
        let l = br#"AT+MSSLCERTWR="ca",0,100"#;
        assert_eq!(redact_command(l), l.to_vec());
    }

    #[test]
    fn data_lines_are_summarised_and_keys_redacted() {
        let mut v = LineView::new(DataMode::Digest);
        let r = v.output(b"\r\n+MFTPRETR: 0,0,3,3,abc\r\n");
        assert_eq!(r.len(), 1);
        assert!(r[0]
            .text
            .starts_with("+MFTPRETR: 0,0,3,3,<3 bytes sha256=ba7816bf"));
        assert!(v.input(b"AT+MSSLKEYWR=\"k.pem\",5\r").len() == 1);
        assert!(v.output(b"\r\n>").len() == 1);
        assert!(v.input(b"SECRET").is_empty());
        let r = v.output(b"SECRET\r\nOK\r\n");
        let all: String = r.iter().map(|r| r.text.clone()).collect();
        assert!(!all.contains("SECRET"), "{all}");
        assert!(all.contains("<redacted 6 bytes>"), "{all}");
    }

    #[test]
    fn key_data_at_a_prompt_is_redacted_wherever_the_command_stands() {
        for line in [
            &b"AT+MSSLKEYWR=\"k\",0,5\r"[..],
            b"at+cmee=1;+msslkeywr=\"k\",0,5\r",
        ] {
            let mut v = LineView::new(DataMode::Full);
            v.input(line);
            v.output(b"\r\n>");
            v.input(b"SECRT");
            let r = v.output(b"\r\nOK\r\n");
            assert_eq!(r[0].text, "<redacted 5 bytes>", "{line:?}");
        }
    }

    #[test]
    fn upload_data_after_a_prompt_is_a_digest_or_in_full() {
        for (mode, want) in [
            (DataMode::Digest, "<5 bytes sha256=2cf24dba"),
            (DataMode::Full, "hello"),
        ] {
            let mut v = LineView::new(mode);
            v.input(b"AT+MFTPSTOR=0,\"f\",0,5\r");
            assert_eq!(v.output(b"\r\n>")[0].text, ">");
            assert!(v.input(b"hel").is_empty());
            assert!(v.input(b"lo").is_empty());
            let r = v.output(b"\r\nOK\r\n");
            assert_eq!(r[0].dir, Dir::In);
            assert!(r[0].text.starts_with(want), "{:?}", r[0]);
            assert_eq!(r[1].text, "OK");
            // Back in command mode.
            assert_eq!(v.input(b"AT\r")[0].text, "AT");
        }
    }
}

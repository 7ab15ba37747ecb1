//! The floor of the serial-line paths: the least work a program can do to move an FTP
//! download onto a TCP line in `+MFTPRETR` chunks, or a transparent-mode upload from the line
//! to the server, run as the benchmark's peer.
//!
//! `stream_bench --relay-child <ftp address>` logs in to the server as uftp, listens on a
//! loopback port (announced on stderr as the module announces its own), and answers just
//! enough AT for the driver's unchanged client code: `ATE0`, `AT+MFTPRETR=0,"<file>"` and
//! `AT+MFTPSTOR=0,"<file>"`. Everything runs on one blocking thread with 1 MiB reads. A
//! download is framed every 1024 bytes exactly as the module frames it, copied into one buffer,
//! one write per read; an upload is written to the server as read, until a read that is just
//! `+++` after a second of silence. No engine, no queues, no async runtime, no limits, no
//! partial escapes. Comparing the module with it separates what the module costs from what the
//! path costs on the machine (one more process and one more loopback hop than curl, the
//! framing, and the client's side of the line).
//!
//! With `--zero-copy` it does even less: it moves the data without copying it in user space
//! (`relay/zero_copy.rs`). That is the experiment that shows whether this copying is part of
//! the floor.

mod zero_copy;

use ftpmodem_proto::frame::encode;
use ftpmodem_proto::urc::{UploadOp, Urc};
use ftpmodem_proto::{ChannelId, Response, ResultCode};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Chunk size of the module's generic profile.
const CHUNK: usize = 1024;
/// Bytes per read.
const READ: usize = 1 << 20;
/// Silence before and after `+++` (the module's guard time).
const GUARD: Duration = Duration::from_secs(1);

fn err(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

/// Runs the relay until the line closes; `zero_copy` picks `zero_copy.rs`'s transfers.
pub fn run(ftp: &str, zero_copy: bool) -> io::Result<()> {
    // The one channel the relay serves.
    let channel = ChannelId::new(0).ok_or_else(|| err("channel 0"))?;
    let mut ctrl = Control::login(ftp)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    eprintln!("relay listening on tcp {}", listener.local_addr()?);
    let (line, _) = listener.accept()?;
    line.set_nodelay(true)?;
    let mut out = line.try_clone()?;
    let mut input = BufReader::new(line);
    let mut cmd = Vec::new();
    loop {
        cmd.clear();
        if input.read_until(b'\r', &mut cmd)? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&cmd);
        let text = text.trim();
        if text.eq_ignore_ascii_case("ATE0") {
            out.write_all(&framed(|o| encode::response(o, &Response::Ok)))?;
        } else if let Some(file) = text
            .strip_prefix("AT+MFTPRETR=0,\"")
            .and_then(|r| r.strip_suffix('"'))
        {
            out.write_all(&framed(|o| encode::response(o, &Response::Ok)))?;
            let mut data = ctrl.open(&format!("RETR {file}"))?;
            if zero_copy {
                zero_copy::download(&mut data, &mut out, channel)?;
            } else {
                relay(&mut data, &mut out, channel)?;
            }
            drop(data);
            ctrl.expect(226)?;
        } else if let Some(file) = text
            .strip_prefix("AT+MFTPSTOR=0,\"")
            .and_then(|r| r.strip_suffix('"'))
        {
            let data = ctrl.open(&format!("STOR {file}"))?;
            out.write_all(&framed(encode::connect))?;
            // What the command reader had already taken from the line.
            let early = input.buffer().to_vec();
            input.consume(early.len());
            let n = if zero_copy {
                zero_copy::upload(input.get_mut(), data, &early)?
            } else {
                upload(input.get_mut(), data, &early)?
            };
            // The trailing guard time of the escape, as the module keeps it.
            std::thread::sleep(GUARD);
            out.write_all(&framed(|o| encode::response(o, &Response::Ok)))?;
            ctrl.expect(226)?;
            let report = Urc::Upload {
                op: UploadOp::Stor,
                id: channel,
                code: ResultCode::Success,
                sent: n,
            };
            out.write_all(&encode::urc_bytes(&report))?;
        } else {
            out.write_all(&framed(|o| encode::response(o, &Response::Error)))?;
        }
    }
}

/// What `frame` writes with proto's encoder, as one buffer.
fn framed(frame: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = Vec::new();
    frame(&mut v);
    v
}

struct Control {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Control {
    fn login(addr: &str) -> io::Result<Control> {
        let stream = TcpStream::connect(addr)?;
        let mut c = Control {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
        };
        c.expect(220)?;
        c.send("USER uftp")?;
        c.expect(331)?;
        c.send("PASS 12341")?;
        c.expect(230)?;
        c.send("TYPE I")?;
        c.expect(200)?;
        Ok(c)
    }

    fn send(&mut self, cmd: &str) -> io::Result<()> {
        self.writer.write_all(format!("{cmd}\r\n").as_bytes())
    }

    /// Reads one reply (the last line of a multi-line one) and checks its code.
    fn expect(&mut self, code: u16) -> io::Result<String> {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(err("the server closed the control connection"));
            }
            let done = line.len() >= 4 && line.as_bytes()[3] == b' ';
            if done {
                return if line.starts_with(&code.to_string()) {
                    Ok(line)
                } else {
                    Err(err(format!("expected {code}, got {line:?}")))
                };
            }
        }
    }

    /// EPSV, the data connection, `cmd` and its `150`.
    fn open(&mut self, cmd: &str) -> io::Result<TcpStream> {
        self.send("EPSV")?;
        let reply = self.expect(229)?;
        let port: u16 = reply
            .split("|||")
            .nth(1)
            .and_then(|r| r.split('|').next())
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| err(format!("EPSV reply {reply:?}")))?;
        let data = TcpStream::connect(("127.0.0.1", port))?;
        self.send(cmd)?;
        self.expect(150)?;
        Ok(data)
    }
}

/// Copies the download on `data` to `out` in the module's chunks: whole 1024-byte chunks,
/// only the last one short.
fn relay(data: &mut TcpStream, out: &mut TcpStream, channel: ChannelId) -> io::Result<()> {
    let mut buf = vec![0u8; READ + CHUNK];
    let mut framed = Vec::with_capacity(READ + READ / CHUNK * 48);
    let mut sum: u64 = 0;
    // Bytes of a partial chunk carried to the front of `buf`.
    let mut carry = 0;
    loop {
        let n = data.read(&mut buf[carry..])?;
        let have = carry + n;
        let whole = if n == 0 { have } else { have / CHUNK * CHUNK };
        framed.clear();
        for piece in buf[..whole].chunks(CHUNK) {
            sum += piece.len() as u64;
            encode::retr_chunk(&mut framed, channel, sum, &[piece]);
        }
        out.write_all(&framed)?;
        if n == 0 {
            return Ok(());
        }
        buf.copy_within(whole..have, 0);
        carry = have - whole;
    }
}

/// Copies the line to `data` until the escape; returns the bytes uploaded. `early` is what the
/// command reader had already taken from the line. `data` is closed on return, which ends the
/// transfer.
fn upload(line: &mut TcpStream, mut data: TcpStream, early: &[u8]) -> io::Result<u64> {
    data.write_all(early)?;
    let mut sent = early.len() as u64;
    let mut last = Instant::now();
    let mut buf = vec![0u8; READ];
    loop {
        let n = line.read(&mut buf)?;
        if n == 0 {
            return Err(err("the line closed during an upload"));
        }
        let now = Instant::now();
        if &buf[..n] == b"+++" && now.duration_since(last) >= GUARD {
            return Ok(sent);
        }
        last = now;
        data.write_all(&buf[..n])?;
        sent += n as u64;
    }
}

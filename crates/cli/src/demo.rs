//! `ftpmodem demo`: the manual's chapter 4 session (§4.1) run through the AT line of a virtual
//! module against an FTP server started in this process, printed as a transcript. It needs no
//! setup: the server (libunftp, [`server`]) serves a temp directory, the module's file system
//! is another.

mod server;

use anyhow::{bail, Context, Result};
use clap::Args;
use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, LineEnds};
use ftpmodem_device::{channel, runtime};
use ftpmodem_proto::frame::decode::{Frame, Framer};
use std::io::Write;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use server::DemoServer;

/// User and password of the manual's examples.
const USER: &str = "uftp";
const PASSWORD: &str = "12341";

#[derive(Args)]
#[command(after_help = "Examples:
  ftpmodem demo           # a transcript of the manual's chapter 4 session
  ftpmodem demo --raw     # the bytes on the line, CR and LF shown as \\r \\n")]
pub struct DemoArgs {
    /// Print the raw bytes (CR and LF shown as \r \n) instead of a transcript.
    #[arg(long)]
    raw: bool,
}

/// The line that ends a command's output: its URC for the channel commands (the last one of
/// a directory listing names its last entry), `OK` for the rest.
fn until(cmd: &str) -> String {
    if cmd == "AT+MFTPDISC=0" {
        return "+MFTPURC: 0,\"conn\",0".into();
    }
    if cmd == "AT+MFTPLIST=0,\"/home/uftp/test\"" {
        return "+MFTPLIST: 0,0,\"test2\"".into();
    }
    match cmd.strip_prefix("AT+MFTP").and_then(|r| r.split_once('=')) {
        Some((name, _)) if name != "CFG" => format!("+MFTP{name}: 0,"),
        _ => "OK".into(),
    }
}

/// The chapter 4 session in its sections, with the server's address in place of
/// 115.29.109.79.
fn session(port: u16) -> Vec<(&'static str, Vec<String>)> {
    let conn = format!("AT+MFTPCONN=0,\"127.0.0.1\",\"{USER}\",\"{PASSWORD}\",{port}");
    let cwd = "AT+MFTPCWD=0,\"/home/uftp/test\"";
    let disc = "AT+MFTPDISC=0";
    let v = |cmds: &[&str]| cmds.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    vec![
        ("echo off, as firmware usually runs", v(&["ATE0"])),
        (
            "connect and disconnect",
            v(&["AT+MFTPCFG=0,\"ssl\",0,0", &conn, disc]),
        ),
        (
            "working directory, new directory, rename, list, delete",
            v(&[
                &conn,
                "AT+MFTPPWD=0",
                cwd,
                "AT+MFTPPWD=0",
                "AT+MFTPMKD=0,\"test1\"",
                "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1111111111\"",
                "AT+MFTPRN=0,\"test1\",\"test2\"",
                "AT+MFTPRN=0,\"1.txt\",\"2.txt\"",
                "AT+MFTPLIST=0,\"2.txt\"",
                "AT+MFTPLIST=0,\"/home/uftp/test\"",
                "AT+MFTPDEL=0,\"2.txt\"",
                "AT+MFTPDEL=0,\"test2\"",
                disc,
            ]),
        ),
        (
            "append through the serial line",
            v(&[
                "AT+MFTPCFG=0,\"local_fs\",0",
                &conn,
                cwd,
                "AT+MFTPAPPE=0,\"1.txt\",1,10,\"1234567890\"",
                "AT+MFTPLIST=0,\"1.txt\"",
                "AT+MFTPDEL=0,\"1.txt\"",
                disc,
            ]),
        ),
        (
            "append from the module's file system",
            v(&[
                "AT+MFTPCFG=0,\"local_fs\",1",
                "AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\"",
                &conn,
                cwd,
                "AT+MFTPAPPE=0,\"2.txt\",\"/usr/test.txt\"",
                "AT+MFTPLIST=0,\"2.txt\"",
                "AT+MFTPDEL=0,\"2.txt\"",
                disc,
            ]),
        ),
        (
            "store through the serial line, download to the serial line",
            v(&[
                "AT+MFTPCFG=0,\"local_fs\",0",
                &conn,
                cwd,
                "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1234567890\"",
                "AT+MFTPRETR=0,\"1.txt\"",
                "AT+MFTPDEL=0,\"1.txt\"",
                disc,
            ]),
        ),
        (
            "store from and download into the module's file system",
            v(&[
                "AT+MFTPCFG=0,\"local_fs\",1",
                "AT+MFPUT=\"/usr/test.txt\",12,\"CESHI3333333\"",
                &conn,
                cwd,
                "AT+MFTPSTOR=0,\"2.txt\",\"/usr/test.txt\"",
                "AT+MFTPRETR=0,\"2.txt\",\"/usr/test.txt\",5,7",
                "AT+MFGET=\"/usr/test.txt\"",
                "AT+MFTPDEL=0,\"2.txt\"",
                disc,
            ]),
        ),
    ]
}

pub async fn run(args: DemoArgs) -> Result<()> {
    let server = DemoServer::start(USER, PASSWORD)
        .await
        .context("starting the embedded FTP server")?;
    std::fs::create_dir_all(server.root().join("home/uftp/test"))
        .context("preparing the server's directories")?;
    let fs_dir = tempfile::TempDir::new().context("temp dir for the module's file system")?;
    let fs = Sandbox::open(fs_dir.path(), 1 << 20)?;
    let engine = Engine::new(
        EngineConfig::default(),
        fs.clone(),
        std::time::Instant::now(),
    );
    let (line, module_ends) = line_channel(runtime::LINE_QUEUE);
    let shutdown = CancellationToken::new();
    let spawner = move |id, events| channel::spawn(id, fs.clone(), events);
    tokio::spawn(runtime::run(engine, module_ends, spawner, shutdown.clone()));

    crate::outln!(
        "ftpmodem demo: a virtual module and an FTP server at {} (user {USER}), manual §4.1",
        server.addr()
    )?;
    let mut term = Terminal {
        line,
        pending: Vec::new(),
        framer: Framer::default(),
        piece: Vec::new(),
        raw: args.raw,
    };
    term.expect("+MATREADY").await?;
    for (note, commands) in session(server.addr().port()) {
        if !args.raw {
            crate::outln!("\n# {note}")?;
        }
        for cmd in commands {
            term.command(&cmd, &until(&cmd)).await?;
        }
    }
    shutdown.cancel();
    Ok(())
}

/// The host side of the line: sends commands, prints what comes back.
struct Terminal {
    line: LineEnds,
    /// Bytes from the module not yet given to the framer.
    pending: Vec<u8>,
    /// Splits the module's output into its pieces (proto's decoder: lines, data lines with
    /// any bytes in their data, echo, the prompt).
    framer: Framer,
    /// The raw bytes of the piece being read, for `--raw`.
    piece: Vec<u8>,
    raw: bool,
}

impl Terminal {
    async fn command(&mut self, cmd: &str, until: &str) -> Result<()> {
        if self.raw {
            crate::outln!("> {}", escape(format!("{cmd}\r").as_bytes()))?;
        } else {
            crate::outln!("{cmd}")?;
        }
        self.line
            .to_module
            .send(format!("{cmd}\r").into_bytes())
            .await
            .context("the module stopped")?;
        self.expect(until).await
    }

    /// Prints the module's output a piece at a time until a line starts with `until`.
    async fn expect(&mut self, until: &str) -> Result<()> {
        loop {
            while !self.pending.is_empty() {
                let (n, frame) = self.framer.decode(&self.pending);
                self.piece.extend(self.pending.drain(..n));
                let Some(frame) = frame else { break };
                let raw = std::mem::take(&mut self.piece);
                if self.show(&raw, frame, until)? {
                    std::io::stdout().flush().ok();
                    return Ok(());
                }
            }
            let more = tokio::time::timeout(Duration::from_secs(30), self.line.from_module.recv())
                .await
                .with_context(|| format!("no {until:?} within 30 s"))?;
            match more {
                Some(b) => self.pending.extend(b.into_vec()),
                None => bail!("the module stopped"),
            }
        }
    }

    /// Prints one piece (`raw`, its bytes as they came); true when it is the line `until`
    /// waits for. The command echo is not repeated in the transcript.
    fn show(&self, raw: &[u8], frame: Frame, until: &str) -> Result<bool> {
        if self.raw {
            crate::outln!("< {}", escape(raw))?;
        }
        let text = match frame {
            Frame::Line(l) | Frame::Data { line: l, .. } => l,
            Frame::Prompt => b">".to_vec(),
            Frame::Echo(_) => return Ok(false),
            Frame::Overflow { len } => bail!("the module printed a line of {len} bytes or more"),
        };
        if !self.raw && !text.is_empty() {
            crate::outln!("{}", String::from_utf8_lossy(&text))?;
        }
        if text.starts_with(b"ERROR") || text.starts_with(b"+CME ERROR") {
            bail!("the module answered {}", String::from_utf8_lossy(&text));
        }
        Ok(text.starts_with(until.as_bytes()))
    }
}

fn escape(b: &[u8]) -> String {
    b.iter()
        .flat_map(|c| std::ascii::escape_default(*c))
        .map(char::from)
        .collect()
}

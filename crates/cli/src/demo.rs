//! `ftpmodem demo`: the manual's chapter 4 session (§4.1) run through the AT line of a virtual
//! module against an FTP server started in this process, printed as a transcript. It needs no
//! setup: the server (libunftp) serves a temp directory, the module's file system is another.

use anyhow::{bail, Context, Result};
use clap::Args;
use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, LineEnds};
use ftpmodem_device::{channel, runtime};
use ftpmodem_testsrv::{Unftp, UnftpOptions};
use std::io::Write;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// User and password of the manual's examples.
const USER: &str = "uftp";
const PASSWORD: &str = "12341";

#[derive(Args)]
pub struct DemoArgs {
    /// Print the raw bytes (CR and LF shown as \r \n) instead of a transcript.
    #[arg(long)]
    raw: bool,
}

/// One step: the command line, and the line that ends its output (after `OK`).
struct Step {
    send: String,
    until: &'static str,
    note: &'static str,
}

fn step(send: impl Into<String>, until: &'static str, note: &'static str) -> Step {
    Step {
        send: send.into(),
        until,
        note,
    }
}

/// The chapter 4 session, with the server's address in place of 115.29.109.79.
fn session(port: u16) -> Vec<Step> {
    let conn = format!("AT+MFTPCONN=0,\"127.0.0.1\",\"{USER}\",\"{PASSWORD}\",{port}");
    let disc = || step("AT+MFTPDISC=0", "+MFTPURC: 0,\"conn\",0", "disconnect");
    vec![
        step("ATE0", "OK", "echo off, as firmware usually runs"),
        step("AT+MFTPCFG=0,\"ssl\",0,0", "OK", "plain FTP"),
        step(conn.clone(), "+MFTPCONN: 0,", "connect"),
        disc(),
        step(conn.clone(), "+MFTPCONN: 0,", "log in"),
        step("AT+MFTPPWD=0", "+MFTPPWD: 0,", "working directory"),
        step(
            "AT+MFTPCWD=0,\"/home/uftp/test\"",
            "+MFTPCWD: 0,",
            "change directory",
        ),
        step("AT+MFTPPWD=0", "+MFTPPWD: 0,", "working directory"),
        step("AT+MFTPMKD=0,\"test1\"", "+MFTPMKD: 0,", "new directory"),
        step(
            "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1111111111\"",
            "+MFTPSTOR: 0,",
            "upload inline data",
        ),
        step(
            "AT+MFTPRN=0,\"test1\",\"test2\"",
            "+MFTPRN: 0,",
            "rename a directory",
        ),
        step(
            "AT+MFTPRN=0,\"1.txt\",\"2.txt\"",
            "+MFTPRN: 0,",
            "rename a file",
        ),
        step("AT+MFTPLIST=0,\"2.txt\"", "+MFTPLIST: 0,", "list a file"),
        step(
            "AT+MFTPLIST=0,\"/home/uftp/test\"",
            "+MFTPLIST: 0,0,\"test2\"",
            "list a directory",
        ),
        step("AT+MFTPDEL=0,\"2.txt\"", "+MFTPDEL: 0,", "delete a file"),
        step(
            "AT+MFTPDEL=0,\"test2\"",
            "+MFTPDEL: 0,",
            "delete a directory",
        ),
        disc(),
        step(
            "AT+MFTPCFG=0,\"local_fs\",0",
            "OK",
            "append through the serial line",
        ),
        step(conn.clone(), "+MFTPCONN: 0,", ""),
        step("AT+MFTPCWD=0,\"/home/uftp/test\"", "+MFTPCWD: 0,", ""),
        step(
            "AT+MFTPAPPE=0,\"1.txt\",1,10,\"1234567890\"",
            "+MFTPAPPE: 0,",
            "",
        ),
        step("AT+MFTPLIST=0,\"1.txt\"", "+MFTPLIST: 0,", ""),
        step("AT+MFTPDEL=0,\"1.txt\"", "+MFTPDEL: 0,", ""),
        disc(),
        step(
            "AT+MFTPCFG=0,\"local_fs\",1",
            "OK",
            "append from the module's file system",
        ),
        step("AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\"", "OK", ""),
        step(conn.clone(), "+MFTPCONN: 0,", ""),
        step("AT+MFTPCWD=0,\"/home/uftp/test\"", "+MFTPCWD: 0,", ""),
        step(
            "AT+MFTPAPPE=0,\"2.txt\",\"/usr/test.txt\"",
            "+MFTPAPPE: 0,",
            "",
        ),
        step("AT+MFTPLIST=0,\"2.txt\"", "+MFTPLIST: 0,", ""),
        step("AT+MFTPDEL=0,\"2.txt\"", "+MFTPDEL: 0,", ""),
        disc(),
        step(
            "AT+MFTPCFG=0,\"local_fs\",0",
            "OK",
            "download to the serial line",
        ),
        step(conn.clone(), "+MFTPCONN: 0,", ""),
        step("AT+MFTPCWD=0,\"/home/uftp/test\"", "+MFTPCWD: 0,", ""),
        step(
            "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1234567890\"",
            "+MFTPSTOR: 0,",
            "",
        ),
        step("AT+MFTPRETR=0,\"1.txt\"", "+MFTPRETR: 0,", ""),
        step("AT+MFTPDEL=0,\"1.txt\"", "+MFTPDEL: 0,", ""),
        disc(),
        step(
            "AT+MFTPCFG=0,\"local_fs\",1",
            "OK",
            "download into the module's file system",
        ),
        step("AT+MFPUT=\"/usr/test.txt\",12,\"CESHI3333333\"", "OK", ""),
        step(conn, "+MFTPCONN: 0,", ""),
        step("AT+MFTPCWD=0,\"/home/uftp/test\"", "+MFTPCWD: 0,", ""),
        step(
            "AT+MFTPSTOR=0,\"2.txt\",\"/usr/test.txt\"",
            "+MFTPSTOR: 0,",
            "",
        ),
        step(
            "AT+MFTPRETR=0,\"2.txt\",\"/usr/test.txt\",5,7",
            "+MFTPRETR: 0,",
            "",
        ),
        step("AT+MFGET=\"/usr/test.txt\"", "OK", ""),
        step("AT+MFTPDEL=0,\"2.txt\"", "+MFTPDEL: 0,", ""),
        disc(),
    ]
}

pub async fn run(args: DemoArgs) -> Result<()> {
    let server = Unftp::start(UnftpOptions::plain().user(USER, PASSWORD))
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

    println!(
        "ftpmodem demo: a virtual module and an FTP server at {} (user {USER}), manual §4.1",
        server.addr()
    );
    let mut term = Terminal {
        line,
        pending: Vec::new(),
        raw: args.raw,
    };
    term.expect("+MATREADY").await?;
    for s in session(server.port()) {
        if !s.note.is_empty() && !args.raw {
            println!("\n# {}", s.note);
        }
        term.command(&s.send, s.until).await?;
    }
    shutdown.cancel();
    Ok(())
}

/// The host side of the line: sends commands, prints what comes back.
struct Terminal {
    line: LineEnds,
    pending: Vec<u8>,
    raw: bool,
}

impl Terminal {
    async fn command(&mut self, cmd: &str, until: &str) -> Result<()> {
        if self.raw {
            println!("> {}", escape(format!("{cmd}\r").as_bytes()));
        } else {
            println!("{cmd}");
        }
        self.line
            .to_module
            .send(format!("{cmd}\r").into_bytes())
            .await
            .context("the module stopped")?;
        self.expect(until).await
    }

    /// Prints lines until one starts with `until`.
    async fn expect(&mut self, until: &str) -> Result<()> {
        loop {
            while let Some(end) = self.pending.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.pending.drain(..end + 2).collect();
                let text = &line[..line.len() - 2];
                if self.raw {
                    println!("< {}", escape(&line));
                } else if !text.is_empty() {
                    println!("{}", String::from_utf8_lossy(text));
                }
                if text.starts_with(until.as_bytes()) {
                    std::io::stdout().flush().ok();
                    return Ok(());
                }
                if text.starts_with(b"ERROR") || text.starts_with(b"+CME ERROR") {
                    bail!("the module answered {}", String::from_utf8_lossy(text));
                }
            }
            let more = tokio::time::timeout(Duration::from_secs(30), self.line.from_module.recv())
                .await
                .with_context(|| format!("no {until:?} within 30 s"))?;
            match more {
                Some(b) => self.pending.extend(b),
                None => bail!("the module stopped"),
            }
        }
    }
}

fn escape(b: &[u8]) -> String {
    b.iter()
        .flat_map(|c| std::ascii::escape_default(*c))
        .map(char::from)
        .collect()
}

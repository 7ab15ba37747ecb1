//! `ftpmodem at`: AT commands by hand. With commands as arguments, each is sent in turn and
//! the module's answer printed; without, an interactive session with line editing and
//! history, reports shown as they arrive, and the data modes usable.
//!
//! This talks to the line directly through the host crate's decoder (not the typed driver),
//! so it prints exactly what the module says, in the order it says it.

use super::{print_line, Failure, LineArgs, Outcome};
use clap::Args;
use ftpmodem_host::decode::{Decoder, Event, Final};
use ftpmodem_proto::{Command, UploadBody};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Silence the module needs before `+++` (1 s guard) plus a margin for the line's buffers.
const GUARD: Duration = Duration::from_millis(1200);
/// How long the session holds input for a command's final result.
const COMMAND_WAIT: Duration = Duration::from_secs(10);
/// Longest `#wait`.
const WAIT_MAX: Duration = Duration::from_secs(30);
/// Largest data taken from standard input for one `>` prompt or transparent upload.
const STDIN_DATA_MAX: usize = 1 << 20;

#[derive(Args, Debug)]
#[command(after_help = format!("In a session: after `>` the next line is the data, all of it (\\r \\n \\xHH \\\\ \
escapes; a Ctrl+Z-terminated prompt gets its Ctrl+Z added); after CONNECT every line is sent \
with a LF until a line `+++`, which is sent with the guard times. A line `#wait TEXT` holds \
further input until the module prints a line containing TEXT (for scripts: `#wait +MFTPCONN: 0,0`); \
other lines starting with # are comments. Without a terminal, a prompt \
or CONNECT takes standard input as its data.\n\nExamples:\n  ftpmodem at -p /tmp/ttyML307 ATI 'AT+MFTPSTATE=0'\n  \
ftpmodem at -s /dev/ttyUSB2            # interactive session\n  \
printf 'ATI\\nAT+CSQ\\n' | ftpmodem at   # FTPMODEM_DEVICE names the module\n\n{}", super::HELP_TAIL))]
pub struct AtArgs {
    #[command(flatten)]
    pub line: LineArgs,
    /// Commands to send in order (`AT+MFTPSTATE=0`); none opens an interactive session.
    pub commands: Vec<String>,
    /// After the last command, keep printing reports for this many seconds.
    #[arg(short, long, default_value_t = 0.0)]
    pub wait: f64,
    /// Seconds to wait for each command's final result.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// The module's bytes as they came, cut into lines for a terminal: a line ends at `\n`
/// (with the `\r` or `\r\r` before it: the `\r\n` framing and an echo's `\r`), the
/// framing's empty lines are left out, and every other byte outside printable ASCII is
/// escaped (`\r`, `\n`, `\t`, `\xHH`) so that no payload can move the cursor. Nothing is
/// parsed or rewritten: `+CME ERROR: FTP running` stays as the module wrote it.
#[derive(Default)]
struct View {
    line: Vec<u8>,
}

impl View {
    /// Bytes from the line; the complete lines among them, ready to print.
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                while self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
                if !self.line.is_empty() {
                    out.push(escape(&self.line));
                }
                self.line.clear();
            } else if self.line.len() < 1 << 16 {
                self.line.push(b);
            }
        }
        out
    }

    /// What is left of an unfinished line (a `> ` prompt, a quiet line), ready to print.
    fn flush(&mut self) -> Option<String> {
        let l = std::mem::take(&mut self.line);
        let trimmed = l.strip_prefix(b"\r").unwrap_or(&l);
        (!trimmed.is_empty()).then(|| escape(trimmed))
    }
}

/// Printable ASCII as is, everything else escaped.
fn escape(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for &c in b {
        match c {
            0x20..=0x7e => s.push(c as char),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

/// `\r`, `\n`, `\xHH`, `\\` in typed data.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'r')) => (out.push(b'\r'), i += 2).1,
            (b'\\', Some(b'n')) => (out.push(b'\n'), i += 2).1,
            (b'\\', Some(b'\\')) => (out.push(b'\\'), i += 2).1,
            (b'\\', Some(b'x')) => match s
                .get(i + 2..i + 4)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(v) => (out.push(v), i += 4).1,
                None => (out.push(b'\\'), i += 1).1,
            },
            (c, _) => (out.push(c), i += 1).1,
        }
    }
    out
}

/// Whether the prompt a command opens ends at Ctrl+Z (rather than after a length).
fn ctrl_z_prompt(cmd: &str) -> bool {
    matches!(
        Command::parse(cmd.trim().as_bytes()),
        Ok(Command::MftpStor(ftpmodem_proto::Upload {
            body: UploadBody::Prompt { .. },
            ..
        }) | Command::MftpAppe(ftpmodem_proto::Upload {
            body: UploadBody::Prompt { .. },
            ..
        }))
    )
}

/// The line: decoded events in, raw bytes out.
struct Raw {
    rx: mpsc::Receiver<Vec<u8>>,
    w: WriteHalf<Box<dyn super::Line>>,
    dec: Decoder,
    view: View,
    /// Lines of [`View`] not printed yet.
    shown: Vec<String>,
    last_write: Instant,
    /// When the module last sent a byte (or the line was opened).
    last_heard: Instant,
}

impl Raw {
    fn new(line: Box<dyn super::Line>) -> Raw {
        let (mut r, w) = tokio::io::split(line);
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                match r.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if tx
                            .send(buf.get(..n).unwrap_or_default().to_vec())
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        Raw {
            rx,
            w,
            dec: Decoder::default(),
            view: View::default(),
            shown: Vec::new(),
            last_write: Instant::now(),
            last_heard: Instant::now(),
        }
    }

    async fn write(&mut self, b: &[u8]) -> Result<(), Failure> {
        self.w
            .write_all(b)
            .await
            .map_err(|e| Failure::new(3, format!("writing to the module: {e}")))?;
        self.w
            .flush()
            .await
            .map_err(|e| Failure::new(3, format!("writing to the module: {e}")))?;
        self.last_write = Instant::now();
        Ok(())
    }

    /// The next event, or `None` when `deadline` passes first.
    async fn event(&mut self, deadline: Instant) -> Result<Option<Event>, Failure> {
        loop {
            if let Some(ev) = self.dec.next_event() {
                return Ok(Some(ev));
            }
            tokio::select! {
                b = self.rx.recv() => match b {
                    Some(b) => {
                        self.last_heard = Instant::now();
                        let lines = self.view.push(&b);
                        self.shown.extend(lines);
                        self.dec.feed(&b);
                    }
                    None => return Err(Failure::new(3, "the line to the module closed")),
                },
                () = tokio::time::sleep_until(deadline) => return Ok(None),
            }
        }
    }

    /// The module's lines received so far and not printed yet; `partial` adds an unfinished
    /// one (at a `>` prompt, at the end).
    fn lines(&mut self, partial: bool) -> Vec<String> {
        let mut l = std::mem::take(&mut self.shown);
        if partial {
            l.extend(self.view.flush());
        }
        l
    }

    /// The guarded escape from transparent mode.
    async fn escape(&mut self) -> Result<(), Failure> {
        tokio::time::sleep_until(self.last_write + GUARD).await;
        self.write(b"+++").await
    }
}

async fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut data = Vec::new();
    tokio::io::stdin()
        .take(STDIN_DATA_MAX as u64)
        .read_to_end(&mut data)
        .await
        .map_err(|e| Failure::local("standard input", e))?;
    Ok(data)
}

pub async fn run(a: AtArgs) -> Outcome {
    super::interrupt::install()
        .map_err(|e| Failure::new(1, format!("cannot watch signals: {e}")))?;
    let work = async {
        let line = a.line.open().await?;
        let raw = Raw::new(line);
        if a.commands.is_empty() {
            return interactive(raw, &a.line.describe()).await;
        }
        batch(raw, &a).await
    };
    // AT by hand leaves the module as the commands left it; a signal only stops sending.
    tokio::select! {
        r = work => r,
        s = super::interrupt::interrupted() => Err(Failure::new(
            s.exit_code(),
            format!("interrupted by {}", s.name()),
        )),
    }
}

async fn batch(mut raw: Raw, a: &AtArgs) -> Outcome {
    let timeout = Duration::from_secs_f64(a.timeout.max(0.0));
    let mut worst = 0;
    for cmd in &a.commands {
        raw.write(format!("{cmd}\r").as_bytes()).await?;
        let mut echoed = false;
        let mut deadline = Instant::now() + timeout;
        loop {
            let Some(ev) = raw.event(deadline).await? else {
                for l in raw.lines(true) {
                    print_line(format_args!("{l}"))?;
                }
                return Err(Failure::new(
                    3,
                    format!(
                        "{cmd}: no final result within {:.0} s (module silent since {:.1} s before)",
                        timeout.as_secs_f64(),
                        raw.last_heard.elapsed().as_secs_f64()
                    ),
                ));
            };
            for l in raw.lines(matches!(ev, Event::Prompt)) {
                print_line(format_args!("{l}"))?;
            }
            match ev {
                Event::Echo(_) => echoed = true,
                Event::Prompt => {
                    let mut data = read_stdin().await?;
                    if echoed {
                        raw.dec.skip(data.len() as u64);
                    }
                    if ctrl_z_prompt(cmd) {
                        data.push(0x1a);
                    }
                    raw.write(&data).await?;
                    deadline = Instant::now() + timeout;
                }
                Event::Connect => {
                    let data = read_stdin().await?;
                    raw.write(&data).await?;
                    raw.escape().await?;
                    deadline = Instant::now() + GUARD + timeout;
                }
                Event::Final(f) => {
                    if f != Final::Ok {
                        worst = 4;
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    let until = Instant::now() + Duration::from_secs_f64(a.wait.max(0.0));
    while raw.event(until).await?.is_some() {
        for l in raw.lines(false) {
            print_line(format_args!("{l}"))?;
        }
    }
    for l in raw.lines(true) {
        print_line(format_args!("{l}"))?;
    }
    if worst != 0 {
        return Err(Failure::new(worst, "the module answered ERROR"));
    }
    Ok(())
}

/// What typed lines are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Typing {
    Commands,
    /// Data for a `>` prompt; Ctrl+Z is added when the prompt ends with one.
    Prompt {
        ctrl_z: bool,
        echoed: bool,
    },
    Transparent,
}

/// What `help` prints in a session.
const SESSION_HELP: &str = "Type AT commands; the module's answers are printed as it sends them \
(bytes outside printable ASCII escaped as \\r \\n \\xHH).
  after `>`      the next line is the data (\\r \\n \\xHH \\\\ escapes; Ctrl+Z added for a Ctrl+Z prompt)
  after CONNECT  each line is sent with a LF, until a line +++ (sent with the guard times)
  #wait TEXT     hold further input until the module prints a line containing TEXT
  # ...          a comment
  help           this text
  exit, Ctrl+D   end the session (the module stays as the commands left it)";

/// Prompt of the session's line editor.
const PROMPT: &str = "at> ";

async fn interactive(mut raw: Raw, line: &str) -> Outcome {
    use rustyline::ExternalPrinter;
    use std::io::IsTerminal;
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| Failure::new(1, format!("line editor: {e}")))?;
    let mut printer = editor.create_external_printer().ok();
    // A person at a terminal gets a banner and a prompt; a script piping commands in gets
    // only the module's answers on standard output.
    let person = std::io::stdin().is_terminal();
    let prompt = if person { PROMPT } else { "" };
    if person {
        eprintln!(
            "ftpmodem at: connected to {line}. Type AT commands; `help` for help, `exit` or Ctrl+D to quit."
        );
    }
    let (tx, mut typed) = mpsc::channel::<String>(4);
    std::thread::spawn(move || loop {
        match editor.readline(prompt) {
            Ok(l) => {
                if !l.trim().is_empty() {
                    let _ = editor.add_history_entry(l.as_str());
                }
                if tx.blocking_send(l).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    });
    let mut say = |s: String| match printer.as_mut() {
        Some(p) => {
            let _ = p.print(format!("{s}\n"));
            Ok(())
        }
        None => print_line(format_args!("{s}")),
    };
    let mut mode = Typing::Commands;
    let mut last_cmd = String::new();
    let mut echoed = false;
    // A command was sent and its final result has not come yet (until this instant).
    let mut pending = false;
    let mut pending_until = Instant::now();
    // `#wait TEXT`: input waits until the module prints a line holding TEXT.
    let mut waiting: Option<(String, Instant)> = None;
    // Lines printed since the last command was sent: a `#wait` is met by them too, as the
    // report may arrive together with the command's OK.
    let mut since_cmd: Vec<String> = Vec::new();
    let far = || Instant::now() + Duration::from_secs(3600);
    loop {
        let hold = (pending && mode == Typing::Commands) || waiting.is_some();
        let deadline = match (&waiting, pending) {
            (Some((_, until)), _) => *until,
            (None, true) => pending_until,
            (None, false) => far(),
        };
        tokio::select! {
            ev = raw.event(deadline) => {
                let Some(ev) = ev? else {
                    if let Some((text, _)) = waiting.take() {
                        return Err(Failure::new(3, format!("#wait: the module printed no {text:?} in time")));
                    }
                    if pending {
                        say("(no final result in time)".into())?;
                        pending = false;
                    }
                    continue;
                };
                for s in raw.lines(matches!(ev, Event::Prompt)) {
                    if waiting.as_ref().is_some_and(|(t, _)| s.contains(t.as_str())) {
                        waiting = None;
                    }
                    if since_cmd.len() < 1024 {
                        since_cmd.push(s.clone());
                    }
                    say(s)?;
                }
                match ev {
                    Event::Echo(_) => echoed = true,
                    Event::Prompt => {
                        mode = Typing::Prompt { ctrl_z: ctrl_z_prompt(&last_cmd), echoed };
                    }
                    Event::Connect => mode = Typing::Transparent,
                    Event::Final(_) => {
                        mode = Typing::Commands;
                        pending = false;
                    }
                    _ => {}
                }
            }
            // One command at a time, as the module takes them: input typed meanwhile waits.
            l = typed.recv(), if !hold => {
                let Some(l) = l else {
                    // End of input (a pipe): let the last command finish first.
                    let until = Instant::now() + Duration::from_secs(10);
                    while pending {
                        match raw.event(until).await? {
                            Some(ev) => {
                                for s in raw.lines(false) {
                                    say(s)?;
                                }
                                pending = !matches!(ev, Event::Final(_));
                            }
                            None => break,
                        }
                    }
                    for s in raw.lines(true) {
                        say(s)?;
                    }
                    return Ok(());
                };
                match mode {
                    Typing::Commands => {
                        if l.trim() == "exit" || l.trim() == "quit" {
                            return Ok(());
                        }
                        if l.trim() == "help" || l.trim() == "?" {
                            for h in SESSION_HELP.lines() {
                                say(h.to_string())?;
                            }
                            continue;
                        }
                        if let Some(text) = l.trim().strip_prefix("#wait ") {
                            if !since_cmd.iter().any(|s| s.contains(text)) {
                                waiting = Some((text.to_string(), Instant::now() + WAIT_MAX));
                            }
                            continue;
                        }
                        if l.trim().is_empty() || l.trim_start().starts_with('#') {
                            continue;
                        }
                        echoed = false;
                        since_cmd.clear();
                        // A line without AT gets no answer (V.25ter): nothing to wait for.
                        pending = ftpmodem_proto::command::find_prefix(l.as_bytes()).is_some();
                        pending_until = Instant::now() + COMMAND_WAIT;
                        last_cmd = l.clone();
                        raw.write(format!("{l}\r").as_bytes()).await?;
                    }
                    Typing::Prompt { ctrl_z, echoed } => {
                        let mut data = unescape(&l);
                        if echoed {
                            raw.dec.skip(data.len() as u64);
                        }
                        if ctrl_z {
                            data.push(0x1a);
                        }
                        raw.write(&data).await?;
                        // One line of data per prompt; what follows waits for the result.
                        mode = Typing::Commands;
                    }
                    Typing::Transparent => {
                        if l == "+++" {
                            raw.escape().await?;
                            // Nothing more is data: input waits for the OK.
                            mode = Typing::Commands;
                        } else {
                            let mut data = unescape(&l);
                            data.push(b'\n');
                            raw.write(&data).await?;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn view_keeps_the_module_text_and_escapes_the_rest() {
        let mut v = View::default();
        let mut got = v.push(b"AT+MFTPCFG=0\r\r\n+CME ERROR: FTP run");
        got.extend(v.push(b"ning\r\n\r\n+MFTPRETR: 0,3,a\x1b[\x00\r\n\r\n> "));
        assert_eq!(
            got,
            [
                "AT+MFTPCFG=0",
                "+CME ERROR: FTP running",
                "+MFTPRETR: 0,3,a\\x1b[\\x00"
            ]
        );
        assert_eq!(v.flush().as_deref(), Some("> "));
        assert_eq!(v.flush(), None);
        assert_eq!(escape(b"a\rb\tc\xff\"\\"), "a\\rb\\tc\\xff\"\\");
    }

    #[test]
    fn unescapes_typed_data() {
        assert_eq!(unescape(r"a\r\n\x1a\\b\x"), b"a\r\n\x1a\\b\\x");
    }

    #[test]
    fn tells_ctrl_z_prompts() {
        assert!(ctrl_z_prompt("AT+MFTPSTOR=0,\"f\",1"));
        assert!(!ctrl_z_prompt("AT+MFTPSTOR=0,\"f\",1,5"));
        assert!(!ctrl_z_prompt("AT+MFPUT=\"f\",5"));
    }
}

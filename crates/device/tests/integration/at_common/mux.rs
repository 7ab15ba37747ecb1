//! Several channels' scripts over one module line at once, as a firmware with one UART and six
//! FTP sessions would run them: commands go out one at a time (each waits for its final `OK`
//! or error), while the reports of all channels arrive interleaved and are routed to the
//! channel they name. Every byte on the line must belong to exactly one well-formed token
//! (a framed line, a `>` prompt, a `+MFTPRETR` chunk with its data), read with the protocol
//! crate's decoder and routed by the channel of the report it parses as, so a report that
//! split another response, or a chunk with the wrong length, breaks the parse and fails the
//! test.

use super::{show, At, TIMEOUT};
use ftpmodem_proto::frame::decode::{Event, Frame, Framer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// One piece of the module's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `\r\n<line>\r\n` (without the framing).
    Line(Vec<u8>),
    /// `\r\n>`.
    Prompt,
    /// `+MFTPRETR: <id>,0,<sum>,<recv>,<data>\r\n`: the header up to the last comma, and the
    /// data.
    Chunk { head: String, data: Vec<u8> },
}

/// Where a token goes.
enum Route {
    /// A report of this channel.
    Channel(usize),
    /// Part of the answer to the command in progress; `true` for its final result.
    Answer(bool),
}

/// A frame of the protocol crate's decoder as a token, and where it goes. Unframed bytes or
/// an overlong line fail the test.
fn token(frame: Frame) -> (Token, Route) {
    let route = match Event::from(frame.clone()) {
        Event::Urc(u) => match u.channel() {
            Some(c) => Route::Channel(usize::from(c.get())),
            None => Route::Answer(false),
        },
        Event::Final(_) => Route::Answer(true),
        _ => Route::Answer(false),
    };
    let t = match frame {
        Frame::Line(l) => Token::Line(l),
        Frame::Prompt => Token::Prompt,
        Frame::Data {
            mut line,
            start,
            closed,
            ..
        } => {
            assert!(closed, "chunk not ended by CRLF");
            let data = line.split_off(start);
            line.pop();
            let head = String::from_utf8(line).unwrap();
            Token::Chunk { head, data }
        }
        Frame::Echo(e) => panic!("not a framed token: \"{}\"", show(&e)),
        Frame::Overflow { len } => panic!("a line of {len} bytes or more"),
    };
    (t, route)
}

/// A command for the line: what to send, the prompt data if it opens a prompt, and where
/// its answer (all tokens up to and including `OK`/`ERROR`/`+CME ERROR`) goes.
struct Request {
    line: String,
    prompt_data: Option<Vec<u8>>,
    answer: oneshot::Sender<Vec<Token>>,
}

/// A channel's handle: send commands, receive its reports.
pub struct ChannelLine {
    requests: mpsc::Sender<Request>,
    reports: mpsc::Receiver<Token>,
    id: usize,
}

impl ChannelLine {
    /// Sends a command and returns its answer tokens (reports of other channels removed).
    pub async fn command(&mut self, line: &str, prompt_data: Option<Vec<u8>>) -> Vec<Token> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request {
                line: line.into(),
                prompt_data,
                answer: tx,
            })
            .await
            .unwrap();
        rx.await.unwrap()
    }

    /// A command answered `OK` alone.
    pub async fn ok(&mut self, line: &str) {
        let a = self.command(line, None).await;
        assert_eq!(a, vec![Token::Line(b"OK".to_vec())], "ch{} {line}", self.id);
    }

    /// The next report of this channel.
    pub async fn report(&mut self) -> Token {
        match tokio::time::timeout(TIMEOUT, self.reports.recv()).await {
            Ok(Some(t)) => t,
            Ok(None) => panic!("ch{}: line gone", self.id),
            Err(_) => panic!("ch{}: no report within {TIMEOUT:?}", self.id),
        }
    }

    /// The next report must be this line.
    pub async fn expect(&mut self, line: &str) {
        let t = self.report().await;
        assert_eq!(t, Token::Line(line.as_bytes().to_vec()), "ch{}", self.id);
    }
}

/// Starts the multiplexer on `at`; returns one handle per channel id in `ids`, and a count of
/// how often a report followed one of another channel (evidence that the channels really ran
/// interleaved).
pub fn spawn(mut at: At, ids: &[usize]) -> (Vec<ChannelLine>, Arc<AtomicUsize>) {
    let (req_tx, mut req_rx) = mpsc::channel::<Request>(8);
    let mut routes = vec![None; 6];
    let mut handles = Vec::new();
    for &id in ids {
        let (tx, rx) = mpsc::channel(4096);
        routes[id] = Some(tx);
        handles.push(ChannelLine {
            requests: req_tx.clone(),
            reports: rx,
            id,
        });
    }
    drop(req_tx);
    let switches = Arc::new(AtomicUsize::new(0));
    let count = switches.clone();
    tokio::spawn(async move {
        let mut last = None;
        let mut framer = Framer::default();
        let mut pending = Vec::new();
        let mut current: Option<(Request, Vec<Token>)> = None;
        loop {
            // Route every complete token.
            loop {
                let (n, frame) = framer.decode(&pending);
                pending.drain(..n);
                let Some(frame) = frame else { break };
                let (t, route) = token(frame);
                let end = match route {
                    Route::Answer(end) => end,
                    Route::Channel(id) => {
                        if last.is_some_and(|l| l != id) {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        last = Some(id);
                        let route = routes[id]
                            .as_ref()
                            .expect("report for a channel without a script");
                        route.send(t).await.unwrap();
                        continue;
                    }
                };
                let Some((req, answer)) = current.as_mut() else {
                    panic!("answer with no command outstanding: {t:?}");
                };
                if t == Token::Prompt {
                    let data = req
                        .prompt_data
                        .take()
                        .expect("prompt for a command without data");
                    at.send(&data).await;
                    continue;
                }
                answer.push(t);
                if end {
                    let (req, answer) = current.take().unwrap();
                    let _ = req.answer.send(answer);
                }
            }
            if current.is_none() {
                tokio::select! {
                    r = req_rx.recv() => match r {
                        Some(req) => {
                            at.send(format!("{}\r", req.line).as_bytes()).await;
                            current = Some((req, Vec::new()));
                        }
                        None => return,
                    },
                    b = at.next_bytes() => match b {
                        Some(b) => pending.extend(b),
                        None => return,
                    },
                }
            } else {
                let b = at.next_bytes().await.expect("line closed during a command");
                pending.extend(b);
            }
        }
    });
    (handles, switches)
}

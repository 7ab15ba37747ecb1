//! The TCP transport on real loopback sockets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use ftpmodem_device::engine::{Engine, EngineConfig};
use ftpmodem_device::fs::Sandbox;
use ftpmodem_device::transport::{line_channel, run_tcp, ModuleEnds, BUSY_LINE};
use ftpmodem_device::{channel, runtime};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use transport_common::{all_bytes, read_n, recv_n, spawn_echo, WAIT};

async fn serve(
    capacity: usize,
) -> (
    SocketAddr,
    ModuleEnds,
    CancellationToken,
    JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (line, module) = line_channel(capacity);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_tcp(listener, line, shutdown.clone()));
    (addr, module, shutdown, task)
}

async fn serve_echo() -> (
    SocketAddr,
    CancellationToken,
    JoinHandle<std::io::Result<()>>,
) {
    let (addr, module, shutdown, task) = serve(8).await;
    spawn_echo(module);
    (addr, shutdown, task)
}

/// Round trip through the echo module: proves this client is the attached one.
async fn assert_echoes(client: &mut TcpStream, data: &[u8]) {
    client.write_all(data).await.unwrap();
    assert_eq!(read_n(client, data.len()).await, data);
}

async fn read_to_eof(client: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    tokio::time::timeout(WAIT, client.read_to_end(&mut got))
        .await
        .expect("no EOF")
        .expect("read failed");
    got
}

#[tokio::test]
async fn a_client_gets_every_byte_value_echoed() {
    let (addr, shutdown, task) = serve_echo().await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    assert_echoes(&mut client, &all_bytes()).await;
    assert_echoes(&mut client, b"+").await;
    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // The client is closed with the transport.
    assert_eq!(read_to_eof(&mut client).await, b"");
}

#[tokio::test]
async fn each_direction_is_exact() {
    let (addr, mut module, _shutdown, _task) = serve(4).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(&all_bytes()).await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 256).await, all_bytes());
    let reversed: Vec<u8> = all_bytes().into_iter().rev().collect();
    module.to_line.send(reversed.clone().into()).await.unwrap();
    assert_eq!(read_n(&mut client, 256).await, reversed);
}

#[tokio::test]
async fn a_second_client_is_told_the_line_is_busy_and_closed() {
    let (addr, _shutdown, _task) = serve_echo().await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    assert_echoes(&mut first, b"AT\r").await;

    let mut second = TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_to_eof(&mut second).await, BUSY_LINE);
    // Whatever the second one sends never reaches the module.
    let _ = second.write_all(b"intruder").await;

    assert_echoes(&mut first, b"still here").await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_to_eof(&mut third).await, BUSY_LINE);
    assert_echoes(&mut first, &all_bytes()).await;
}

#[tokio::test]
async fn after_a_client_leaves_the_next_one_is_served() {
    let (addr, _shutdown, _task) = serve_echo().await;
    for round in 0..5u8 {
        let mut client = TcpStream::connect(addr).await.unwrap();
        assert_echoes(&mut client, &[b'A', b'T', round, b'\r']).await;
        drop(client);
    }
    // A client that leaves with a half close is gone too.
    let mut client = TcpStream::connect(addr).await.unwrap();
    assert_echoes(&mut client, b"x").await;
    client.shutdown().await.unwrap();
    assert_eq!(read_to_eof(&mut client).await, b"");
    let mut client = TcpStream::connect(addr).await.unwrap();
    assert_echoes(&mut client, b"y").await;
}

/// Output while nobody is attached is lost, except the module's first batch (its power-up
/// `+MATREADY`), which the first client reads first.
#[tokio::test]
async fn output_with_nobody_attached_is_discarded_without_blocking_the_module() {
    const CAPACITY: usize = 4;
    let (addr, mut module, _shutdown, _task) = serve(CAPACITY).await;
    // Far more than the channel holds: these sends only complete if the transport drains.
    tokio::time::timeout(WAIT, async {
        for _ in 0..(CAPACITY * 25) {
            module
                .to_line
                .send(b"+MFTPURC: \"old\"\r\n".to_vec().into())
                .await
                .unwrap();
        }
    })
    .await
    .expect("the module blocked with nobody attached");

    let mut client = TcpStream::connect(addr).await.unwrap();
    // Once the module hears the client, the client is attached.
    client.write_all(b"A").await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 1).await, b"A");
    module.to_line.send(b"new".to_vec().into()).await.unwrap();
    let want = b"+MFTPURC: \"old\"\r\nnew";
    assert_eq!(read_n(&mut client, want.len()).await, want);
}

#[tokio::test]
async fn the_module_ending_ends_the_transport() {
    let (addr, mut module, _shutdown, task) = serve(4).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    // Output only reaches a client once it is attached, which the module learns from its bytes.
    client.write_all(b"AT\r").await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 3).await, b"AT\r");
    module.to_line.send(b"bye".to_vec().into()).await.unwrap();
    assert_eq!(read_n(&mut client, 3).await, b"bye");
    drop(module);
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(read_to_eof(&mut client).await, b"");

    // And with nobody attached.
    let (_addr, module, _shutdown, task) = serve(4).await;
    drop(module);
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_returns_with_a_client_that_does_not_read() {
    let (addr, mut module, shutdown, task) = serve(2).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"A").await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 1).await, b"A");
    // Fill socket buffers and the channel: the transport is stuck writing.
    let to_line = module.to_line.clone();
    let filler =
        tokio::spawn(async move { while to_line.send(vec![0u8; 65536].into()).await.is_ok() {} });
    tokio::time::timeout(WAIT, async {
        while module.to_line.capacity() > 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    drop(module);
    tokio::time::timeout(WAIT, filler).await.unwrap().unwrap();
}

#[tokio::test]
async fn the_module_hears_a_client_leave_between_its_bytes_and_the_next_clients() {
    let (addr, mut module, _shutdown, _task) = serve(4).await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(b"abc").await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 3).await, b"abc");
    drop(first);
    // The departure is an empty chunk, in line with the bytes.
    let chunk = tokio::time::timeout(WAIT, module.from_line.recv())
        .await
        .expect("the departure was not announced")
        .unwrap();
    assert!(chunk.is_empty(), "{chunk:?}");
    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(b"AT\r").await.unwrap();
    assert_eq!(recv_n(&mut module.from_line, 3).await, b"AT\r");
}

/// The real module behind the TCP line, with its file system.
async fn serve_module() -> (SocketAddr, Sandbox, CancellationToken, tempfile::TempDir) {
    serve_module_in(tempfile::tempdir().unwrap()).await
}

/// [`serve_module`] on the file system root `<dir>/fs`, which may already hold something.
async fn serve_module_in(
    dir: tempfile::TempDir,
) -> (SocketAddr, Sandbox, CancellationToken, tempfile::TempDir) {
    let fs = Sandbox::open(dir.path().join("fs"), 1 << 20).unwrap();
    let engine = Engine::new(
        EngineConfig::default(),
        fs.clone(),
        std::time::Instant::now(),
    );
    let (line, module_ends) = line_channel(runtime::LINE_QUEUE);
    let shutdown = CancellationToken::new();
    let files = fs.clone();
    let spawner = move |id, events| channel::spawn(id, files.clone(), events);
    tokio::spawn(runtime::run(engine, module_ends, spawner, shutdown.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(run_tcp(listener, line, shutdown.clone()));
    (addr, fs, shutdown, dir)
}

/// A `>` prompt opened by a client that then disconnects ends with it: the next client's `AT`
/// is a command (answered `OK`), not three bytes of the file.
#[tokio::test]
async fn a_prompt_left_open_ends_when_its_client_leaves() {
    let (addr, fs, shutdown, _dir) = serve_module().await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    let put = b"AT+MFPUT=\"/usr/a.txt\",10\r";
    first.write_all(put).await.unwrap();
    // The power-up greeting, echo, then the prompt.
    let mut want = b"\r\n+MATREADY\r\n".to_vec();
    want.extend_from_slice(put);
    want.extend_from_slice(b"\r\n>");
    assert_eq!(read_n(&mut first, want.len()).await, want);
    drop(first);

    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(b"AT\r").await.unwrap();
    assert_eq!(read_n(&mut second, 9).await, b"AT\r\r\nOK\r\n");
    // Nothing was written: the prompt was abandoned, not fed (AT+MFPUT emptied the file before
    // its data, as the hardware does: ONEMO-RELATED.md §C.3).
    assert_eq!(fs.read("/usr/a.txt", 100).unwrap(), b"");
    // And the line is a plain command line again: a new prompt works end to end.
    second.write_all(b"ATE0\r").await.unwrap();
    assert_eq!(read_n(&mut second, 11).await, b"ATE0\r\r\nOK\r\n");
    second
        .write_all(b"AT+MFPUT=\"/usr/a.txt\",2\r")
        .await
        .unwrap();
    assert_eq!(read_n(&mut second, 3).await, b"\r\n>");
    second.write_all(b"hi").await.unwrap();
    let done = b"\r\n+MFPUT: 2\r\n\r\nOK\r\n";
    assert_eq!(read_n(&mut second, done.len()).await, done);
    assert_eq!(fs.read("/usr/a.txt", 100).unwrap(), b"hi");
    shutdown.cancel();
}

/// A root whose `/usr` was replaced by a file (what `AT+MFDELETE="/usr"` then
/// `AT+MFPUT="/usr",1,"x"` used to leave) starts and serves: the file is moved aside, kept.
#[tokio::test]
async fn a_root_with_usr_replaced_by_a_file_starts_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fs")).unwrap();
    std::fs::write(dir.path().join("fs/usr"), b"x").unwrap();
    let (addr, _fs, shutdown, _dir) = serve_module_in(dir).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"ATE0\rAT+MFPUT=\"/usr/test.txt\",2,\"ok\"\rAT+MFGET=\"/usr.damaged-1\"\r")
        .await
        .unwrap();
    let want = b"\r\n+MATREADY\r\nATE0\r\r\nOK\r\n\r\n+MFPUT: 2\r\n\r\nOK\r\n\r\n+MFGET: 1,x\r\n\r\nOK\r\n";
    assert_eq!(
        String::from_utf8_lossy(&read_n(&mut client, want.len()).await),
        String::from_utf8_lossy(want)
    );
    shutdown.cancel();
}

/// `+MATREADY` over TCP (docs/PROTOCOL.md "Reboot and power-on"): the first client reads the
/// power-up one, whenever it attaches; a later client none (the module did not restart); an
/// attached client sees a reboot's `OK`, `REBOOTING` and `+MATREADY`.
#[tokio::test]
async fn the_first_client_reads_matready_later_ones_after_a_reboot_only() {
    let (addr, _fs, shutdown, _dir) = serve_module().await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_n(&mut first, 13).await, b"\r\n+MATREADY\r\n");
    first.write_all(b"ATE0\r").await.unwrap();
    assert_eq!(read_n(&mut first, 11).await, b"ATE0\r\r\nOK\r\n");
    drop(first);

    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(b"AT\r").await.unwrap();
    assert_eq!(read_n(&mut second, 6).await, b"\r\nOK\r\n");
    second.write_all(b"AT+MREBOOT\r").await.unwrap();
    let want = b"\r\nOK\r\n\r\nREBOOTING\r\n\r\n+MATREADY\r\n";
    assert_eq!(read_n(&mut second, want.len()).await, want);
    // Power-on again: echo is on.
    second.write_all(b"AT\r").await.unwrap();
    assert_eq!(read_n(&mut second, 9).await, b"AT\r\r\nOK\r\n");
    shutdown.cancel();
}

/// Reads until `needle` has arrived (and returns all that came), or fails after [`WAIT`].
async fn read_until(client: &mut TcpStream, needle: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    tokio::time::timeout(WAIT, async {
        while !got.windows(needle.len()).any(|w| w == needle) {
            let mut buf = [0u8; 512];
            let n = client.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in {:?}", String::from_utf8_lossy(&got)));
    got
}

/// Transparent mode opened by a client that then disconnects ends as if `+++` came: what was
/// sent is uploaded, and the next client's `AT` is a command, not upload data.
#[tokio::test]
async fn transparent_mode_left_open_ends_when_its_client_leaves() {
    use ftpmodem_testsrv::{FtpServer, Unftp, UnftpOptions};
    let server = Unftp::start(UnftpOptions::plain()).await.unwrap();
    let (addr, _fs, shutdown, _dir) = serve_module().await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(b"ATE0\r").await.unwrap();
    read_until(&mut first, b"\r\nOK\r\n").await;
    let conn = format!(
        "AT+MFTPCONN=0,\"{}\",\"anonymous\",\"x\",{}\r",
        server.host(),
        server.port()
    );
    first.write_all(conn.as_bytes()).await.unwrap();
    read_until(&mut first, b"+MFTPCONN: 0,0\r\n").await;
    first
        .write_all(b"AT+MFTPSTOR=0,\"up.txt\"\r")
        .await
        .unwrap();
    assert_eq!(read_n(&mut first, 11).await, b"\r\nCONNECT\r\n");
    first.write_all(b"hello").await.unwrap();
    drop(first);

    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(b"AT\r").await.unwrap();
    read_until(&mut second, b"\r\nOK\r\n").await;
    // The upload finished with the client's bytes and nothing of the next client's.
    let uploaded = server.root().join("up.txt");
    tokio::time::timeout(WAIT, async {
        while std::fs::read(&uploaded).ok().as_deref() != Some(b"hello") {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("server has {:?}", std::fs::read(&uploaded)));
    shutdown.cancel();
}

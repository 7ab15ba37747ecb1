//! The generic stream transport (the pumps every transport is built from), on in-memory pipes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ftpmodem_device::transport::{line_channel, run_stream, ModuleEnds, CHUNK};
use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;
use transport_common::{all_bytes, read_n, recv_n, spawn_echo, WAIT};

#[tokio::test]
async fn every_byte_value_passes_both_ways() {
    let (line, module) = line_channel(4);
    let ModuleEnds {
        to_line,
        mut from_line,
    } = module;
    let (mut peer_in, transport_in) = duplex(1024);
    let (transport_out, mut peer_out) = duplex(1024);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        shutdown.clone(),
    ));

    peer_in.write_all(&all_bytes()).await.unwrap();
    assert_eq!(recv_n(&mut from_line, 256).await, all_bytes());

    let reversed: Vec<u8> = all_bytes().into_iter().rev().collect();
    to_line.send(reversed.clone().into()).await.unwrap();
    assert_eq!(read_n(&mut peer_out, 256).await, reversed);

    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn input_eof_closes_module_input_and_output_still_flows() {
    let (line, module) = line_channel(4);
    let (mut peer_in, transport_in) = duplex(1024);
    let (transport_out, mut peer_out) = duplex(1024);
    let task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        CancellationToken::new(),
    ));
    // A module that answers only once its input has ended, like a script piped into stdin.
    let ModuleEnds {
        to_line,
        mut from_line,
    } = module;
    let module = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(chunk) = from_line.recv().await {
            got.extend_from_slice(&chunk);
        }
        to_line.send(b"got:".to_vec().into()).await.unwrap();
        to_line.send(got.into()).await.unwrap();
    });

    peer_in.write_all(b"AT\r").await.unwrap();
    drop(peer_in);
    tokio::time::timeout(WAIT, module).await.unwrap().unwrap();
    // The transport returns once the module dropped its sender, after writing everything.
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    peer_out.read_to_end(&mut out).await.unwrap();
    assert_eq!(out, b"got:AT\r");
}

#[tokio::test]
async fn module_closing_output_ends_the_transport() {
    let (line, module) = line_channel(4);
    let (_peer_in, transport_in) = duplex(64);
    let (transport_out, _peer_out) = duplex(64);
    let task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        CancellationToken::new(),
    ));
    drop(module);
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_returns_while_both_directions_are_busy() {
    let (line, module) = line_channel(1);
    // Nobody reads the module's input nor the line's output: both directions are stuck.
    let (mut peer_in, transport_in) = duplex(64);
    let (transport_out, _peer_out) = duplex(64);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        shutdown.clone(),
    ));
    let writer = tokio::spawn(async move {
        loop {
            if peer_in.write_all(&[0u8; 512]).await.is_err() {
                break;
            }
        }
    });
    let filler = {
        let to_line = module.to_line.clone();
        tokio::spawn(async move { while to_line.send(vec![1u8; 512].into()).await.is_ok() {} })
    };
    // The module's channel being full proves the transport is blocked writing.
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
    tokio::time::timeout(WAIT, writer).await.unwrap().unwrap();
    tokio::time::timeout(WAIT, filler).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_slow_module_holds_the_line_back_instead_of_buffering() {
    const CAPACITY: usize = 2;
    const PIPE: usize = 256;
    const TOTAL: usize = 64 * CHUNK;
    let (line, module) = line_channel(CAPACITY);
    let ModuleEnds {
        to_line: _to_line,
        mut from_line,
    } = module;
    let (mut peer_in, transport_in) = duplex(PIPE);
    let (transport_out, _peer_out) = duplex(64);
    let _task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        CancellationToken::new(),
    ));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let written = written.clone();
        tokio::spawn(async move {
            let block = vec![0x5au8; 1000];
            let mut left = TOTAL;
            while left > 0 {
                let n = left.min(block.len());
                peer_in.write_all(&block[..n]).await.unwrap();
                written.fetch_add(n, Ordering::SeqCst);
                left -= n;
            }
        })
    };
    // At any moment the bytes written but not yet received by the module fit in the channel,
    // the transport's one read buffer, the pipe and one write of the peer.
    let bound = CAPACITY * CHUNK + CHUNK + PIPE + 1000;
    let mut received = 0;
    while received < TOTAL {
        let chunk = tokio::time::timeout(WAIT, from_line.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(chunk.len() <= CHUNK, "chunk of {} bytes", chunk.len());
        received += chunk.len();
        let in_flight =
            written.load(Ordering::SeqCst) - received.min(written.load(Ordering::SeqCst));
        assert!(in_flight <= bound, "{in_flight} bytes in flight > {bound}");
    }
    tokio::time::timeout(WAIT, writer).await.unwrap().unwrap();
}

#[tokio::test]
async fn echo_module_round_trip() {
    let (line, module) = line_channel(4);
    let _echo = spawn_echo(module);
    let (mut peer_in, transport_in) = duplex(1024);
    let (transport_out, mut peer_out) = duplex(1024);
    let _task = tokio::spawn(run_stream(
        transport_in,
        transport_out,
        line,
        CancellationToken::new(),
    ));
    peer_in.write_all(b"+++").await.unwrap();
    assert_eq!(read_n(&mut peer_out, 3).await, b"+++");
}

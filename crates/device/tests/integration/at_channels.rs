//! All six channels at once on one module line, against one vsftpd: each logs in, uploads
//! through the `>` prompt, downloads in `+MFTPRETR` chunks, lists, deletes and disconnects,
//! while the others do the same. The reports of all channels interleave on the line; every
//! byte must parse as a whole token of one channel ([`at_common::mux`]) and every payload come
//! back intact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::mux::{self, ChannelLine, Token};
use at_common::payload::binary;
use at_common::{normalise_times, start, LineKind, ModuleOptions};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions, PASSWORD, USER};

const ROUNDS: usize = 3;
const SIZE: usize = 24 * 1024;

async fn script(mut ch: ChannelLine, id: usize, host: String, port: u16, dir: String) {
    let chunk = 1024;
    for round in 0..ROUNDS {
        ch.ok(&format!(
            r#"AT+MFTPCONN={id},"{host}","{USER}","{PASSWORD}",{port}"#
        ))
        .await;
        ch.expect(&format!("+MFTPCONN: {id},0")).await;
        ch.ok(&format!(r#"AT+MFTPCWD={id},"{dir}""#)).await;
        ch.expect(&format!("+MFTPCWD: {id},0")).await;
        // Upload in packets of 4096 through the prompt, eof on the last.
        let data = binary(SIZE, (id * 10 + round) as u32);
        let mut sent = 0;
        for (i, p) in data.chunks(4096).enumerate() {
            let eof = u8::from(i == SIZE / 4096 - 1);
            let a = ch
                .command(
                    &format!(r#"AT+MFTPSTOR={id},"f.bin",{eof},{}"#, p.len()),
                    Some(p.to_vec()),
                )
                .await;
            assert_eq!(a, vec![Token::Line(b"OK".to_vec())], "ch{id}");
            sent += p.len();
            ch.expect(&format!("+MFTPSTOR: {id},0,{sent}")).await;
        }
        let on_disk = std::fs::read(format!("{dir}/f.bin")).unwrap();
        assert!(
            on_disk == data,
            "ch{id} round {round}: uploaded bytes differ"
        );
        // Download in chunks.
        ch.ok(&format!(r#"AT+MFTPRETR={id},"f.bin""#)).await;
        let mut got = Vec::new();
        while got.len() < SIZE {
            match ch.report().await {
                Token::Chunk { head, data: d } => {
                    let n = (SIZE - got.len()).min(chunk);
                    got.extend_from_slice(&d);
                    assert_eq!(
                        head,
                        format!("+MFTPRETR: {id},0,{},{n}", got.len()),
                        "ch{id}"
                    );
                }
                t => panic!("ch{id}: {t:?} in the middle of a download"),
            }
        }
        assert!(got == data, "ch{id} round {round}: downloaded bytes differ");
        ch.ok(&format!(r#"AT+MFTPLIST={id},"f.bin""#)).await;
        match ch.report().await {
            Token::Line(l) => assert_eq!(
                normalise_times(&l).0,
                format!("+MFTPLIST: {id},0,\"f.bin\",{SIZE},<TIME>,\"rw-\"")
            ),
            t => panic!("ch{id}: {t:?}"),
        }
        ch.ok(&format!(r#"AT+MFTPDEL={id},"f.bin""#)).await;
        ch.expect(&format!("+MFTPDEL: {id},0")).await;
        ch.ok(&format!("AT+MFTPDISC={id}")).await;
        ch.expect(&format!("+MFTPDISC: {id},0")).await;
        ch.expect(&format!("+MFTPURC: {id},\"conn\",0")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_channels_share_one_pty_line() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let (_module, at) = start(ModuleOptions {
        line: LineKind::Pty,
        label: "six channels".into(),
        ..ModuleOptions::default()
    })
    .await;
    let ids = [0, 1, 2, 3, 4, 5];
    let (lines, switches) = mux::spawn(at, &ids);
    let mut tasks = Vec::new();
    for (id, ch) in ids.into_iter().zip(lines) {
        let dir = server
            .fresh_user_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        tasks.push(tokio::spawn(script(
            ch,
            id,
            server.host(),
            server.port(),
            dir,
        )));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // The channels' reports really interleaved on the line.
    let switches = switches.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("reports switched channel {switches} times");
    assert!(switches >= 30, "only {switches} switches between channels");
}

//! The manual's chapter 4 session (§4.1, every example in order) replayed over a real PTY
//! against vsftpd, user `uftp`: the module's output, echo on as at power-up, must equal the
//! manual's lines one for one.
//!
//! The expected lines are the manual's own text ([`MANUAL_4_1`], copied verbatim, comments
//! included), changed only by the decisions of spec NOTES.md / docs/PROTOCOL.md, each applied by
//! code below and counted, so the test shows exactly where the module differs from the print:
//! - the server's address and port in `AT+MFTPCONN` (the manual's is 115.29.109.79:21);
//! - `+MFTPPWD: 0,0,/home/uftp` is printed quoted, as §3.5 and the second PWD of chapter 4;
//! - `OK` comes before the report for `AT+MFTPAPPE`/`AT+MFTPSTOR` of a local file (the
//!   chapter 3 order; chapter 4 prints the report first twice);
//! - `+MFTPURC: 0,"conn",0` follows every `+MFTPDISC: 0,0` (the first DISC of chapter 4 does
//!   not print it, the other six do);
//! - listing times (`YYYYMMDDHHMMSS`) are normalised on both sides.
//!
//! The working directory: `/home/uftp/test` is shared by every server fixture of every test
//! binary (each makes its own `/home/uftp/test/<unique>` there), so listing it would show other
//! tests' directories. The session therefore works in a fresh `/home/uftp/test/<unique>` and
//! that path is written back as `/home/uftp/test` in the module's output before comparing
//! (also in the echoed commands, which carry the real path).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::at_common;

use at_common::{normalise_times, show, start, LineKind, ModuleOptions};
use ftpmodem_testsrv::{FtpServer, Vsftpd, VsftpdOptions};

/// Manual V3.1.0 §4.1, the command and response lines in print order (section headings and
/// blank lines left out; `//` comments are the manual's).
const MANUAL_4_1: &str = r#"AT+MFTPCFG=0,"ssl",0,0    //配置连接方式为FTP通常连接
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21   //建立FTP连接
OK
+MFTPCONN: 0,0   //建立连接成功
AT+MFTPDISC=0    //断开FTP连接
OK
+MFTPDISC: 0,0   //断开连接成功
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //登录
OK
+MFTPCONN: 0,0
AT+MFTPPWD=0    //获取当前工作路径
OK
+MFTPPWD: 0,0,/home/uftp
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作路径
OK
+MFTPCWD: 0,0
AT+MFTPPWD=0    //获取当前工作路径
OK
+MFTPPWD: 0,0,"/home/uftp/test"
AT+MFTPMKD=0,"test1"    //新建目录
OK
+MFTPMKD: 0,0
AT+MFTPSTOR=0,"1.txt",1,10,"1111111111"    //上传文件
OK
+MFTPSTOR: 0,0,10
AT+MFTPRN=0,"test1","test2"    //对目录重命名
OK
+MFTPRN: 0,0
AT+MFTPRN=0,"1.txt","2.txt"    //对文件重命名
OK
+MFTPRN: 0,0
AT+MFTPLIST=0,"2.txt"    //列出指定文件信息
OK
+MFTPLIST: 0,0,"2.txt",10,20220816173800,"rw-"
AT+MFTPLIST=0,"/home/uftp/test"    //列出指定目录信息
OK
+MFTPLIST: 0,0,"2.txt",10,20220816173800,"rw-"
+MFTPLIST: 0,0,"test2","rwx"
AT+MFTPDEL=0,"2.txt"    //删除指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDEL=0,"test2"    //删除指定目录
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0
AT+MFTPCFG=0,"local_fs",0    //设置为串口传输模式
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //连接并登录FTP服务器
OK
+MFTPCONN: 0,0
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作目录
OK
+MFTPCWD: 0,0
AT+MFTPAPPE=0,"1.txt",1,10,"1234567890"    //通过串口输入向FTP服务器上传文件
OK
+MFTPAPPE: 0,0,10
AT+MFTPLIST=0,"1.txt"    //列出指定文件信息
OK
+MFTPLIST: 0,0,"1.txt",10,20220816181600,"rw-"
AT+MFTPDEL=0,"1.txt"    //删除FTP服务器中指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开与FTP服务器连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0
AT+MFTPCFG=0,"local_fs",1    //设置为本地文件系统传输模式
OK
AT+MFPUT="/usr/test.txt",12,"CESHI1111111"    //通过串口向本地文件系统传输文件
+MFPUT: 12
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //连接并登录FTP服务器
OK
+MFTPCONN: 0,0
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作目录
OK
+MFTPCWD: 0,0
AT+MFTPAPPE=0,"2.txt","/usr/test.txt"    //通过本地文件系统向FTP服务器上传文件
+MFTPAPPE: 0,0,12
OK
AT+MFTPLIST=0,"2.txt"    //列出指定文件信息
OK
+MFTPLIST: 0,0,"2.txt",12,20220816182100,"rw-"
AT+MFTPDEL=0,"2.txt"   //删除FTP服务器中指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开与FTP服务器连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0
AT+MFTPCFG=0,"local_fs",0    //设置为串口传输模式
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //连接并登录FTP服务器
OK
+MFTPCONN: 0,0
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作目录
OK
+MFTPCWD: 0,0
AT+MFTPSTOR=0,"1.txt",1,10,"1234567890"    //通过串口输入向FTP服务器覆盖上传文件
OK
+MFTPSTOR: 0,0,10
AT+MFTPLIST=0,"1.txt"   //列出指定文件信息
OK
+MFTPLIST: 0,0,"1.txt",10,20220816182200,"rw-"
AT+MFTPDEL=0,"1.txt"    //删除FTP服务器中指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开与FTP服务器连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0
AT+MFTPCFG=0,"local_fs",0    //设置为串口传输模式
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //连接并登录FTP服务器
OK
+MFTPCONN: 0,0
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作目录
OK
+MFTPCWD: 0,0
AT+MFTPSTOR=0,"1.txt",1,10,"1234567890"    //通过串口输入向FTP服务器覆盖上传文件
OK
+MFTPSTOR: 0,0,10
AT+MFTPRETR=0,"1.txt"    //通过串口接收从FTP服务器下载的文件
OK
+MFTPRETR: 0,0,10,10,1234567890
AT+MFTPDEL=0,"1.txt"    //删除FTP服务器中指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开与FTP服务器连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0
AT+MFTPCFG=0,"local_fs",1    //设置为本地文件系统传输模式
OK
AT+MFPUT="/usr/test.txt",12,"CESHI3333333"    //通过串口向本地文件系统传输文件
+MFPUT: 12
OK
AT+MFTPCONN=0,"115.29.109.79","uftp","12341",21    //连接并登录FTP服务器
OK
+MFTPCONN: 0,0
AT+MFTPCWD=0,"/home/uftp/test"    //切换当前工作目录
OK
+MFTPCWD: 0,0
AT+MFTPSTOR=0,"2.txt","/usr/test.txt"    //通过本地文件系统向FTP服务器覆盖上传文件
+MFTPSTOR: 0,0,12
OK
AT+MFTPRETR=0,"2.txt","/usr/test.txt",5,7    //通过文件系统接收从FTP服务器下载的文件
OK
+MFTPRETR: 0,0,7,7
AT+MFGET="/usr/test.txt"    //获取本地文件系统指定文件的数据
+MFGET: 7,3333333
OK
AT+MFTPDEL=0,"2.txt"    //删除FTP服务器中指定文件
OK
+MFTPDEL: 0,0
AT+MFTPDISC=0    //断开与FTP服务器连接
OK
+MFTPDISC: 0,0
+MFTPURC: 0,"conn",0"#;

/// A command and the lines the module must print for it.
#[derive(Debug, Clone)]
struct Step {
    command: String,
    lines: Vec<String>,
}

/// How many times each decision changed the manual's lines.
#[derive(Debug, Default, PartialEq, Eq)]
struct Edits {
    address: usize,
    quoted_pwd: usize,
    ok_first: usize,
    disc_urc: usize,
}

fn strip_comment(l: &str) -> &str {
    l.split("//").next().unwrap_or("").trim_end()
}

/// The manual's steps with the decisions applied.
fn expected(port: u16) -> (Vec<Step>, Edits) {
    let mut steps: Vec<Step> = Vec::new();
    for l in MANUAL_4_1.lines().map(strip_comment) {
        if l.starts_with("AT") {
            steps.push(Step {
                command: l.to_string(),
                lines: Vec::new(),
            });
        } else {
            steps.last_mut().unwrap().lines.push(l.to_string());
        }
    }
    let mut e = Edits::default();
    for s in &mut steps {
        if s.command.starts_with("AT+MFTPCONN=") {
            let manual = r#""115.29.109.79","uftp","12341",21"#;
            assert!(s.command.ends_with(manual), "{}", s.command);
            s.command = s
                .command
                .replace(manual, &format!(r#""127.0.0.1","uftp","12341",{port}"#));
            e.address += 1;
        }
        for l in &mut s.lines {
            if let Some(p) = l.strip_prefix("+MFTPPWD: 0,0,") {
                if !p.starts_with('"') {
                    *l = format!("+MFTPPWD: 0,0,\"{p}\"");
                    e.quoted_pwd += 1;
                }
            }
        }
        let server_cmd = s.command.starts_with("AT+MFTP") && !s.command.starts_with("AT+MFTPCFG");
        if server_cmd && s.lines.first().map(String::as_str) != Some("OK") {
            let i = s.lines.iter().position(|l| l == "OK").unwrap();
            let ok = s.lines.remove(i);
            s.lines.insert(0, ok);
            e.ok_first += 1;
        }
        if s.command == "AT+MFTPDISC=0"
            && s.lines.last().map(String::as_str) != Some(r#"+MFTPURC: 0,"conn",0"#)
        {
            s.lines.push(r#"+MFTPURC: 0,"conn",0"#.to_string());
            e.disc_urc += 1;
        }
        for l in &mut s.lines {
            *l = normalise_times(l.as_bytes()).0;
        }
    }
    (steps, e)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chapter_4_session_over_a_pty_against_vsftpd() {
    let server = tokio::task::spawn_blocking(|| Vsftpd::start(VsftpdOptions::plain()))
        .await
        .unwrap()
        .unwrap();
    let work = server
        .fresh_user_dir()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let (steps, edits) = expected(server.port());
    assert_eq!(steps.len(), 54, "steps of §4.1");
    assert_eq!(
        edits,
        Edits {
            address: 7,
            quoted_pwd: 1,
            ok_first: 2,
            disc_urc: 1
        }
    );
    let (_module, mut at) = start(ModuleOptions {
        line: LineKind::Pty,
        echo_off: false,
        label: "chapter 4".into(),
        ..ModuleOptions::default()
    })
    .await;
    at.record();
    let normalise = |b: &[u8]| {
        normalise_times(
            String::from_utf8_lossy(b)
                .replace(&work, "/home/uftp/test")
                .as_bytes(),
        )
        .0
    };
    for (n, s) in steps.iter().enumerate() {
        let sent = s.command.replace("/home/uftp/test", &work);
        at.send(format!("{sent}\r").as_bytes()).await;
        // Echo first, byte for byte, then each line framed \r\n...\r\n.
        at.expect(format!("{sent}\r").as_bytes()).await;
        for want in &s.lines {
            let got = at.line().await;
            assert_eq!(
                normalise(&got),
                *want,
                "step {n} ({}): line \"{}\"",
                s.command,
                show(&got)
            );
        }
    }
    // Nothing after the last line.
    at.expect_echoed("AT").await;

    // The whole output, line by line, against the manual's lines.
    let transcript = at.transcript().to_vec();
    let got: Vec<String> = String::from_utf8_lossy(&transcript)
        .split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .map(|l| normalise(l.as_bytes()))
        .collect();
    let mut want: Vec<String> = Vec::new();
    for s in &steps {
        want.push(s.command.clone());
        want.extend(s.lines.iter().cloned());
    }
    want.push("AT".into());
    want.push("OK".into());
    assert_eq!(got.len(), want.len(), "number of lines");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {i}");
    }
    // Every file and directory the session made is gone again.
    let left: Vec<_> = std::fs::read_dir(&work).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

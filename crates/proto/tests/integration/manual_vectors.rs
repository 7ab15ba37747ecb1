//! Every command, response and URC line printed in chapters 3 and 4 of the manual (V3.1.0),
//! parsed into the value it must mean and emitted back byte for byte.
//!
//! The tables are plain lists of (line, value) so a new line from the manual or from a capture
//! of a real module is one more entry. Test-form lines print `(list of supported ...)`
//! placeholders in the manual; they appear here in the concrete form the generic profile
//! prints (`+MFTPCFG: (0-5),"data_type",(0-1)`), and once more verbatim, since a host must not
//! choke on a module that prints the placeholder text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ftpmodem_proto::{
    CfgKey, CfgRequest, CfgValue, ChannelId, ChannelState, CmeError, CmeeMode, Command, Conn,
    DataType, Eof, LocalFs, Name, Param, ParseError, Response, ResultCode, Retr, SimpleOp, SslMode,
    Timestamp, TransMode, Upload, UploadBody, UploadOp, Urc,
};

fn ch(n: u8) -> ChannelId {
    ChannelId::new(n).unwrap()
}

fn s(v: &str) -> String {
    v.to_string()
}

fn bare(v: &str) -> Param {
    Param::Bare(v.as_bytes().to_vec())
}

fn qs(v: &str) -> Param {
    Param::Str(v.as_bytes().to_vec())
}

fn conn(id: u8, host: &str, user: Option<&str>, pass: Option<&str>, port: Option<u16>) -> Command {
    Command::MftpConn(Conn {
        id: ch(id),
        host: s(host),
        user: user.map(s),
        pass: pass.map(s),
        port,
    })
}

fn retr(file: &str, local: Option<&str>, offset: Option<u64>, length: Option<u64>) -> Command {
    Command::MftpRetr(Retr {
        id: ch(0),
        file: s(file),
        local: local.map(s),
        offset,
        length,
    })
}

fn upload(file: &str, body: UploadBody) -> Upload {
    Upload {
        id: ch(0),
        file: s(file),
        body,
    }
}

fn inline(data: &str) -> UploadBody {
    UploadBody::Inline {
        eof: Eof::Last,
        len: data.len() as u16,
        data: data.as_bytes().to_vec(),
    }
}

fn cfg_set(v: CfgValue) -> Command {
    Command::MftpCfg(CfgRequest::Set(ch(0), v))
}

fn cfg_read(k: CfgKey) -> Command {
    Command::MftpCfg(CfgRequest::Read(ch(0), k))
}

fn result(op: SimpleOp, id: u8, code: u16) -> Urc {
    Urc::Result {
        op,
        id: ch(id),
        code: ResultCode::from_code(code),
    }
}

fn list_file(name: &str, size: u64, t: u64, perm: &str) -> Urc {
    let d = |div: u64, m: u64| ((t / div) % m) as u8;
    Urc::ListFile {
        id: ch(0),
        name: s(name),
        size,
        modified: Timestamp {
            year: (t / 10_000_000_000) as u16,
            month: d(100_000_000, 100),
            day: d(1_000_000, 100),
            hour: d(10_000, 100),
            minute: d(100, 100),
            second: d(1, 100),
        },
        perm: s(perm),
    }
}

fn list_dir(name: &str, perm: &str) -> Urc {
    Urc::ListDir {
        id: ch(0),
        name: s(name),
        perm: s(perm),
    }
}

fn upload_urc(op: UploadOp, sent: u64) -> Urc {
    Urc::Upload {
        op,
        id: ch(0),
        code: ResultCode::Success,
        sent,
    }
}

fn retr_data(sum: u64, data: &str) -> Urc {
    Urc::RetrData {
        id: ch(0),
        sum,
        data: data.as_bytes().to_vec(),
    }
}

fn conn_lost(id: u8) -> Urc {
    Urc::ConnState {
        id: ch(id),
        state: 0,
    }
}

fn test_line(name: Name, fields: Vec<Param>) -> Response {
    Response::Test(name, fields)
}

/// Command lines of chapters 2-4, each with its typed value.
fn command_vectors() -> Vec<(&'static str, Command)> {
    use CfgValue as V;
    vec![
        // §2 basic commands.
        ("AT", Command::At),
        ("ATE0", Command::Echo(false)),
        ("ATE1", Command::Echo(true)),
        ("ATI", Command::Identify),
        ("AT&F", Command::FactoryDefaults),
        ("AT+CMEE=0", Command::Cmee(CmeeMode::Off)),
        ("AT+CMEE=1", Command::Cmee(CmeeMode::Numeric)),
        ("AT+CMEE=2", Command::Cmee(CmeeMode::Verbose)),
        ("AT+CMEE?", Command::Read(Name::Cmee)),
        ("AT+CMEE=?", Command::Test(Name::Cmee)),
        ("AT+CGMI", Command::Cgmi),
        ("AT+CGMM", Command::Cgmm),
        ("AT+CGMR", Command::Cgmr),
        // §3.1 AT+MFTPCFG: test form, the examples, and every key's read and set form of the
        // syntax table.
        ("AT+MFTPCFG=?", Command::Test(Name::MftpCfg)),
        (
            "AT+MFTPCFG=0,\"ssl\",0,0",
            cfg_set(V::Ssl(SslMode::Plain, 0)),
        ),
        (
            "AT+MFTPCFG=0,\"data_type\",1",
            cfg_set(V::DataType(DataType::Ascii)),
        ),
        (
            "AT+MFTPCFG=0,\"transmode\",1",
            cfg_set(V::TransMode(TransMode::Passive)),
        ),
        ("AT+MFTPCFG=0,\"ssl\"", cfg_read(CfgKey::Ssl)),
        ("AT+MFTPCFG=0", Command::MftpCfg(CfgRequest::ReadAll(ch(0)))),
        ("AT+MFTPCFG=5", Command::MftpCfg(CfgRequest::ReadAll(ch(5)))),
        ("AT+MFTPCFG=0,\"data_type\"", cfg_read(CfgKey::DataType)),
        ("AT+MFTPCFG=0,\"transmode\"", cfg_read(CfgKey::TransMode)),
        ("AT+MFTPCFG=0,\"rsptimeout\"", cfg_read(CfgKey::RspTimeout)),
        ("AT+MFTPCFG=0,\"local_fs\"", cfg_read(CfgKey::LocalFs)),
        ("AT+MFTPCFG=0,\"cid\"", cfg_read(CfgKey::Cid)),
        (
            "AT+MFTPCFG=0,\"data_type\",0",
            cfg_set(V::DataType(DataType::Binary)),
        ),
        (
            "AT+MFTPCFG=0,\"transmode\",0",
            cfg_set(V::TransMode(TransMode::Active)),
        ),
        ("AT+MFTPCFG=0,\"rsptimeout\",2", cfg_set(V::RspTimeout(2))),
        ("AT+MFTPCFG=0,\"rsptimeout\",10", cfg_set(V::RspTimeout(10))),
        ("AT+MFTPCFG=0,\"rsptimeout\",30", cfg_set(V::RspTimeout(30))),
        (
            "AT+MFTPCFG=0,\"ssl\",1,5",
            cfg_set(V::Ssl(SslMode::Implicit, 5)),
        ),
        (
            "AT+MFTPCFG=0,\"ssl\",2,3",
            cfg_set(V::Ssl(SslMode::Explicit, 3)),
        ),
        (
            "AT+MFTPCFG=0,\"local_fs\",0",
            cfg_set(V::LocalFs(LocalFs::Serial)),
        ),
        (
            "AT+MFTPCFG=0,\"local_fs\",1",
            cfg_set(V::LocalFs(LocalFs::File)),
        ),
        ("AT+MFTPCFG=0,\"cid\",1", cfg_set(V::Cid(1))),
        ("AT+MFTPCFG=0,\"cid\",15", cfg_set(V::Cid(15))),
        // §3.2 AT+MFTPCONN.
        ("AT+MFTPCONN=?", Command::Test(Name::MftpConn)),
        (
            "AT+MFTPCONN=0,\"2001:608:c00:180::1:ea\"",
            conn(0, "2001:608:c00:180::1:ea", None, None, None),
        ),
        (
            "AT+MFTPCONN=1,\"115.29.109.79\",\"uftp\",\"12341\",21",
            conn(1, "115.29.109.79", Some("uftp"), Some("12341"), Some(21)),
        ),
        (
            "AT+MFTPCONN=0,\"115.29.109.79\",\"uftp\",\"12341\",21",
            conn(0, "115.29.109.79", Some("uftp"), Some("12341"), Some(21)),
        ),
        // spec NOTES.md: the password may be empty; omitted fields in the middle stay empty.
        (
            "AT+MFTPCONN=0,\"ftp.example\",\"anonymous\",\"\"",
            conn(0, "ftp.example", Some("anonymous"), Some(""), None),
        ),
        (
            "AT+MFTPCONN=0,\"ftp.example\",,,990",
            conn(0, "ftp.example", None, None, Some(990)),
        ),
        // §3.3 AT+MFTPDISC.
        ("AT+MFTPDISC=?", Command::Test(Name::MftpDisc)),
        ("AT+MFTPDISC=0", Command::MftpDisc(ch(0))),
        ("AT+MFTPDISC=1", Command::MftpDisc(ch(1))),
        // §3.4 AT+MFTPCWD.
        ("AT+MFTPCWD=?", Command::Test(Name::MftpCwd)),
        (
            "AT+MFTPCWD=0,\"/home/uftp/test\"",
            Command::MftpCwd(ch(0), s("/home/uftp/test")),
        ),
        // §3.5 AT+MFTPPWD.
        ("AT+MFTPPWD=?", Command::Test(Name::MftpPwd)),
        ("AT+MFTPPWD=0", Command::MftpPwd(ch(0))),
        // §3.6 AT+MFTPMKD.
        ("AT+MFTPMKD=?", Command::Test(Name::MftpMkd)),
        (
            "AT+MFTPMKD=0,\"/home/uftp/test/new\"",
            Command::MftpMkd(ch(0), s("/home/uftp/test/new")),
        ),
        (
            "AT+MFTPMKD=0,\"test1\"",
            Command::MftpMkd(ch(0), s("test1")),
        ),
        // §3.7 AT+MFTPLIST.
        ("AT+MFTPLIST=?", Command::Test(Name::MftpList)),
        (
            "AT+MFTPLIST=0,\"/home/uftp/test\"",
            Command::MftpList(ch(0), s("/home/uftp/test")),
        ),
        (
            "AT+MFTPLIST=0,\"old.txt\"",
            Command::MftpList(ch(0), s("old.txt")),
        ),
        (
            "AT+MFTPLIST=0,\"2.txt\"",
            Command::MftpList(ch(0), s("2.txt")),
        ),
        (
            "AT+MFTPLIST=0,\"1.txt\"",
            Command::MftpList(ch(0), s("1.txt")),
        ),
        // §3.8 AT+MFTPDEL.
        ("AT+MFTPDEL=?", Command::Test(Name::MftpDel)),
        (
            "AT+MFTPDEL=0,\"new.txt\"",
            Command::MftpDel(ch(0), s("new.txt")),
        ),
        ("AT+MFTPDEL=0,\"new\"", Command::MftpDel(ch(0), s("new"))),
        (
            "AT+MFTPDEL=0,\"2.txt\"",
            Command::MftpDel(ch(0), s("2.txt")),
        ),
        (
            "AT+MFTPDEL=0,\"test2\"",
            Command::MftpDel(ch(0), s("test2")),
        ),
        (
            "AT+MFTPDEL=0,\"1.txt\"",
            Command::MftpDel(ch(0), s("1.txt")),
        ),
        // §3.9 AT+MFTPRN.
        ("AT+MFTPRN=?", Command::Test(Name::MftpRn)),
        (
            "AT+MFTPRN=0,\"a.txt\",\"d.txt\"",
            Command::MftpRn(ch(0), s("a.txt"), s("d.txt")),
        ),
        (
            "AT+MFTPRN=0,\"test1\",\"test2\"",
            Command::MftpRn(ch(0), s("test1"), s("test2")),
        ),
        (
            "AT+MFTPRN=0,\"1.txt\",\"2.txt\"",
            Command::MftpRn(ch(0), s("1.txt"), s("2.txt")),
        ),
        // §3.10 AT+MFTPRETR.
        ("AT+MFTPRETR=?", Command::Test(Name::MftpRetr)),
        (
            "AT+MFTPRETR=0,\"test1.txt\"",
            retr("test1.txt", None, None, None),
        ),
        (
            "AT+MFTPRETR=0,\"test1.txt\",,5",
            retr("test1.txt", None, Some(5), None),
        ),
        (
            "AT+MFTPRETR=0,\"test1.txt\",,5,5",
            retr("test1.txt", None, Some(5), Some(5)),
        ),
        (
            "AT+MFTPRETR=0,\"test1.txt\",\"/usr/1.txt\"",
            retr("test1.txt", Some("/usr/1.txt"), None, None),
        ),
        ("AT+MFTPRETR=0,\"1.txt\"", retr("1.txt", None, None, None)),
        (
            "AT+MFTPRETR=0,\"2.txt\",\"/usr/test.txt\",5,7",
            retr("2.txt", Some("/usr/test.txt"), Some(5), Some(7)),
        ),
        // §3.11 AT+MFTPAPPE: the four serial forms of the syntax table, then the examples.
        ("AT+MFTPAPPE=?", Command::Test(Name::MftpAppe)),
        (
            "AT+MFTPAPPE=0,\"test1.txt\"",
            Command::MftpAppe(upload("test1.txt", UploadBody::Transparent)),
        ),
        (
            "AT+MFTPAPPE=0,\"test1.txt\",1,5",
            Command::MftpAppe(upload(
                "test1.txt",
                UploadBody::PromptLen {
                    eof: Eof::Last,
                    len: 5,
                },
            )),
        ),
        (
            "AT+MFTPAPPE=0,\"test1.txt\",1",
            Command::MftpAppe(upload("test1.txt", UploadBody::Prompt { eof: Eof::Last })),
        ),
        (
            "AT+MFTPAPPE=0,\"test1.txt\",0",
            Command::MftpAppe(upload("test1.txt", UploadBody::Prompt { eof: Eof::More })),
        ),
        (
            "AT+MFTPAPPE=0,\"test1.txt\",\"/usr/1.txt\"",
            Command::MftpAppe(upload("test1.txt", UploadBody::Local(s("/usr/1.txt")))),
        ),
        (
            "AT+MFTPAPPE=0,\"1.txt\",1,10,\"1234567890\"",
            Command::MftpAppe(upload("1.txt", inline("1234567890"))),
        ),
        (
            "AT+MFTPAPPE=0,\"2.txt\",\"/usr/test.txt\"",
            Command::MftpAppe(upload("2.txt", UploadBody::Local(s("/usr/test.txt")))),
        ),
        // §3.12 AT+MFTPSTOR.
        ("AT+MFTPSTOR=?", Command::Test(Name::MftpStor)),
        (
            "AT+MFTPSTOR=0,\"test1.txt\"",
            Command::MftpStor(upload("test1.txt", UploadBody::Transparent)),
        ),
        (
            "AT+MFTPSTOR=0,\"test1.txt\",1,5",
            Command::MftpStor(upload(
                "test1.txt",
                UploadBody::PromptLen {
                    eof: Eof::Last,
                    len: 5,
                },
            )),
        ),
        (
            "AT+MFTPSTOR=0,\"test1.txt\",0,4096",
            Command::MftpStor(upload(
                "test1.txt",
                UploadBody::PromptLen {
                    eof: Eof::More,
                    len: 4096,
                },
            )),
        ),
        (
            "AT+MFTPSTOR=0,\"test1.txt\",1",
            Command::MftpStor(upload("test1.txt", UploadBody::Prompt { eof: Eof::Last })),
        ),
        (
            "AT+MFTPSTOR=0,\"test1.txt\",\"/usr/1.txt\"",
            Command::MftpStor(upload("test1.txt", UploadBody::Local(s("/usr/1.txt")))),
        ),
        (
            "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1111111111\"",
            Command::MftpStor(upload("1.txt", inline("1111111111"))),
        ),
        (
            "AT+MFTPSTOR=0,\"1.txt\",1,10,\"1234567890\"",
            Command::MftpStor(upload("1.txt", inline("1234567890"))),
        ),
        (
            "AT+MFTPSTOR=0,\"1.txt\",0,3,\"a,b\"",
            Command::MftpStor(upload(
                "1.txt",
                UploadBody::Inline {
                    eof: Eof::More,
                    len: 3,
                    data: b"a,b".to_vec(),
                },
            )),
        ),
        (
            "AT+MFTPSTOR=0,\"2.txt\",\"/usr/test.txt\"",
            Command::MftpStor(upload("2.txt", UploadBody::Local(s("/usr/test.txt")))),
        ),
        // §3.13 AT+MFTPSTATE.
        ("AT+MFTPSTATE=?", Command::Test(Name::MftpState)),
        ("AT+MFTPSTATE=0", Command::MftpState(ch(0))),
        // Chapter 4: the local file commands.
        (
            "AT+MFPUT=\"/usr/test.txt\",12,\"CESHI1111111\"",
            Command::MfPut {
                path: s("/usr/test.txt"),
                len: 12,
                data: Some(b"CESHI1111111".to_vec()),
            },
        ),
        (
            "AT+MFPUT=\"/usr/test.txt\",12,\"CESHI3333333\"",
            Command::MfPut {
                path: s("/usr/test.txt"),
                len: 12,
                data: Some(b"CESHI3333333".to_vec()),
            },
        ),
        (
            "AT+MFGET=\"/usr/test.txt\"",
            Command::MfGet(s("/usr/test.txt")),
        ),
        // spec NOTES.md "Local file system of the module".
        (
            "AT+MFPUT=\"/usr/big.bin\",5000",
            Command::MfPut {
                path: s("/usr/big.bin"),
                len: 5000,
                data: None,
            },
        ),
        ("AT+MFLIST", Command::MfList(None)),
        ("AT+MFLIST=\"/usr\"", Command::MfList(Some(s("/usr")))),
        (
            "AT+MFSIZE=\"/usr/test.txt\"",
            Command::MfSize(s("/usr/test.txt")),
        ),
        ("AT+MFSINFO", Command::MfSinfo),
        (
            "AT+MFDELETE=\"/usr/test.txt\"",
            Command::MfDelete(s("/usr/test.txt")),
        ),
        (
            "AT+MFMOVE=\"/usr/a.txt\",\"/usr/b.txt\"",
            Command::MfMove(s("/usr/a.txt"), s("/usr/b.txt")),
        ),
        // spec NOTES.md "PDP contexts and TLS contexts".
        (
            "AT+CGDCONT=1,\"IP\",\"cmnet\"",
            Command::Cgdcont {
                cid: 1,
                pdp_type: Some(s("IP")),
                apn: Some(s("cmnet")),
            },
        ),
        ("AT+CGDCONT?", Command::Read(Name::Cgdcont)),
        (
            "AT+CGACT=1,1",
            Command::Cgact {
                active: true,
                cid: Some(1),
            },
        ),
        (
            "AT+CGACT=0",
            Command::Cgact {
                active: false,
                cid: None,
            },
        ),
        ("AT+CGACT?", Command::Read(Name::Cgact)),
        (
            "AT+MIPCALL=1,2",
            Command::Mipcall {
                active: true,
                cid: 2,
            },
        ),
    ]
}

/// Lines a host may send in another spelling: (line, value, canonical emission).
fn lenient_command_vectors() -> Vec<(&'static str, Command, &'static str)> {
    vec![
        // §2.1: "AT" or "at"; names and keys in any case.
        (
            "at+mftpcfg=0",
            Command::MftpCfg(CfgRequest::ReadAll(ch(0))),
            "AT+MFTPCFG=0",
        ),
        (
            "at+mftpcfg=0,\"SSL\",0,0",
            cfg_set(CfgValue::Ssl(SslMode::Plain, 0)),
            "AT+MFTPCFG=0,\"ssl\",0,0",
        ),
        ("ate", Command::Echo(false), "ATE0"),
        ("ATI0", Command::Identify, "ATI"),
        ("AT&F0", Command::FactoryDefaults, "AT&F"),
        // Spaces around fields and after the line are not part of any value.
        (
            "AT+MFTPCWD= 0 , \"/a b\" ",
            Command::MftpCwd(ch(0), s("/a b")),
            "AT+MFTPCWD=0,\"/a b\"",
        ),
        // A trailing empty field is an omitted optional parameter.
        ("AT+MFTPDISC=0,", Command::MftpDisc(ch(0)), "AT+MFTPDISC=0"),
        (
            "AT+MFTPSTOR=0,\"f\",1,5,",
            Command::MftpStor(upload(
                "f",
                UploadBody::PromptLen {
                    eof: Eof::Last,
                    len: 5,
                },
            )),
            "AT+MFTPSTOR=0,\"f\",1,5",
        ),
    ]
}

/// Final results and information lines (answers to a command).
fn response_vectors() -> Vec<(&'static str, Response)> {
    use CfgValue as V;
    let c = |n: u8, v: CfgValue| Response::MftpCfg(ch(n), v);
    let ids = bare("(0-5)");
    vec![
        ("OK", Response::Ok),
        ("ERROR", Response::Error),
        ("CONNECT", Response::Connect),
        ("+CMEE: 1", Response::Cmee(CmeeMode::Numeric)),
        // §3.1 test form, generic profile.
        (
            "+MFTPCFG: (0-5),\"data_type\",(0-1)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("data_type"), bare("(0-1)")]),
        ),
        (
            "+MFTPCFG: (0-5),\"transmode\",(0-1)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("transmode"), bare("(0-1)")]),
        ),
        (
            "+MFTPCFG: (0-5),\"rsptimeout\",(2-30)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("rsptimeout"), bare("(2-30)")]),
        ),
        (
            "+MFTPCFG: (0-5),\"ssl\",(0-2),(0-5)",
            test_line(
                Name::MftpCfg,
                vec![ids.clone(), qs("ssl"), bare("(0-2)"), bare("(0-5)")],
            ),
        ),
        (
            "+MFTPCFG: (0-5),\"local_fs\",(0-1)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("local_fs"), bare("(0-1)")]),
        ),
        (
            "+MFTPCFG: (0-5),\"cid\",(1-15)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("cid"), bare("(1-15)")]),
        ),
        // Hardware profiles: passive only, plain FTP only, ML305U cid 1-7.
        (
            "+MFTPCFG: (0-5),\"transmode\",(1)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("transmode"), bare("(1)")]),
        ),
        (
            "+MFTPCFG: (0-5),\"cid\",(1-7)",
            test_line(Name::MftpCfg, vec![ids.clone(), qs("cid"), bare("(1-7)")]),
        ),
        // The same line as the manual prints it, placeholders and all.
        (
            "+MFTPCFG: (list of supported <connect_id>s),\"data_type\",(list of supported <data_type>s)",
            test_line(
                Name::MftpCfg,
                vec![
                    bare("(list of supported <connect_id>s)"),
                    qs("data_type"),
                    bare("(list of supported <data_type>s)"),
                ],
            ),
        ),
        // §3.1 values: the examples, and the defaults of spec NOTES.md.
        ("+MFTPCFG: 0,\"ssl\",0,0", c(0, V::Ssl(SslMode::Plain, 0))),
        ("+MFTPCFG: 0,\"data_type\",0", c(0, V::DataType(DataType::Binary))),
        ("+MFTPCFG: 0,\"transmode\",1", c(0, V::TransMode(TransMode::Passive))),
        ("+MFTPCFG: 0,\"rsptimeout\",10", c(0, V::RspTimeout(10))),
        ("+MFTPCFG: 0,\"local_fs\",0", c(0, V::LocalFs(LocalFs::Serial))),
        ("+MFTPCFG: 0,\"cid\",1", c(0, V::Cid(1))),
        ("+MFTPCFG: 5,\"ssl\",2,5", c(5, V::Ssl(SslMode::Explicit, 5))),
        // §3.2-§3.12 test forms, generic profile. The trailing commas are the manual's.
        (
            "+MFTPCONN: (0-5),,,,(0-65535)",
            test_line(
                Name::MftpConn,
                vec![
                    ids.clone(),
                    Param::Empty,
                    Param::Empty,
                    Param::Empty,
                    bare("(0-65535)"),
                ],
            ),
        ),
        ("+MFTPDISC: (0-5)", test_line(Name::MftpDisc, vec![ids.clone()])),
        (
            "+MFTPCWD: (0-5),",
            test_line(Name::MftpCwd, vec![ids.clone(), Param::Empty]),
        ),
        ("+MFTPPWD: (0-5)", test_line(Name::MftpPwd, vec![ids.clone()])),
        (
            "+MFTPMKD: (0-5),",
            test_line(Name::MftpMkd, vec![ids.clone(), Param::Empty]),
        ),
        (
            "+MFTPLIST: (0-5),",
            test_line(Name::MftpList, vec![ids.clone(), Param::Empty]),
        ),
        (
            "+MFTPDEL: (0-5),",
            test_line(Name::MftpDel, vec![ids.clone(), Param::Empty]),
        ),
        (
            "+MFTPRN: (0-5),,",
            test_line(Name::MftpRn, vec![ids.clone(), Param::Empty, Param::Empty]),
        ),
        // §3.10 prints `(list of supported <connect_id>s),[,[,<offset>[,<length>]]]`: the
        // concrete form with the ranges of the parser, and the manual's text verbatim.
        (
            "+MFTPRETR: (0-5),,,(0-4294967295),(1-4294967295)",
            test_line(
                Name::MftpRetr,
                vec![
                    ids.clone(),
                    Param::Empty,
                    Param::Empty,
                    bare("(0-4294967295)"),
                    bare("(1-4294967295)"),
                ],
            ),
        ),
        (
            "+MFTPRETR: (list of supported <connect_id>s),[,[,<offset>[,<length>]]]",
            test_line(
                Name::MftpRetr,
                vec![
                    bare("(list of supported <connect_id>s)"),
                    bare("["),
                    bare("["),
                    bare("<offset>["),
                    bare("<length>]]]"),
                ],
            ),
        ),
        (
            "+MFTPAPPE: (0-5),,,,",
            test_line(Name::MftpAppe, vec![ids.clone(), Param::Empty, Param::Empty, Param::Empty, Param::Empty]),
        ),
        (
            "+MFTPSTOR: (0-5),,,,",
            test_line(Name::MftpStor, vec![ids.clone(), Param::Empty, Param::Empty, Param::Empty, Param::Empty]),
        ),
        ("+MFTPSTATE: (0-5)", test_line(Name::MftpState, vec![ids.clone()])),
        // §3.13 values.
        ("+MFTPSTATE: 0,1", Response::MftpState(ch(0), ChannelState::Connected)),
        ("+MFTPSTATE: 0,0", Response::MftpState(ch(0), ChannelState::Disconnected)),
        ("+MFTPSTATE: 3,2", Response::MftpState(ch(3), ChannelState::Downloading)),
        ("+MFTPSTATE: 5,3", Response::MftpState(ch(5), ChannelState::Uploading)),
        // Chapter 4 local file commands.
        ("+MFPUT: 12", Response::MfPut(12)),
        ("+MFGET: 7,3333333", Response::MfGet(b"3333333".to_vec())),
        // A file's raw bytes may hold anything, line ends included.
        ("+MFGET: 6,a,\"\r\nb", Response::MfGet(b"a,\"\r\nb".to_vec())),
        // spec NOTES.md "Local file system of the module".
        (
            "+MFLIST: \"/usr/test.txt\",12",
            Response::MfList {
                path: s("/usr/test.txt"),
                size: Some(12),
            },
        ),
        (
            "+MFLIST: \"/usr/sub\"",
            Response::MfList {
                path: s("/usr/sub"),
                size: None,
            },
        ),
        ("+MFSIZE: 12", Response::MfSize(12)),
        (
            "+MFSINFO: 1048576,524288",
            Response::MfSinfo {
                total: 1048576,
                free: 524288,
            },
        ),
        (
            "+CGDCONT: 1,\"IP\",\"cmnet\"",
            Response::Cgdcont {
                cid: 1,
                pdp_type: s("IP"),
                apn: s("cmnet"),
            },
        ),
        (
            "+CGACT: 1,1",
            Response::Cgact {
                cid: 1,
                active: true,
            },
        ),
        // ATI / AT+CGMI lines.
        ("CMIOT", Response::Text(s("CMIOT"))),
        ("ML307R", Response::Text(s("ML307R"))),
    ]
}

/// Asynchronous reports.
fn urc_vectors() -> Vec<(&'static str, Urc)> {
    use SimpleOp as Op;
    vec![
        ("+MATREADY", Urc::Ready),
        // §3.2-§3.9 and chapter 4.
        ("+MFTPCONN: 0,0", result(Op::Conn, 0, 0)),
        ("+MFTPCONN: 1,0", result(Op::Conn, 1, 0)),
        ("+MFTPDISC: 0,0", result(Op::Disc, 0, 0)),
        ("+MFTPDISC: 1,0", result(Op::Disc, 1, 0)),
        ("+MFTPURC: 0,\"conn\",0", conn_lost(0)),
        ("+MFTPURC: 1,\"conn\",0", conn_lost(1)),
        ("+MFTPCWD: 0,0", result(Op::Cwd, 0, 0)),
        (
            "+MFTPPWD: 0,0,\"/home/uftp/test\"",
            Urc::Pwd {
                id: ch(0),
                code: ResultCode::Success,
                path: Some(s("/home/uftp/test")),
            },
        ),
        ("+MFTPMKD: 0,0", result(Op::Mkd, 0, 0)),
        ("+MFTPLIST: 0,0,\"old\",\"rwx\"", list_dir("old", "rwx")),
        (
            "+MFTPLIST: 0,0,\"old.txt\",9,20220818074000,\"rw-\"",
            list_file("old.txt", 9, 20220818074000, "rw-"),
        ),
        (
            "+MFTPLIST: 0,0,\"2.txt\",10,20220816173800,\"rw-\"",
            list_file("2.txt", 10, 20220816173800, "rw-"),
        ),
        ("+MFTPLIST: 0,0,\"test2\",\"rwx\"", list_dir("test2", "rwx")),
        (
            "+MFTPLIST: 0,0,\"1.txt\",10,20220816181600,\"rw-\"",
            list_file("1.txt", 10, 20220816181600, "rw-"),
        ),
        (
            "+MFTPLIST: 0,0,\"2.txt\",12,20220816182100,\"rw-\"",
            list_file("2.txt", 12, 20220816182100, "rw-"),
        ),
        (
            "+MFTPLIST: 0,0,\"1.txt\",10,20220816182200,\"rw-\"",
            list_file("1.txt", 10, 20220816182200, "rw-"),
        ),
        ("+MFTPDEL: 0,0", result(Op::Del, 0, 0)),
        ("+MFTPRN: 0,0", result(Op::Rn, 0, 0)),
        // §3.10: the data after the fourth comma is raw, `+` and spaces included.
        (
            "+MFTPRETR: 0,0,23,23,BBBBBbbbbb+MFTPAPP TEST",
            retr_data(23, "BBBBBbbbbb+MFTPAPP TEST"),
        ),
        (
            "+MFTPRETR: 0,0,18,18,bbbbb+MFTPAPP TEST",
            retr_data(18, "bbbbb+MFTPAPP TEST"),
        ),
        ("+MFTPRETR: 0,0,5,5,bbbbb", retr_data(5, "bbbbb")),
        (
            "+MFTPRETR: 0,0,10,10,1234567890",
            retr_data(10, "1234567890"),
        ),
        ("+MFTPRETR: 0,0,2048,4,\"\r\n,", retr_data(2048, "\"\r\n,")),
        (
            "+MFTPRETR: 0,0,23,23",
            Urc::RetrSaved {
                id: ch(0),
                sum: 23,
                recv: 23,
            },
        ),
        (
            "+MFTPRETR: 0,0,7,7",
            Urc::RetrSaved {
                id: ch(0),
                sum: 7,
                recv: 7,
            },
        ),
        // §3.11, §3.12 and chapter 4.
        ("+MFTPAPPE: 0,0,5", upload_urc(UploadOp::Appe, 5)),
        ("+MFTPAPPE: 0,0,13", upload_urc(UploadOp::Appe, 13)),
        ("+MFTPAPPE: 0,0,10", upload_urc(UploadOp::Appe, 10)),
        ("+MFTPAPPE: 0,0,12", upload_urc(UploadOp::Appe, 12)),
        ("+MFTPSTOR: 0,0,5", upload_urc(UploadOp::Stor, 5)),
        ("+MFTPSTOR: 0,0,13", upload_urc(UploadOp::Stor, 13)),
        ("+MFTPSTOR: 0,0,10", upload_urc(UploadOp::Stor, 10)),
        ("+MFTPSTOR: 0,0,12", upload_urc(UploadOp::Stor, 12)),
        // spec NOTES.md: failures after OK.
        ("+MFTPCWD: 0,4", result(Op::Cwd, 0, 4)),
        (
            "+MFTPLIST: 2,14",
            Urc::ListResult {
                id: ch(2),
                code: ResultCode::EmptyDirectory,
            },
        ),
        (
            "+MFTPRETR: 0,19",
            Urc::RetrResult {
                id: ch(0),
                code: ResultCode::ZeroSizeFile,
            },
        ),
        (
            "+MFTPPWD: 0,10",
            Urc::Pwd {
                id: ch(0),
                code: ResultCode::ServerError,
                path: None,
            },
        ),
        (
            "+MFTPSTOR: 0,18,0",
            Urc::Upload {
                op: UploadOp::Stor,
                id: ch(0),
                code: ResultCode::FileError,
                sent: 0,
            },
        ),
        (
            "+MIPCALL: 1,1,\"10.0.0.2\"",
            Urc::Mipcall {
                cid: 1,
                active: true,
                ip: Some(s("10.0.0.2")),
            },
        ),
        (
            "+MIPCALL: 1,0",
            Urc::Mipcall {
                cid: 1,
                active: false,
                ip: None,
            },
        ),
    ]
}

#[test]
fn manual_command_lines_parse_to_their_values_and_emit_back() {
    let table = command_vectors();
    for (line, want) in &table {
        let got = Command::parse(line.as_bytes());
        assert_eq!(got.as_ref(), Ok(want), "parsing {line:?}");
        assert_eq!(
            String::from_utf8_lossy(&want.to_bytes()),
            *line,
            "emitting {want:?}"
        );
    }
    assert!(table.len() >= 100, "{} command vectors", table.len());
}

#[test]
fn other_spellings_parse_and_emit_canonically() {
    for (line, want, canonical) in lenient_command_vectors() {
        assert_eq!(
            Command::parse(line.as_bytes()),
            Ok(want.clone()),
            "{line:?}"
        );
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), canonical);
    }
}

#[test]
fn manual_response_lines_parse_to_their_values_and_emit_back() {
    for (line, want) in response_vectors() {
        assert_eq!(
            Response::parse(line.as_bytes()),
            Ok(want.clone()),
            "{line:?}"
        );
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), line, "{want:?}");
        // A host tries both parsers; an answer must never read as a report.
        assert!(
            Urc::parse(line.as_bytes()).is_err(),
            "{line:?} read as a URC"
        );
    }
}

#[test]
fn manual_urc_lines_parse_to_their_values_and_emit_back() {
    for (line, want) in urc_vectors() {
        assert_eq!(Urc::parse(line.as_bytes()), Ok(want.clone()), "{line:?}");
        assert_eq!(String::from_utf8_lossy(&want.to_bytes()), line, "{want:?}");
        assert!(
            Response::parse(line.as_bytes()).is_err(),
            "{line:?} read as a response"
        );
    }
}

/// Chapter 4 prints `+MFTPPWD: 0,0,/home/uftp` once without quotes; §3.5 quotes the path.
/// Both are read, and the quoted form is written (spec NOTES.md "Per-command decisions").
#[test]
fn unquoted_pwd_of_chapter_4_reads_and_is_written_quoted() {
    let want = Urc::Pwd {
        id: ch(0),
        code: ResultCode::Success,
        path: Some(s("/home/uftp")),
    };
    assert_eq!(Urc::parse(b"+MFTPPWD: 0,0,/home/uftp"), Ok(want.clone()));
    assert_eq!(want.to_bytes(), b"+MFTPPWD: 0,0,\"/home/uftp\"");
    // An unquoted path runs to the end of the line; it cannot hold a quote.
    let comma = Urc::Pwd {
        id: ch(0),
        code: ResultCode::Success,
        path: Some(s("/home/a,b c")),
    };
    assert_eq!(Urc::parse(b"+MFTPPWD: 0,0,/home/a,b c "), Ok(comma.clone()));
    // Written back quoted, its comma escaped (docs/PROTOCOL.md "Server text on the AT line").
    assert_eq!(comma.to_bytes(), b"+MFTPPWD: 0,0,\"/home/a\\2Cb c\"");
    assert_eq!(Urc::parse(b"+MFTPPWD: 0,0,/a\"b"), Err(ParseError::Param));
    assert_eq!(
        Urc::parse(b"+MFTPPWD: 0,0,\"/a\",1"),
        Err(ParseError::Param)
    );
    assert_eq!(Urc::parse(b"+MFTPPWD: 0,0,"), Err(ParseError::Param));
}

/// Manual table 4 and the file system range, numeric (`AT+CMEE=1`) and text (`AT+CMEE=2`).
#[test]
fn every_cme_error_of_table_4_round_trips() {
    let codes = [
        50u16, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813,
    ]
    .into_iter()
    .chain(1050..=1064);
    let mut n = 0;
    for code in codes {
        let e = CmeError::from_code(code);
        assert!(!matches!(e, CmeError::Other(_)), "{code} is in the table");
        let line = format!("+CME ERROR: {code}");
        assert_eq!(Response::parse(line.as_bytes()), Ok(Response::CmeError(e)));
        assert_eq!(Response::CmeError(e).to_bytes(), line.as_bytes());
        let text = Response::CmeErrorText(e).to_bytes();
        assert_eq!(
            text,
            format!("+CME ERROR: {}", e.text().unwrap()).as_bytes()
        );
        assert_eq!(Response::parse(&text), Ok(Response::CmeErrorText(e)));
        n += 1;
    }
    assert_eq!(n, 30);
    assert_eq!(
        Response::parse(b"+CME ERROR: 50"),
        Ok(Response::CmeError(CmeError::ParameterError))
    );
    assert_eq!(
        Response::parse(b"+CME ERROR: 4000"),
        Ok(Response::CmeError(CmeError::Other(4000)))
    );
}

/// Manual table 5: every result code in every simple report.
#[test]
fn every_result_code_of_table_5_round_trips() {
    let ops = [
        (SimpleOp::Conn, "MFTPCONN"),
        (SimpleOp::Disc, "MFTPDISC"),
        (SimpleOp::Cwd, "MFTPCWD"),
        (SimpleOp::Mkd, "MFTPMKD"),
        (SimpleOp::Del, "MFTPDEL"),
        (SimpleOp::Rn, "MFTPRN"),
    ];
    for code in 0..=20u16 {
        assert!(!matches!(ResultCode::from_code(code), ResultCode::Other(_)));
        for (op, name) in ops {
            let line = format!("+{name}: 3,{code}");
            let want = result(op, 3, code);
            assert_eq!(Urc::parse(line.as_bytes()), Ok(want.clone()), "{line}");
            assert_eq!(want.to_bytes(), line.as_bytes());
        }
    }
}

#[test]
fn vector_count() {
    let total = command_vectors().len()
        + lenient_command_vectors().len()
        + response_vectors().len()
        + urc_vectors().len();
    // Printed with --nocapture; the report counts these.
    println!(
        "positive vectors: {total} (commands {}, other spellings {}, responses {}, URCs {})",
        command_vectors().len(),
        lenient_command_vectors().len(),
        response_vectors().len(),
        urc_vectors().len()
    );
    assert!(total > 200);
}

/// Issue 13.2: text a server chose (listed names, permissions, the PWD path) cannot break the
/// line it is printed in: `"`, `,`, `\`, control bytes (CR, LF, NUL, BEL) and DEL are written
/// `\XX` (V.250 §5.4.2.2), UTF-8 stays, and a host reads every line back to the same value.
#[test]
fn server_text_is_escaped_in_list_and_pwd_and_reads_back() {
    let file = |name: &str| Urc::ListFile {
        id: ch(0),
        name: s(name),
        size: 4,
        modified: Timestamp {
            year: 2024,
            month: 1,
            day: 2,
            hour: 3,
            minute: 4,
            second: 5,
        },
        perm: s("rw-"),
    };
    let cases: &[(&str, &[u8])] = &[
        (
            "x\",9999,20200101000000,\"rwx",
            b"+MFTPLIST: 0,0,\"x\\22\\2C9999\\2C20200101000000\\2C\\22rwx\",4,20240102030405,\"rw-\"",
        ),
        (
            "q\"uote.txt",
            b"+MFTPLIST: 0,0,\"q\\22uote.txt\",4,20240102030405,\"rw-\"",
        ),
        (
            "cr\rURC\n+MFTPURC: 0,\"conn\",0",
            b"+MFTPLIST: 0,0,\"cr\\0DURC\\0A+MFTPURC: 0\\2C\\22conn\\22\\2C0\",4,20240102030405,\"rw-\"",
        ),
        (
            "nul\0bel\x07del\x7f\\",
            b"+MFTPLIST: 0,0,\"nul\\00bel\\07del\\7F\\5C\",4,20240102030405,\"rw-\"",
        ),
        (
            "中文\u{FFFD}.txt",
            "+MFTPLIST: 0,0,\"中文\u{FFFD}.txt\",4,20240102030405,\"rw-\"".as_bytes(),
        ),
    ];
    for (name, line) in cases {
        let urc = file(name);
        let bytes = urc.to_bytes();
        assert_eq!(bytes, *line, "{name:?}");
        assert!(
            !bytes.iter().any(|b| b.is_ascii_control()),
            "a control byte in {bytes:?}"
        );
        // Six fields for esp-ml307 as well, which cuts at every comma (ONEMO-RELATED §A.1).
        assert_eq!(bytes.iter().filter(|b| **b == b',').count(), 5);
        assert_eq!(Urc::parse(&bytes), Ok(urc), "{name:?}");
    }
    let dir = Urc::ListDir {
        id: ch(1),
        name: s("d,\"ir"),
        perm: s("r\rx"),
    };
    assert_eq!(dir.to_bytes(), b"+MFTPLIST: 1,0,\"d\\2C\\22ir\",\"r\\0Dx\"");
    assert_eq!(Urc::parse(&dir.to_bytes()), Ok(dir));
    let pwd = Urc::Pwd {
        id: ch(0),
        code: ResultCode::Success,
        path: Some(s("/cr\rinj")),
    };
    assert_eq!(pwd.to_bytes(), b"+MFTPPWD: 0,0,\"/cr\\0Dinj\"");
    assert_eq!(Urc::parse(&pwd.to_bytes()), Ok(pwd));
}

/// A name printed escaped is passed back as printed: string parameters decode `\XX`, and a
/// `\` without two hex digits after it stays a `\`. A decoded CR or LF is refused like a
/// raw one (it would inject a command into the FTP control connection).
#[test]
fn escaped_names_are_accepted_in_commands() {
    let retr = |line: &[u8]| match Command::parse(line) {
        Ok(Command::MftpRetr(r)) => Ok(r.file),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(
        retr(b"AT+MFTPRETR=0,\"q\\22uote\\2C.txt\""),
        Ok(s("q\"uote,.txt"))
    );
    assert_eq!(retr(b"AT+MFTPRETR=0,\"\\E4\\B8\\AD\""), Ok(s("中")));
    assert_eq!(retr(b"AT+MFTPRETR=0,\"a\\b\\5c\""), Ok(s("a\\b\\")));
    assert_eq!(
        retr(b"AT+MFTPRETR=0,\"a\\0D\\0ADELE b\""),
        Err(ParseError::Param)
    );
    assert_eq!(retr(b"AT+MFTPRETR=0,\"bad\\FF\""), Err(ParseError::Param));
    match Command::parse(b"AT+MFTPDEL=0,\"x\\2C9\"") {
        Ok(Command::MftpDel(_, f)) => assert_eq!(f, "x,9"),
        other => panic!("{other:?}"),
    }
}

//! proptest strategies for every [`Command`], [`Response`] and [`Urc`] the wire can carry.
//!
//! What "can carry" means, and so what the generators leave out:
//! - A quoted string holds no `"` (this wire has no escape) and no CR or LF (CR ends a command
//!   line, CRLF frames a response line). Every other byte value, NUL and backspace included,
//!   is fine at this layer. Only the raw data of `+MFTPRETR` chunks and `+MFGET` carries any
//!   byte, CR, LF and `"` included, because its length is given before it.
//! - Names, paths and hosts are 1-255 bytes of UTF-8: the parser refuses an empty name, so
//!   `Some(String::new())` in an optional name field (`Retr::local`, `SslValue::Cert::cert`)
//!   is not a value a host can send. The password, the user and an APN may be empty.
//! - Every number stays in the range of the manual (channel 0-5, rsptimeout 2-30, ...);
//!   inline data is 1-1024 bytes and its `len` is its size.
//! - `CmeError::Other(n)` and `ResultCode::Other(n)` only hold numbers the tables lack, as
//!   `from_code` builds them; `CmeErrorText` only holds a code that has a text.
//! - `Response::Text` is a line the other forms cannot claim: not `OK`, `ERROR`, `CONNECT`,
//!   and not starting with `+`.
//! - `Response::Test` starts with a `(...)` range field, which is how a reader tells a test
//!   line from a value line.

use ftpmodem_proto::command::{
    FileChunk, InputEncoding, MfCfgRequest, MfCfgValue, OpenMode, OutputEncoding, Whence,
};
use ftpmodem_proto::{
    CfgKey, CfgRequest, CfgValue, ChannelId, ChannelState, CmeError, CmeeMode, Command, Conn,
    DataType, LocalFs, Name, Param, Response, ResultCode, Retr, SimpleOp, SslCfg, SslKey, SslMode,
    SslValue, Timestamp, TransMode, Upload, UploadBody, UploadOp, Urc,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

/// A character allowed inside quotes: mostly printable ASCII, sometimes anything else.
fn quoted_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => (0x20u8..0x7f).prop_map(char::from),
        1 => any::<char>(),
    ]
    .prop_map(|c| match c {
        '"' | '\r' | '\n' => '\'',
        c => c,
    })
}

/// A UTF-8 string of `min..=max` bytes that fits between quotes.
pub fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    let short = prop::collection::vec(quoted_char(), min..=max.min(40));
    let long = prop::collection::vec(quoted_char(), max.saturating_sub(20).max(min)..=max);
    // Empty strings are the edge case that matters (`Some("")` against `None`): make them common.
    let empty = prop::collection::vec(quoted_char(), min..=min);
    prop_oneof![4 => short, 1 => long, 1 => empty]
        .prop_map(move |cs| {
            let mut s: String = cs.into_iter().collect();
            while s.len() > max {
                s.pop();
            }
            s
        })
        .prop_filter("long enough", move |s| s.len() >= min)
        .boxed()
}

/// A name: 1-255 bytes.
pub fn name() -> BoxedStrategy<String> {
    text(1, 255)
}

/// Bytes that fit between quotes.
pub fn quoted_bytes(min: usize, max: usize) -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(
        any::<u8>().prop_map(|b| match b {
            b'"' | b'\r' | b'\n' => b'\'',
            b => b,
        }),
        min..=max,
    )
    .boxed()
}

pub fn channel() -> impl Strategy<Value = ChannelId> {
    (0u8..6).prop_map(|n| ChannelId::new(n).expect("0-5"))
}

pub fn cme_error() -> impl Strategy<Value = CmeError> {
    any::<u16>().prop_map(CmeError::from_code)
}

pub fn known_cme_error() -> impl Strategy<Value = CmeError> {
    prop_oneof![Just(50u16), 800u16..=813, 1050u16..=1064].prop_map(CmeError::from_code)
}

pub fn result_code() -> impl Strategy<Value = ResultCode> {
    prop_oneof![3 => 0u16..=20, 1 => any::<u16>()].prop_map(ResultCode::from_code)
}

fn data_type() -> impl Strategy<Value = DataType> {
    select(vec![DataType::Binary, DataType::Ascii])
}
fn trans_mode() -> impl Strategy<Value = TransMode> {
    select(vec![TransMode::Active, TransMode::Passive])
}
fn ssl_mode() -> impl Strategy<Value = SslMode> {
    select(vec![SslMode::Plain, SslMode::Implicit, SslMode::Explicit])
}
fn local_fs() -> impl Strategy<Value = LocalFs> {
    select(vec![LocalFs::Serial, LocalFs::File])
}
fn cmee_mode() -> impl Strategy<Value = CmeeMode> {
    select(vec![CmeeMode::Off, CmeeMode::Numeric, CmeeMode::Verbose])
}
fn cfg_key() -> impl Strategy<Value = CfgKey> {
    select(CfgKey::ALL.to_vec())
}
fn ssl_key() -> impl Strategy<Value = SslKey> {
    select(vec![
        SslKey::Auth,
        SslKey::Cert,
        SslKey::Sni,
        SslKey::Version,
        SslKey::IgnoreVerify,
    ])
}

/// A setting within the ranges `AT+MFTPCFG` accepts.
fn cfg_value_in_range() -> impl Strategy<Value = CfgValue> {
    prop_oneof![
        data_type().prop_map(CfgValue::DataType),
        trans_mode().prop_map(CfgValue::TransMode),
        (2u8..=30).prop_map(CfgValue::RspTimeout),
        (ssl_mode(), 0u8..=5).prop_map(|(m, i)| CfgValue::Ssl(m, i)),
        local_fs().prop_map(CfgValue::LocalFs),
        (1u8..=15).prop_map(CfgValue::Cid),
    ]
}

/// Any setting a module might print (a reader does not judge ranges).
fn cfg_value_any() -> impl Strategy<Value = CfgValue> {
    prop_oneof![
        data_type().prop_map(CfgValue::DataType),
        trans_mode().prop_map(CfgValue::TransMode),
        any::<u8>().prop_map(CfgValue::RspTimeout),
        (ssl_mode(), any::<u8>()).prop_map(|(m, i)| CfgValue::Ssl(m, i)),
        local_fs().prop_map(CfgValue::LocalFs),
        any::<u8>().prop_map(CfgValue::Cid),
    ]
}

fn upload_body() -> impl Strategy<Value = UploadBody> {
    prop_oneof![
        Just(UploadBody::Transparent),
        any::<bool>().prop_map(|eof| UploadBody::Prompt { eof: eof.into() }),
        (any::<bool>(), 1u16..=4096).prop_map(|(eof, len)| UploadBody::PromptLen {
            eof: eof.into(),
            len
        }),
        (any::<bool>(), quoted_bytes(1, 1024)).prop_map(|(eof, data)| UploadBody::Inline {
            eof: eof.into(),
            len: data.len() as u16,
            data,
        }),
        name().prop_map(UploadBody::Local),
    ]
}

fn upload() -> impl Strategy<Value = Upload> {
    (channel(), name(), upload_body()).prop_map(|(id, file, body)| Upload { id, file, body })
}

fn ssl_value() -> impl Strategy<Value = SslValue> {
    prop_oneof![
        (0u8..=2).prop_map(SslValue::Auth),
        (name(), prop::option::of(name()), prop::option::of(name()))
            .prop_map(|(ca, cert, key)| SslValue::Cert { ca, cert, key }),
        name().prop_map(SslValue::Sni),
        (0u8..=4).prop_map(SslValue::Version),
        any::<bool>().prop_map(SslValue::IgnoreVerify),
    ]
}

/// Every `Command` variant, within the ranges the parser accepts.
pub fn command() -> BoxedStrategy<Command> {
    let testable: Vec<Name> = Name::ALL
        .iter()
        .copied()
        .filter(|n| !matches!(n, Name::MftpUrc | Name::MatReady))
        // The file commands have no test form but AT+MFCFG's (ONEMO-RELATED.md §C).
        .filter(|n| {
            !n.as_str().starts_with("MF") || n.as_str().starts_with("MFTP") || *n == Name::MfCfg
        })
        .collect();
    let readable = vec![Name::Cmee, Name::Cgdcont, Name::Cgact, Name::Mipcall];
    let id_name = |f: fn(ChannelId, String) -> Command| {
        (channel(), name()).prop_map(move |(c, n)| f(c, n)).boxed()
    };
    let arms: Vec<BoxedStrategy<Command>> = vec![
        Just(Command::At).boxed(),
        any::<bool>().prop_map(Command::Echo).boxed(),
        Just(Command::Identify).boxed(),
        Just(Command::FactoryDefaults).boxed(),
        select(testable).prop_map(Command::Test).boxed(),
        select(readable).prop_map(Command::Read).boxed(),
        Just(Command::Cgmi).boxed(),
        Just(Command::Cgmm).boxed(),
        Just(Command::Cgmr).boxed(),
        cmee_mode().prop_map(Command::Cmee).boxed(),
        prop_oneof![
            channel().prop_map(CfgRequest::ReadAll),
            (channel(), cfg_key()).prop_map(|(c, k)| CfgRequest::Read(c, k)),
            (channel(), cfg_value_in_range()).prop_map(|(c, v)| CfgRequest::Set(c, v)),
        ]
        .prop_map(Command::MftpCfg)
        .boxed(),
        (
            channel(),
            name(),
            prop::option::of(text(0, 255)),
            prop::option::of(text(0, 255)),
            prop::option::of(any::<u16>()),
        )
            .prop_map(|(id, host, user, pass, port)| {
                Command::MftpConn(Conn {
                    id,
                    host,
                    user,
                    pass,
                    port,
                })
            })
            .boxed(),
        channel().prop_map(Command::MftpDisc).boxed(),
        id_name(Command::MftpCwd),
        channel().prop_map(Command::MftpPwd).boxed(),
        id_name(Command::MftpMkd),
        id_name(Command::MftpList),
        id_name(Command::MftpDel),
        (channel(), name(), name())
            .prop_map(|(c, a, b)| Command::MftpRn(c, a, b))
            .boxed(),
        (
            channel(),
            name(),
            prop::option::of(name()),
            prop::option::of(0u64..=u64::from(u32::MAX)),
            prop::option::of(1u64..=u64::from(u32::MAX)),
        )
            .prop_map(|(id, file, local, offset, length)| {
                Command::MftpRetr(Retr {
                    id,
                    file,
                    local,
                    offset,
                    length,
                })
            })
            .boxed(),
        upload().prop_map(Command::MftpAppe).boxed(),
        upload().prop_map(Command::MftpStor).boxed(),
        channel().prop_map(Command::MftpState).boxed(),
        prop_oneof![
            (name(), any::<u32>()).prop_map(|(path, len)| Command::MfPut {
                path,
                len,
                data: None
            }),
            (name(), any::<u32>(), quoted_bytes(0, 1024)).prop_map(|(path, len, d)| {
                Command::MfPut {
                    path,
                    len,
                    data: Some(d),
                }
            }),
        ]
        .boxed(),
        (name(), 0u8..=4)
            .prop_map(|(path, m)| Command::MfOpen {
                path,
                mode: OpenMode::from_u8(m).unwrap_or(OpenMode::Read),
            })
            .boxed(),
        (any::<u16>(), prop::option::of(any::<u16>()))
            .prop_map(|(handle, len)| Command::MfRead { handle, len })
            .boxed(),
        (
            any::<u16>(),
            any::<u32>(),
            prop::option::of(quoted_bytes(0, 1024)),
        )
            .prop_map(|(handle, len, data)| Command::MfWrite { handle, len, data })
            .boxed(),
        (
            any::<u16>(),
            prop::option::of((-i32::MAX..=i32::MAX, 0u8..=2)),
        )
            .prop_map(|(handle, to)| Command::MfSeek {
                handle,
                to: to.map(|(o, w)| (o, Whence::from_u8(w).unwrap_or(Whence::Start))),
            })
            .boxed(),
        any::<u16>().prop_map(Command::MfClose).boxed(),
        (any::<u16>(), any::<u32>())
            .prop_map(|(handle, len)| Command::MfTrunc { handle, len })
            .boxed(),
        any::<u16>().prop_map(Command::MfSync).boxed(),
        (name(), any::<bool>())
            .prop_map(|(path, md5)| Command::MfCheck { path, md5 })
            .boxed(),
        prop_oneof![
            Just(MfCfgRequest::ReadTimeout),
            (1u8..=120).prop_map(MfCfgRequest::SetTimeout),
            Just(MfCfgRequest::ReadEncoding),
            (any::<bool>(), prop::option::of(any::<bool>())).prop_map(|(i, o)| {
                MfCfgRequest::SetEncoding(
                    if i {
                        InputEncoding::Hex
                    } else {
                        InputEncoding::Ascii
                    },
                    o.map(|o| {
                        if o {
                            OutputEncoding::Hex
                        } else {
                            OutputEncoding::Raw
                        }
                    }),
                )
            }),
        ]
        .prop_map(Command::MfCfg)
        .boxed(),
        Just(Command::MfDeleteAll).boxed(),
        name().prop_map(Command::MfGet).boxed(),
        prop::option::of(name()).prop_map(Command::MfList).boxed(),
        name().prop_map(Command::MfSize).boxed(),
        Just(Command::MfSinfo).boxed(),
        name().prop_map(Command::MfDelete).boxed(),
        (name(), name())
            .prop_map(|(a, b)| Command::MfMove(a, b))
            .boxed(),
        (
            1u8..=15,
            prop::option::of(text(1, 16)),
            prop::option::of(text(0, 100)),
        )
            .prop_map(|(cid, pdp_type, apn)| Command::Cgdcont { cid, pdp_type, apn })
            .boxed(),
        (any::<bool>(), prop::option::of(1u8..=15))
            .prop_map(|(active, cid)| Command::Cgact { active, cid })
            .boxed(),
        (any::<bool>(), 1u8..=15)
            .prop_map(|(active, cid)| Command::Mipcall { active, cid })
            .boxed(),
        prop_oneof![
            (ssl_key(), 0u8..=5).prop_map(|(k, i)| SslCfg::Read(k, i)),
            (0u8..=5, ssl_value()).prop_map(|(i, v)| SslCfg::Set(i, v)),
        ]
        .prop_map(Command::MsslCfg)
        .boxed(),
        (name(), 1u32..=16384)
            .prop_map(|(path, len)| Command::MsslCertWr { path, len })
            .boxed(),
        (name(), 1u32..=16384)
            .prop_map(|(path, len)| Command::MsslKeyWr { path, len })
            .boxed(),
    ];
    Union::new(arms).boxed()
}

/// A field of a test-form line after the first: ranges, keys, or nothing.
fn test_field() -> impl Strategy<Value = Param> {
    prop_oneof![
        Just(Param::Empty),
        any::<u64>().prop_map(Param::Int),
        quoted_bytes(0, 20).prop_map(Param::Str),
        (any::<u32>(), any::<u32>())
            .prop_map(|(a, b)| Param::Bare(format!("({a}-{b})").into_bytes())),
    ]
}

fn info_text() -> impl Strategy<Value = String> {
    text(0, 80).prop_filter("a line no other form claims", |t| {
        !t.starts_with('+') && !matches!(t.as_str(), "OK" | "ERROR" | "CONNECT")
    })
}

/// Every `Response` variant.
pub fn response() -> BoxedStrategy<Response> {
    let arms: Vec<BoxedStrategy<Response>> = vec![
        Just(Response::Ok).boxed(),
        Just(Response::Error).boxed(),
        Just(Response::Connect).boxed(),
        cme_error().prop_map(Response::CmeError).boxed(),
        known_cme_error().prop_map(Response::CmeErrorText).boxed(),
        info_text().prop_map(Response::Text).boxed(),
        (
            select(Name::ALL.to_vec()),
            (0u8..10, 0u8..10),
            prop::collection::vec(test_field(), 0..6),
        )
            .prop_map(|(n, (a, b), rest)| {
                let mut p = vec![Param::Bare(format!("({a}-{b})").into_bytes())];
                p.extend(rest);
                Response::Test(n, p)
            })
            .boxed(),
        cmee_mode().prop_map(Response::Cmee).boxed(),
        (channel(), cfg_value_any())
            .prop_map(|(c, v)| Response::MftpCfg(c, v))
            .boxed(),
        (
            channel(),
            select(vec![
                ChannelState::Disconnected,
                ChannelState::Connected,
                ChannelState::Downloading,
                ChannelState::Uploading,
            ]),
        )
            .prop_map(|(c, s)| Response::MftpState(c, s))
            .boxed(),
        any::<u64>().prop_map(Response::MfPut).boxed(),
        prop::collection::vec(any::<u8>(), 0..2048)
            .prop_map(Response::MfGet)
            .boxed(),
        (text(0, 255), prop::option::of(any::<u64>()))
            .prop_map(|(path, size)| Response::MfList { path, size })
            .boxed(),
        any::<u64>().prop_map(Response::MfSize).boxed(),
        any::<u16>().prop_map(Response::MfOpen).boxed(),
        (
            any::<u16>(),
            any::<u64>(),
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 1..2048),
            any::<bool>(),
        )
            .prop_map(|(handle, total, cumulative, data, hex)| {
                Response::MfRead(FileChunk {
                    handle,
                    total,
                    cumulative,
                    data,
                    hex,
                })
            })
            .boxed(),
        (any::<u16>(), any::<u64>())
            .prop_map(|(handle, written)| Response::MfWrite { handle, written })
            .boxed(),
        (any::<u16>(), any::<u64>())
            .prop_map(|(handle, pos)| Response::MfSeek { handle, pos })
            .boxed(),
        any::<[u8; 16]>().prop_map(Response::MfCheck).boxed(),
        prop_oneof![
            any::<u8>().prop_map(MfCfgValue::Timeout),
            (any::<bool>(), any::<bool>()).prop_map(|(i, o)| MfCfgValue::Encoding(
                if i {
                    InputEncoding::Hex
                } else {
                    InputEncoding::Ascii
                },
                if o {
                    OutputEncoding::Hex
                } else {
                    OutputEncoding::Raw
                },
            )),
        ]
        .prop_map(Response::MfCfg)
        .boxed(),
        prop::collection::vec(any::<u8>(), 1..2048)
            .prop_map(Response::MfGetHex)
            .boxed(),
        (any::<u64>(), any::<u64>())
            .prop_map(|(total, free)| Response::MfSinfo { total, free })
            .boxed(),
        (any::<u8>(), text(0, 16), text(0, 100))
            .prop_map(|(cid, pdp_type, apn)| Response::Cgdcont { cid, pdp_type, apn })
            .boxed(),
        (any::<u8>(), any::<bool>())
            .prop_map(|(cid, active)| Response::Cgact { cid, active })
            .boxed(),
        (
            ssl_key(),
            any::<u8>(),
            prop::collection::vec(
                prop_oneof![
                    Just(Param::Empty),
                    any::<u64>().prop_map(Param::Int),
                    quoted_bytes(0, 40).prop_map(Param::Str),
                ],
                0..4,
            ),
        )
            .prop_map(|(key, id, values)| Response::MsslCfg { key, id, values })
            .boxed(),
    ];
    Union::new(arms).boxed()
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        1000u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
        0u8..=60,
    )
        .prop_map(|(year, month, day, hour, minute, second)| Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
}

/// Every `Urc` variant.
pub fn urc() -> BoxedStrategy<Urc> {
    let op = select(vec![
        SimpleOp::Conn,
        SimpleOp::Disc,
        SimpleOp::Cwd,
        SimpleOp::Mkd,
        SimpleOp::Del,
        SimpleOp::Rn,
    ]);
    let arms: Vec<BoxedStrategy<Urc>> = vec![
        Just(Urc::Ready).boxed(),
        (op, channel(), result_code())
            .prop_map(|(op, id, code)| Urc::Result { op, id, code })
            .boxed(),
        (channel(), result_code(), prop::option::of(text(0, 255)))
            .prop_map(|(id, code, path)| Urc::Pwd { id, code, path })
            .boxed(),
        (channel(), text(0, 255), text(0, 10))
            .prop_map(|(id, name, perm)| Urc::ListDir { id, name, perm })
            .boxed(),
        (
            channel(),
            text(0, 255),
            any::<u64>(),
            timestamp(),
            text(0, 10),
        )
            .prop_map(|(id, name, size, modified, perm)| Urc::ListFile {
                id,
                name,
                size,
                modified,
                perm,
            })
            .boxed(),
        (channel(), result_code())
            .prop_map(|(id, code)| Urc::ListResult { id, code })
            .boxed(),
        (
            channel(),
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 0..2048),
        )
            .prop_map(|(id, sum, data)| Urc::RetrData { id, sum, data })
            .boxed(),
        (channel(), any::<u64>(), any::<u64>())
            .prop_map(|(id, sum, recv)| Urc::RetrSaved { id, sum, recv })
            .boxed(),
        (channel(), result_code())
            .prop_map(|(id, code)| Urc::RetrResult { id, code })
            .boxed(),
        (
            select(vec![UploadOp::Stor, UploadOp::Appe]),
            channel(),
            result_code(),
            any::<u64>(),
        )
            .prop_map(|(op, id, code, sent)| Urc::Upload { op, id, code, sent })
            .boxed(),
        (channel(), any::<u8>())
            .prop_map(|(id, state)| Urc::ConnState { id, state })
            .boxed(),
        (any::<u8>(), any::<bool>(), prop::option::of(text(0, 45)))
            .prop_map(|(cid, active, ip)| Urc::Mipcall { cid, active, ip })
            .boxed(),
    ];
    Union::new(arms).boxed()
}

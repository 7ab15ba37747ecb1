//! The SSL command family (ONEMO-RELATED.md §B): TLS contexts (`AT+MSSLCFG`, `cfg.rs`), the
//! credential store in the module's file system (`AT+MSSLCERTRD`, `AT+MSSLLIST`, `AT+MSSLRM`,
//! `AT+MSSLCHECK`, `store.rs`) and certificate and key writes, inline, at the `>` prompt and
//! in several parts (`AT+MSSLCERTWR`, `AT+MSSLKEYWR`, `write.rs`).
//!
//! Errors are the §B.4 numbers: a name that is not stored 762, a read, write or delete that
//! fails 766/764/767, more than 8192 bytes 768, another write in progress 765; everything the
//! module refuses as a parameter (out of range, unsupported key, bad name) is 50.

mod cfg;
mod store;
mod write;

pub(crate) use write::{prompt_data, CredPart, PendingWrite};

use crate::engine::ctx::Ctx;
use ftpmodem_proto::{CmeError, Command, Name, Param, Profile};

/// The cipher suites `AT+MSSLCIPHER=?` lists (§B.3, X-mssl id 13), in its order.
/// `"ciphersuite"` takes any number (the manual's own example, `2D`, is not in this list); which
/// suites the TLS library can offer is decided when a connection is made (`channel/config.rs`).
pub(crate) const CIPHER_SUITES: [u16; 41] = [
    0xCCA8, 0xCCA9, 0xC0AD, 0xC0AF, 0xC02B, 0xC02F, 0xC0AC, 0xC023, 0xC027, 0xC0AE, 0xC086, 0xC08A,
    0xC072, 0xC076, 0xC09D, 0x3D, 0xC0A1, 0xC0, 0x9C, 0xC09C, 0x3C, 0xC031, 0xC029, 0xC02D, 0xC025,
    0xC0A0, 0xC07A, 0xBA, 0xC08C, 0xC078, 0xC088, 0xC074, 0xCCAB, 0xC0A5, 0xC0A9, 0xA8, 0xC0A4,
    0xAE, 0xC08E, 0xC094, 0xC0A8,
];

/// Every form of the SSL commands but the test form.
pub(crate) fn run(cx: &mut Ctx<'_>, cmd: Command) {
    match cmd {
        Command::MsslCfg(c) => cfg::run(cx, c),
        Command::MsslCertWr(w) => write::start(cx, store::Kind::Cert, w),
        Command::MsslKeyWr(w) => write::start(cx, store::Kind::Key, w),
        Command::MsslCertRd(name) => store::read(cx, &name),
        Command::MsslList(kind) => store::list(cx, kind),
        Command::MsslRm(name) => store::remove(cx, &name),
        Command::MsslCheck { name, alg } => store::check(cx, &name, alg),
        _ => cx.reply.error(CmeError::ParameterError),
    }
}

fn key(k: &str) -> Param {
    Param::Str(k.as_bytes().to_vec())
}

fn bare(s: &str) -> Param {
    Param::Bare(s.as_bytes().to_vec())
}

/// The test forms. `AT+MSSLCFG=?` prints the four lines testers expect on every model
/// (§B.1, §E5: not one line per key); the write, read and remove commands answer only `OK`
/// (§B.2).
pub(crate) fn test_lines(name: Name, _p: &Profile) -> Vec<Vec<Param>> {
    let ids = || bare("(0-5)");
    match name {
        Name::MsslCfg => vec![
            vec![key("auth"), ids(), bare("(0-2)")],
            vec![key("cert"), ids(), Param::Empty, Param::Empty, Param::Empty],
            vec![key("encoding"), ids(), bare("(2)")],
            vec![key("negotime"), ids(), bare("(10-300)")],
        ],
        Name::MsslCipher => {
            let list: Vec<String> = CIPHER_SUITES.iter().map(|c| format!("0x{c:X}")).collect();
            vec![vec![Param::Bare(
                format!("({})", list.join(",")).into_bytes(),
            )]]
        }
        // §B.3: `+MSSLCHECK: ,(list)`; MD5 is the only algorithm of the ML30x.
        Name::MsslCheck => vec![vec![Param::Empty, bare("(0)")]],
        Name::MsslList => vec![vec![bare("(1-3)")]],
        _ => Vec::new(),
    }
}

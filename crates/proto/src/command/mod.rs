//! Commands the host sends and the module executes: [`Command::parse`] on the device side,
//! [`Command::emit`] on the host side, one type for both so they cannot disagree.

mod def;
mod extended;
mod file;
mod op;
mod upload;
mod v25;

pub use def::{CfgRequest, Command, Conn, Retr, SslCfg, SslKey, SslValue, MAX_CID};
pub use extended::{CERT_MAX, MFPUT_MAX};
pub use file::{
    from_hex, hex_upper, mfcfg_test_lines, FileChunk, InputEncoding, MfCfgRequest, MfCfgValue,
    OpenMode, OutputEncoding, Whence, FILE_FRAGMENT, INLINE_FILE_MAX, SEEK_MAX,
};
pub use op::FtpOp;
pub use upload::{Upload, UploadBody, INLINE_DATA_MAX, PROMPT_DATA_MAX};
pub use v25::{split_line, LpmCfg, LpmKey, LpmValue, IPR_DEFAULT, IPR_RATES};

use crate::error::ParseError;
use crate::name::Name;
use crate::types::ChannelId;
use alloc::vec::Vec;

/// Where the `AT` prefix starts in a received line (V.25ter §5.2.1: characters before it are
/// ignored). Only `AT` and `at` count, as manual §2.1 says.
pub fn find_prefix(line: &[u8]) -> Option<usize> {
    line.windows(2).position(|w| w == b"AT" || w == b"at")
}

impl Command {
    /// Parses one command line without its CR, starting at the `AT` prefix.
    pub fn parse(line: &[u8]) -> Result<Command, ParseError> {
        let body = match line {
            [b'A', b'T', rest @ ..] | [b'a', b't', rest @ ..] => rest,
            _ => return Err(ParseError::NoPrefix),
        };
        Command::parse_body(body)
    }

    /// Parses one command of a line, as [`split_line`] cuts it: what follows `AT` (`E0`,
    /// `+CMEE=1`), or nothing for `AT` itself.
    pub fn parse_body(body: &[u8]) -> Result<Command, ParseError> {
        let body = trim_end(body);
        match body.first() {
            None => Ok(Command::At),
            Some(b'+') => extended::parse(&body[1..]),
            Some(_) => v25::parse_basic(body),
        }
    }

    /// Writes the command line without the terminating CR.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"AT");
        if !v25::emit_basic(self, out) && !v25::emit_extended(self, out) {
            extended::emit(self, out);
        }
    }

    /// [`Command::emit`] into a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }

    /// The extended command's name (the test and read forms' too); `None` for the basic
    /// commands `AT`, `ATE`, `ATI`, `AT&F`.
    pub fn name(&self) -> Option<Name> {
        Some(match self {
            Command::At
            | Command::Echo(_)
            | Command::Identify
            | Command::FactoryDefaults
            | Command::Verbose(_)
            | Command::Quiet(_)
            | Command::ResetProfile
            | Command::SaveProfile
            | Command::SRegRead(_)
            | Command::SRegSet(..) => return None,
            Command::Test(n) | Command::Read(n) => *n,
            Command::Cgmi => Name::Cgmi,
            Command::Cgmm => Name::Cgmm,
            Command::Cgmr => Name::Cgmr,
            Command::Cmee(_) => Name::Cmee,
            Command::Csq => Name::Csq,
            Command::Cesq => Name::Cesq,
            Command::Cereg(_) => Name::Cereg,
            Command::Cgreg(_) => Name::Cgreg,
            Command::Cgatt(_) => Name::Cgatt,
            Command::Cgpaddr(_) => Name::Cgpaddr,
            Command::Cfun { .. } => Name::Cfun,
            Command::Cgsn(_) => Name::Cgsn,
            Command::Gsn => Name::Gsn,
            Command::Cimi => Name::Cimi,
            Command::Mccid => Name::Mccid,
            Command::Iccid => Name::Iccid,
            Command::MftpCfg(_) => Name::MftpCfg,
            Command::MftpConn(_) => Name::MftpConn,
            Command::MftpDisc(_) => Name::MftpDisc,
            Command::MftpCwd(..) => Name::MftpCwd,
            Command::MftpPwd(_) => Name::MftpPwd,
            Command::MftpMkd(..) => Name::MftpMkd,
            Command::MftpList(..) => Name::MftpList,
            Command::MftpDel(..) => Name::MftpDel,
            Command::MftpRn(..) => Name::MftpRn,
            Command::MftpRetr(_) => Name::MftpRetr,
            Command::MftpAppe(_) => Name::MftpAppe,
            Command::MftpStor(_) => Name::MftpStor,
            Command::MftpState(_) => Name::MftpState,
            Command::MfPut { .. } => Name::MfPut,
            Command::MfGet(_) => Name::MfGet,
            Command::MfList(_) => Name::MfList,
            Command::MfSize(_) => Name::MfSize,
            Command::MfSinfo => Name::MfSinfo,
            Command::MfDelete(_) => Name::MfDelete,
            Command::MfMove(..) => Name::MfMove,
            Command::Cgdcont { .. } => Name::Cgdcont,
            Command::Cgact { .. } => Name::Cgact,
            Command::Mipcall { .. } => Name::Mipcall,
            Command::MsslCfg(_) => Name::MsslCfg,
            Command::MsslCertWr { .. } => Name::MsslCertWr,
            Command::MsslKeyWr { .. } => Name::MsslKeyWr,
            Command::Reboot(_) => Name::Mreboot,
            Command::Ipr(_) => Name::Ipr,
            Command::Mlpmcfg(_) => Name::Mlpmcfg,
            other => return file::name(other),
        })
    }

    /// The channel a `AT+MFTP*` command acts on, if any.
    pub fn channel(&self) -> Option<ChannelId> {
        Some(match self {
            Command::MftpConn(c) => c.id,
            Command::MftpDisc(id)
            | Command::MftpPwd(id)
            | Command::MftpState(id)
            | Command::MftpCwd(id, _)
            | Command::MftpMkd(id, _)
            | Command::MftpList(id, _)
            | Command::MftpDel(id, _)
            | Command::MftpRn(id, _, _) => *id,
            Command::MftpRetr(r) => r.id,
            Command::MftpAppe(u) | Command::MftpStor(u) => u.id,
            Command::MftpCfg(
                CfgRequest::ReadAll(id) | CfgRequest::Read(id, _) | CfgRequest::Set(id, _),
            ) => *id,
            _ => return None,
        })
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|c| *c != b' ').map_or(0, |e| e + 1);
    &b[..end]
}

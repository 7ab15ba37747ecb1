//! `AT+<NAME>=?`: supported ranges, from the model profile. Line shapes follow the manual's
//! test-command rows, with its `(list of supported ...)` placeholders filled in.

use ftpmodem_proto::{CfgKey, Name, Param, Profile};

fn range(lo: u64, hi: u64) -> Param {
    if lo == hi {
        Param::Bare(format!("({lo})").into_bytes())
    } else {
        Param::Bare(format!("({lo}-{hi})").into_bytes())
    }
}

fn key(k: &str) -> Param {
    Param::Str(k.as_bytes().to_vec())
}

/// The lines of `AT+<NAME>=?` for the commands of the manual and 27.007 (none for a command
/// whose test form only answers `OK`).
pub(crate) fn lines(name: Name, p: &Profile) -> Vec<Vec<Param>> {
    let ids = || range(0, 5);
    match name {
        Name::MftpCfg => CfgKey::ALL
            .iter()
            .map(|k| {
                let mut l = vec![ids(), key(k.as_str())];
                match k {
                    CfgKey::DataType | CfgKey::LocalFs => l.push(range(0, 1)),
                    CfgKey::TransMode => l.push(range(if p.active_mode { 0 } else { 1 }, 1)),
                    CfgKey::RspTimeout => l.push(range(2, 30)),
                    // Without FTPS there is no TLS context to choose: the hardware prints
                    // `"ssl",(0),(0)` (ONEMO-RELATED.md §D).
                    CfgKey::Ssl => {
                        let hi = if p.ftps { (2, 5) } else { (0, 0) };
                        l.extend([range(0, hi.0), range(0, hi.1)])
                    }
                    CfgKey::Cid => l.push(range(1, u64::from(p.cid_max))),
                }
                l
            })
            .collect(),
        Name::MftpConn => vec![vec![
            ids(),
            Param::Empty,
            Param::Empty,
            Param::Empty,
            range(0, 65535),
        ]],
        Name::MftpDisc | Name::MftpPwd | Name::MftpState => vec![vec![ids()]],
        Name::MftpCwd | Name::MftpMkd | Name::MftpList | Name::MftpDel => {
            vec![vec![ids(), Param::Empty]]
        }
        Name::MftpRn => vec![vec![ids(), Param::Empty, Param::Empty]],
        Name::MftpRetr | Name::MftpAppe | Name::MftpStor => {
            vec![vec![
                ids(),
                Param::Empty,
                Param::Empty,
                Param::Empty,
                Param::Empty,
            ]]
        }
        Name::Cmee => vec![vec![range(0, 2)]],
        Name::Cgsn => vec![vec![range(0, 3)]],
        Name::Cgact => vec![vec![range(0, 1)]],
        Name::Cgdcont => vec![vec![range(1, u64::from(p.cid_max)), key("IP")]],
        Name::Mipcall => vec![vec![range(0, 1), range(1, u64::from(p.cid_max))]],
        _ => Vec::new(),
    }
}

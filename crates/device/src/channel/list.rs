//! `AT+MFTPLIST`: one report per entry (module docs: what is reported for missing facts).

use super::io::Stop;
use super::report::{failed, Ctx, Final};
use ftpmodem_ftp::{Entry, EntryKind, Session};
use ftpmodem_proto::{ChannelId, ResultCode, Timestamp, Urc};

/// Lists `path`; every entry but the last is reported here, the last is the [`Final`].
pub(super) async fn list(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    path: &str,
) -> Result<Final, Stop> {
    let id = ctx.out.id();
    let entries = match ctx.inbox.guard(session.list(path)).await? {
        Ok(v) => v,
        Err(e) => {
            let code = failed(id, &e);
            // Some servers (libunftp) refuse MLSD, MLST and LIST of a plain file; the manual
            // lists a file by name (§3.7 `AT+MFTPLIST=0,"old.txt"`), so look it up in its
            // directory before giving up.
            let found = match (code, split_parent(path)) {
                (ResultCode::ServerError, Some((parent, name))) => {
                    match ctx.inbox.guard(session.list(parent)).await? {
                        Ok(v) => v.into_iter().filter(|e| e.name == name).collect(),
                        Err(_) => Vec::new(),
                    }
                }
                _ => Vec::new(),
            };
            if found.is_empty() {
                return Ok(Final::report(Urc::ListResult { id, code }));
            }
            found
        }
    };
    let mut urcs = entries
        .into_iter()
        .filter(|e| e.name != "." && e.name != "..")
        .map(|e| entry_urc(id, e));
    let Some(mut last) = urcs.next() else {
        return Ok(Final::report(Urc::ListResult {
            id,
            code: ResultCode::EmptyDirectory,
        }));
    };
    for next in urcs {
        let out = ctx.out;
        ctx.inbox.guard(out.report(last, false)).await??;
        last = next;
    }
    Ok(Final::report(last))
}

/// `("dir", "name")` for `dir/name`, `("", "name")` for a bare name (the working directory),
/// `("/", "name")` for `/name`; `None` when there is no last component to look for.
fn split_parent(path: &str) -> Option<(&str, &str)> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    if trimmed.is_empty() || trimmed != path {
        return None;
    }
    match trimmed.rsplit_once('/') {
        None => Some(("", trimmed)),
        Some(("", name)) => Some(("/", name)),
        Some((parent, name)) if !name.is_empty() => Some((parent, name)),
        Some(_) => None,
    }
}

/// The report of one entry: directories as directories, anything else as a file.
pub(super) fn entry_urc(id: ChannelId, e: Entry) -> Urc {
    match e.kind {
        EntryKind::Dir => Urc::ListDir {
            id,
            name: e.name,
            perm: e.perm,
        },
        EntryKind::File | EntryKind::Link | EntryKind::Other => Urc::ListFile {
            id,
            name: e.name,
            size: e.size.unwrap_or(0),
            modified: e.modified.map(timestamp).unwrap_or(EPOCH),
            perm: e.perm,
        },
    }
}

/// The time printed when a listing gives none.
const EPOCH: Timestamp = Timestamp {
    year: 1970,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
};

fn timestamp(t: ftpmodem_ftp::Timestamp) -> Timestamp {
    Timestamp {
        year: t.year,
        month: t.month,
        day: t.day,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ChannelId {
        ChannelId::new(2).unwrap()
    }

    #[test]
    fn parent_of_a_listed_path() {
        assert_eq!(split_parent("2.txt"), Some(("", "2.txt")));
        assert_eq!(split_parent("/a.txt"), Some(("/", "a.txt")));
        assert_eq!(
            split_parent("/home/uftp/test/2.txt"),
            Some(("/home/uftp/test", "2.txt"))
        );
        assert_eq!(split_parent("/home/"), None);
        assert_eq!(split_parent(""), None);
    }

    #[test]
    fn kinds_and_missing_facts() {
        let dir = Entry {
            name: "sub".into(),
            kind: EntryKind::Dir,
            size: Some(4096),
            modified: None,
            perm: "rwx".into(),
            link_target: None,
        };
        assert_eq!(
            entry_urc(id(), dir),
            Urc::ListDir {
                id: id(),
                name: "sub".into(),
                perm: "rwx".into()
            }
        );
        let link = Entry {
            name: "l".into(),
            kind: EntryKind::Link,
            size: None,
            modified: None,
            perm: String::new(),
            link_target: Some("x".into()),
        };
        assert_eq!(
            entry_urc(id(), link),
            Urc::ListFile {
                id: id(),
                name: "l".into(),
                size: 0,
                modified: EPOCH,
                perm: String::new()
            }
        );
        let t = ftpmodem_ftp::Timestamp::new(2020, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(
            timestamp(t),
            Timestamp {
                year: 2020,
                month: 3,
                day: 4,
                hour: 5,
                minute: 6,
                second: 7
            }
        );
    }
}

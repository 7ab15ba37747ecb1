//! `AT+MFTPLIST`: one report per entry, printed as the server's lines arrive
//! ([`Session::list_stream`]): a listing of any size costs one entry of memory here, and the
//! bounded event queue paces the server to the line (module docs: what is reported for
//! missing facts).
//!
//! One entry is held back so that the last one ends the command (the [`Final`]). A listing
//! that fails after entries were printed ends with its result code after them
//! (`+MFTPLIST: <id>,12` after N entries): the host learns the listing is incomplete
//! (docs/PROTOCOL.md, §3.7).

use super::io::Stop;
use super::report::{failed, Ctx, Final};
use ftpmodem_ftp::{Entry, EntryKind, FtpError, Listing, Session};
use ftpmodem_proto::{ChannelId, ResultCode, Timestamp, Urc};

/// Lists `path`; every entry but the last is reported here, the last (or the result code) is
/// the [`Final`].
pub(super) async fn list(
    session: &mut Session,
    ctx: &mut Ctx<'_>,
    path: &str,
) -> Result<Final, Stop> {
    let id = ctx.out.id();
    // The entry held back to be the last report.
    let mut held: Option<Urc> = None;
    let first = match ctx.inbox.guard(session.list_stream(path)).await? {
        Ok(mut listing) => print_entries(&mut listing, ctx, &mut held, |_| true).await?,
        Err(e) => Err(e),
    };
    let ended = match first {
        // Refused before any entry, at once or in the final reply (libunftp answers MLSD of a
        // file with 150, then 550).
        Err(e) if held.is_none() => {
            let code = failed(id, &e);
            // Some servers (libunftp) refuse MLSD, MLST and LIST of a plain file; the manual
            // lists a file by name (§3.7 `AT+MFTPLIST=0,"old.txt"`), so look it up in its
            // directory before giving up.
            let found = match (code, split_parent(path)) {
                (ResultCode::ServerError, Some((parent, name))) => {
                    match ctx.inbox.guard(session.list_stream(parent)).await? {
                        Ok(mut listing) => {
                            let keep = |e: &Entry| e.name == name;
                            print_entries(&mut listing, ctx, &mut held, keep).await?
                        }
                        Err(e) => Err(e),
                    }
                }
                _ => Ok(()),
            };
            if held.is_none() {
                // Not in its directory: a missing name, which the hardware answers with 14 as
                // an empty listing (ONEMO-RELATED.md §D), whichever way the server refused
                // it. A search that failed first leaves the name's own failure.
                let code = match (code, &found) {
                    (ResultCode::ServerError, Ok(())) => ResultCode::EmptyDirectory,
                    _ => code,
                };
                return Ok(Final::report(Urc::ListResult { id, code }));
            }
            found
        }
        other => other,
    };
    let last = match (ended, held) {
        (Ok(()), Some(last)) => last,
        (Ok(()), None) => Urc::ListResult {
            id,
            code: ResultCode::EmptyDirectory,
        },
        (Err(e), held) => {
            let code = failed(id, &e);
            if let Some(entry) = held {
                let out = ctx.out;
                ctx.inbox.guard(out.report(entry, false)).await??;
            }
            Urc::ListResult { id, code }
        }
    };
    Ok(Final::report(last))
}

/// Reports the entries of `listing` that `keep` selects (`.` and `..` never) as they come,
/// each after the next one arrived, so the last stays in `held`. The listing's error, if it
/// ends in one, is returned for the caller to report after the entries.
async fn print_entries(
    listing: &mut Listing<'_>,
    ctx: &mut Ctx<'_>,
    held: &mut Option<Urc>,
    keep: impl Fn(&Entry) -> bool,
) -> Result<Result<(), FtpError>, Stop> {
    let id = ctx.out.id();
    let out = ctx.out;
    loop {
        let entry = match ctx.inbox.guard(listing.next()).await? {
            Ok(Some(e)) => e,
            Ok(None) => return Ok(Ok(())),
            Err(e) => return Ok(Err(e)),
        };
        if entry.name == "." || entry.name == ".." || !keep(&entry) {
            continue;
        }
        if let Some(prev) = held.replace(entry_urc(id, entry)) {
            // Waits for room in the event queue: a slow line slows the listing down.
            ctx.inbox.guard(out.report(prev, false)).await??;
        }
    }
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

//! MLSD / MLST fact lines (RFC 3659 §7): `fact=value;fact=value; name`.

use super::entry::{entry_or_skip, Entry, EntryKind, Parsed};
use crate::time::Timestamp;

/// Maps an RFC 3659 `perm` fact to an owner triplet.
///
/// The fact says what *this client* may do, which is the closest thing MLSD has to an owner
/// triplet. The mapping, chosen so that the triplet answers "can I read / change / enter it":
/// - `r` when the file can be retrieved (`r`) or the directory listed (`l`);
/// - `w` when the file can be written (`w`) or appended to (`a`), or the directory can have
///   files created (`c`), directories made (`m`) or its contents purged (`p`); `d` (delete)
///   and `f` (rename) are left out because they are rights over the *parent* directory;
/// - `x` when the directory can be entered (`e`); MLSD has no execute right for files.
pub fn perm_fact_to_triplet(perm: &str) -> String {
    let has = |set: &[char]| perm.chars().any(|c| set.contains(&c.to_ascii_lowercase()));
    let mut t = String::with_capacity(3);
    t.push(if has(&['r', 'l']) { 'r' } else { '-' });
    t.push(if has(&['w', 'a', 'c', 'm', 'p']) {
        'w'
    } else {
        '-'
    });
    t.push(if has(&['e']) { 'x' } else { '-' });
    t
}

/// The owner triplet of an octal `UNIX.mode` value (`0644`, `755`, `100644`).
fn unix_mode_triplet(mode: &str) -> Option<String> {
    if mode.is_empty() || mode.len() > 7 {
        return None;
    }
    let bits = u32::from_str_radix(mode, 8).ok()?;
    let owner = (bits >> 6) & 7;
    let mut t = String::with_capacity(3);
    t.push(if owner & 4 != 0 { 'r' } else { '-' });
    t.push(if owner & 2 != 0 { 'w' } else { '-' });
    t.push(if owner & 1 != 0 { 'x' } else { '-' });
    Some(t)
}

/// Parses one fact line; `None` when it is not one.
///
/// A `UNIX.mode` fact, when present, wins over `perm`, because it is the real owner triplet
/// rather than a summary of this client's rights.
pub(super) fn parse_line(line: &str) -> Option<Parsed> {
    let (facts, name) = line.split_once(' ')?;
    if name.is_empty() {
        return None;
    }
    let mut kind = None;
    let mut size = None;
    let mut modified = None;
    let mut perm = None;
    let mut mode = None;
    let mut link_target = None;
    let mut any = false;
    for fact in facts.split(';').filter(|f| !f.is_empty()) {
        let (key, value) = fact.split_once('=')?;
        if key.is_empty() {
            return None;
        }
        any = true;
        match key.to_ascii_lowercase().as_str() {
            "type" => {
                // The last `type` fact wins, whole: a link target from an earlier one must not
                // stay on what a later one says is a file (found by fuzz/ list_parsers).
                link_target = None;
                let v = value.to_ascii_lowercase();
                kind = Some(match v.as_str() {
                    "file" => EntryKind::File,
                    "dir" => EntryKind::Dir,
                    "cdir" | "pdir" => return Some(Parsed::Skip),
                    _ if v.starts_with("os.unix=slink") || v.starts_with("os.unix=symlink") => {
                        link_target = value
                            .split_once(':')
                            .map(|(_, t)| t.to_owned())
                            .filter(|t| !t.is_empty());
                        EntryKind::Link
                    }
                    _ => EntryKind::Other,
                });
            }
            "size" => size = Some(value.parse::<u64>().ok()?),
            "modify" => modified = Timestamp::parse_compact(value),
            "perm" => perm = Some(perm_fact_to_triplet(value)),
            "unix.mode" => mode = unix_mode_triplet(value),
            _ => {}
        }
    }
    if !any {
        return None;
    }
    let kind = kind.unwrap_or(EntryKind::File);
    Some(entry_or_skip(Entry {
        name: name.to_owned(),
        kind,
        size,
        modified,
        perm: mode.or(perm).unwrap_or_default(),
        link_target,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::parse_mlsd_line;
    use super::*;

    #[test]
    fn file_and_dir() {
        let e =
            parse_mlsd_line("type=file;size=1234;modify=20220816173801.5;perm=adfrw; my file.txt")
                .unwrap();
        assert_eq!(e.name, "my file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.modified.unwrap().to_compact(), "20220816173801");
        assert_eq!(e.perm, "rw-");
        let d = parse_mlsd_line("Type=dir;Modify=20220816173801;Perm=flcdmpe; sub").unwrap();
        assert_eq!(d.kind, EntryKind::Dir);
        assert_eq!(d.perm, "rwx");
        assert_eq!(d.size, None);
    }

    #[test]
    fn unix_mode_wins() {
        let e = parse_mlsd_line(
            "type=file;size=1;modify=20220816173801;perm=r;UNIX.mode=0644;UNIX.owner=1000; a",
        )
        .unwrap();
        assert_eq!(e.perm, "rw-");
        let e = parse_mlsd_line("type=dir;unix.mode=0500; d").unwrap();
        assert_eq!(e.perm, "r-x");
    }

    #[test]
    fn perm_mapping() {
        assert_eq!(perm_fact_to_triplet(""), "---");
        assert_eq!(perm_fact_to_triplet("r"), "r--");
        assert_eq!(perm_fact_to_triplet("a"), "-w-");
        assert_eq!(perm_fact_to_triplet("df"), "---");
        assert_eq!(perm_fact_to_triplet("el"), "r-x");
        assert_eq!(perm_fact_to_triplet("c"), "-w-");
    }

    #[test]
    fn links_dots_and_garbage() {
        let l = parse_mlsd_line("type=OS.unix=slink:/etc/passwd;size=11; pw").unwrap();
        assert_eq!(l.kind, EntryKind::Link);
        assert_eq!(l.link_target.as_deref(), Some("/etc/passwd"));
        assert!(parse_mlsd_line("type=cdir;perm=el; /home").is_none());
        assert!(matches!(parse_line("type=pdir; .."), Some(Parsed::Skip)));
        assert!(matches!(parse_line("type=dir; ."), Some(Parsed::Skip)));
        assert!(parse_line("garbage line").is_none());
        assert!(parse_line("type=file;size=x; f").is_none());
        assert!(parse_line("type=file;").is_none());
        assert!(parse_line(" name").is_none());
        assert!(parse_line("=x; name").is_none());
        let e = parse_mlsd_line("type=unknown;x.y=z; thing").unwrap();
        assert_eq!(e.kind, EntryKind::Other);
        assert_eq!(e.perm, "");
    }

    #[test]
    fn a_later_type_fact_drops_the_link_target() {
        // Found by the list_parsers fuzz target: a link target on an entry that is a file.
        let e = parse_mlsd_line("type=OS.unix=slink:/x;type=file; name").unwrap();
        assert_eq!((e.kind, e.link_target), (EntryKind::File, None));
        let e = parse_mlsd_line("type=file;type=OS.unix=slink:/x; name").unwrap();
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.link_target.as_deref(), Some("/x"));
    }
}

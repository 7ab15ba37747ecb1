//! `ftpmodem ls URL`: list a directory on the server through the module.

use super::{print_line, with_session, FtpArgs, FtpUrl, Outcome};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem ls -p /tmp/ttyML307 ftp://uftp@127.0.0.1/incoming/
  ftpmodem ls --json ftp://uftp@ftp.example.net/ | jq .name     # FTPMODEM_DEVICE=serial:/dev/ttyUSB2\n\n{}", super::HELP_TAIL))]
pub struct LsArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/dir (password: FTPMODEM_PASSWORD or a prompt).
    pub url: String,
    /// One JSON object per line and entry: name, type (file or dir), size, modified (UTC,
    /// RFC 3339), perm.
    #[arg(long)]
    pub json: bool,
}

/// One entry as a JSON object (for `ls --json`).
fn json(e: &ftpmodem_host::ListEntry) -> serde_json::Value {
    let modified = e.modified.map(|t| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    });
    serde_json::json!({
        "name": e.name,
        "type": if e.is_dir() { "dir" } else { "file" },
        "size": e.size,
        "modified": modified,
        "perm": e.perm,
    })
}

pub async fn run(a: LsArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    let a = &a;
    with_session(&a.ftp, url, |ch, url| async move {
        let entries = ch.list(&url.path).await?;
        if entries.is_empty() {
            // LIST of a missing name answers `+MFTPLIST: <id>,14` exactly like an empty
            // directory (ONEMO-RELATED §D): the module's answer cannot tell them apart.
            let dir = if url.path.is_empty() {
                "."
            } else {
                url.path.as_str()
            };
            super::note(format_args!(
                "{dir}: empty or missing (the module reports both as 14)"
            ));
        }
        for e in entries {
            if a.json {
                print_line(format_args!("{}", json(&e)))?;
                continue;
            }
            match (e.size, e.modified) {
                (Some(size), Some(t)) => print_line(format_args!(
                    "-{:<3} {:>12} {:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
                    e.perm, size, t.year, t.month, t.day, t.hour, t.minute, t.second, e.name
                )),
                (Some(size), None) => print_line(format_args!(
                    "-{:<3} {:>12} {:19} {}",
                    e.perm, size, "", e.name
                )),
                (None, _) => print_line(format_args!(
                    "d{:<3} {:>12} {:19} {}/",
                    e.perm, "", "", e.name
                )),
            }?
        }
        Ok(())
    })
    .await
}

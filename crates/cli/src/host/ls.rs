//! `ftpmodem ls URL`: list a directory on the server through the module.

use super::{print_line, with_session, FtpArgs, FtpUrl, Outcome, EXIT_CODES};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct LsArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/dir (password: FTPMODEM_PASSWORD or a prompt).
    pub url: String,
}

pub async fn run(a: LsArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    with_session(&a.ftp, url, |ch, url| async move {
        let entries = ch.list(&url.path).await?;
        if entries.is_empty() {
            // LIST of a missing name answers `+MFTPLIST: <id>,14` exactly like an empty
            // directory (ONEMO-RELATED §D): the module's answer cannot tell them apart.
            eprintln!(
                "ftpmodem: {}: empty or missing (the module reports both as 14)",
                if url.path.is_empty() {
                    "."
                } else {
                    url.path.as_str()
                }
            );
        }
        for e in entries {
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

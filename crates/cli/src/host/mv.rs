//! `ftpmodem mv URL NEW`: rename a file or directory on the server.

use super::{with_session, FtpArgs, FtpUrl, Outcome};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem mv -p /tmp/ttyML307 ftp://uftp@127.0.0.1/a.txt b.txt\n\n{}", super::HELP_TAIL))]
pub struct MvArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/old (user and port optional)
    pub url: String,
    /// The new name, as the server takes it (relative to the login directory, or absolute).
    pub new: String,
}

pub async fn run(a: MvArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    let new = a.new;
    with_session(&a.ftp, url, |ch, url| async move {
        Ok(ch.rename(&url.path, &new).await?)
    })
    .await
}

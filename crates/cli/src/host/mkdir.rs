//! `ftpmodem mkdir URL`: create a directory on the server.

use super::{with_session, FtpArgs, FtpUrl, Outcome};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem mkdir -p /tmp/ttyML307 ftp://uftp@127.0.0.1/new-dir\n\n{}", super::HELP_TAIL))]
pub struct MkdirArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/dir (user and port optional)
    pub url: String,
}

pub async fn run(a: MkdirArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    with_session(&a.ftp, url, |ch, url| async move {
        Ok(ch.mkdir(&url.path).await?)
    })
    .await
}

//! `ftpmodem rm URL`: delete a file or an empty directory on the server.

use super::{with_session, FtpArgs, FtpUrl, Outcome};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem rm -p /tmp/ttyML307 ftp://uftp@127.0.0.1/old.bin\n\n{}", super::HELP_TAIL))]
pub struct RmArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/path (user and port optional)
    pub url: String,
}

pub async fn run(a: RmArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    with_session(&a.ftp, url, |ch, url| async move {
        Ok(ch.delete(&url.path).await?)
    })
    .await
}

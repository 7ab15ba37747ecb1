//! `ftpmodem cat URL`: write a server file to standard output.

use super::{with_session, Failure, FtpArgs, FtpUrl, Outcome};
use clap::Args;
use ftpmodem_host::Range;
use tokio::io::AsyncWriteExt;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem cat -p /tmp/ttyML307 ftp://uftp@127.0.0.1/notes.txt | head\n\n{}", super::HELP_TAIL))]
pub struct CatArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/file (user and port optional)
    pub url: String,
}

pub async fn run(a: CatArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    with_session(&a.ftp, url, |ch, url| async move {
        let mut out = tokio::io::stdout();
        ch.retrieve(&url.path, &mut out, Range::all()).await?;
        out.flush().await.map_err(|e| Failure::local("stdout", e))?;
        Ok(())
    })
    .await
}

//! `ftpmodem get URL [LOCAL]`: download a server file through the module.

use super::progress::{bar, file_sha256, CountingWriter, HashSink};
use super::{with_session, Failure, FtpArgs, FtpUrl, Outcome, EXIT_CODES};
use clap::Args;
use ftpmodem_host::{Channel, Range};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct GetArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/file (password: FTPMODEM_PASSWORD or a prompt).
    pub url: String,
    /// Local file; the URL's file name when omitted, `-` for standard output.
    pub local: Option<PathBuf>,
    /// Continue from the local file's size (REST), appending to it.
    #[arg(long)]
    pub resume: bool,
    /// Read the server file again afterwards and compare sha256 with the local file.
    #[arg(long)]
    pub verify: bool,
}

/// The server's size of `path`, for the bar; `None` when the listing does not say.
pub async fn remote_size(ch: &Channel, path: &str) -> Option<u64> {
    match ch.list(path).await {
        Ok(v) if v.len() == 1 => v.first().and_then(|e| e.size),
        _ => None,
    }
}

/// sha256 of the server file, read through the module.
pub async fn remote_sha256(ch: &Channel, path: &str) -> Result<[u8; 32], Failure> {
    let mut sink = HashSink::default();
    ch.retrieve(path, &mut sink, Range::all()).await?;
    Ok(sha2::Digest::finalize(sink.0).into())
}

pub async fn run(a: GetArgs) -> Outcome {
    let url = FtpUrl::parse(&a.url)?;
    let local = a
        .local
        .clone()
        .unwrap_or_else(|| PathBuf::from(url.file_name()));
    let to_stdout = local.as_os_str() == "-";
    if to_stdout && (a.resume || a.verify) {
        return Err(Failure::usage("--resume and --verify need a local file"));
    }
    with_session(&a.ftp, url, |ch, url| async move {
        let offset = if a.resume {
            match tokio::fs::metadata(&local).await {
                Ok(m) => m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
                Err(e) => return Err(Failure::local(&local.display().to_string(), e)),
            }
        } else {
            0
        };
        let size = remote_size(&ch, &url.path).await;
        let pb = bar(size, url.file_name());
        pb.set_position(offset);
        let got = if to_stdout {
            let mut w = CountingWriter {
                inner: tokio::io::stdout(),
                bar: pb.clone(),
            };
            let n = ch.retrieve(&url.path, &mut w, Range::from(offset)).await?;
            w.inner
                .flush()
                .await
                .map_err(|e| Failure::local("stdout", e))?;
            n
        } else {
            let file = tokio::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(a.resume)
                .truncate(!a.resume)
                .open(&local)
                .await
                .map_err(|e| Failure::local(&local.display().to_string(), e))?;
            let mut w = CountingWriter {
                inner: file,
                bar: pb.clone(),
            };
            let n = match ch.retrieve(&url.path, &mut w, Range::from(offset)).await {
                Ok(n) => n,
                Err(e) => {
                    // A failed fresh download leaves no empty or partial file behind; a
                    // resumed one keeps what it had, to be resumed again.
                    if !a.resume {
                        let _ = tokio::fs::remove_file(&local).await;
                    }
                    return Err(e.into());
                }
            };
            w.inner
                .sync_all()
                .await
                .map_err(|e| Failure::local(&local.display().to_string(), e))?;
            n
        };
        pb.finish_and_clear();
        if a.verify {
            let mine = file_sha256(&local)
                .await
                .map_err(|e| Failure::local(&local.display().to_string(), e))?;
            let theirs = remote_sha256(&ch, &url.path).await?;
            if mine != theirs {
                return Err(Failure::new(
                    7,
                    format!("{}: sha256 differs from the server's file", local.display()),
                ));
            }
        }
        if !to_stdout && super::stderr_is_terminal() {
            eprintln!("{}: {} bytes", local.display(), offset + got);
        }
        Ok(())
    })
    .await
}

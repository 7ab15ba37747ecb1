//! `ftpmodem put LOCAL URL`: upload a local file through the module.

use super::get::remote_sha256;
use super::progress::{bar, file_sha256, CountingReader};
use super::{with_session, Failure, FtpArgs, FtpUrl, Outcome, EXIT_CODES};
use clap::{Args, ValueEnum};
use ftpmodem_host::UploadMode;
use std::path::PathBuf;

/// How the data travels on the line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `>` prompt packets of up to 4096 bytes: any byte value, other channels keep working.
    Prompt,
    /// Transparent mode (CONNECT ... +++): fastest, holds the line, 2 s of guard time.
    Transparent,
}

#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct PutArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// Local file, `-` for standard input.
    pub local: PathBuf,
    /// ftp://user@host:port/file (a path ending in / takes the local file's name).
    pub url: String,
    /// Append to the server file (APPE) instead of replacing it.
    #[arg(long)]
    pub append: bool,
    /// Upload mode.
    #[arg(long, value_enum, default_value = "prompt")]
    pub mode: Mode,
    /// Read the server file back afterwards and compare sha256 with the local file.
    #[arg(long)]
    pub verify: bool,
}

pub async fn run(a: PutArgs) -> Outcome {
    let mut url = FtpUrl::parse(&a.url)?;
    let from_stdin = a.local.as_os_str() == "-";
    if url.path.ends_with('/') || url.path == "." {
        let name = a
            .local
            .file_name()
            .filter(|_| !from_stdin)
            .ok_or_else(|| Failure::usage("the URL must name the server file"))?;
        let dir = if url.path == "." {
            ""
        } else {
            url.path.as_str()
        };
        url.path = format!("{dir}{}", name.to_string_lossy());
    }
    if a.verify && (from_stdin || a.append) {
        return Err(Failure::usage(
            "--verify needs a local file and no --append",
        ));
    }
    let mode = match a.mode {
        Mode::Prompt => UploadMode::Prompt,
        Mode::Transparent => UploadMode::Transparent,
    };
    let local_name = a.local.display().to_string();
    // Open before connecting: a missing file should not cost a login.
    let (src, size): (Box<dyn tokio::io::AsyncRead + Send + Unpin>, Option<u64>) = if from_stdin {
        (Box::new(tokio::io::stdin()), None)
    } else {
        let f = tokio::fs::File::open(&a.local)
            .await
            .map_err(|e| Failure::local(&local_name, e))?;
        let len = f.metadata().await.map(|m| m.len()).ok();
        (Box::new(f), len)
    };
    with_session(&a.ftp, url, |ch, url| async move {
        let pb = bar(size, url.file_name());
        let mut r = CountingReader {
            inner: src,
            bar: pb.clone(),
        };
        let sent = if a.append {
            ch.append(&url.path, &mut r, mode).await?
        } else {
            ch.store(&url.path, &mut r, mode).await?
        };
        pb.finish_and_clear();
        if a.verify {
            let mine = file_sha256(&a.local)
                .await
                .map_err(|e| Failure::local(&local_name, e))?;
            if remote_sha256(&ch, &url.path).await? != mine {
                return Err(Failure::new(
                    7,
                    format!("{}: server file's sha256 differs", url.path),
                ));
            }
        }
        if super::stderr_is_terminal() {
            eprintln!("{}: {sent} bytes", url.path);
        }
        Ok(())
    })
    .await
}

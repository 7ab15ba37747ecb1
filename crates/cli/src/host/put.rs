//! `ftpmodem put LOCAL URL`: upload a local file through the module.

use super::get::{remote_sha256, remote_size};
use super::progress::{bar, file_sha256, CountingReader};
use super::{with_session, Failure, FtpArgs, FtpUrl, Outcome};
use clap::{Args, ValueEnum};
use ftpmodem_host::UploadMode;
use std::path::PathBuf;
use tokio::io::AsyncSeekExt;

/// How the data travels on the line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `>` prompt packets of up to 4096 bytes: any byte value, other channels keep working.
    Prompt,
    /// Transparent mode (CONNECT ... +++): fastest, holds the line, 2 s of guard time.
    Transparent,
}

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem put -p /tmp/ttyML307 log.tar ftp://uftp@127.0.0.1/logs/
  ftpmodem put -s /dev/ttyUSB2 -r big.bin ftp://uftp@ftp.example.net/big.bin   # continue an interrupted upload
  tar c logs | ftpmodem put - ftp://uftp@ftp.example.net/logs.tar\n\n{}", super::HELP_TAIL))]
pub struct PutArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// Local file, `-` for standard input.
    pub local: PathBuf,
    /// ftp://user@host:port/file (a path ending in / takes the local file's name).
    pub url: String,
    /// Append to the server file (APPE) instead of replacing it.
    #[arg(short, long)]
    pub append: bool,
    /// Continue an interrupted upload: read the server file's size from its listing, then
    /// append (APPE) the rest of LOCAL from that offset.
    #[arg(short, long, conflicts_with = "append")]
    pub resume: bool,
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
    if a.resume && from_stdin {
        return Err(Failure::usage("--resume needs a local file"));
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
    let mut file = None;
    let (src, size): (Box<dyn tokio::io::AsyncRead + Send + Unpin>, Option<u64>) = if from_stdin {
        (Box::new(tokio::io::stdin()), None)
    } else {
        let f = tokio::fs::File::open(&a.local)
            .await
            .map_err(|e| Failure::local(&local_name, e))?;
        let len = f.metadata().await.map(|m| m.len()).ok();
        if a.resume {
            file = Some(f);
            (Box::new(tokio::io::empty()), len)
        } else {
            (Box::new(f), len)
        }
    };
    with_session(&a.ftp, url, |ch, url| async move {
        let started = std::time::Instant::now();
        let (src, offset) = match file {
            Some(mut f) => {
                // What the server holds already: its size in the listing (none: start over).
                let have = remote_size(&ch, &url.path).await.unwrap_or(0);
                let total = size.unwrap_or(0);
                if have > total {
                    return Err(Failure::new(
                        5,
                        format!(
                            "{}: the server file ({have} bytes) is larger than {local_name} \
                             ({total} bytes): not a partial upload of it",
                            url.path
                        ),
                    ));
                }
                f.seek(std::io::SeekFrom::Start(have))
                    .await
                    .map_err(|e| Failure::local(&local_name, e))?;
                let src: Box<dyn tokio::io::AsyncRead + Send + Unpin> = Box::new(f);
                (src, Some(have))
            }
            None => (src, None),
        };
        if offset.is_some_and(|o| Some(o) == size) {
            super::note(format_args!(
                "{}: complete already ({} bytes)",
                url.path,
                size.unwrap_or(0)
            ));
            return Ok(());
        }
        let pb = bar(size, url.file_name());
        pb.set_position(offset.unwrap_or(0));
        let mut r = CountingReader {
            inner: src,
            bar: pb.clone(),
        };
        let sent = match offset {
            Some(o) if o > 0 => {
                super::note(format_args!("resuming the upload at byte {o}"));
                ch.append(&url.path, &mut r, mode).await?
            }
            _ if a.append => ch.append(&url.path, &mut r, mode).await?,
            _ => ch.store(&url.path, &mut r, mode).await?,
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
        super::progress::summary(&url.path, sent, started.elapsed());
        Ok(())
    })
    .await
}

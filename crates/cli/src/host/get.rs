//! `ftpmodem get URL [LOCAL]`: download a server file through the module.

use super::progress::{bar, file_sha256, CountingWriter, HashSink};
use super::{with_session, Failure, FtpArgs, FtpUrl, Outcome};
use clap::Args;
use ftpmodem_host::{Channel, Range};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

#[derive(Args, Debug)]
#[command(after_help = format!("Examples:\n  ftpmodem get -p /tmp/ttyML307 ftp://uftp@127.0.0.1/fw/image.bin
  ftpmodem get -s /dev/ttyUSB2 -r ftp://uftp@ftp.example.net/fw/image.bin --verify
  ftpmodem get --timeout 600 ftp://uftp@ftp.example.net/log.txt - | less\n\n{}", super::HELP_TAIL))]
pub struct GetArgs {
    #[command(flatten)]
    pub ftp: FtpArgs,
    /// ftp://user@host:port/file (password: FTPMODEM_PASSWORD or a prompt).
    pub url: String,
    /// Local file; the URL's file name when omitted, `-` for standard output.
    pub local: Option<PathBuf>,
    /// Continue an interrupted download from LOCAL.part (or a partial LOCAL) (REST).
    #[arg(short, long)]
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

/// Where a download to `local` is written until it is complete: `<local>.part`, renamed to
/// `local` only once every byte is in. A download that fails or is interrupted leaves it for
/// `--resume`.
pub fn part_path(local: &Path) -> PathBuf {
    let mut name = local.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Where `--resume` continues: `<local>.part`, else a partial file under the final name (an
/// older ftpmodem, another tool), moved to `<local>.part` first; else the start.
async fn resume_from(local: &Path, part: &Path) -> Result<u64, Failure> {
    let failed = |p: &Path, e| Failure::local(&p.display().to_string(), e);
    match tokio::fs::metadata(part).await {
        Ok(m) => return Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(part, e)),
    }
    match tokio::fs::metadata(local).await {
        Ok(m) => {
            tokio::fs::rename(local, part)
                .await
                .map_err(|e| failed(local, e))?;
            Ok(m.len())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(failed(local, e)),
    }
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
    let part = part_path(&local);
    let r = with_session(&a.ftp, url, |ch, url| async move {
        let size = remote_size(&ch, &url.path).await;
        let started = std::time::Instant::now();
        if to_stdout {
            let pb = bar(size, url.file_name());
            let mut w = CountingWriter {
                inner: tokio::io::stdout(),
                bar: pb.clone(),
            };
            let got = ch.retrieve(&url.path, &mut w, Range::all()).await?;
            w.inner
                .flush()
                .await
                .map_err(|e| Failure::local("stdout", e))?;
            pb.finish_and_clear();
            super::progress::summary(url.file_name(), got, started.elapsed());
            return Ok(());
        }
        let part = part_path(&local);
        let offset = if a.resume {
            resume_from(&local, &part).await?
        } else {
            0
        };
        let pb = bar(size, url.file_name());
        pb.set_position(offset);
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(a.resume)
            .truncate(!a.resume)
            .open(&part)
            .await
            .map_err(|e| Failure::local(&part.display().to_string(), e))?;
        let mut w = CountingWriter {
            inner: file,
            bar: pb.clone(),
        };
        let got = ch.retrieve(&url.path, &mut w, Range::from(offset)).await?;
        w.inner
            .sync_all()
            .await
            .map_err(|e| Failure::local(&part.display().to_string(), e))?;
        tokio::fs::rename(&part, &local)
            .await
            .map_err(|e| Failure::local(&local.display().to_string(), e))?;
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
        let elapsed = started.elapsed();
        if offset > 0 {
            super::note(format_args!("resumed at byte {offset}"));
        }
        super::progress::summary(&local.display().to_string(), got, elapsed);
        Ok(())
    })
    .await;
    match r {
        Err(f) if !to_stdout => Err(leave_part(f, &part).await),
        r => r,
    }
}

/// After a failed or interrupted download: a `.part` with data stays for `--resume`, and the
/// message says so; an empty one (nothing arrived) goes.
async fn leave_part(mut f: Failure, part: &Path) -> Failure {
    match tokio::fs::metadata(part).await {
        Ok(m) if m.len() > 0 => {
            f.msg = format!(
                "{}; partial download kept as {} (get --resume continues it)",
                f.msg,
                part.display()
            );
        }
        Ok(_) => {
            let _ = tokio::fs::remove_file(part).await;
        }
        Err(_) => {}
    }
    f
}

//! `ftpmodem completions SHELL` and `ftpmodem man`: shell completions and manual pages made
//! from the clap definitions themselves, so that they cannot drift from `--help`.

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Shells with completion scripts.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash: `ftpmodem completions bash > /etc/bash_completion.d/ftpmodem`.
    Bash,
    /// zsh: `ftpmodem completions zsh > ~/.zfunc/_ftpmodem` (a directory in `$fpath`).
    Zsh,
    /// fish: `ftpmodem completions fish > ~/.config/fish/completions/ftpmodem.fish`.
    Fish,
}

#[derive(Args)]
#[command(after_help = "Examples:
  ftpmodem completions bash > /etc/bash_completion.d/ftpmodem
  ftpmodem completions zsh > ~/.zfunc/_ftpmodem
  ftpmodem completions fish > ~/.config/fish/completions/ftpmodem.fish")]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Args)]
#[command(after_help = "Examples:
  ftpmodem man | man -l -
  ftpmodem man --dir /usr/local/share/man/man1   # ftpmodem.1 and ftpmodem-SUBCOMMAND.1")]
pub struct ManArgs {
    /// Write one page per command (ftpmodem.1, ftpmodem-get.1, ...) into this directory
    /// instead of printing ftpmodem.1 on standard output.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn completions(args: CompletionsArgs) -> Result<()> {
    let mut cmd = crate::Cli::command();
    let mut buf = Vec::new();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cmd, "ftpmodem", &mut buf);
    write_stdout(&buf)
}

/// Prints ftpmodem.1, or writes every page into `args.dir`.
pub fn man(args: ManArgs) -> Result<()> {
    let cmd = crate::Cli::command();
    let Some(dir) = args.dir else {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut buf)?;
        return write_stdout(&buf);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(cmd, &dir).with_context(|| format!("writing to {}", dir.display()))?;
    Ok(())
}

fn write_stdout(buf: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(buf)?;
    out.flush()?;
    Ok(())
}

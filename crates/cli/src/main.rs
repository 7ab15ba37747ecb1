//! `ftpmodem`: the FTP service of a OneMO ML30x module in software.

mod config;
mod control;
#[cfg(feature = "demo")]
mod demo;
mod docs;
mod host;
mod network;
mod serve;
mod stdout;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A virtual OneMO ML30x FTP module (AT+MFTP* command set) on a PTY, TCP port, serial line or
/// stdio, carried out against real FTP and FTPS servers.
#[derive(Parser)]
#[command(
    name = "ftpmodem",
    version,
    about,
    after_help = "Examples:
  ftpmodem demo                                   # the manual's session, no setup
  ftpmodem serve --pty /tmp/ttyML307 --model ML307R
  export FTPMODEM_DEVICE=pty:/tmp/ttyML307 FTPMODEM_PASSWORD=12341
  ftpmodem ls ftp://uftp@127.0.0.1/
  ftpmodem put -s /dev/ttyUSB2 log.tar ftp://uftp@ftp.example.net/logs/
  ftpmodem at -s /dev/ttyUSB2 ATI

FTPMODEM_LOG=debug (or -v, -vv) logs to stderr. `ftpmodem <command> --help` for each command."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Cmd,
    /// Only errors on stderr: no summary line after a transfer, no notes.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Log to stderr: -v info, -vv debug, -vvv trace (FTPMODEM_LOG=FILTER wins).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the manual's chapter 4 session against an embedded FTP server and print it.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// Serve a virtual module on a line until Ctrl+C or SIGTERM.
    Serve(serve::ServeArgs),
    /// Send AT commands to a module and print its answers; no command: interactive session.
    At(host::at::AtArgs),
    /// List a directory on an FTP server through a module.
    Ls(host::ls::LsArgs),
    /// Download a file from an FTP server through a module.
    Get(host::get::GetArgs),
    /// Upload a file to an FTP server through a module.
    Put(host::put::PutArgs),
    /// Delete a file or empty directory on an FTP server through a module.
    Rm(host::rm::RmArgs),
    /// Create a directory on an FTP server through a module.
    Mkdir(host::mkdir::MkdirArgs),
    /// Rename a file or directory on an FTP server through a module.
    Mv(host::mv::MvArgs),
    /// Print a file of an FTP server, downloaded through a module.
    Cat(host::cat::CatArgs),
    /// Talk to a served module's control socket: status, faults, events (docs/CONTROL.md).
    Ctl(control::client::CtlArgs),
    /// Print a shell completion script (bash, zsh, fish).
    Completions(docs::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --dir.
    Man(docs::ManArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    host::set_quiet(cli.quiet);
    let level = match cli.verbose {
        0 => "warn,libunftp=error",
        1 => "info,libunftp=error",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FTPMODEM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Colours only on a terminal: a log captured to a file or a CI job stays plain text.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // One thread: the module is one engine task and a few I/O-bound channel tasks, and on the
    // streaming benchmark a multi-threaded runtime spent a third more CPU handing each block
    // between workers, with no gain in speed (BENCHMARKS.md). Blocking file work still goes
    // to tokio's blocking pool.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ftpmodem: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            #[cfg(feature = "demo")]
            Cmd::Demo(args) => demo::run(args).await,
            Cmd::Serve(args) => serve::run(args).await,
            Cmd::At(a) => host::finish(host::at::run(a).await),
            Cmd::Ls(a) => host::finish(host::ls::run(a).await),
            Cmd::Get(a) => host::finish(host::get::run(a).await),
            Cmd::Put(a) => host::finish(host::put::run(a).await),
            Cmd::Rm(a) => host::finish(host::rm::run(a).await),
            Cmd::Mkdir(a) => host::finish(host::mkdir::run(a).await),
            Cmd::Mv(a) => host::finish(host::mv::run(a).await),
            Cmd::Cat(a) => host::finish(host::cat::run(a).await),
            Cmd::Ctl(a) => control::client::run(a).await,
            Cmd::Completions(a) => docs::completions(a),
            Cmd::Man(a) => docs::man(a),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Standard output closed by its reader (`ftpmodem demo --raw | head`): it wanted no more.
        Err(e) if stdout::chain_is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ftpmodem: {e:#}");
            ExitCode::FAILURE
        }
    }
}

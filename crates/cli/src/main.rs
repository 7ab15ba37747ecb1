//! `ftpmodem`: the FTP service of a OneMO ML30x module in software.

mod config;
mod demo;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A virtual OneMO ML30x FTP module (AT+MFTP* command set) on a PTY, TCP port, serial line or
/// stdio, carried out against real FTP and FTPS servers.
#[derive(Parser)]
#[command(name = "ftpmodem", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the manual's chapter 4 session against an embedded FTP server and print it.
    Demo(demo::DemoArgs),
    /// Serve a virtual module on a line until Ctrl+C or SIGTERM.
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("FTPMODEM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,libunftp=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
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
            Cmd::Demo(args) => demo::run(args).await,
            Cmd::Serve(args) => serve::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ftpmodem: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! `ftpmodem completions bash|zsh|fish` and `ftpmodem man`: generated from the clap
//! definitions, they name every subcommand `--help` lists, and the scripts parse in their shell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output, Stdio};

fn ftpmodem(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ftpmodem {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The subcommands `ftpmodem --help` lists (help itself left out).
fn subcommands() -> Vec<String> {
    let help = String::from_utf8(ftpmodem(&["--help"]).stdout).unwrap();
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|n| n != "help")
        .collect();
    for must in ["serve", "at", "ls", "get", "put", "completions", "man"] {
        assert!(names.iter().any(|n| n == must), "{must} not in {names:?}");
    }
    names
}

#[test]
fn completions_name_every_subcommand_and_flags_and_parse() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let script = String::from_utf8(ftpmodem(&["completions", shell]).stdout).unwrap();
        for sub in &subs {
            assert!(script.contains(sub.as_str()), "{shell}: no {sub}");
        }
        for flag in ["pty", "serial", "channel", "ftps", "fs-root"] {
            assert!(script.contains(flag), "{shell}: no --{flag}");
        }
        // The shell itself checks the syntax where it is installed (bash always is).
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ftpmodem.completion");
        std::fs::write(&file, &script).unwrap();
        let checker = Command::new(shell).arg("-n").arg(&file).output();
        match checker {
            Ok(o) => assert!(
                o.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) if shell != "bash" && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("{shell}: {e}"),
        }
    }
    // A shell clap_complete knows but that was not asked for is refused as a usage error.
    let o = Command::new(env!("CARGO_BIN_EXE_ftpmodem"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_page_has_a_th_header_and_every_subcommand() {
    let subs = subcommands();
    let page = String::from_utf8(ftpmodem(&["man"]).stdout).unwrap();
    assert!(
        page.lines().any(|l| l.starts_with(".TH ftpmodem 1")),
        "{page}"
    );
    for sub in &subs {
        assert!(page.contains(sub.as_str()), "man page: no {sub}");
    }
    // --dir: one page per command, each with its own header and its options.
    let dir = tempfile::tempdir().unwrap();
    ftpmodem(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert!(dir.path().join("ftpmodem.1").exists());
    for sub in &subs {
        let p = dir.path().join(format!("ftpmodem-{sub}.1"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            text.contains(&format!(".TH ftpmodem-{sub} 1")),
            "{sub}: {text}"
        );
    }
    let get = std::fs::read_to_string(dir.path().join("ftpmodem-get.1")).unwrap();
    assert!(get.contains("channel"), "{get}");
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Without the server binaries, starting a fixture fails and says how to install them.
//!
//! The binaries are hidden by pointing the `FTPMODEM_*` variables at nothing. That changes
//! the process environment, which the other tests of this binary read while they start
//! servers, so it is done in a child process: this test binary runs itself with the
//! variables set, with the ignored entry below as its only test.

use std::process::Command;

use ftpmodem_testsrv::{
    Proftpd, ProftpdOptions, PureFtpd, PureFtpdOptions, ServerKind, Vsftpd, VsftpdOptions,
    PROFTPD_ENV, PUREFTPD_ENV, VSFTPD_ENV,
};

/// Set (to anything) in the child only.
const CHILD_ENV: &str = "FTPMODEM_MISSING_BINARY_CHILD";

#[test]
fn missing_binaries_fail_with_install_advice() {
    assert!(
        ServerKind::Vsftpd.is_present(),
        "vsftpd should be installed here"
    );
    assert!(
        ServerKind::PureFtpd.is_present(),
        "pure-ftpd should be installed here"
    );
    assert!(
        ServerKind::Proftpd.is_present(),
        "proftpd should be installed here"
    );

    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "missing_binary::missing_binary_child",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env(VSFTPD_ENV, "/nonexistent/vsftpd")
        .env(PUREFTPD_ENV, "/nonexistent/pure-ftpd")
        .env(PROFTPD_ENV, "/nonexistent/proftpd")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // A filter matching nothing would succeed too: the child's test must have run.
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "the child ran no test:\n{stdout}"
    );

    // The variables were the child's: here the servers are still found.
    assert!(ServerKind::Vsftpd.require().is_ok());
    assert!(ServerKind::Proftpd.require().is_ok());
}

/// The child: with the variables pointing at nothing, every system server is missing and
/// every start says how to install it.
#[test]
#[ignore = "child process of missing_binaries_fail_with_install_advice; run by it"]
fn missing_binary_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    assert!(!ServerKind::Vsftpd.is_present());
    assert!(!ServerKind::PureFtpd.is_present());
    assert!(!ServerKind::Proftpd.is_present());

    let e = Vsftpd::start(VsftpdOptions::plain())
        .unwrap_err()
        .to_string();
    assert!(e.contains(".ci/install-test-servers.sh"), "{e}");
    assert!(e.contains("/nonexistent/vsftpd"), "{e}");
    let e = PureFtpd::start(PureFtpdOptions::plain())
        .unwrap_err()
        .to_string();
    assert!(e.contains(".ci/install-test-servers.sh"), "{e}");
    let e = Proftpd::start(ProftpdOptions::plain())
        .unwrap_err()
        .to_string();
    assert!(e.contains(".ci/install-test-servers.sh"), "{e}");
    assert!(e.contains("/nonexistent/proftpd"), "{e}");
}

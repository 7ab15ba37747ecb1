#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Without the server binaries, starting a fixture fails and says how to install them.
//! (Alone in its binary: it changes the process environment.)

use ftpmodem_testsrv::{
    Proftpd, ProftpdOptions, PureFtpd, PureFtpdOptions, ServerKind, Vsftpd, VsftpdOptions,
    PROFTPD_ENV, PUREFTPD_ENV, VSFTPD_ENV,
};

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

    std::env::set_var(VSFTPD_ENV, "/nonexistent/vsftpd");
    std::env::set_var(PUREFTPD_ENV, "/nonexistent/pure-ftpd");
    std::env::set_var(PROFTPD_ENV, "/nonexistent/proftpd");
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

    std::env::remove_var(VSFTPD_ENV);
    std::env::remove_var(PUREFTPD_ENV);
    std::env::remove_var(PROFTPD_ENV);
    assert!(ServerKind::Vsftpd.require().is_ok());
    assert!(ServerKind::Proftpd.require().is_ok());
}

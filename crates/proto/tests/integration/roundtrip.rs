//! Property tests: every value the wire can carry survives `emit` then `parse`, and no input
//! makes a parser panic. The generators and the wire constraints they encode are in
//! `strategy/mod.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::strategy;

use ftpmodem_proto::{syntax, Command, Response, Urc};
use proptest::prelude::*;

/// A valid line of any of the three kinds, to be damaged by the mutation tests.
fn any_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        strategy::command().prop_map(|c| c.to_bytes()),
        strategy::response().prop_map(|r| r.to_bytes()),
        strategy::urc().prop_map(|u| u.to_bytes()),
    ]
}

/// Damage a line: overwrite, insert or delete bytes at random places, or cut it short.
fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), any::<u8>(), 0u8..4);
    (any_line(), prop::collection::vec(edit, 1..6)).prop_map(|(mut line, edits)| {
        for (at, byte, kind) in edits {
            let i = at.index(line.len() + 1);
            match kind {
                0 if i < line.len() => line[i] = byte,
                1 => line.insert(i, byte),
                2 if i < line.len() => {
                    line.remove(i);
                }
                _ => line.truncate(i),
            }
        }
        line
    })
}

/// What a line parses to, if anything, must come back the same when written and read again:
/// parsing normalises (case, spaces, unquoted paths) but never to a value it cannot reread.
fn check_reparse(line: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(c) = Command::parse(line) {
        let out = c.to_bytes();
        prop_assert!(!out.contains(&b'\r') && !out.contains(&b'\n'), "{:?}", c);
        prop_assert_eq!(Command::parse(&out), Ok(c));
    }
    if let Ok(r) = Response::parse(line) {
        prop_assert_eq!(Response::parse(&r.to_bytes()), Ok(r));
    }
    if let Ok(u) = Urc::parse(line) {
        prop_assert_eq!(Urc::parse(&u.to_bytes()), Ok(u));
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    // 2000 cases by default; PROPTEST_CASES=100000 for a long run.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn command_round_trips(c in strategy::command()) {
        let line = c.to_bytes();
        prop_assert!(!line.contains(&b'\r') && !line.contains(&b'\n'));
        prop_assert_eq!(Command::parse(&line), Ok(c));
    }

    #[test]
    fn response_round_trips(r in strategy::response()) {
        let line = r.to_bytes();
        prop_assert_eq!(Response::parse(&line), Ok(r.clone()));
        // A host tries both readers on a line; an answer never reads as a report.
        prop_assert!(Urc::parse(&line).is_err(), "{:?} also reads as a URC", r);
    }

    #[test]
    fn urc_round_trips(u in strategy::urc()) {
        let line = u.to_bytes();
        prop_assert_eq!(Urc::parse(&line), Ok(u.clone()));
        prop_assert!(Response::parse(&line).is_err(), "{:?} also reads as a response", u);
        if !matches!(u, Urc::RetrData { .. }) {
            prop_assert!(!line.contains(&b'\r') && !line.contains(&b'\n'));
        }
    }

    #[test]
    fn mutated_lines_never_panic_and_reparse(line in mutated_line()) {
        let _ = syntax::split(&line);
        check_reparse(&line)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = syntax::split(&line);
        let _ = syntax::split_with_tail(&line, 4);
        check_reparse(&line)?;
    }

    /// Random bytes rarely look like a line; these do, so the parsers' deeper paths run.
    #[test]
    fn line_shaped_bytes_never_panic_and_reparse(
        head in prop::sample::select(vec![
            "AT+MFTPCFG=", "AT+MFTPCONN=", "AT+MFTPRETR=", "AT+MFTPSTOR=", "AT+MFTPAPPE=",
            "AT+MFPUT=", "AT+MSSLCFG=", "AT+CGDCONT=", "at+mftplist=", "AT", "ATE",
            "+MFTPCFG: ", "+MFTPRETR: ", "+MFTPLIST: ", "+MFGET: ", "+MFTPPWD: ",
            "+MSSLCFG: ", "+CME ERROR: ", "+MFTPURC: ", "+MIPCALL: ", "+MFLIST: ",
        ]),
        body in prop::collection::vec(
            prop_oneof![
                Just(b','), Just(b'"'), Just(b'('), Just(b')'), Just(b' '),
                b'0'..=b'9', any::<u8>(),
            ],
            0..64,
        ),
    ) {
        let mut line = head.as_bytes().to_vec();
        line.extend(body);
        let _ = syntax::split(&line);
        check_reparse(&line)?;
    }
}

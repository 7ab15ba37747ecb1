//! Random input never stops the module.
use super::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Whatever arrives, the engine does not panic, its output stays bounded, and after a
    /// prompt time-out and a CR it answers `AT` again.
    #[test]
    fn random_bytes_never_stop_the_module(chunks in proptest::collection::vec(
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            Just(b"AT+MFPUT=\"/usr/f\",5\r".to_vec()),
            Just(b"AT+MFTPCFG=0\r".to_vec()),
            Just(b"AT+MFTPCONN=0,\"h\"\r".to_vec()),
            Just(b"AT+MFTPSTOR=0,\"f\"\r".to_vec()),
            Just(b"\"\r".to_vec()),
        ],
        0..40,
    )) {
        let mut r = rig();
        for c in &chunks {
            r.send_bytes(c);
            r.actions();
            prop_assert!(r.e.take_output().len() < 1 << 20);
        }
        r.wait(61_000);
        r.wait(1_100);
        r.send("\r");
        // A connect from the garbage may have put channel 0 in transparent mode; a real
        // escape ends it.
        r.wait(1_100);
        r.send("+++");
        r.wait(1_100);
        r.send("\r");
        let out = r.send("AT\r");
        prop_assert!(out.ends_with("\r\nOK\r\n"), "{:?}", out);
    }
}

//! libFuzzer target: raw serial bytes into the device engine, with time passing.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::engine_input(data));

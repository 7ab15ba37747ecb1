//! libFuzzer target: listing bytes through the line splitter and the MLSD, Unix and DOS parsers (see `ftpmodem_fuzz::list_parsers`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::list_parsers(data));

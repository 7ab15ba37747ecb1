//! libFuzzer target: one host->module command line (without CR).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::command_line(data));

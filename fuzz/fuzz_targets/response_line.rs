//! libFuzzer target: one module->host line (without CRLF framing), read as a response and as
//! a URC.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::response_line(data));

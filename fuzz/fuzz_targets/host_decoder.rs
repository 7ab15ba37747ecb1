//! libFuzzer target: the module-output decoder, bytes split any way (see `ftpmodem_fuzz::host_decoder`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::host_decoder(data));

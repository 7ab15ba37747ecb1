//! libFuzzer target: FTP replies split any way, and the decoders of 227/229/257/FEAT/SIZE/MDTM/150 (see `ftpmodem_fuzz::ftp_reply`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ftpmodem_fuzz::ftp_reply(data));

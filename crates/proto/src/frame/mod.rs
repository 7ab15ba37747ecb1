//! The module's output on the wire, in both directions: [`encode`] frames what the module prints
//! (`\r\n<line>\r\n` lines, the `>` prompt, data-bearing lines such as `+MFTPRETR` and `+MFGET`),
//! [`decode`] reads that byte stream back, incrementally, for hosts, tests and benchmarks. This is
//! the one place that knows the framing; nothing else writes or splits `\r\n` by hand.

pub mod decode;
pub mod encode;

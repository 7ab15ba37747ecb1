//! Framing of the module's output (manual §2: every line is `\r\n<line>\r\n`).

//! Local file system sandbox.

//! An incremental decoder of the module's output (the reverse of [`super::encode`]).

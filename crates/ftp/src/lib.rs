//! FTP client.

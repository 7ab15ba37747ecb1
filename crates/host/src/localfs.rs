//! The module's own file system (vendor file commands `AT+MFPUT` ... `AT+MFMOVE`): files the
//! module can upload from (local_fs 1), download into, and use as TLS certificates.

use crate::driver::Data;
use crate::error::{Error, Result};
use crate::types::arg;
use crate::Modem;
use ftpmodem_proto::{Command, Response};

/// Largest `AT+MFPUT` prompt, as the protocol crate defines it.
pub use ftpmodem_proto::command::MFPUT_MAX;

/// One entry of `AT+MFLIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsEntry {
    /// Module path.
    pub path: String,
    /// Size of a file; `None` for a directory.
    pub size: Option<u64>,
}

/// `AT+MFSINFO`: capacity and free space in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsInfo {
    /// Capacity.
    pub total: u64,
    /// Free bytes.
    pub free: u64,
}

impl Modem {
    /// Writes `data` to the module file `path`, replacing it (`AT+MFPUT` with a `>` prompt of
    /// exactly `data.len()` bytes, any byte values). 1 to 65536 bytes. Returns the bytes the
    /// module wrote.
    pub async fn fs_put(&self, path: &str, data: &[u8]) -> Result<u64> {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        if len == 0 || len > MFPUT_MAX {
            return Err(Error::Invalid(format!(
                "AT+MFPUT takes 1 to {MFPUT_MAX} bytes, not {}",
                data.len()
            )));
        }
        let cmd = Command::MfPut {
            path: arg("path", path)?,
            len,
            data: None,
        };
        let a = self
            .submit(
                cmd.to_bytes(),
                Data::Prompt(data.to_vec(), data.len() as u64),
                self.opts.command_timeout,
            )
            .await?;
        a.info
            .into_iter()
            .find_map(|r| match r {
                Response::MfPut(n) => Some(n),
                _ => None,
            })
            .ok_or_else(|| Error::Protocol("AT+MFPUT printed no +MFPUT".into()))
    }

    /// Reads the module file `path` (`AT+MFGET`; the module refuses files over its limit,
    /// 1 MiB by default, with 1053).
    pub async fn fs_get(&self, path: &str) -> Result<Vec<u8>> {
        let a = self.command(&Command::MfGet(arg("path", path)?)).await?;
        a.info
            .into_iter()
            .find_map(|r| match r {
                Response::MfGet(d) => Some(d),
                _ => None,
            })
            .ok_or_else(|| Error::Protocol("AT+MFGET printed no +MFGET".into()))
    }

    /// Lists the module's files (`AT+MFLIST`), all of them or those under `dir`.
    pub async fn fs_list(&self, dir: Option<&str>) -> Result<Vec<FsEntry>> {
        let dir = dir.map(|d| arg("directory", d)).transpose()?;
        let a = self.command(&Command::MfList(dir)).await?;
        Ok(a.info
            .into_iter()
            .filter_map(|r| match r {
                Response::MfList { path, size } => Some(FsEntry { path, size }),
                _ => None,
            })
            .collect())
    }

    /// Size of the module file `path` (`AT+MFSIZE`).
    pub async fn fs_size(&self, path: &str) -> Result<u64> {
        let a = self.command(&Command::MfSize(arg("path", path)?)).await?;
        a.info
            .into_iter()
            .find_map(|r| match r {
                Response::MfSize(n) => Some(n),
                _ => None,
            })
            .ok_or_else(|| Error::Protocol("AT+MFSIZE printed no size".into()))
    }

    /// Capacity and free space of the module's file system (`AT+MFSINFO`).
    pub async fn fs_info(&self) -> Result<FsInfo> {
        let a = self.command(&Command::MfSinfo).await?;
        a.info
            .into_iter()
            .find_map(|r| match r {
                Response::MfSinfo { total, free } => Some(FsInfo { total, free }),
                _ => None,
            })
            .ok_or_else(|| Error::Protocol("AT+MFSINFO printed no sizes".into()))
    }

    /// Deletes the module file `path` (`AT+MFDELETE`).
    pub async fn fs_delete(&self, path: &str) -> Result<()> {
        self.command(&Command::MfDelete(arg("path", path)?))
            .await
            .map(drop)
    }

    /// Renames the module file `from` to `to` (`AT+MFMOVE`).
    pub async fn fs_move(&self, from: &str, to: &str) -> Result<()> {
        self.command(&Command::MfMove(
            arg("old path", from)?,
            arg("new path", to)?,
        ))
        .await
        .map(drop)
    }
}

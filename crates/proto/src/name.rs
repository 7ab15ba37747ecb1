//! Names of the extended commands (`AT+<NAME>`), which double as the headers of their
//! responses (`+<NAME>: ...`).

macro_rules! names {
    ($($(#[$m:meta])* $v:ident = $s:literal),+ $(,)?) => {
        /// An extended command name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Name { $($(#[$m])* $v),+ }
        impl Name {
            /// Every name, for tables and tests.
            pub const ALL: &'static [Name] = &[$(Name::$v),+];
            /// The name as written after `AT+` and after `+` in a response.
            pub fn as_str(self) -> &'static str {
                match self { $(Name::$v => $s),+ }
            }
        }
    };
}

names! {
    /// `AT+CGMI`: manufacturer (27.007 §5.1).
    Cgmi = "CGMI",
    /// `AT+CGMM`: model (27.007 §5.2).
    Cgmm = "CGMM",
    /// `AT+CGMR`: revision (27.007 §5.3).
    Cgmr = "CGMR",
    /// `AT+CSQ`: signal quality (27.007 §8.5; ONEMO-RELATED.md §A.5).
    Csq = "CSQ",
    /// `AT+CESQ`: extended signal quality (27.007 §8.69; ONEMO-RELATED.md §A.5).
    Cesq = "CESQ",
    /// `AT+CEREG`: EPS registration, read form and URC (27.007 §10.1.22; ONEMO-RELATED.md §A.4).
    Cereg = "CEREG",
    /// `AT+CGREG`: GPRS registration, read form and URC (27.007 §10.1.20; §A.4).
    Cgreg = "CGREG",
    /// `AT+COPS`: operator (27.007 §7.3; §A.4).
    Cops = "COPS",
    /// `AT+CGATT`: packet domain attach (27.007 §10.1.9; §A.4).
    Cgatt = "CGATT",
    /// `AT+CFUN`: phone functionality, flight mode (27.007 §8.2; §A.5).
    Cfun = "CFUN",
    /// `AT+CGPADDR`: PDP addresses (27.007 §10.1.14; ONEMO-RELATED.md §A.4).
    Cgpaddr = "CGPADDR",
    /// `AT+CGSN[=<snt>]`: serial number, IMEI (27.007 §5.4; ONEMO-RELATED.md §A.5).
    Cgsn = "CGSN",
    /// `AT+GSN`: serial number, IMEI (V.25ter §6.1.6 style, bare line).
    Gsn = "GSN",
    /// `AT+CIMI`: IMSI, a bare line (27.007 §5.6; ONEMO-RELATED.md §A.5).
    Cimi = "CIMI",
    /// `AT+MCCID`: ICCID, `+MCCID: <iccid>` (ONEMO-RELATED.md §A.5).
    Mccid = "MCCID",
    /// `AT+ICCID`: ICCID, `+ICCID: <iccid>` (ONEMO-RELATED.md §A.5, esp-ml307).
    Iccid = "ICCID",
    /// `AT+CPIN?`: SIM state, `+CPIN: READY` (27.007 §8.3; ONEMO-RELATED.md §A.4).
    Cpin = "CPIN",
    /// `AT+CMEE`: error report mode (manual §2.2).
    Cmee = "CMEE",
    /// `AT+MFTPCFG` (§3.1).
    MftpCfg = "MFTPCFG",
    /// `AT+MFTPCONN` (§3.2).
    MftpConn = "MFTPCONN",
    /// `AT+MFTPDISC` (§3.3).
    MftpDisc = "MFTPDISC",
    /// `AT+MFTPCWD` (§3.4).
    MftpCwd = "MFTPCWD",
    /// `AT+MFTPPWD` (§3.5).
    MftpPwd = "MFTPPWD",
    /// `AT+MFTPMKD` (§3.6).
    MftpMkd = "MFTPMKD",
    /// `AT+MFTPLIST` (§3.7).
    MftpList = "MFTPLIST",
    /// `AT+MFTPDEL` (§3.8).
    MftpDel = "MFTPDEL",
    /// `AT+MFTPRN` (§3.9).
    MftpRn = "MFTPRN",
    /// `AT+MFTPRETR` (§3.10).
    MftpRetr = "MFTPRETR",
    /// `AT+MFTPAPPE` (§3.11).
    MftpAppe = "MFTPAPPE",
    /// `AT+MFTPSTOR` (§3.12).
    MftpStor = "MFTPSTOR",
    /// `AT+MFTPSTATE` (§3.13).
    MftpState = "MFTPSTATE",
    /// `+MFTPURC` (§3.14): URC only.
    MftpUrc = "MFTPURC",
    /// `AT+MFPUT`: write a local file (vendor file commands).
    MfPut = "MFPUT",
    /// `AT+MFGET`: read a local file.
    MfGet = "MFGET",
    /// `AT+MFLIST`: list local files.
    MfList = "MFLIST",
    /// `AT+MFSIZE`: size of a local file.
    MfSize = "MFSIZE",
    /// `AT+MFSINFO`: total and free space.
    MfSinfo = "MFSINFO",
    /// `AT+MFDELETE`: delete a local file.
    MfDelete = "MFDELETE",
    /// `AT+MFMOVE`: rename a local file.
    MfMove = "MFMOVE",
    /// `AT+CGDCONT`: PDP context definition (27.007 §10.1.1).
    Cgdcont = "CGDCONT",
    /// `AT+CGACT`: PDP context activation (27.007 §10.1.10).
    Cgact = "CGACT",
    /// `AT+MIPCALL`: vendor PDP activation with the address report.
    Mipcall = "MIPCALL",
    /// `AT+MSSLCFG`: TLS context settings.
    MsslCfg = "MSSLCFG",
    /// `AT+MSSLCERTWR`: write a certificate file.
    MsslCertWr = "MSSLCERTWR",
    /// `AT+MSSLKEYWR`: write a private key file.
    MsslKeyWr = "MSSLKEYWR",
    /// `+MATREADY`: start-up URC.
    MatReady = "MATREADY",
    /// `AT+MFOPEN`: open a local file, `+MFOPEN: <handle>` (ONEMO-RELATED.md §C.3).
    MfOpen = "MFOPEN",
    /// `AT+MFREAD`: read from an open file, `+MFREAD: <h>,<total>,<cum>,<this>,<data>` (§C.3).
    MfRead = "MFREAD",
    /// `AT+MFWRITE`: write to an open file, `+MFWRITE: <h>,<written>` (§C.3).
    MfWrite = "MFWRITE",
    /// `AT+MFSEEK`: move or read the position of an open file (§C.3).
    MfSeek = "MFSEEK",
    /// `AT+MFCLOSE`: close an open file (§C.3).
    MfClose = "MFCLOSE",
    /// `AT+MFTRUNC`: truncate or extend an open file (§C.3).
    MfTrunc = "MFTRUNC",
    /// `AT+MFSYNC`: flush an open file (§C.3).
    MfSync = "MFSYNC",
    /// `AT+MFCHECK`: MD5 of a local file, `+MFCHECK: <32 hex>` (§C.3, E2).
    MfCheck = "MFCHECK",
    /// `AT+MFCFG`: file command settings `"timeout"` and `"encoding"` (§C.3).
    MfCfg = "MFCFG",
    /// `AT+MREBOOT[=<n>]`: restart the module (ONEMO-RELATED.md §A.6).
    Mreboot = "MREBOOT",
    /// `AT+IPR`: UART rate (V.250 §6.2.10; ONEMO-RELATED.md §A.3).
    Ipr = "IPR",
    /// `AT+MLPMCFG`: low-power settings (ONEMO-RELATED.md §A.6).
    Mlpmcfg = "MLPMCFG",
}

impl Name {
    /// Case-insensitive lookup, as modules accept `at+mftpcfg`.
    pub fn from_bytes(b: &[u8]) -> Option<Name> {
        Name::ALL
            .iter()
            .copied()
            .find(|n| n.as_str().as_bytes().eq_ignore_ascii_case(b))
    }
}

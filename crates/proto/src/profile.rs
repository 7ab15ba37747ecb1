//! Model profiles: what each ML30x variant accepts (manual §1.1, §3.1 footnotes 1-3) and the
//! identification it prints. `generic` is the whole command set, which no hardware has.

/// A module model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// Everything: active mode, implicit and explicit FTPS, cid 1-15.
    Generic,
    /// ML302A-DSLM/GSLM.
    Ml302a,
    /// ML305A-DS.
    Ml305a,
    /// ML307A-DSLN/GSLN.
    Ml307a,
    /// ML305U-DBLN: cid 1-7 (footnote 3).
    Ml305u,
    /// ML307R-DC.
    Ml307r,
}

/// Limits and identity of one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Which model.
    pub model: Model,
    /// Name as given on the command line and printed by `AT+CGMM`.
    pub name: &'static str,
    /// Highest `<pdp_cid>`.
    pub cid_max: u8,
    /// `transmode` 0 allowed (footnote 1 says the hardware is passive only).
    pub active_mode: bool,
    /// `ssl` 1 and 2 allowed (footnote 2 says the hardware is plain FTP only).
    pub ftps: bool,
    /// Bytes per `+MFTPRETR` chunk on the serial line (NOTES: default 1024).
    pub retr_chunk: usize,
    /// `AT+CGMI` and the first line of `ATI`.
    pub manufacturer: &'static str,
    /// `AT+CGMR`: `<model>-<variant>-<build>` on hardware (ONEMO-RELATED.md §A.2).
    pub revision: &'static str,
    /// `ATI` prints the hardware's three bare lines with one CRLF between them and no
    /// `Revision:` label (ONEMO-RELATED.md §A.2); `generic` keeps its own three-line form.
    pub ati_hardware: bool,
    /// Type allocation code (8 digits) of the IMEI: the IMEI is this, a 6-digit serial and the
    /// Luhn digit, so it is valid and stable per model.
    pub tac: &'static str,
    /// `<rssi>` of `AT+CSQ`: 0-31, 99 unknown (there is no radio; a fixed, plausible value).
    pub rssi: u8,
    /// `<ber>` of `AT+CSQ`: 0-7, 99 unknown (ONEMO-RELATED.md §A.5: seen `+CSQ: 13,99`).
    pub ber: u8,
    /// The `<fun>` values `AT+CFUN` accepts (ONEMO-RELATED.md §A.5).
    pub cfun_levels: &'static [u8],
    /// Whether `AT+CFUN` takes `<rst>` (the ML305U has none, §A.5).
    pub cfun_rst: bool,
    /// `<rsrq>` of `AT+CESQ`: 0-34, 255 unknown (27.007 §8.69).
    pub rsrq: u8,
    /// `<rsrp>` of `AT+CESQ`: 0-97, 255 unknown (27.007 §8.69).
    pub rsrp: u8,
    /// `AT+MSSLCFG="sni"` exists: the SSL manual gives it to the MR880A only
    /// (ONEMO-RELATED.md §B.1), so the ML30x refuse it; `generic` has it.
    pub ssl_sni: bool,
    /// Years `AT+CCLK` takes, both ends included; the two digits on the wire name the one
    /// year of this range that ends in them (ONEMO-RELATED.md §A.5: 1970-2037 on the ML30x).
    pub clock_years: (u16, u16),
    /// `AT+CCLK` refuses the zones -01 and +01 (§A.5: the ML30x models the testers list).
    pub clock_refuses_zone_one: bool,
}

impl Model {
    /// All models, generic first.
    pub const ALL: [Model; 6] = [
        Model::Generic,
        Model::Ml302a,
        Model::Ml305a,
        Model::Ml307a,
        Model::Ml305u,
        Model::Ml307r,
    ];

    /// The profile of this model.
    pub fn profile(self) -> Profile {
        let hw = |model, name, cid_max, revision, tac| Profile {
            model,
            name,
            cid_max,
            active_mode: false,
            ftps: false,
            retr_chunk: 1024,
            manufacturer: "CMCC",
            revision,
            ati_hardware: true,
            tac,
            rssi: 24,
            ber: 99,
            // A good LTE cell, in keeping with rssi 24: RSRQ -9.5 dB, RSRP -91 dBm.
            cfun_levels: &[0, 1, 3, 4, 5],
            cfun_rst: true,
            rsrq: 20,
            rsrp: 50,
            ssl_sni: false,
            clock_years: (1970, 2037),
            clock_refuses_zone_one: true,
        };
        match self {
            Model::Generic => Profile {
                active_mode: true,
                ftps: true,
                ssl_sni: true,
                manufacturer: "CMIOT",
                ati_hardware: false,
                // 27.007's default: any two-digit year (1970-2069), every zone.
                clock_years: (1970, 2069),
                clock_refuses_zone_one: false,
                ..hw(Model::Generic, "generic", 15, "ftpmodem-0.1.0", "86000000")
            },
            // Only the ML307R string is seen (§A.2); the others follow its pattern with the
            // variant the manual names (§1.1).
            Model::Ml302a => hw(
                Model::Ml302a,
                "ML302A",
                15,
                "ML302A-DSLM-MBRH0S00",
                "86412302",
            ),
            Model::Ml305a => hw(
                Model::Ml305a,
                "ML305A",
                15,
                "ML305A-DS-MBRH0S00",
                "86412305",
            ),
            Model::Ml307a => hw(
                Model::Ml307a,
                "ML307A",
                15,
                "ML307A-DSLN-MBRH0S00",
                "86412307",
            ),
            // §A.5: the ML305U takes fun 0, 1, 4 and no <rst>; it is not among the models
            // whose clock is limited to 1970-2037 without zones ±01.
            Model::Ml305u => Profile {
                cfun_levels: &[0, 1, 4],
                cfun_rst: false,
                clock_years: (1970, 2069),
                clock_refuses_zone_one: false,
                ..hw(
                    Model::Ml305u,
                    "ML305U",
                    7,
                    "ML305U-DBLN-MBRH0S00",
                    "86412315",
                )
            },
            Model::Ml307r => hw(
                Model::Ml307r,
                "ML307R",
                15,
                "ML307R-DC-MBRH0S00",
                "86412317",
            ),
        }
    }

    /// Case-insensitive lookup by name (`ml307r`, `generic`).
    pub fn from_name(s: &str) -> Option<Model> {
        Model::ALL
            .into_iter()
            .find(|m| m.profile().name.eq_ignore_ascii_case(s))
    }
}

impl Default for Profile {
    fn default() -> Self {
        Model::Generic.profile()
    }
}

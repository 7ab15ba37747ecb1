//! `--scenario FILE`: faults armed at start-up (docs/CONTROL.md "Scenario files"). TOML, one
//! `[[fault]]` table per fault in the schema of the control socket's `arm`. Any error refuses
//! the whole file, naming the line and the reason, before the module starts.

use super::spec::{self, Fault};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    fault: Vec<toml::Spanned<toml::Table>>,
}

/// Reads and checks a scenario.
pub fn load(path: &Path) -> anyhow::Result<Vec<Fault>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("scenario {}: {e}", path.display()))?;
    parse(&text).map_err(|e| anyhow::anyhow!("scenario {}: {e}", path.display()))
}

/// See [`load`]; the error names the line.
pub fn parse(text: &str) -> Result<Vec<Fault>, String> {
    // toml's own message names the line and column.
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let mut out = Vec::new();
    for t in file.fault {
        let line = line_of(text, t.span().start);
        let v = serde_json::to_value(t.get_ref()).map_err(|e| format!("line {line}: {e}"))?;
        out.push(spec::parse_any(v).map_err(|e| format!("line {line}: {e}"))?);
    }
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use ftpmodem_device::control::{ModuleFault, When};

    #[test]
    fn faults_in_order_and_errors_with_their_line() {
        let ok = "[[fault]]\nkind = \"registration_lost\"\ntrigger = { when = \"next_retr\", duration_ms = 2000 }\n\n[[fault]]\nkind = \"signal\"\nrssi = 5\n\n[[fault]]\nkind = \"stall\"\n[fault.trigger]\nwhen = \"next_retr\"\nafter_bytes = 1000\n";
        let f = parse(ok).unwrap();
        assert_eq!(f.len(), 3);
        let Fault::Module(m) = &f[0] else { panic!() };
        assert_eq!(m.fault, ModuleFault::RegistrationLost);
        assert_eq!(m.trigger.when, When::Retr);
        assert!(matches!(f[2], Fault::Network(_)));
        let bad = "[[fault]]\nkind = \"hang\"\n\n[[fault]]\nkind = \"pdp_drop\"\n";
        let e = parse(bad).unwrap_err();
        assert!(e.starts_with("line 4: pdp_drop needs a cid"), "{e}");
        let e = parse("[[fault]]\nkind = \"reset_after\"\nbytes = 0\n").unwrap_err();
        assert!(e.starts_with("line 1: reset_after"), "{e}");
        let e = parse("[[fault]\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let e = parse("[[faults]]\nkind = \"hang\"\n").unwrap_err();
        assert!(e.contains("faults"), "{e}");
    }

    #[test]
    fn the_scenario_of_the_docs_is_accepted() {
        let doc = include_str!("../../../../docs/CONTROL.md");
        let start = doc.find("```toml\n").expect("a toml block") + "```toml\n".len();
        let end = start + doc[start..].find("```").expect("its end");
        let f = parse(&doc[start..end]).unwrap();
        assert_eq!(f.len(), 3);
    }
}

//! Windows/Office activation error-code catalog.
//!
//! The catalog is data: `knowledge/codes.yaml` at the top of the repository, compiled into the
//! binary with `include_str!` and parsed once on first use. This module only loads and queries
//! it; it does no I/O and knows nothing about checks beyond their ids.
//!
//! * [`catalog`] returns the parsed, validated catalog.
//! * [`parse_code`] reads a code the way users paste it (`0xC004F074`, `C004F074`,
//!   `3221549172`, `-1073418124`).
//! * [`format_code`] prints the canonical form (`0xC004F074`).
//! * [`describe_unknown`] decodes the HRESULT fields of a code that is not in the catalog,
//!   without guessing what it means.
//!
//! Commands in the catalog use `<name>` placeholders declared in the file's `placeholders:`
//! map, and `cscript ospp.vbs …` stands for the `ospp.vbs` found in one of
//! [`Catalog::office_paths`].

pub mod srv_order;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer};

/// The embedded catalog source.
pub const CODES_YAML: &str = include_str!("../../../knowledge/codes.yaml");

/// Check ids that catalog entries may name in `checks`; the default rule pack defines them.
pub const CHECK_IDS: &[&str] = &[
    "srv.present",
    "srv.agreement",
    "srv.inventory",
    "resolve.host",
    "tcp.port",
    "kms.rpc-bind",
    "clock.kms-host",
    "clock.reference",
    "route.path",
    "proxy.env",
    "icmp.echo",
];

/// Which part of the system an error points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// DNS discovery of the KMS host (SRV records, suffixes, DNS servers).
    Dns,
    /// The network path to the host: routing, firewalls, VPN, RPC transport.
    Network,
    /// Clock skew between client and host.
    Time,
    /// The KMS host's own state (activated, count, product).
    Host,
    /// Keys and licenses; not decidable from the network.
    Licensing,
    /// Informational activation states (grace periods).
    State,
    /// Local to the client machine (rights, hardware, genuineness).
    Local,
}

impl Layer {
    /// The lower-case name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Dns => "dns",
            Layer::Network => "network",
            Layer::Time => "time",
            Layer::Host => "host",
            Layer::Licensing => "licensing",
            Layer::State => "state",
            Layer::Local => "local",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One remediation step: what to do and the exact commands for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    pub what: String,
    pub commands: Vec<String>,
}

/// One error code and what is known about it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    /// The code; written in the YAML in canonical form (`"0xC004F074"`).
    #[serde(deserialize_with = "de_canonical_code")]
    pub code: u32,
    /// Symbolic name (SL_E_…, DNS_ERROR_…), where a source gives one.
    pub symbol: Option<String>,
    /// A status rather than a failure (grace periods).
    #[serde(default)]
    pub informational: bool,
    pub title: String,
    pub meaning: String,
    pub layer: Layer,
    pub causes: Vec<String>,
    /// Ids of kms-preflight checks that decide between the causes (subset of [`CHECK_IDS`]).
    pub checks: Vec<String>,
    pub fix: Vec<Fix>,
    /// Microsoft Learn pages that support the entry.
    pub sources: Vec<String>,
}

impl CodeEntry {
    /// The canonical spelling of [`CodeEntry::code`].
    pub fn code_str(&self) -> String {
        format_code(self.code)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: u32,
    office_paths: Vec<String>,
    placeholders: BTreeMap<String, String>,
    codes: Vec<CodeEntry>,
}

/// The parsed and validated catalog.
#[derive(Debug)]
pub struct Catalog {
    version: u32,
    office_paths: Vec<String>,
    placeholders: BTreeMap<String, String>,
    entries: Vec<CodeEntry>,
    index: HashMap<u32, usize>,
}

/// Why a catalog document was rejected.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog YAML: {0}")]
    Yaml(String),
    #[error("catalog: unsupported version {0} (expected 1)")]
    Version(u32),
    #[error("catalog: code {0} appears more than once")]
    Duplicate(String),
    #[error("catalog: entry {code}: {problem}")]
    Entry { code: String, problem: String },
}

impl Catalog {
    /// Parses and validates a catalog document (the embedded one, or a user's own).
    pub fn from_yaml(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            serde_saphyr::from_str(text).map_err(|e| CatalogError::Yaml(e.to_string()))?;
        if file.version != 1 {
            return Err(CatalogError::Version(file.version));
        }
        let mut index = HashMap::with_capacity(file.codes.len());
        for (i, entry) in file.codes.iter().enumerate() {
            if index.insert(entry.code, i).is_some() {
                return Err(CatalogError::Duplicate(entry.code_str()));
            }
            validate_entry(entry, &file.placeholders).map_err(|problem| CatalogError::Entry {
                code: entry.code_str(),
                problem,
            })?;
        }
        Ok(Catalog {
            version: file.version,
            office_paths: file.office_paths,
            placeholders: file.placeholders,
            entries: file.codes,
            index,
        })
    }

    /// Schema version of the document.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The entry for `code`, if the catalog has one.
    pub fn lookup(&self, code: u32) -> Option<&CodeEntry> {
        self.index.get(&code).map(|&i| &self.entries[i])
    }

    /// All entries, in file order.
    pub fn entries(&self) -> &[CodeEntry] {
        &self.entries
    }

    /// Where `ospp.vbs` lives for Office 2010/2013/2016+ (64- and 32-bit Program Files).
    pub fn office_paths(&self) -> &[String] {
        &self.office_paths
    }

    /// `<name>` placeholders used in commands, with what to substitute.
    pub fn placeholders(&self) -> &BTreeMap<String, String> {
        &self.placeholders
    }
}

fn validate_entry(e: &CodeEntry, placeholders: &BTreeMap<String, String>) -> Result<(), String> {
    for (field, value) in [("title", &e.title), ("meaning", &e.meaning)] {
        if value.trim().is_empty() {
            return Err(format!("`{field}` is empty"));
        }
    }
    if e.title.contains('\n') {
        return Err("`title` must be one line".into());
    }
    if !e.informational && e.fix.is_empty() {
        return Err("needs at least one `fix` (or `informational: true`)".into());
    }
    if e.sources.is_empty() {
        return Err("needs at least one source".into());
    }
    for check in &e.checks {
        if !CHECK_IDS.contains(&check.as_str()) {
            return Err(format!(
                "unknown check id `{check}` (expected one of: {})",
                CHECK_IDS.join(", ")
            ));
        }
    }
    for fix in &e.fix {
        if fix.what.trim().is_empty() {
            return Err("a fix has an empty `what`".into());
        }
        for cmd in &fix.commands {
            for name in placeholder_names(cmd) {
                if !placeholders.contains_key(name) {
                    return Err(format!(
                        "command `{cmd}` uses undeclared placeholder <{name}>"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Names of `<name>` placeholders in a command (lower-case letters, digits and `-`).
fn placeholder_names(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = cmd;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    out.push(name);
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

fn de_canonical_code<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let s = String::deserialize(d)?;
    let hex = s.strip_prefix("0x").filter(|h| {
        h.len() == 8
            && h.chars()
                .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
    });
    match hex {
        Some(h) => u32::from_str_radix(h, 16).map_err(serde::de::Error::custom),
        None => Err(serde::de::Error::custom(format!(
            "code `{s}` is not canonical: expected 0x followed by 8 upper-case hex digits, like \"0xC004F074\""
        ))),
    }
}

/// The embedded catalog, parsed on first use.
///
/// The data is compiled in and parsed by a unit test, so the `expect` cannot fire in a built binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::from_yaml(CODES_YAML)
            .expect("embedded knowledge/codes.yaml is valid (unit-tested)")
    })
}

/// Canonical spelling of a code: `0x` and 8 upper-case hex digits.
pub fn format_code(code: u32) -> String {
    format!("0x{code:08X}")
}

/// Why a user-supplied code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeParseError {
    #[error("empty error code; {EXPECTED}")]
    Empty,
    #[error("`{input}` is not an error code: {reason}; {EXPECTED}")]
    Invalid { input: String, reason: &'static str },
    #[error("`{input}` does not fit in 32 bits; {EXPECTED}")]
    OutOfRange { input: String },
}

const EXPECTED: &str =
    "expected a 32-bit code as hex (0xC004F074 or C004F074), decimal (3221549172) \
     or negative decimal (-1073418124)";

/// Reads an error code as users paste it.
///
/// Accepted, after trimming whitespace:
/// * hex with `0x`/`0X`: `0xC004F074`, `0XC004f074`;
/// * hex without prefix if it contains a hex letter (`C004F074`), or is exactly 8 digits
///   (`80070005`, the usual HRESULT spelling);
/// * other digit strings as decimal: `3221549172`;
/// * negative decimal, the signed HRESULT some tools print: `-1073418124`.
pub fn parse_code(input: &str) -> Result<u32, CodeParseError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(CodeParseError::Empty);
    }
    let invalid = |reason| CodeParseError::Invalid {
        input: s.to_string(),
        reason,
    };
    let out_of_range = || CodeParseError::OutOfRange {
        input: s.to_string(),
    };

    if let Some(digits) = s.strip_prefix('-') {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("after `-` only decimal digits are allowed"));
        }
        let magnitude: u64 = digits.parse().map_err(|_| out_of_range())?;
        if magnitude > 1 << 31 {
            return Err(out_of_range());
        }
        return Ok((-(magnitude as i64)) as i32 as u32);
    }

    let (hex, forced) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    if forced && hex.is_empty() {
        return Err(invalid("nothing after `0x`"));
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(
            "contains characters that are neither decimal nor hex digits",
        ));
    }
    let all_decimal = hex.bytes().all(|b| b.is_ascii_digit());
    if forced || !all_decimal || hex.len() == 8 {
        let significant = hex.trim_start_matches('0');
        if significant.len() > 8 {
            return Err(out_of_range());
        }
        return u32::from_str_radix(hex, 16).map_err(|_| out_of_range());
    }
    let value: u64 = hex.parse().map_err(|_| out_of_range())?;
    u32::try_from(value).map_err(|_| out_of_range())
}

/// Describes a code that is not in the catalog by its HRESULT fields only.
///
/// Severity (bit 31), the customer bit (29), the NTSTATUS-mapping bit (28), facility
/// (bits 16–26) and the code word. Facility 7 (FACILITY_WIN32) is shown as the Win32 error
/// number; facility 4 (FACILITY_ITF) in the 0xC004xxxx / 0x4004xxxx range is named as the
/// Software Licensing (SL) range. No meaning is guessed.
pub fn describe_unknown(code: u32) -> String {
    let failure = code & 0x8000_0000 != 0;
    let customer = code & 0x2000_0000 != 0;
    let nt_mapped = code & 0x1000_0000 != 0;
    let facility = (code >> 16) & 0x7FF;
    let word = code & 0xFFFF;

    let mut parts = vec![format!(
        "severity: {}",
        if failure {
            "failure (bit 31 set)"
        } else {
            "success/informational (bit 31 clear)"
        }
    )];
    if customer {
        parts.push("customer-defined code (bit 29 set)".to_string());
    }
    if nt_mapped {
        parts.push("mapped from an NTSTATUS (bit 28 set)".to_string());
    }
    let facility_text = match facility {
        7 if !customer && !nt_mapped => {
            format!("facility 7 (FACILITY_WIN32): Win32 error {word} (0x{word:04X})")
        }
        4 if !customer && !nt_mapped => {
            let top = code >> 16;
            if top == 0xC004 || top == 0x4004 {
                format!(
                    "facility 4 (FACILITY_ITF), Software Licensing (SL) range; code word 0x{word:04X}"
                )
            } else {
                format!("facility 4 (FACILITY_ITF); code word 0x{word:04X}")
            }
        }
        _ => format!("facility {facility}; code word 0x{word:04X} ({word})"),
    };
    parts.push(facility_text);
    format!(
        "{} is not in the kms-preflight catalog. HRESULT fields: {}. Its meaning is not known here.",
        format_code(code),
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes the catalog must cover.
    const REQUIRED: &[u32] = &[
        0x4004F00C, 0x4004F00D, 0xC004F074, 0xC004F038, 0xC004F039, 0xC004F041, 0xC004F042,
        0xC004F06C, 0x8007232A, 0x8007232B, 0x8007251D, 0x8007007B, 0x800706BA, 0xC004F035,
        0xC004F050, 0xC004C008, 0xC004C003, 0xC004F034, 0xC004F213, 0x80072EE2, 0x8004FE21,
        0xC0020017, 0x8007139F, 0x80092328, 0xC004F00F, 0x80070005,
    ];

    fn spellings(code: u32) -> Vec<String> {
        let upper = format!("{code:08X}");
        let lower = upper.to_lowercase();
        let mut v = vec![
            format!("0x{upper}"),
            format!("0X{upper}"),
            format!("0x{lower}"),
            format!("0X{lower}"),
            upper.clone(),
            lower.clone(),
            code.to_string(),
            format!("  0x{upper}\t\n"),
            format!(" {code} "),
        ];
        // Mixed case, as in `0XC004f074`.
        let mixed: String = upper
            .chars()
            .enumerate()
            .map(|(i, c)| if i >= 4 { c.to_ascii_lowercase() } else { c })
            .collect();
        v.push(format!("0X{mixed}"));
        v.push(mixed);
        if code & 0x8000_0000 != 0 {
            v.push((code as i32).to_string());
        }
        v
    }

    #[test]
    fn embedded_catalog_parses_and_validates() {
        let c = Catalog::from_yaml(CODES_YAML).expect("embedded catalog");
        assert_eq!(c.version(), 1);
        assert!(!c.entries().is_empty());
        // The global accessor agrees.
        assert_eq!(catalog().entries().len(), c.entries().len());
    }

    #[test]
    fn every_required_code_is_found_in_every_spelling() {
        let c = catalog();
        for &code in REQUIRED {
            let entry = c
                .lookup(code)
                .unwrap_or_else(|| panic!("{} missing from catalog", format_code(code)));
            assert_eq!(entry.code, code);
            for s in spellings(code) {
                let parsed = parse_code(&s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
                assert_eq!(parsed, code, "spelling {s:?}");
                assert!(c.lookup(parsed).is_some());
            }
        }
    }

    #[test]
    fn documented_examples_parse() {
        for s in [
            "0xC004F074",
            "0XC004f074",
            "C004F074",
            "c004f074",
            "3221549172",
            "-1073418124",
        ] {
            assert_eq!(parse_code(s), Ok(0xC004F074), "{s}");
        }
        assert_eq!(parse_code("80070005"), Ok(0x80070005));
        assert_eq!(parse_code("5"), Ok(5));
        assert_eq!(parse_code("0x5"), Ok(5));
        assert_eq!(parse_code("-1"), Ok(0xFFFF_FFFF));
        assert_eq!(parse_code("-2147483648"), Ok(0x8000_0000));
        assert_eq!(parse_code("4294967295"), Ok(u32::MAX));
        assert_eq!(parse_code("0x00000000C004F074"), Ok(0xC004F074));
    }

    #[test]
    fn bad_inputs_are_rejected_with_a_clear_message() {
        for s in [
            "",
            "   ",
            "0x",
            "0X",
            "-",
            "--5",
            "0xG004F074",
            "C004F07Z",
            "hello",
            "+5",
            "0x+5",
            "-0x5",
            "-c004f074",
            "0xC004 F074",
            "1.5",
            "0x-1",
        ] {
            let err = parse_code(s).expect_err(s);
            let msg = err.to_string();
            assert!(msg.contains("expected"), "{s:?}: {msg}");
        }
        for s in [
            "0x1C004F074",
            "1C004F074",
            "4294967296",
            "-2147483649",
            "99999999999999999999999",
        ] {
            assert!(
                matches!(parse_code(s), Err(CodeParseError::OutOfRange { .. })),
                "{s}"
            );
        }
        assert_eq!(parse_code(""), Err(CodeParseError::Empty));
    }

    #[test]
    fn entries_are_complete() {
        for e in catalog().entries() {
            let code = e.code_str();
            assert!(!e.title.trim().is_empty(), "{code}: title");
            assert!(!e.title.contains('\n'), "{code}: title must be one line");
            assert!(!e.meaning.trim().is_empty(), "{code}: meaning");
            assert!(!e.layer.as_str().is_empty(), "{code}: layer");
            assert!(e.informational || !e.fix.is_empty(), "{code}: needs a fix");
            assert!(!e.causes.is_empty(), "{code}: causes");
            assert!(!e.sources.is_empty(), "{code}: sources");
            for src in &e.sources {
                assert!(
                    src.starts_with("https://learn.microsoft.com/")
                        || src.starts_with("https://docs.microsoft.com/"),
                    "{code}: source {src} is not a Microsoft Learn URL"
                );
            }
            if let Some(sym) = &e.symbol {
                assert!(
                    !sym.is_empty()
                        && sym
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                    "{code}: symbol {sym}"
                );
            }
        }
        // Only the grace-period states are informational.
        let informational: Vec<u32> = catalog()
            .entries()
            .iter()
            .filter(|e| e.informational)
            .map(|e| e.code)
            .collect();
        assert_eq!(informational, vec![0x4004F00C, 0x4004F00D]);
    }

    #[test]
    fn check_ids_are_known() {
        for e in catalog().entries() {
            for check in &e.checks {
                assert!(
                    CHECK_IDS.contains(&check.as_str()),
                    "{}: unknown check id {check}",
                    e.code_str()
                );
            }
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in catalog().entries() {
            assert!(seen.insert(e.code), "duplicate {}", e.code_str());
        }
        assert_eq!(seen.len(), catalog().entries().len());
    }

    #[test]
    fn office_paths_cover_office14_to_16_in_both_program_files() {
        let paths = catalog().office_paths();
        for v in ["Office14", "Office15", "Office16"] {
            for root in ["%ProgramFiles%", "%ProgramFiles(x86)%"] {
                let want = format!(r"{root}\Microsoft Office\{v}\ospp.vbs");
                assert!(paths.contains(&want), "missing {want}");
            }
        }
    }

    #[test]
    fn format_code_is_canonical() {
        assert_eq!(format_code(0xC004F074), "0xC004F074");
        assert_eq!(format_code(0x7B), "0x0000007B");
    }

    #[test]
    fn validation_rejects_bad_documents() {
        let entry = |code: &str, extra: &str| {
            format!(
                "  - code: \"{code}\"\n    title: t\n    meaning: m\n    layer: dns\n    causes: [c]\n    checks: []\n    fix: [{{what: w, commands: [x]}}]\n    sources: [https://learn.microsoft.com/x]\n{extra}"
            )
        };
        let doc = |codes: String| {
            format!("version: 1\noffice_paths: []\nplaceholders: {{host: h}}\ncodes:\n{codes}")
        };
        assert!(Catalog::from_yaml(&doc(entry("0x00000001", ""))).is_ok());
        // Duplicate code.
        let dup = doc(format!(
            "{}{}",
            entry("0x00000001", ""),
            entry("0x00000001", "")
        ));
        assert!(matches!(
            Catalog::from_yaml(&dup),
            Err(CatalogError::Duplicate(_))
        ));
        // Non-canonical code, unknown field, unknown layer, duplicate key.
        assert!(Catalog::from_yaml(&doc(entry("0xc004f074", ""))).is_err());
        assert!(Catalog::from_yaml(&doc(entry("0x00000001", "    colour: red\n"))).is_err());
        assert!(Catalog::from_yaml(&doc(entry("0x00000001", "").replace("dns", "dnz"))).is_err());
        assert!(Catalog::from_yaml(&doc(entry("0x00000001", "    title: again\n"))).is_err());
        // Unknown check id; undeclared placeholder.
        let bad_check = doc(entry("0x00000001", "").replace("checks: []", "checks: [tcp.1688]"));
        assert!(matches!(
            Catalog::from_yaml(&bad_check),
            Err(CatalogError::Entry { .. })
        ));
        let bad_ph =
            doc(entry("0x00000001", "").replace("commands: [x]", "commands: [\"ping <nope>\"]"));
        assert!(matches!(
            Catalog::from_yaml(&bad_ph),
            Err(CatalogError::Entry { .. })
        ));
    }

    #[test]
    fn describe_unknown_decodes_fields_only() {
        let win32 = describe_unknown(0x80070490);
        assert!(win32.contains("0x80070490"), "{win32}");
        assert!(win32.contains("failure"), "{win32}");
        assert!(win32.contains("FACILITY_WIN32"), "{win32}");
        assert!(win32.contains("Win32 error 1168"), "{win32}");

        let sl = describe_unknown(0xC004F0AA);
        assert!(sl.contains("FACILITY_ITF"), "{sl}");
        assert!(sl.contains("Software Licensing (SL) range"), "{sl}");

        let info = describe_unknown(0x4004F0AA);
        assert!(info.contains("success/informational"), "{info}");
        assert!(info.contains("Software Licensing (SL) range"), "{info}");

        let itf = describe_unknown(0x80040154);
        assert!(itf.contains("FACILITY_ITF") && !itf.contains("Software Licensing"));

        let other = describe_unknown(0x80090308);
        assert!(other.contains("facility 9"), "{other}");
        assert!(other.contains("not known"), "{other}");
    }

    #[test]
    fn placeholder_scanner() {
        assert_eq!(
            placeholder_names("slmgr /skms <kms-host>:<port>"),
            vec!["kms-host", "port"]
        );
        assert!(placeholder_names("echo a<b").is_empty());
        assert!(placeholder_names("x <Not A Name> y").is_empty());
    }
}

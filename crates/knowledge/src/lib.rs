//! Windows/Office activation error-code catalog, and the KMS product catalog ([`products`]:
//! products, KMS counted ids, host keys (CSVLKs) and ePID decoding tables, from
//! `knowledge/kms-products.yaml`; provenance in `knowledge/kms-products.PROVENANCE.md`).
//!
//! The catalog is data: `knowledge/codes.yaml` at the top of the repository, with its
//! Japanese texts in `knowledge/codes.ja.yaml`, both compiled into the binary with
//! `include_str!` and parsed once on first use. This module only loads and queries them; it
//! does no I/O and knows nothing about checks beyond their ids.
//!
//! * [`catalog`] returns the parsed, validated catalog, Japanese texts included.
//! * [`CodeEntry::text`] gives an entry's prose in a [`Lang`]; commands are never translated.
//! * [`parse_code`] reads a code the way users paste it (`0xC004F074`, `C004F074`,
//!   `3221549172`, `-1073418124`).
//! * [`format_code`] prints the canonical form (`0xC004F074`).
//! * [`describe_unknown`] decodes the HRESULT fields of a code that is not in the catalog,
//!   without guessing what it means.
//!
//! Commands in the catalog use `<name>` placeholders declared in the file's `placeholders:`
//! map, and `cscript ospp.vbs …` stands for the `ospp.vbs` found in one of
//! [`Catalog::office_paths`].

pub mod products;
pub mod srv_order;
mod translation;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

/// The embedded catalog source.
pub const CODES_YAML: &str = include_str!("../../../knowledge/codes.yaml");

/// The embedded Japanese texts of the catalog.
pub const CODES_JA_YAML: &str = include_str!("../../../knowledge/codes.ja.yaml");

/// How the embedded files are named in errors.
const CODES_FILE: &str = "knowledge/codes.yaml";
const CODES_JA_FILE: &str = "knowledge/codes.ja.yaml";

/// Check ids that catalog entries may name in `checks`; the built-in rules define them (the
/// default pack, and `kms.activation` in the opt-in `rules/activation.yaml`).
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
    "kms.activation",
];

/// Catalog check ids that run only when the user opts in, with the option that enables them.
pub const OPT_IN_CHECKS: &[(&str, &str)] = &[("kms.activation", "--activation-probe")];

/// A language the catalog's prose is written in. English is the catalog itself; every other
/// language is a translation file checked against it. The tags are those of the message
/// catalogs (`en`, `ja`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    /// The BCP 47 tag (`en`, `ja`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en` or `ja`, in any case, with or without a region (`ja-JP`, `ja_JP`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

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

/// One error code and what is known about it. The prose fields are English; [`CodeEntry::text`]
/// gives them in another language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// The code; written in the YAML in canonical form (`"0xC004F074"`).
    pub code: u32,
    /// Symbolic name (SL_E_…, DNS_ERROR_…), where a source gives one.
    pub symbol: Option<String>,
    /// A status rather than a failure (grace periods).
    pub informational: bool,
    pub title: String,
    pub meaning: String,
    pub layer: Layer,
    /// Where the code is shown (a command, a label, an event, and on which machine); empty
    /// where no source says.
    pub shown_by: Vec<String>,
    pub causes: Vec<String>,
    /// Ids of kms-preflight checks that decide between the causes (subset of [`CHECK_IDS`]).
    pub checks: Vec<String>,
    pub fix: Vec<Fix>,
    /// Microsoft Learn pages that support the entry.
    pub sources: Vec<String>,
    /// The Japanese texts, when a translation was loaded.
    ja: Option<Box<Translated>>,
}

/// An entry's prose in one language, parallel to the English: `causes`, `shown_by` and `fix`
/// have the English entry's length and order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Translated {
    title: String,
    meaning: String,
    shown_by: Vec<String>,
    causes: Vec<String>,
    /// `fix[i].what`.
    fix: Vec<String>,
    sources: Vec<String>,
}

/// An entry's texts in one language, borrowed from the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryText<'a> {
    /// The language of these texts: the one asked for, or English when the catalog has no
    /// translation of this entry.
    pub lang: Lang,
    pub title: &'a str,
    pub meaning: &'a str,
    pub shown_by: &'a [String],
    pub causes: &'a [String],
    entry: &'a CodeEntry,
    fix_what: Option<&'a [String]>,
    /// Microsoft pages in this language (for English, the entry's `sources`).
    pub sources: &'a [String],
}

/// One remediation step in one language; the commands are the English entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixText<'a> {
    pub what: &'a str,
    pub commands: &'a [String],
}

impl<'a> EntryText<'a> {
    /// The remediation steps, in the entry's order.
    pub fn fixes(&self) -> impl Iterator<Item = FixText<'a>> + 'a {
        let whats = self.fix_what;
        self.entry
            .fix
            .iter()
            .enumerate()
            .map(move |(i, f)| FixText {
                what: whats.map_or(f.what.as_str(), |w| w[i].as_str()),
                commands: &f.commands,
            })
    }
}

impl CodeEntry {
    /// The canonical spelling of [`CodeEntry::code`].
    pub fn code_str(&self) -> String {
        format_code(self.code)
    }

    /// Whether the entry has its texts in `lang`.
    pub fn has_text(&self, lang: Lang) -> bool {
        match lang {
            Lang::En => true,
            Lang::Ja => self.ja.is_some(),
        }
    }

    /// The entry's prose in `lang`, falling back to English (see [`EntryText::lang`]) when the
    /// catalog has no translation of it. The embedded catalog has Japanese for every entry.
    pub fn text(&self, lang: Lang) -> EntryText<'_> {
        match (lang, &self.ja) {
            (Lang::Ja, Some(t)) => EntryText {
                lang: Lang::Ja,
                title: &t.title,
                meaning: &t.meaning,
                shown_by: &t.shown_by,
                causes: &t.causes,
                entry: self,
                fix_what: Some(&t.fix),
                sources: &t.sources,
            },
            _ => EntryText {
                lang: Lang::En,
                title: &self.title,
                meaning: &self.meaning,
                shown_by: &self.shown_by,
                causes: &self.causes,
                entry: self,
                fix_what: None,
                sources: &self.sources,
            },
        }
    }

    /// The title in `lang` (English when there is no translation).
    pub fn title_in(&self, lang: Lang) -> &str {
        self.text(lang).title
    }
}

/// An entry as written in `codes.yaml`, with the location of its code for errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: Spanned<String>,
    symbol: Option<String>,
    #[serde(default)]
    informational: bool,
    title: String,
    meaning: String,
    layer: Layer,
    #[serde(default)]
    shown_by: Vec<String>,
    causes: Vec<String>,
    checks: Vec<String>,
    fix: Vec<Fix>,
    sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: Spanned<u32>,
    office_paths: Vec<String>,
    placeholders: BTreeMap<String, String>,
    codes: Vec<RawEntry>,
}

/// The parsed and validated catalog.
#[derive(Debug)]
pub struct Catalog {
    version: u32,
    office_paths: Vec<String>,
    placeholders: BTreeMap<String, String>,
    placeholders_ja: Option<BTreeMap<String, String>>,
    entries: Vec<CodeEntry>,
    index: HashMap<u32, usize>,
}

/// Why a catalog document was rejected: the file as named by the caller, and the 1-based line
/// and column where it is known (0 when it is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for CatalogError {}

impl CatalogError {
    fn at(file: &str, loc: Location, message: impl Into<String>) -> CatalogError {
        CatalogError {
            file: file.to_string(),
            line: loc.line(),
            column: loc.column(),
            message: message.into(),
        }
    }

    /// A YAML or schema error from the parser, at the parser's position. The parser's own
    /// message repeats the position and may add a snippet; only the reason is kept.
    fn yaml(file: &str, e: &serde_saphyr::Error) -> CatalogError {
        let full = e.without_snippet().to_string();
        let mut message = full.lines().next().unwrap_or("").trim().to_string();
        if let Some(rest) = message.strip_prefix("error: ") {
            message = rest.to_string();
        }
        if message.starts_with("line ") {
            if let Some((pos, reason)) = message.split_once(": ") {
                if pos.contains(" column ") {
                    message = reason.to_string();
                }
            }
        }
        if let Some(i) = message.rfind(" at line ") {
            if message[i..].contains(", column ") {
                message.truncate(i);
            }
        }
        CatalogError::at(file, e.location().unwrap_or(Location::UNKNOWN), message)
    }
}

impl Catalog {
    /// Parses and validates a catalog document (the embedded one, or a user's own), English
    /// only; errors name the file as `codes.yaml`.
    pub fn from_yaml(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::parse("codes.yaml", text)
    }

    /// Parses and validates a catalog document; errors name `file` with line and column.
    pub fn parse(file: &str, text: &str) -> Result<Catalog, CatalogError> {
        let doc: CatalogFile =
            serde_saphyr::from_str(text).map_err(|e| CatalogError::yaml(file, &e))?;
        if doc.version.value != 1 {
            return Err(CatalogError::at(
                file,
                doc.version.referenced,
                format!("unsupported version {} (expected 1)", doc.version.value),
            ));
        }
        let mut index = HashMap::with_capacity(doc.codes.len());
        let mut entries = Vec::with_capacity(doc.codes.len());
        for raw in doc.codes {
            let at = raw.code.referenced;
            let code =
                canonical_code(&raw.code.value).map_err(|m| CatalogError::at(file, at, m))?;
            let entry = CodeEntry {
                code,
                symbol: raw.symbol,
                informational: raw.informational,
                title: raw.title,
                meaning: raw.meaning,
                layer: raw.layer,
                shown_by: raw.shown_by,
                causes: raw.causes,
                checks: raw.checks,
                fix: raw.fix,
                sources: raw.sources,
                ja: None,
            };
            if index.insert(code, entries.len()).is_some() {
                return Err(CatalogError::at(
                    file,
                    at,
                    format!("code {} appears more than once", entry.code_str()),
                ));
            }
            validate_entry(&entry, &doc.placeholders).map_err(|problem| {
                CatalogError::at(file, at, format!("entry {}: {problem}", entry.code_str()))
            })?;
            entries.push(entry);
        }
        Ok(Catalog {
            version: doc.version.value,
            office_paths: doc.office_paths,
            placeholders: doc.placeholders,
            placeholders_ja: None,
            entries,
            index,
        })
    }

    /// Adds the texts of a translation file (`codes.<lang>.yaml`), checked against this
    /// catalog: an entry for every code and for no other, the same number of causes, places
    /// shown and fixes in each, the same placeholders, and text in the file's language
    /// throughout. Errors name `file` with line and column.
    pub fn with_translation(mut self, file: &str, text: &str) -> Result<Catalog, CatalogError> {
        let t = translation::parse(file, text, &self)?;
        for (code, texts) in t.entries {
            let i = self.index[&code];
            self.entries[i].ja = Some(Box::new(texts));
        }
        self.placeholders_ja = Some(t.placeholders);
        Ok(self)
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

    /// `<name>` placeholders used in commands, with what to substitute (English).
    pub fn placeholders(&self) -> &BTreeMap<String, String> {
        &self.placeholders
    }

    /// The placeholders' descriptions in `lang` (English when that language is not loaded);
    /// the names are the same in every language.
    pub fn placeholders_in(&self, lang: Lang) -> &BTreeMap<String, String> {
        match (lang, &self.placeholders_ja) {
            (Lang::Ja, Some(p)) => p,
            _ => &self.placeholders,
        }
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
    if e.shown_by.iter().any(|s| s.trim().is_empty()) {
        return Err("a `shown_by` line is empty".into());
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

/// A code as the catalog files write it: `0x` and 8 upper-case hex digits.
fn canonical_code(s: &str) -> Result<u32, String> {
    s.strip_prefix("0x")
        .filter(|h| {
            h.len() == 8
                && h.chars()
                    .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        })
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or_else(|| {
            format!(
                "code `{s}` is not canonical: expected 0x followed by 8 upper-case hex digits, like \"0xC004F074\""
            )
        })
}

/// The embedded catalog with its Japanese texts, parsed on first use.
///
/// The data is compiled in and parsed by a unit test, so the `expect` cannot fire in a built binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::parse(CODES_FILE, CODES_YAML)
            .and_then(|c| c.with_translation(CODES_JA_FILE, CODES_JA_YAML))
            .unwrap_or_else(|e| panic!("embedded catalog is valid (unit-tested): {e}"))
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
    Invalid { input: String, reason: InvalidCode },
    #[error("`{input}` does not fit in 32 bits; {EXPECTED}")]
    OutOfRange { input: String },
}

/// What is wrong with a string that is not an error code (a renderer words it per language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidCode {
    /// `-` followed by something else than decimal digits.
    DashNotDecimal,
    /// `0x` and nothing after it.
    NothingAfterPrefix,
    /// Characters that are neither decimal nor hex digits.
    NotDigits,
}

impl InvalidCode {
    /// A stable token (`dash-not-decimal`, …), for message arguments.
    pub fn as_str(&self) -> &'static str {
        match self {
            InvalidCode::DashNotDecimal => "dash-not-decimal",
            InvalidCode::NothingAfterPrefix => "nothing-after-prefix",
            InvalidCode::NotDigits => "not-digits",
        }
    }
}

impl std::fmt::Display for InvalidCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InvalidCode::DashNotDecimal => "after `-` only decimal digits are allowed",
            InvalidCode::NothingAfterPrefix => "nothing after `0x`",
            InvalidCode::NotDigits => "contains characters that are neither decimal nor hex digits",
        })
    }
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
            return Err(invalid(InvalidCode::DashNotDecimal));
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
        return Err(invalid(InvalidCode::NothingAfterPrefix));
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(InvalidCode::NotDigits));
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
/// The HRESULT fields of a code, as [`describe_unknown`] reads them (a renderer words them
/// per language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HresultFields {
    /// Bit 31: a failure.
    pub failure: bool,
    /// Bit 29: customer-defined.
    pub customer: bool,
    /// Bit 28: mapped from an NTSTATUS.
    pub nt_mapped: bool,
    /// Bits 16–26.
    pub facility: u32,
    /// The low 16 bits.
    pub word: u32,
    /// Facility 4 in the 0xC004/0x4004 range: Software Licensing.
    pub software_licensing: bool,
}

pub fn hresult_fields(code: u32) -> HresultFields {
    let top = code >> 16;
    HresultFields {
        failure: code & 0x8000_0000 != 0,
        customer: code & 0x2000_0000 != 0,
        nt_mapped: code & 0x1000_0000 != 0,
        facility: (code >> 16) & 0x7FF,
        word: code & 0xFFFF,
        software_licensing: top == 0xC004 || top == 0x4004,
    }
}

pub fn describe_unknown(code: u32) -> String {
    let HresultFields {
        failure,
        customer,
        nt_mapped,
        facility,
        word,
        software_licensing,
    } = hresult_fields(code);

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
            if software_licensing {
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
        0xC0020017, 0x8007139F, 0x80092328, 0xC004F00F, 0x80070005, 0xC004C020, 0xC004F069,
        0x80072F8F, 0xC004F025,
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

    /// A one-entry catalog document; `extra` lines go into the entry.
    fn doc_with(code: &str, extra: &str) -> String {
        format!(
            "version: 1\noffice_paths: []\nplaceholders: {{host: h}}\ncodes:\n{}",
            entry_yaml(code, extra)
        )
    }

    fn entry_yaml(code: &str, extra: &str) -> String {
        format!(
            "  - code: \"{code}\"\n    title: t\n    meaning: m\n    layer: dns\n    causes: [c]\n    checks: []\n    fix: [{{what: w, commands: [x]}}]\n    sources: [https://learn.microsoft.com/x]\n{extra}"
        )
    }

    fn rejected(text: &str) -> CatalogError {
        Catalog::parse("test.yaml", text).expect_err("should be rejected")
    }

    #[test]
    fn validation_rejects_bad_documents() {
        assert!(Catalog::from_yaml(&doc_with("0x00000001", "")).is_ok());
        // The entry starts on line 5; its code is at column 11.
        let dup = format!(
            "{}{}",
            doc_with("0x00000001", ""),
            entry_yaml("0x00000001", "")
        );
        let e = rejected(&dup);
        assert!(e.message.contains("more than once"), "{e}");
        assert_eq!((e.line, e.column), (13, 11), "{e}");
        // Non-canonical code: at the code.
        let e = rejected(&doc_with("0xc004f074", ""));
        assert!(e.message.contains("not canonical"), "{e}");
        assert_eq!(
            e.to_string().split(':').take(3).collect::<Vec<_>>(),
            ["test.yaml", "5", "11"]
        );
        // Unknown field, unknown layer, duplicate key: the parser's position.
        for (extra, want, line) in [
            ("    colour: red\n", "colour", 13),
            ("    title: again\n", "title", 13),
        ] {
            let e = rejected(&doc_with("0x00000001", extra));
            assert!(e.message.contains(want), "{e}");
            assert_eq!(e.line, line, "{e}");
            assert!(e.column > 0, "{e}");
        }
        let e = rejected(&doc_with("0x00000001", "").replace("dns", "dnz"));
        assert!(e.message.contains("dnz"), "{e}");
        assert_eq!(e.line, 8, "{e}");
        // Unknown check id; undeclared placeholder; empty shown_by line: at the entry's code.
        let e = rejected(&doc_with("0x00000001", "").replace("checks: []", "checks: [tcp.1688]"));
        assert!(e.message.contains("unknown check id `tcp.1688`"), "{e}");
        assert_eq!((e.line, e.column), (5, 11), "{e}");
        let e = rejected(
            &doc_with("0x00000001", "").replace("commands: [x]", "commands: [\"ping <nope>\"]"),
        );
        assert!(e.message.contains("<nope>"), "{e}");
        let e = rejected(&doc_with("0x00000001", "    shown_by: [\" \"]\n"));
        assert!(e.message.contains("shown_by"), "{e}");
        // Version.
        let e = rejected(&doc_with("0x00000001", "").replace("version: 1", "version: 2"));
        assert_eq!((e.line, e.column), (1, 10), "{e}");
        assert!(e.message.contains("unsupported version 2"), "{e}");
        // Broken YAML.
        let e = rejected("version: 1\ncodes: [\n");
        assert!(e.line > 0 && !e.message.is_empty(), "{e}");
        assert!(e.to_string().starts_with("test.yaml:"), "{e}");
    }

    #[test]
    fn shown_by_is_read() {
        let e = catalog().lookup(0x4004F00C).unwrap();
        assert!(
            e.shown_by
                .iter()
                .any(|s| s.contains("ospp.vbs /dstatus") && s.contains("ERROR CODE")),
            "{:?}",
            e.shown_by
        );
        let host = catalog().lookup(0xC004C008).unwrap();
        assert!(
            host.shown_by.iter().any(|s| s.contains("on the KMS host")),
            "{:?}",
            host.shown_by
        );
        assert!(
            host.meaning.contains("not on KMS clients"),
            "{}",
            host.meaning
        );
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::from_tag("ja"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("JA-jp"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("ja_JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag(""), None);
        for l in Lang::ALL {
            assert_eq!(Lang::from_tag(l.tag()), Some(l));
        }
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

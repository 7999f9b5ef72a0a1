//! What a Windows client says about itself, read from the text engineers paste: `slmgr /dli`,
//! `/dlv`, `/xpr`, `cscript ospp.vbs /dstatus`, `reg query` of the SoftwareProtectionPlatform
//! keys and `ipconfig /all`, in English or Japanese, UTF-8, UTF-16 (with a BOM) or CP932.
//! Several outputs may be in one input. The caller hands bytes; nothing here does I/O.
//!
//! * [`parse`] reads one input into a [`ClientState`] (or says what it looked like);
//! * [`merge`] / [`group_by_machine`] join the inputs of one machine, [`shared_cmids`]
//!   finds CMIDs different machines share;
//! * [`discovery`] says how a product finds its KMS host, in Microsoft's documented order.

mod decode;
mod detect;
mod discovery;
mod ipconfig;
mod machines;
mod missing;
mod model;
mod ospp;
mod reg;
mod shape;
mod slmgr;
mod text;

pub use decode::MAX_INPUT_BYTES;

/// The most licensing products one input may list (`slmgr /dlv all` on a machine with every
/// Office SKU shows a few hundred).
pub const MAX_PRODUCTS: usize = 4096;
/// The most registry values one input may list (a `reg query /s` of the licensing keys holds
/// a few dozen).
pub const MAX_REGISTRY_VALUES: usize = 16384;
pub use discovery::{discovery, Discovery, DiscoveryNote, Route};
pub use machines::{
    group_by_machine, last_dns_host, merge, shared_cmids, ClientMachine, Conflict, SharedCmid,
};
pub use model::*;

use std::fmt;

/// Why an input was not read. Every variant names the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// No bytes, or only whitespace.
    Empty { source: String },
    /// Over [`MAX_INPUT_BYTES`].
    TooLarge { source: String, bytes: usize },
    /// Not text: NULs or control characters, or bytes that are neither UTF-8 nor CP932.
    Binary {
        source: String,
        encoding: Option<TextEncoding>,
        detail: String,
        /// The first bytes in hex, to show what it was.
        first_bytes: String,
    },
    /// More products or registry values than any client prints (`slmgr /dlv all` lists a few
    /// hundred licenses): the work on such an input would be unbounded.
    TooManyRecords {
        source: String,
        what: &'static str,
        limit: usize,
    },
    /// Text, but none of the outputs this crate reads.
    Unrecognized {
        source: String,
        encoding: TextEncoding,
        /// The first non-blank line (shortened).
        first_line: String,
    },
}

impl ParseError {
    pub fn source_name(&self) -> &str {
        match self {
            ParseError::Empty { source }
            | ParseError::TooLarge { source, .. }
            | ParseError::Binary { source, .. }
            | ParseError::TooManyRecords { source, .. }
            | ParseError::Unrecognized { source, .. } => source,
        }
    }
}

const ACCEPTED: &str = "expected the output of slmgr /dli, /dlv or /xpr, cscript ospp.vbs \
                        /dstatus, reg query of a SoftwareProtectionPlatform key, or ipconfig /all";

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty { source } => write!(f, "{source}: empty input; {ACCEPTED}"),
            ParseError::TooLarge { source, bytes } => write!(
                f,
                "{source}: {bytes} bytes is over the {} MiB limit for a client's output; \
                 {ACCEPTED}",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
            ParseError::Binary {
                source,
                detail,
                first_bytes,
                ..
            } => write!(
                f,
                "{source}: binary data, not text: {detail} (first bytes: {first_bytes}); \
                 {ACCEPTED}"
            ),
            ParseError::TooManyRecords {
                source,
                what,
                limit,
            } => write!(
                f,
                "{source}: more than {limit} {what}; no Windows client prints that many, so \
                 this is not one client's output"
            ),
            ParseError::Unrecognized {
                source,
                encoding,
                first_line,
            } => write!(
                f,
                "{source}: not a Windows client output this tool reads ({encoding} text; first \
                 line: {first_line:?}); {ACCEPTED}"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

fn hex_prefix(bytes: &[u8]) -> String {
    let mut s: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 16 {
        s.push("…".into());
    }
    s.join(" ")
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Reads one input: `source` names it in the model and in errors, `bytes` is its content.
pub fn parse(source: &str, bytes: &[u8]) -> Result<ClientState, ParseError> {
    let decoded = decode::decode(bytes).map_err(|e| match e {
        decode::DecodeError::Empty => ParseError::Empty {
            source: source.to_string(),
        },
        decode::DecodeError::TooLarge { bytes } => ParseError::TooLarge {
            source: source.to_string(),
            bytes,
        },
        decode::DecodeError::Binary { encoding, detail } => ParseError::Binary {
            source: source.to_string(),
            encoding,
            detail,
            first_bytes: hex_prefix(bytes),
        },
    })?;
    let lines = text::lines(&decoded.text);
    let sections = detect::sections(&lines);
    let mut state = ClientState {
        source: source.to_string(),
        encoding: decoded.encoding,
        formats: Vec::new(),
        language: Language::English,
        machine: Machine::default(),
        products: Vec::new(),
        licenses_not_in_use: Vec::new(),
        missing: Vec::new(),
    };
    let add_format = |formats: &mut Vec<InputFormat>, f: InputFormat| {
        if !formats.contains(&f) {
            formats.push(f);
        }
    };
    for sec in &sections {
        let part = &lines[sec.start..sec.end];
        match sec.kind {
            detect::Kind::Slmgr => {
                let out = slmgr::parse(part);
                for p in &out.products {
                    add_format(&mut state.formats, p.format);
                }
                if out.products.is_empty() && !out.not_in_use.is_empty() {
                    add_format(&mut state.formats, InputFormat::SlmgrDlv);
                }
                state.products.extend(out.products);
                state.licenses_not_in_use.extend(out.not_in_use);
            }
            detect::Kind::Ospp => {
                let out = ospp::parse(part);
                add_format(&mut state.formats, InputFormat::OsppDstatus);
                state.products.extend(out.products);
                if out.cmid.is_some() {
                    state.machine.office_cmid = out.cmid;
                }
            }
            detect::Kind::Reg => {
                add_format(&mut state.formats, InputFormat::RegQuery);
                state.machine.registry.extend(reg::parse(part));
            }
            detect::Kind::Ipconfig => {
                add_format(&mut state.formats, InputFormat::IpconfigAll);
                let m = ipconfig::parse(part).machine;
                let into = &mut state.machine;
                into.host_name = into.host_name.take().or(m.host_name);
                into.primary_dns_suffix = into.primary_dns_suffix.take().or(m.primary_dns_suffix);
                into.suffix_search_list = into.suffix_search_list.take().or(m.suffix_search_list);
                into.adapters.extend(m.adapters);
            }
            detect::Kind::Unknown => {}
        }
    }
    let too_many = |what, limit| ParseError::TooManyRecords {
        source: source.to_string(),
        what,
        limit,
    };
    if state.products.len() + state.licenses_not_in_use.len() > MAX_PRODUCTS {
        return Err(too_many("licensing products", MAX_PRODUCTS));
    }
    if state.machine.registry.len() > MAX_REGISTRY_VALUES {
        return Err(too_many("registry values", MAX_REGISTRY_VALUES));
    }
    if state.formats.is_empty() {
        let first_line = lines
            .iter()
            .map(|l| l.text.trim())
            .find(|t| !t.is_empty())
            .unwrap_or("");
        return Err(ParseError::Unrecognized {
            source: source.to_string(),
            encoding: decoded.encoding,
            first_line: shorten(first_line, 80),
        });
    }
    state.language = language(&lines, &sections);
    missing::machine(&state.machine, &state.formats, &mut state.missing);
    for (i, p) in state.products.iter().enumerate() {
        missing::product(i, p, &mut state.missing);
    }
    Ok(state)
}

/// The language of the labels in the recognised sections.
fn language(lines: &[text::Line], sections: &[detect::Section]) -> Language {
    let mut other = false;
    for s in sections {
        for l in &lines[s.start..s.end] {
            let t = l.text.trim();
            if t.is_empty() {
                continue;
            }
            // `label: value` lines, and slmgr's sentences (`/xpr` status lines, "KMS host
            // caching is enabled"); other lines without a colon are names and banners.
            let label = match shape::split_label(t) {
                Some((label, _)) => label,
                None if s.kind == detect::Kind::Slmgr => t,
                None => continue,
            };
            if shape::has_kana(label) {
                return Language::Japanese;
            }
            // Adapter and product names are not labels; ipconfig headers hold the adapter's
            // name, which users may type in any script.
            if !label.is_ascii()
                && !detect::is_adapter_header(&l.text)
                && s.kind != detect::Kind::Reg
            {
                other = true;
            }
        }
    }
    if other {
        Language::Other
    } else {
        Language::English
    }
}

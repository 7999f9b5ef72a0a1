//! `explain CODE`: what an activation error code means, where it is shown, which checks decide
//! it and how to fix it, as text, Markdown or JSON ([`text`], [`markdown`], [`json`]), in any
//! language of the catalog. The code's own prose comes from the error-code catalog
//! (`CodeEntry::text`), the headings from the message catalog; commands are never translated.

use std::borrow::Cow;

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use kms_preflight_checks::RuleSet;
use kms_preflight_engine::Message;
use kms_preflight_knowledge::{self as knowledge, CodeEntry, EntryText};

use super::{knowledge_lang, pad, Catalog, Lang};

kms_preflight_engine::messages! {
    /// symbol
    symbol = "explain-symbol" ();
    /// layer
    layer = "explain-layer" ();
    /// the layer's name (dns, network, …)
    layer_name = "explain-layer-name" (layer);
    /// (informational: a state, not a failure)
    informational = "explain-informational" ();
    /// Meaning:
    meaning = "explain-meaning" ();
    /// Shown by:
    shown_by = "explain-shown-by" ();
    /// Likely causes:
    causes = "explain-causes" ();
    /// No kms-preflight check can decide between these causes: …
    no_checks = "explain-no-checks" ();
    /// Checks that decide between them (`kms-preflight diagnose {code}` runs these):
    checks = "explain-checks" (code);
    /// [opt-in: {flag}]
    opt_in = "explain-opt-in" (flag);
    /// (not available in this build)
    not_available = "explain-not-available" ();
    /// Fix:
    fix = "explain-fix" ();
    /// In the commands:
    in_commands = "explain-in-commands" ();
    /// `cscript ospp.vbs` means the ospp.vbs of the installed Office (…):
    ospp = "explain-ospp" ();
    /// Sources:
    sources = "explain-sources" ();

    /// Symbol
    md_symbol = "explain-md-symbol" ();
    /// Layer
    md_layer = "explain-md-layer" ();
    /// Shown by
    md_shown_by = "explain-md-shown-by" ();
    /// Likely causes
    md_causes = "explain-md-causes" ();
    /// Deciding checks
    md_checks = "explain-md-checks" ();
    /// None: not visible from the network.
    md_no_checks = "explain-md-no-checks" ();
    /// not available in this build
    md_not_available = "explain-md-not-available" ();
    /// Fix
    md_fix = "explain-md-fix" ();

    /// Known codes: {codes}
    known_codes = "explain-known-codes" (codes);
    /// diagnose knows which checks decide these codes: {codes}
    diagnose_known_codes = "explain-diagnose-known-codes" (codes);

    /// {code} is not in the kms-preflight catalog. HRESULT fields: {fields}. …
    unknown = "explain-unknown" (code, fields);
    /// severity: failure (bit 31 set) / success/informational (bit 31 clear)
    severity = "explain-severity" (failure);
    /// customer-defined code (bit 29 set)
    customer = "explain-customer" ();
    /// mapped from an NTSTATUS (bit 28 set)
    nt_mapped = "explain-nt-mapped" ();
    /// facility 7 (FACILITY_WIN32): Win32 error {word} (0x{word_hex})
    facility_win32 = "explain-facility-win32" (word, word_hex);
    /// facility 4 (FACILITY_ITF), Software Licensing (SL) range; code word 0x{word_hex}
    facility_itf_sl = "explain-facility-itf-sl" (word_hex);
    /// facility 4 (FACILITY_ITF); code word 0x{word_hex}
    facility_itf = "explain-facility-itf" (word_hex);
    /// facility {facility}; code word 0x{word_hex} ({word})
    facility = "explain-facility" (facility, word_hex, word);

    /// empty error code; expected …
    code_empty = "explain-code-empty" ();
    /// `{input}` is not an error code: {reason}; expected …
    code_invalid = "explain-code-invalid" (input, reason);
    /// `{input}` does not fit in 32 bits; expected …
    code_out_of_range = "explain-code-out-of-range" (input);
    /// expected a 32-bit code as hex …
    code_expected = "explain-code-expected" ();
}

/// What a code not in the catalog is, from its HRESULT fields (`knowledge::describe_unknown`
/// in the catalog's languages).
pub fn describe_unknown(code: u32) -> Message {
    let f = knowledge::hresult_fields(code);
    let mut fields = vec![severity(f.failure)];
    if f.customer {
        fields.push(customer());
    }
    if f.nt_mapped {
        fields.push(nt_mapped());
    }
    let hex = format!("{:04X}", f.word);
    fields.push(match f.facility {
        7 if !f.customer && !f.nt_mapped => facility_win32(f.word, hex),
        4 if !f.customer && !f.nt_mapped && f.software_licensing => facility_itf_sl(hex),
        4 if !f.customer && !f.nt_mapped => facility_itf(hex),
        n => facility(n, hex, f.word),
    });
    unknown(knowledge::format_code(code), fields)
}

/// Why an argument is not an error code.
pub fn code_error(e: &knowledge::CodeParseError) -> Message {
    match e {
        knowledge::CodeParseError::Empty => code_empty(),
        knowledge::CodeParseError::Invalid { input, reason } => {
            code_invalid(input.as_str(), reason.as_str())
        }
        knowledge::CodeParseError::OutOfRange { input } => code_out_of_range(input.as_str()),
    }
}

/// Every code of the catalog, canonical, in catalog order.
pub fn codes() -> Vec<String> {
    knowledge::catalog()
        .entries()
        .iter()
        .map(|e| e.code_str())
        .collect()
}

/// The line `explain` prints after an unknown code: the codes it knows.
pub fn known_codes_line(lang: Lang) -> String {
    Catalog::get(lang).text(&known_codes(codes()))
}

/// The line `diagnose` prints after an unknown code.
pub fn diagnose_known_codes_line(lang: Lang) -> String {
    Catalog::get(lang).text(&diagnose_known_codes(codes()))
}

/// Where a line may break inside a word: between two characters of which one is wide (CJK
/// text has no spaces), but not before closing or after opening punctuation.
fn may_break_between(prev: char, next: char) -> bool {
    const NO_BREAK_BEFORE: &str = "、。，．・：；？！）」』】〕〉》ー),.:;!?]";
    const NO_BREAK_AFTER: &str = "（「『【〔〈《([";
    let wide = |c: char| c.width() == Some(2);
    (wide(prev) || wide(next)) && !NO_BREAK_BEFORE.contains(next) && !NO_BREAK_AFTER.contains(prev)
}

/// `word` cut where a line may break inside it.
fn chunks(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in word.char_indices() {
        if let Some(p) = prev {
            if may_break_between(p, c) {
                out.push(&word[start..i]);
                start = i;
            }
        }
        prev = Some(c);
    }
    out.push(&word[start..]);
    out
}

/// `text` in lines of at most `width` display columns after `indent` (a longer word stands on
/// its own line). Words are separated by spaces; Japanese also breaks between characters.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let flush = |out: &mut String, line: &mut String| {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
        line.clear();
    };
    for word in text.split_whitespace() {
        for (i, chunk) in chunks(word).into_iter().enumerate() {
            let sep = usize::from(i == 0 && !line.is_empty());
            if !line.is_empty() && line.width() + sep + chunk.width() > width {
                flush(&mut out, &mut line);
            } else if sep == 1 {
                line.push(' ');
            }
            line.push_str(chunk);
        }
    }
    if !line.is_empty() {
        flush(&mut out, &mut line);
    }
    out
}

/// Placeholders (`<name>`) the entry's commands use, with their descriptions in `lang`.
fn used_placeholders(e: &CodeEntry, lang: Lang) -> Vec<(String, String)> {
    let all = knowledge::catalog().placeholders_in(knowledge_lang(lang));
    let mut out: Vec<(String, String)> = Vec::new();
    for cmd in e.fix.iter().flat_map(|f| f.commands.iter()) {
        for (name, desc) in all {
            if cmd.contains(&format!("<{name}>")) && !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), desc.clone()));
            }
        }
    }
    out
}

fn uses_ospp(e: &CodeEntry) -> bool {
    e.fix
        .iter()
        .flat_map(|f| f.commands.iter())
        .any(|c| c.contains("ospp.vbs"))
}

fn entry_text(e: &CodeEntry, lang: Lang) -> EntryText<'_> {
    e.text(knowledge_lang(lang))
}

/// The title of the rule with `id` in `lang`, when the rule set has it.
fn rule_title<'r>(rules: &'r RuleSet, id: &str, lang: Lang) -> Option<Cow<'r, str>> {
    rules
        .checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| super::rule_titles::title(&c.id, &c.title, lang))
}

/// Everything an engineer needs to act on a code, for a terminal.
pub fn text(e: &CodeEntry, rules: &RuleSet, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let et = entry_text(e, lang);
    let code = e.code_str();
    let mut out = format!("{code}  {}\n", et.title);
    let (l_symbol, l_layer) = (format!("{}:", t(symbol())), format!("{}:", t(layer())));
    let w = l_symbol.width().max(l_layer.width()) + 2;
    if let Some(sym) = &e.symbol {
        out.push_str(&format!("{}{sym}\n", pad(&l_symbol, w)));
    }
    out.push_str(&format!(
        "{}{}{}\n",
        pad(&l_layer, w),
        t(layer_name(e.layer.as_str())),
        if e.informational {
            format!(" {}", t(informational()))
        } else {
            String::new()
        }
    ));
    out.push_str(&format!("\n{}\n", t(meaning())));
    out.push_str(&wrap(et.meaning, 88, "  "));
    if !et.shown_by.is_empty() {
        out.push_str(&format!("\n{}\n", t(shown_by())));
        for s in et.shown_by {
            let w = wrap(s, 84, "    ");
            out.push_str(&format!("  - {}", w.trim_start()));
        }
    }
    out.push_str(&format!("\n{}\n", t(causes())));
    for (i, c) in et.causes.iter().enumerate() {
        let w = wrap(c, 84, "     ");
        out.push_str(&format!("  {}. {}", i + 1, w.trim_start()));
    }
    if e.checks.is_empty() {
        out.push_str(&format!("\n{}\n", t(no_checks())));
    } else {
        out.push_str(&format!("\n{}\n", t(checks(&code))));
        let w = e.checks.iter().map(|c| c.width()).max().unwrap_or(0);
        for id in &e.checks {
            let opt_in = knowledge::OPT_IN_CHECKS
                .iter()
                .find(|(c, _)| c == id)
                .map(|(_, flag)| format!(" {}", t(opt_in(*flag))))
                .unwrap_or_default();
            match rule_title(rules, id, lang) {
                Some(title) => out.push_str(&format!("  {}  {title}{opt_in}\n", pad(id, w))),
                None => out.push_str(&format!("  {}  {}\n", pad(id, w), t(not_available()))),
            }
        }
    }
    out.push_str(&format!("\n{}\n", t(fix())));
    for f in et.fixes() {
        out.push_str(&wrap(f.what, 86, "  "));
        for c in f.commands {
            out.push_str(&format!("      {c}\n"));
        }
    }
    let ph = used_placeholders(e, lang);
    if !ph.is_empty() {
        out.push_str(&format!("\n{}\n", t(in_commands())));
        let w = ph.iter().map(|(n, _)| n.width() + 2).max().unwrap_or(0);
        for (n, d) in ph {
            out.push_str(&format!("  {}  {d}\n", pad(&format!("<{n}>"), w)));
        }
    }
    if uses_ospp(e) {
        out.push_str(&format!("\n{}\n", t(ospp())));
        for p in knowledge::catalog().office_paths() {
            out.push_str(&format!("  {p}\n"));
        }
    }
    if !et.sources.is_empty() {
        out.push_str(&format!("\n{}\n", t(sources())));
        for s in et.sources {
            out.push_str(&format!("  {s}\n"));
        }
    }
    out
}

/// `explain --format json` (schema `kms-preflight/explain/v1`).
#[derive(Debug, Clone, Serialize)]
pub struct ExplainJson<'a> {
    pub schema: &'static str,
    pub code: String,
    pub code_decimal: u32,
    pub symbol: Option<&'a str>,
    pub informational: bool,
    pub title: &'a str,
    pub meaning: &'a str,
    pub layer: &'static str,
    /// Where the code is shown (a command, a label, an event; on which machine).
    pub shown_by: &'a [String],
    pub causes: &'a [String],
    pub checks: Vec<CheckJson<'a>>,
    pub fix: Vec<FixJson<'a>>,
    pub placeholders: serde_json::Map<String, serde_json::Value>,
    pub office_paths: Vec<String>,
    pub sources: &'a [String],
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckJson<'a> {
    pub id: &'a str,
    pub available: bool,
    pub title: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixJson<'a> {
    pub what: &'a str,
    pub commands: &'a [String],
}

pub const SCHEMA: &str = "kms-preflight/explain/v1";

/// The code as `explain --format json` writes it; prose in `lang`.
pub fn json<'a>(e: &'a CodeEntry, rules: &'a RuleSet, lang: Lang) -> ExplainJson<'a> {
    let et = entry_text(e, lang);
    ExplainJson {
        schema: SCHEMA,
        code: e.code_str(),
        code_decimal: e.code,
        symbol: e.symbol.as_deref(),
        informational: e.informational,
        title: et.title,
        meaning: et.meaning,
        layer: e.layer.as_str(),
        shown_by: et.shown_by,
        causes: et.causes,
        checks: e
            .checks
            .iter()
            .map(|id| CheckJson {
                id,
                available: rule_title(rules, id, lang).is_some(),
                title: rule_title(rules, id, lang),
            })
            .collect(),
        fix: et
            .fixes()
            .map(|f| FixJson {
                what: f.what,
                commands: f.commands,
            })
            .collect(),
        placeholders: used_placeholders(e, lang)
            .into_iter()
            .map(|(n, d)| (n, serde_json::Value::String(d)))
            .collect(),
        office_paths: if uses_ospp(e) {
            knowledge::catalog().office_paths().to_vec()
        } else {
            Vec::new()
        },
        sources: et.sources,
    }
}

/// [`json`] as the document `explain --format json` prints.
pub fn render_json(e: &CodeEntry, rules: &RuleSet, lang: Lang) -> String {
    let mut s = serde_json::to_string_pretty(&json(e, rules, lang)).expect("plain data");
    s.push('\n');
    s
}

/// The code as a Markdown section.
pub fn markdown(e: &CodeEntry, rules: &RuleSet, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let et = entry_text(e, lang);
    let mut out = format!("## `{}` — {}\n\n", e.code_str(), et.title);
    if let Some(sym) = &e.symbol {
        out.push_str(&format!("{}: `{sym}` · ", t(md_symbol())));
    }
    out.push_str(&format!(
        "{}: **{}**\n\n{}\n\n",
        t(md_layer()),
        t(layer_name(e.layer.as_str())),
        et.meaning.trim()
    ));
    if !et.shown_by.is_empty() {
        out.push_str(&format!("### {}\n\n", t(md_shown_by())));
        for s in et.shown_by {
            out.push_str(&format!("- {s}\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!("### {}\n\n", t(md_causes())));
    for c in et.causes {
        out.push_str(&format!("- {c}\n"));
    }
    out.push_str(&format!("\n### {}\n\n", t(md_checks())));
    if e.checks.is_empty() {
        out.push_str(&format!("{}\n", t(md_no_checks())));
    }
    for id in &e.checks {
        match rule_title(rules, id, lang) {
            Some(title) => out.push_str(&format!("- `{id}` — {title}\n")),
            None => out.push_str(&format!("- `{id}` — {}\n", t(md_not_available()))),
        }
    }
    out.push_str(&format!("\n### {}\n\n", t(md_fix())));
    for f in et.fixes() {
        out.push_str(&format!(
            "{}\n\n```text\n{}\n```\n\n",
            f.what,
            f.commands.join("\n")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use kms_preflight_checks::pack;

    use super::*;

    fn entry(code: &str) -> &'static CodeEntry {
        knowledge::catalog()
            .lookup(knowledge::parse_code(code).unwrap())
            .unwrap()
    }

    fn rules() -> RuleSet {
        pack::assemble(&pack::Assembly::every_builtin())
            .unwrap()
            .rules
    }

    #[test]
    fn wrapping_keeps_words_and_measures_columns() {
        assert_eq!(
            wrap("aaa bbb ccc", 7, "  "),
            "  aaa bbb\n  ccc\n",
            "ASCII wraps at spaces"
        );
        assert_eq!(
            wrap("averyveryverylongword x", 5, ""),
            "averyveryverylongword\nx\n"
        );
        // Japanese: wide characters count 2 and lines break between them, never before 、 or 。
        let w = wrap("KMS ホストのカウントがしきい値に達していません。", 20, "");
        for line in w.lines() {
            assert!(line.width() <= 20, "{line:?} in {w:?}");
            assert!(!line.starts_with('。') && !line.starts_with('、'), "{w:?}");
        }
        assert_eq!(
            w.replace('\n', ""),
            "KMS ホストのカウントがしきい値に達していません。"
        );
    }

    #[test]
    fn shown_by_lines_in_every_format() {
        let e = entry("0xC004F06C");
        assert!(e.shown_by.len() >= 2);
        let rules = rules();
        let t = text(e, &rules, Lang::En);
        let at = t.find("\nShown by:\n  - ").expect(&t);
        assert!(at < t.find("\nLikely causes:\n").unwrap(), "{t}");
        assert!(t.contains("Event 12290"), "{t}");
        let md = markdown(e, &rules, Lang::En);
        assert!(md.contains("\n### Shown by\n\n- "), "{md}");
        let j = serde_json::to_value(json(e, &rules, Lang::En)).unwrap();
        assert_eq!(j["shown_by"].as_array().unwrap().len(), e.shown_by.len());
        // In Japanese the catalog's Japanese texts, the commands as they are.
        let ja = text(e, &rules, Lang::Ja);
        let et = e.text(knowledge::Lang::Ja);
        assert!(
            ja.starts_with(&format!("0xC004F06C  {}\n", et.title)),
            "{ja}"
        );
        assert!(!ja.contains("Likely causes"), "{ja}");
        for cmd in e.fix.iter().flat_map(|f| &f.commands) {
            assert!(ja.contains(cmd.as_str()), "{cmd} missing: {ja}");
        }
        // Wrapped prose stays within its width (commands, URLs and rule titles are as they are).
        let is_check = |l: &str| {
            e.checks
                .iter()
                .any(|c| l.trim_start().starts_with(c.as_str()))
        };
        for line in ja
            .lines()
            .filter(|l| !l.starts_with("      ") && !l.contains("://") && !is_check(l))
        {
            assert!(line.width() <= 100, "{line:?}");
        }
        let j = serde_json::to_value(json(e, &rules, Lang::Ja)).unwrap();
        assert_eq!(j["title"], et.title);
        assert_eq!(j["layer"], e.layer.as_str(), "tokens stay tokens");
    }

    #[test]
    fn unknown_codes_and_bad_arguments_read_as_before_in_english_and_in_japanese() {
        let en = Catalog::get(Lang::En);
        let ja = Catalog::get(Lang::Ja);
        for code in [
            0xC004_F999u32,
            0x8007_0057,
            0x8004_1234,
            0x4004_F0FF,
            0xE000_0001,
            0xD000_0005,
            0x1234_5678,
            0,
            u32::MAX,
        ] {
            let m = describe_unknown(code);
            assert_eq!(en.text(&m), knowledge::describe_unknown(code), "{code:#x}");
            let j = ja.try_text(&m).unwrap();
            assert!(j.contains("カタログにありません"), "{j}");
        }
        for input in [
            "",
            "  ",
            "-12a",
            "0x",
            "0xZZ",
            "12g4",
            "0x1FFFFFFFF",
            "99999999999",
        ] {
            let e = knowledge::parse_code(input).unwrap_err();
            assert_eq!(en.text(&code_error(&e)), e.to_string(), "{input:?}");
            assert!(ja.try_text(&code_error(&e)).unwrap().contains("16 進数"));
        }
    }

    #[test]
    fn a_check_missing_from_the_rules_is_named_not_hidden() {
        let e = entry("0xC004F074");
        let t = text(e, &RuleSet::default(), Lang::En);
        assert!(
            t.contains("srv.present      (not available in this build)"),
            "{t}"
        );
        let j = serde_json::to_value(json(e, &RuleSet::default(), Lang::En)).unwrap();
        assert_eq!(j["checks"][0]["available"], false);
        assert!(j["checks"][0]["title"].is_null());
    }
}

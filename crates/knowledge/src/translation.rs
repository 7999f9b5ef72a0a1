//! A translation file of the error-code catalog (`knowledge/codes.ja.yaml`): the prose of every
//! entry in one language, checked against the English catalog it translates.
//!
//! The file holds only text: no commands (they are not translated), no checks, no layers. So a
//! translation can never change what the catalog says to run, only how it is worded.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::{canonical_code, format_code, Catalog, CatalogError, Lang, Translated};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: Spanned<u32>,
    language: Spanned<String>,
    placeholders: Spanned<BTreeMap<String, Spanned<String>>>,
    codes: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: Spanned<String>,
    title: Spanned<String>,
    meaning: Spanned<String>,
    #[serde(default)]
    shown_by: Option<Spanned<Vec<Spanned<String>>>>,
    causes: Spanned<Vec<Spanned<String>>>,
    fix: Spanned<Vec<Fix>>,
    sources: Spanned<Vec<Spanned<String>>>,
}

/// Only `what`: a `commands` key here is an unknown field, on purpose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fix {
    what: Spanned<String>,
}

/// What a valid translation file adds to the catalog.
pub(crate) struct Parsed {
    pub(crate) entries: Vec<(u32, Translated)>,
    pub(crate) placeholders: BTreeMap<String, String>,
}

/// The translation file's language: only Japanese is translated for now.
const LANG: Lang = Lang::Ja;

/// Microsoft's pages in the file's language.
const SOURCE_PREFIXES: &[&str] = &[
    "https://learn.microsoft.com/ja-jp/",
    "https://docs.microsoft.com/ja-jp/",
];

pub(crate) fn parse(file: &str, text: &str, english: &Catalog) -> Result<Parsed, CatalogError> {
    let doc: File = serde_saphyr::from_str(text).map_err(|e| {
        let mut e = CatalogError::yaml(file, &e);
        if e.message.contains("unknown field `commands`") {
            e.message
                .push_str(" (commands are not translated: they stay in the English catalog)");
        }
        e
    })?;
    let err = |loc: Location, m: String| CatalogError::at(file, loc, m);

    if doc.version.value != 1 {
        return Err(err(
            doc.version.referenced,
            format!("unsupported version {} (expected 1)", doc.version.value),
        ));
    }
    if doc.language.value != LANG.tag() {
        return Err(err(
            doc.language.referenced,
            format!(
                "language `{}` is not supported (expected `{}`)",
                doc.language.value,
                LANG.tag()
            ),
        ));
    }

    // The same placeholder names as the English catalog, each described in the language.
    let names: Vec<&String> = doc.placeholders.value.keys().collect();
    let english_names: Vec<&String> = english.placeholders().keys().collect();
    if names != english_names {
        let missing: Vec<&str> = english_names
            .iter()
            .filter(|n| !doc.placeholders.value.contains_key(**n))
            .map(|n| n.as_str())
            .collect();
        let unknown: Vec<&str> = names
            .iter()
            .filter(|n| !english.placeholders().contains_key(**n))
            .map(|n| n.as_str())
            .collect();
        return Err(err(
            doc.placeholders.referenced,
            format!(
                "placeholders differ from the English catalog's (missing: [{}]; unknown: [{}])",
                missing.join(", "),
                unknown.join(", ")
            ),
        ));
    }
    let mut placeholders = BTreeMap::new();
    for (name, desc) in doc.placeholders.value {
        prose(file, &desc, &format!("placeholder <{name}>"))?;
        placeholders.insert(name, desc.value);
    }

    let mut entries: Vec<(u32, Translated)> = Vec::with_capacity(doc.codes.len());
    for (i, e) in doc.codes.into_iter().enumerate() {
        let at = e.code.referenced;
        let code = canonical_code(&e.code.value).map_err(|m| err(at, m))?;
        let name = format_code(code);
        let Some(en) = english.lookup(code) else {
            return Err(err(
                at,
                format!("{name} is not in the English catalog (a translation adds no codes)"),
            ));
        };
        if entries.iter().any(|(c, _)| *c == code) {
            return Err(err(at, format!("{name} appears more than once")));
        }
        // Same order as the English file, so the two read side by side.
        let expected = english.entries()[i.min(english.entries().len() - 1)].code;
        if expected != code {
            return Err(err(
                at,
                format!(
                    "{name} is out of order: the English catalog has {} at this position",
                    format_code(expected)
                ),
            ));
        }

        let title = prose(file, &e.title, &format!("{name} title"))?;
        if title.contains('\n') {
            return Err(err(
                e.title.referenced,
                format!("{name}: title must be one line"),
            ));
        }
        let meaning = prose(file, &e.meaning, &format!("{name} meaning"))?;

        let shown_by = match e.shown_by {
            Some(s) => {
                same_count(
                    file,
                    &name,
                    "shown_by",
                    s.referenced,
                    s.value.len(),
                    en.shown_by.len(),
                )?;
                lines(file, &name, "shown_by", s.value)?
            }
            None if en.shown_by.is_empty() => Vec::new(),
            None => {
                return Err(err(
                    at,
                    format!(
                        "{name}: shown_by is missing ({} line(s) in the English catalog)",
                        en.shown_by.len()
                    ),
                ))
            }
        };
        same_count(
            file,
            &name,
            "causes",
            e.causes.referenced,
            e.causes.value.len(),
            en.causes.len(),
        )?;
        let causes = lines(file, &name, "causes", e.causes.value)?;
        same_count(
            file,
            &name,
            "fix",
            e.fix.referenced,
            e.fix.value.len(),
            en.fix.len(),
        )?;
        let fix = e
            .fix
            .value
            .into_iter()
            .enumerate()
            .map(|(k, f)| prose(file, &f.what, &format!("{name} fix {} what", k + 1)))
            .collect::<Result<Vec<_>, _>>()?;

        if e.sources.value.is_empty() {
            return Err(err(
                e.sources.referenced,
                format!("{name}: needs at least one source in the file's language"),
            ));
        }
        let mut sources = Vec::with_capacity(e.sources.value.len());
        for s in e.sources.value {
            if !SOURCE_PREFIXES.iter().any(|p| s.value.starts_with(p)) {
                return Err(err(
                    s.referenced,
                    format!(
                        "{name}: source {} is not a Microsoft page in {} (expected {})",
                        s.value,
                        LANG.tag(),
                        SOURCE_PREFIXES.join(" or ")
                    ),
                ));
            }
            sources.push(s.value);
        }

        entries.push((
            code,
            Translated {
                title,
                meaning,
                shown_by,
                causes,
                fix,
                sources,
            },
        ));
    }
    if let Some(missing) = english
        .entries()
        .iter()
        .find(|en| !entries.iter().any(|(c, _)| *c == en.code))
    {
        return Err(CatalogError::at(
            file,
            Location::UNKNOWN,
            format!(
                "{} has no entry (every code of the English catalog needs one)",
                missing.code_str()
            ),
        ));
    }
    Ok(Parsed {
        entries,
        placeholders,
    })
}

fn same_count(
    file: &str,
    name: &str,
    field: &str,
    at: Location,
    got: usize,
    want: usize,
) -> Result<(), CatalogError> {
    if got == want {
        Ok(())
    } else {
        Err(CatalogError::at(
            file,
            at,
            format!(
                "{name}: {got} {field} line(s), the English catalog has {want} (same count, same order)"
            ),
        ))
    }
}

fn lines(
    file: &str,
    name: &str,
    field: &str,
    v: Vec<Spanned<String>>,
) -> Result<Vec<String>, CatalogError> {
    v.iter()
        .enumerate()
        .map(|(k, s)| prose(file, s, &format!("{name} {field} {}", k + 1)))
        .collect()
}

/// A text of the translation: not empty, and written in the language (at least one Japanese
/// character; product names, codes and commands inside it stay as they are).
fn prose(file: &str, s: &Spanned<String>, what: &str) -> Result<String, CatalogError> {
    if s.value.trim().is_empty() {
        return Err(CatalogError::at(
            file,
            s.referenced,
            format!("{what} is empty"),
        ));
    }
    if !s.value.chars().any(is_japanese) {
        return Err(CatalogError::at(
            file,
            s.referenced,
            format!("{what} has no Japanese text: `{}`", s.value),
        ));
    }
    Ok(s.value.clone())
}

/// Hiragana, katakana (full and half width) and CJK ideographs.
pub(crate) fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}'
        | '\u{30A0}'..='\u{30FF}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF66}'..='\u{FF9F}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{catalog, FixText, CODES_JA_YAML, CODES_YAML};

    fn english() -> Catalog {
        Catalog::parse("codes.yaml", CODES_YAML).expect("English catalog")
    }

    /// The embedded Japanese file with `from` replaced by `to` (exactly once).
    fn ja_with(from: &str, to: &str) -> String {
        assert_eq!(CODES_JA_YAML.matches(from).count(), 1, "{from:?}");
        CODES_JA_YAML.replacen(from, to, 1)
    }

    fn rejected(text: &str) -> CatalogError {
        english()
            .with_translation("codes.ja.yaml", text)
            .map(|_| ())
            .expect_err("should be rejected")
    }

    /// 1-based line of the first occurrence of `needle` in `text`.
    fn line_of(text: &str, needle: &str) -> u64 {
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?}"));
        text[..at].matches('\n').count() as u64 + 1
    }

    #[test]
    fn every_code_has_japanese_texts_in_the_same_shape() {
        let c = catalog();
        assert!(c.entries().len() >= 30);
        for e in c.entries() {
            let code = e.code_str();
            assert!(e.has_text(Lang::Ja), "{code}");
            let ja = e.text(Lang::Ja);
            assert_eq!(ja.lang, Lang::Ja, "{code}");
            assert_eq!(ja.causes.len(), e.causes.len(), "{code} causes");
            assert_eq!(ja.shown_by.len(), e.shown_by.len(), "{code} shown_by");
            let fixes: Vec<FixText> = ja.fixes().collect();
            assert_eq!(fixes.len(), e.fix.len(), "{code} fix");
            for (f, en) in fixes.iter().zip(&e.fix) {
                // Commands are the English entry's, untouched; the prose is not.
                assert_eq!(f.commands, en.commands.as_slice(), "{code}");
                assert_ne!(f.what, en.what, "{code}: fix not translated");
            }
            assert_ne!(ja.title, e.title, "{code}: title not translated");
            assert!(!ja.sources.is_empty(), "{code}");
            for s in ja.sources {
                assert!(
                    s.starts_with("https://learn.microsoft.com/ja-jp/"),
                    "{code}: {s}"
                );
            }
            // English stays English.
            let en = e.text(Lang::En);
            assert_eq!(
                (en.lang, en.title, en.meaning),
                (Lang::En, e.title.as_str(), e.meaning.as_str())
            );
            assert_eq!(e.title_in(Lang::Ja), ja.title);
        }
    }

    #[test]
    fn every_japanese_text_contains_japanese() {
        let c = catalog();
        let mut texts: Vec<(String, &str)> = Vec::new();
        for e in c.entries() {
            let t = e.text(Lang::Ja);
            let code = e.code_str();
            texts.push((format!("{code} title"), t.title));
            texts.push((format!("{code} meaning"), t.meaning));
            texts.extend(
                t.causes
                    .iter()
                    .map(|s| (format!("{code} cause"), s.as_str())),
            );
            texts.extend(
                t.shown_by
                    .iter()
                    .map(|s| (format!("{code} shown_by"), s.as_str())),
            );
            texts.extend(t.fixes().map(|f| (format!("{code} fix"), f.what)));
        }
        for (name, d) in c.placeholders_in(Lang::Ja) {
            texts.push((format!("<{name}>"), d.as_str()));
        }
        assert!(texts.len() > 200);
        for (what, t) in texts {
            assert!(t.chars().any(is_japanese), "{what}: {t}");
            assert!(!t.trim().is_empty(), "{what}");
        }
        // The same placeholder names in both languages, described differently.
        let en = c.placeholders_in(Lang::En);
        let ja = c.placeholders_in(Lang::Ja);
        assert_eq!(en.keys().collect::<Vec<_>>(), ja.keys().collect::<Vec<_>>());
        assert_ne!(en, ja);
    }

    #[test]
    fn japanese_uses_microsofts_terms() {
        let c = catalog();
        let all: String = c
            .entries()
            .iter()
            .map(|e| {
                let t = e.text(Lang::Ja);
                let mut s = format!("{}\n{}\n", t.title, t.meaning);
                for x in t.causes.iter().chain(t.shown_by) {
                    s.push_str(x);
                    s.push('\n');
                }
                for f in t.fixes() {
                    s.push_str(f.what);
                    s.push('\n');
                }
                s
            })
            .collect();
        for term in [
            "ライセンス認証",
            "KMS ホスト",
            "KMS クライアント",
            "KMS ホスト キー",
            "マルチ ライセンス認証キー (MAK)",
            "しきい値",
            "猶予期間",
            "SRV リソース レコード",
            "DNS サーバー",
            "ファイアウォール",
            "システム時刻",
            "管理者特権のコマンド プロンプト",
            "クライアント コンピューター ID (CMID)",
        ] {
            assert!(all.contains(term), "{term}");
        }
        // One term per concept: not the variants the glossary rules out.
        for variant in ["アクティブ化", "KMSホスト", "タイムゾーン", "KMS サーバー"]
        {
            assert!(!all.contains(variant), "{variant}");
        }
    }

    #[test]
    fn an_english_only_catalog_falls_back_to_english() {
        let c = english();
        let e = c.lookup(0xC004F074).unwrap();
        assert!(!e.has_text(Lang::Ja));
        let t = e.text(Lang::Ja);
        assert_eq!(t.lang, Lang::En);
        assert_eq!(t.title, e.title);
        assert_eq!(t.fixes().next().unwrap().what, e.fix[0].what);
        assert_eq!(c.placeholders_in(Lang::Ja), c.placeholders());
    }

    #[test]
    fn no_entry_for_an_unknown_code() {
        let text = ja_with(
            "  # ---------------------------------------------------------------- local\n",
            "  - code: \"0x12345678\"\n    title: 未知\n    meaning: 未知\n    causes: []\n    fix: []\n    sources: [https://learn.microsoft.com/ja-jp/x]\n",
        );
        let e = rejected(&text);
        assert!(
            e.message
                .contains("0x12345678 is not in the English catalog"),
            "{e}"
        );
        assert_eq!(
            (e.line, e.column),
            (line_of(&text, "0x12345678"), 11),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with(&format!("codes.ja.yaml:{}:11: ", e.line)),
            "{e}"
        );
    }

    #[test]
    fn a_missing_entry_is_named() {
        // Drop the last entry (0xC004F025).
        let start = CODES_JA_YAML.find("  - code: \"0xC004F025\"").unwrap();
        let e = rejected(&CODES_JA_YAML[..start]);
        assert!(e.message.contains("0xC004F025 has no entry"), "{e}");
        assert!(e.to_string().starts_with("codes.ja.yaml: "), "{e}");
        // Drop one in the middle: the next one is out of order, at its line.
        let a = CODES_JA_YAML.find("  - code: \"0xC004F039\"").unwrap();
        let b = CODES_JA_YAML.find("  - code: \"0x800706BA\"").unwrap();
        let text = format!("{}{}", &CODES_JA_YAML[..a], &CODES_JA_YAML[b..]);
        let e = rejected(&text);
        assert!(
            e.message.contains("out of order") && e.message.contains("0xC004F039"),
            "{e}"
        );
        assert_eq!(e.line, line_of(&text, "\"0x800706BA\""), "{e}");
    }

    #[test]
    fn counts_must_match_the_english() {
        // 0x80072EE2 has two causes in English; give it three.
        let from = "      - KMS ホストのプロキシ設定がオンライン ライセンス認証の要求をブロックまたは遅延させている\n";
        let text = ja_with(from, &format!("{from}      - 余分な原因\n"));
        let e = rejected(&text);
        assert!(e.message.contains("0x80072EE2: 3 causes"), "{e}");
        assert!(e.message.contains("has 2"), "{e}");
        assert!(e.line > 0 && e.column > 0, "{e}");
        // One fix too few.
        let text = ja_with("      - what: または電話でライセンス認証します\n", "");
        let e = rejected(&text);
        assert!(e.message.contains("0x80072F8F: 2 fix"), "{e}");
        // shown_by dropped where the English has it.
        let text = ja_with(
            "    shown_by:\n      - MAK をインストールしたコンピューターでの slmgr /ato (Office では cscript ospp.vbs /act)\n",
            "",
        );
        let e = rejected(&text);
        assert!(e.message.contains("0xC004C020: shown_by is missing"), "{e}");
        assert_eq!(e.line, line_of(&text, "\"0xC004C020\""), "{e}");
    }

    #[test]
    fn only_prose_is_accepted() {
        // Commands are not translated: a `commands` key is an unknown field, at its line.
        let from = "      - what: 代わりに電話でライセンス認証します (Microsoft の推奨)\n";
        let text = ja_with(from, &format!("{from}        commands: [slmgr /dti]\n"));
        let e = rejected(&text);
        assert!(e.message.contains("commands are not translated"), "{e}");
        assert_eq!(e.line, line_of(&text, "commands: [slmgr /dti]"), "{e}");
        // A text with no Japanese in it.
        let text = ja_with(
            "    title: アクセスが拒否されました\n",
            "    title: Access denied\n",
        );
        let e = rejected(&text);
        assert!(
            e.message.contains("0x80070005 title has no Japanese text"),
            "{e}"
        );
        assert_eq!(
            (e.line, e.column),
            (line_of(&text, "Access denied"), 12),
            "{e}"
        );
        // An English page as a Japanese source.
        let text = ja_with(
            "      - https://learn.microsoft.com/ja-jp/windows/win32/winhttp/error-messages\n",
            "      - https://learn.microsoft.com/en-us/windows/win32/winhttp/error-messages\n",
        );
        let e = rejected(&text);
        assert!(e.message.contains("is not a Microsoft page in ja"), "{e}");
        assert_eq!(e.line, line_of(&text, "en-us/windows/win32/winhttp"), "{e}");
    }

    #[test]
    fn header_errors_point_at_their_key() {
        let text = ja_with("\nlanguage: ja\n", "\nlanguage: ko\n");
        let e = rejected(&text);
        assert!(e.message.contains("language `ko`"), "{e}");
        assert_eq!(
            (e.line, e.column),
            (line_of(&text, "language: ko"), 11),
            "{e}"
        );
        let text = ja_with("  host-key:", "  host-keys:");
        let e = rejected(&text);
        assert!(
            e.message.contains("missing: [host-key]") && e.message.contains("unknown: [host-keys]"),
            "{e}"
        );
        assert!(e.line > 0, "{e}");
        let text = ja_with("version: 1\nlanguage", "version: 3\nlanguage");
        let e = rejected(&text);
        assert!(e.message.contains("unsupported version 3"), "{e}");
        assert_eq!(e.line, line_of(&text, "version: 3"), "{e}");
    }

    #[test]
    fn broken_yaml_names_file_line_and_column() {
        let text = ja_with("  - code: \"0xC004F025\"\n", "  - code: \"0xC004F025\n");
        let e = rejected(&text);
        assert!(e.line > 0 && e.column > 0, "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("codes.ja.yaml:{}:{}: ", e.line, e.column)),
            "{e}"
        );
        let e = rejected("version: 1\nlanguage: ja\n  placeholders: x\n");
        assert!(e.line > 0, "{e}");
    }

    #[test]
    fn any_truncation_is_an_error_never_a_panic() {
        // Prefixes ending at every 5th line break, and some that cut a multi-byte character
        // (a debug-build parse of the whole file takes ~20 ms, so this stays ~2 s).
        let en = english();
        let mut cuts: Vec<usize> = CODES_JA_YAML
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .step_by(5)
            .collect();
        cuts.extend(
            CODES_JA_YAML
                .char_indices()
                .filter(|(_, c)| c.len_utf8() > 1)
                .step_by(401)
                .map(|(i, _)| i),
        );
        assert!(cuts.len() > 100);
        // Cutting inside the last entry's sources can leave a valid (shorter) file.
        let last_sources = CODES_JA_YAML.rfind("    sources:").unwrap();
        for cut in cuts {
            let r = parse("codes.ja.yaml", &CODES_JA_YAML[..cut], &en);
            if cut <= last_sources {
                assert!(r.is_err(), "prefix of {cut} bytes was accepted");
            }
        }
    }
}

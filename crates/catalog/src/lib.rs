//! The message catalogs (the report layer's): every sentence kms-preflight prints, in English and Japanese, as
//! Fluent files (`crates/report/catalog/<lang>/*.ftl`, embedded at build time). Producers
//! hand over [`Message`]s (an id and typed arguments); [`Catalog::text`] renders one.
//!
//! Formatting is the catalog's decision, not the producer's: numbers arrive as numbers and a
//! message says how many decimals it shows (`NUMBER($x, maximumFractionDigits: 2)`), lists
//! arrive as lists and a message says how they are joined (`LIST($xs, sep: "; ")`, default
//! `, `), durations arrive as milliseconds (`DURATION($ms)`). Nested messages are rendered in
//! the same language. Bidirectional isolation marks are off: the output is a terminal.

use std::sync::OnceLock;
use std::time::Duration;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use kms_preflight_message::{Arg, Message};

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// A language of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    /// The BCP 47 tag (`en`, `ja`).
    pub fn tag(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en`/`ja` and locale names that start with them (`ja_JP.UTF-8`, `ja-JP`).
    pub fn parse(s: &str) -> Option<Lang> {
        let base = s
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The catalog files of this language: (file name, text).
    pub fn files(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => files::EN,
            Lang::Ja => files::JA,
        }
    }
}

/// One language's catalog.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Catalog({})", self.lang.tag())
    }
}

/// Lists travel through Fluent as one string with this separator between items; the
/// formatter turns it into the language's separator, `LIST($x, sep: …)` into another one.
const ITEM_SEP: char = '\u{1F}';

/// A number as the message's options ask: rounded to `maximumFractionDigits`, padded to
/// `minimumFractionDigits` (Fluent's own formatter only pads).
fn format_number(n: &FluentNumber) -> String {
    let FluentNumberOptions {
        minimum_fraction_digits: min,
        maximum_fraction_digits: max,
        ..
    } = n.options;
    let mut s = match max {
        Some(max) => {
            let mut s = format!("{:.*}", max, n.value);
            if s.contains('.') {
                let keep = min.unwrap_or(0);
                while s.ends_with('0') && s.len() - s.find('.').unwrap() - 1 > keep {
                    s.pop();
                }
                if s.ends_with('.') {
                    s.pop();
                }
            }
            s
        }
        None => n.value.to_string(),
    };
    if let Some(min) = min {
        let have = s.find('.').map_or(0, |p| s.len() - p - 1);
        if have < min {
            if have == 0 {
                s.push('.');
            }
            s.push_str(&"0".repeat(min - have));
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

type Memo = intl_memoizer::concurrent::IntlLangMemoizer;

fn format_value(v: &FluentValue, list_sep: &str) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(format_number(n)),
        FluentValue::String(s) if s.contains(ITEM_SEP) => Some(s.replace(ITEM_SEP, list_sep)),
        _ => None,
    }
}

fn formatter_en(v: &FluentValue, _: &Memo) -> Option<String> {
    format_value(v, ", ")
}

fn formatter_ja(v: &FluentValue, _: &Memo) -> Option<String> {
    format_value(v, "、")
}

impl Catalog {
    /// The catalog of `lang`, built once.
    pub fn get(lang: Lang) -> &'static Catalog {
        static EN: OnceLock<Catalog> = OnceLock::new();
        static JA: OnceLock<Catalog> = OnceLock::new();
        let cell = match lang {
            Lang::En => &EN,
            Lang::Ja => &JA,
        };
        cell.get_or_init(|| Catalog::build(lang))
    }

    fn build(lang: Lang) -> Catalog {
        let id: unic_langid::LanguageIdentifier = lang.tag().parse().expect("a language tag");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(match lang {
            Lang::En => formatter_en,
            Lang::Ja => formatter_ja,
        }));
        bundle.add_builtins().expect("builtins once");
        bundle
            .add_function("LIST", list_function)
            .expect("LIST once");
        bundle
            .add_function("CLAUSE", move |pos, _| match pos.first() {
                Some(FluentValue::String(s)) => {
                    FluentValue::String(first_clause(s, lang).to_string().into())
                }
                Some(other) => other.clone(),
                None => FluentValue::Error,
            })
            .expect("CLAUSE once");
        let duration = match lang {
            Lang::En => duration_en as fn(Duration) -> String,
            Lang::Ja => duration_ja,
        };
        bundle
            .add_function("DURATION", move |pos, _| match pos.first() {
                Some(FluentValue::Number(n)) if n.value >= 0.0 => {
                    FluentValue::String(duration(Duration::from_secs_f64(n.value / 1000.0)).into())
                }
                _ => FluentValue::Error,
            })
            .expect("DURATION once");
        for (name, text) in lang.files() {
            let res = FluentResource::try_new(text.to_string())
                .unwrap_or_else(|(_, errs)| panic!("catalog {}/{name}: {errs:?}", lang.tag()));
            bundle
                .add_resource(res)
                .unwrap_or_else(|errs| panic!("catalog {}/{name}: {errs:?}", lang.tag()));
        }
        Catalog { lang, bundle }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// True when this catalog has a text for `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The sentence of `m`. A message this catalog lacks falls back to English (the catalog
    /// tests make sure none does).
    pub fn text(&self, m: &Message) -> String {
        match self.try_text(m) {
            Ok(s) => s,
            Err(_) if self.lang != Lang::En => Catalog::get(Lang::En).text(m),
            Err(_) => format!("[{}]", m.id),
        }
    }

    /// The sentence of `m`, or what went wrong (an unknown id, an unfilled argument, …).
    pub fn try_text(&self, m: &Message) -> Result<String, Vec<String>> {
        if let Some(t) = m.verbatim_text() {
            return Ok(t.to_string());
        }
        let msg = self
            .bundle
            .get_message(&m.id)
            .ok_or_else(|| vec![format!("no message '{}' in {}", m.id, self.lang.tag())])?;
        let pattern = msg
            .value()
            .ok_or_else(|| vec![format!("message '{}' has no value", m.id)])?;
        let mut args = FluentArgs::new();
        let mut errors = Vec::new();
        for (name, v) in &m.args {
            match self.value(v) {
                Ok(v) => args.set(name.to_string(), v),
                Err(mut e) => errors.append(&mut e),
            }
        }
        let mut fluent_errors = Vec::new();
        let s = self
            .bundle
            .format_pattern(pattern, Some(&args), &mut fluent_errors)
            .into_owned();
        errors.extend(fluent_errors.iter().map(|e| format!("{}: {e}", m.id)));
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }

    fn value(&self, v: &Arg) -> Result<FluentValue<'static>, Vec<String>> {
        Ok(match v {
            Arg::Bool(b) => FluentValue::String(if *b { "true" } else { "false" }.into()),
            Arg::Int(i) => FluentValue::Number(FluentNumber::from(*i)),
            Arg::Num(n) => FluentValue::Number(FluentNumber::from(*n)),
            Arg::Text(t) => FluentValue::String(t.clone().into()),
            Arg::Message(m) => FluentValue::String(self.try_text(m)?.into()),
            Arg::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(match self.value(i)? {
                        FluentValue::String(s) => s.into_owned(),
                        FluentValue::Number(n) => format_number(&n),
                        _ => String::new(),
                    });
                }
                FluentValue::String(out.join(&ITEM_SEP.to_string()).into())
            }
        })
    }
}

/// The first clause of a sentence (`CLAUSE($message)`): up to the first ": " or "; " past its
/// opening words and outside parentheses; in Japanese also up to the first "。". For one
/// terminal line (the verdict's reasons, the concise table).
pub fn first_clause(msg: &str, lang: Lang) -> &str {
    let mut depth = 0i32;
    for (i, ch) in msg.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '（' | '「' if lang == Lang::Ja => depth += 1,
            '）' | '」' if lang == Lang::Ja => depth -= 1,
            ':' | ';' if depth <= 0 && i >= 20 && msg[i + 1..].starts_with(' ') => {
                return &msg[..i];
            }
            '。' | '：' if lang == Lang::Ja && depth <= 0 && i >= 20 => return &msg[..i],
            _ => {}
        }
    }
    msg
}

/// `LIST($x, sep: "; ")`: a list joined by `sep` (anything else as it is).
fn list_function<'a>(pos: &[FluentValue<'a>], named: &FluentArgs) -> FluentValue<'a> {
    let sep = match named.get("sep") {
        Some(FluentValue::String(s)) => s.to_string(),
        _ => ", ".into(),
    };
    match pos.first() {
        Some(FluentValue::String(s)) => FluentValue::String(s.replace(ITEM_SEP, &sep).into()),
        Some(other) => other.clone(),
        None => FluentValue::Error,
    }
}

/// A duration as humantime writes it (`3s`, `1m 30s`, `250ms`).
fn duration_en(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// A duration in Japanese units (`3 秒`, `1 分 30 秒`, `250 ミリ秒`).
fn duration_ja(d: Duration) -> String {
    let en = humantime::format_duration(d).to_string();
    let mut out = Vec::new();
    for part in en.split_whitespace() {
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        let unit = &part[digits.len()..];
        let ja = match unit {
            "y" | "year" | "years" => "年",
            "M" | "month" | "months" => "か月",
            "d" | "day" | "days" => "日",
            "h" => "時間",
            "m" => "分",
            "s" => "秒",
            "ms" => "ミリ秒",
            "us" | "µs" => "マイクロ秒",
            "ns" => "ナノ秒",
            other => other,
        };
        out.push(format!("{digits} {ja}"));
    }
    out.join(" ")
}

/// What a catalog file declares, read from its syntax tree (for the catalog tests).
pub mod introspect {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::Lang;

    /// Every message id of `lang` with the variables its text uses (`$name`), and the files
    /// that failed to parse.
    pub fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (name, text) in lang.files() {
            let res = fluent_syntax::parser::parse(*text)
                .unwrap_or_else(|(_, e)| panic!("catalog {}/{name}: {e:?}", lang.tag()));
            for entry in res.body {
                if let Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    for a in &m.attributes {
                        pattern_vars(&a.value, &mut vars);
                    }
                    let id = m.id.name.to_string();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "catalog {}: '{id}' is defined twice",
                        lang.tag()
                    );
                }
            }
        }
        out
    }

    fn pattern_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                expression_vars(expression, out);
            }
        }
    }

    fn expression_vars(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
            Expression::Inline(i) => inline_vars(i, out),
        }
    }

    fn inline_vars(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
                for n in &arguments.named {
                    inline_vars(&n.value, out);
                }
            }
            InlineExpression::Placeable { expression } => expression_vars(expression, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod clause_tests {
    use super::{first_clause, Lang};

    #[test]
    fn first_clause_in_english_and_japanese() {
        let en = "no suffix in the list (--suffix: a, b) reaches any record: a → NXDOMAIN";
        assert_eq!(
            first_clause(en, Lang::En),
            "no suffix in the list (--suffix: a, b) reaches any record"
        );
        assert_eq!(first_clause("short: x", Lang::En), "short: x");
        // Japanese sentences end at 。 too; an English 。 never appears, so English ignores it.
        let ja = "{ $addr } に 2.92 ms で接続しましたが、相手が先に送信してきました。KMS ホストは先に送信しません";
        assert_eq!(
            first_clause(ja, Lang::Ja),
            "{ $addr } に 2.92 ms で接続しましたが、相手が先に送信してきました"
        );
        assert_eq!(first_clause(ja, Lang::En), ja);
        // Not inside full-width parentheses.
        let p = "古いレコードがあります（理由。詳細）。次の文";
        assert_eq!(
            first_clause(p, Lang::Ja),
            "古いレコードがあります（理由。詳細）"
        );
    }
}

//! Rule errors, always with the file and, where known, line and column. What is wrong is a
//! [`Message`] (an id and typed arguments); the catalog renders it in the chosen language, after
//! the position (`file:line:column: `), which is the same in every language.

use std::fmt;

use kms_preflight_catalog::{Catalog, Lang};
use serde_saphyr::{Location, Spanned};

use crate::Message;

kms_preflight_message::messages! {
    /// empty rule file: expected 'version: 1' and 'checks:'
    empty_file = "rules-empty-file" ();
    /// check has no 'kind'; expected one of: {kinds}
    no_kind = "rules-no-kind" (kinds);
    /// unknown check kind '{kind}', expected one of: {kinds}
    unknown_kind = "rules-unknown-kind" (kind, kinds);
    /// unsupported rules version {version}; this kms-preflight reads version 1
    unsupported_version = "rules-unsupported-version" (version);
    /// missing 'version: 1' at the top of the rule file
    missing_version = "rules-missing-version" ();
    /// variable name '{name}' may only hold letters, digits, '_' and '-'
    bad_var_name = "rules-bad-var-name" (name);
    /// variable '{name}' is set by kms-preflight for each job and cannot be defined in a rule file
    runtime_var = "rules-runtime-var" (name);
    /// duplicate check id '{id}' (first defined at line {line})
    duplicate_id_in_file = "rules-duplicate-id-in-file" (id, line);
    /// duplicate check id '{id}' (already defined at {file}:{line})
    duplicate_id = "rules-duplicate-id" (id, file, line);
    /// check id must be a non-empty word without spaces
    bad_id = "rules-bad-id" ();
    /// unknown scope '{scope}', expected one of: {scopes}
    unknown_scope = "rules-unknown-scope" (scope, scopes);
    /// unknown severity '{severity}', expected 'fail' or 'warn'
    unknown_severity = "rules-unknown-severity" (severity);
    /// retries {retries} is too many; at most {max}
    too_many_retries = "rules-too-many-retries" (retries, max);
    /// retry_delay '{value}' is longer than 60s
    retry_delay_too_long = "rules-retry-delay-too-long" (value);
    /// '{code}' is not an error code; write it as 0x followed by 8 hex digits, e.g. 0xC004F074
    not_an_error_code = "rules-not-an-error-code" (code);
    /// requires unknown check id '{id}'
    requires_unknown = "rules-requires-unknown" (id);
    /// a check cannot require itself
    requires_itself = "rules-requires-itself" ();
    /// malformed placeholder in {text} (the text quoted)
    malformed_placeholder = "rules-malformed-placeholder" (text);
    /// undefined variable '{{name}}'; defined: {defined}
    undefined_var = "rules-undefined-var" (name, defined);
    /// check '{id}' (scope {scope}) cannot require '{dep}' (scope {dep_scope}): …
    scope_order = "rules-scope-order" (id, scope, dep, dep_scope);
    /// requires form a cycle: {cycle} (joined by " -> ")
    cycle = "rules-cycle" (cycle);
    /// invalid duration '{value}': {detail} (write e.g. 500ms, 3s, 1m); detail is humantime's
    duration_invalid = "rules-duration-invalid" (value, detail);
    /// humantime's reasons: invalid character at {offset}
    duration_bad_char = "rules-duration-bad-char" (offset);
    /// expected number at {offset}
    duration_number_expected = "rules-duration-number-expected" (offset);
    /// time unit needed, for example {value}sec or {value}ms
    duration_unit_needed = "rules-duration-unit-needed" (value);
    /// unknown time unit {unit} (quoted), supported units: …
    duration_unknown_unit = "rules-duration-unknown-unit" (unit);
    /// number is too large or cannot be represented …
    duration_overflow = "rules-duration-overflow" ();
    /// value was empty
    duration_empty = "rules-duration-empty" ();
    /// invalid duration '{value}': must be greater than zero
    duration_zero = "rules-duration-zero" (value);
    /// invalid duration '{value}': more than 24 hours
    duration_too_long = "rules-duration-too-long" (value);
    /// cannot read: {error} (the system's reason)
    cannot_read = "rules-cannot-read" (error);
    /// cannot list: {error}
    cannot_list = "rules-cannot-list" (error);
    /// directory holds no .yaml or .yml rule files
    dir_empty = "rules-dir-empty" ();
    /// unknown field `{field}`, expected one of {expected}
    yaml_unknown_field = "rules-yaml-unknown-field" (field, expected);
    /// missing field `{field}`
    yaml_missing_field = "rules-yaml-missing-field" (field);
    /// invalid type: {unexpected}, expected {expected} (both the YAML parser's words)
    yaml_invalid_type = "rules-yaml-invalid-type" (unexpected, expected);
    /// invalid value: {unexpected}, expected {expected}
    yaml_invalid_value = "rules-yaml-invalid-value" (unexpected, expected);
    /// unknown variant `{variant}`, expected one of {expected}
    yaml_unknown_variant = "rules-yaml-unknown-variant" (variant, expected);
    /// duplicate mapping key: {key}, set DuplicateKeyPolicy in Options if acceptable (the
    /// parser's words, kept in English)
    yaml_duplicate_key = "rules-yaml-duplicate-key" (key);
    /// invalid {ty} (a scalar that does not read as the type, e.g. u32)
    yaml_invalid_scalar = "rules-yaml-invalid-scalar" (ty);
    /// unexpected end of input
    yaml_eof = "rules-yaml-eof" ();
    /// Any other YAML error: the parser's own (English) text, {detail}.
    yaml_other = "rules-yaml-other" (detail);
}

/// Where a rule error is: the file as the user named it, 1-based line and column (0 when the
/// error is about the whole file), and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: Message,
}

impl RuleError {
    /// An error about the whole file (no line or column).
    pub fn file(file: impl Into<String>, message: Message) -> RuleError {
        RuleError {
            file: file.into(),
            line: 0,
            column: 0,
            message,
        }
    }

    /// The message alone in `lang`, or what the catalog lacks to render it (the fuzz checks:
    /// every error the loader makes renders in every language).
    pub fn try_text(&self, lang: Lang) -> Result<String, Vec<String>> {
        Catalog::get(lang).try_text(&self.message)
    }

    /// `file:line:column: message` (`file: message` without a position), in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let text = Catalog::get(lang).text(&self.message);
        if self.line == 0 {
            format!("{}: {text}", self.file)
        } else {
            format!("{}:{}:{}: {text}", self.file, self.line, self.column)
        }
    }
}

/// English, as [`RuleError::render`] gives it (tests, logs); the binary renders in the chosen
/// language.
impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// All errors found in a set of rule files (loading continues past the first one where it can).
#[derive(Debug, Clone)]
pub struct RuleErrors(pub Vec<RuleError>);

impl RuleErrors {
    /// One error a line, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let lines: Vec<String> = self.0.iter().map(|e| e.render(lang)).collect();
        lines.join("\n")
    }
}

/// English, one error a line ([`RuleErrors::render`]).
impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for RuleErrors {}

pub(super) fn at(file: &str, s: &Spanned<impl Sized>, message: Message) -> RuleError {
    at_location(file, s.referenced, message)
}

pub(super) fn at_location(file: &str, loc: Location, message: Message) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: loc.line(),
        column: loc.column(),
        message,
    }
}

/// A YAML error of `file` at the parser's position. Serde's usual shapes (unknown or missing
/// field, invalid type or value, unknown variant) become their own messages; any other error
/// keeps the parser's English text as the argument of [`yaml_other`].
pub fn yaml_error(file: &str, e: &serde_saphyr::Error) -> RuleError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    RuleError {
        file: file.to_string(),
        line,
        column,
        message: yaml_message(e),
    }
}

/// The error the parser wraps (a source snippet, an alias's locations) down to the one it
/// reports.
#[allow(deprecated)] // `AliasError::msg` is deprecated; only its `error` is read.
fn original(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    loop {
        match e.without_snippet() {
            serde_saphyr::Error::AliasError { error, .. } => e = error,
            inner => return inner,
        }
    }
}

fn yaml_message(e: &serde_saphyr::Error) -> Message {
    use serde_saphyr::Error as E;
    match original(e) {
        E::SerdeUnknownField {
            field, expected, ..
        } => yaml_unknown_field(field.as_str(), expected.clone()),
        E::SerdeMissingField { field, .. } => yaml_missing_field(*field),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => yaml_invalid_type(unexpected.as_str(), expected.as_str()),
        E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => yaml_invalid_value(unexpected.as_str(), expected.as_str()),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => yaml_unknown_variant(variant.as_str(), expected.clone()),
        E::DuplicateMappingKey { key: Some(k), .. } => yaml_duplicate_key(k.as_str()),
        E::InvalidScalar { ty, .. } => yaml_invalid_scalar(*ty),
        E::Eof { .. } => yaml_eof(),
        _ => yaml_other(yaml_detail(e)),
    }
}

/// The parser's own text of `e`, without the position it prints (we print ours) and on one line.
fn yaml_detail(e: &serde_saphyr::Error) -> String {
    let inner = e.without_snippet();
    let mut message = inner.to_string();
    if let Some(rest) = message.strip_prefix("error: ") {
        message = rest.to_string();
    }
    if let Some(idx) = message.find(": ") {
        if message.starts_with("line ") && message[..idx].contains(" column ") {
            message = message[idx + 2..].to_string();
        }
    }
    let mut message = message.lines().next().unwrap_or("").trim().to_string();
    if let Some(idx) = message.rfind(" at line ") {
        if message[idx..].contains(", column ") {
            message.truncate(idx);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Arg;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Two {
        port: u32,
        host: String,
    }

    fn error_of(text: &str) -> RuleError {
        let e = serde_saphyr::from_str::<Two>(text).expect_err("refused");
        yaml_error("f.yaml", &e)
    }

    #[test]
    fn serde_shapes_become_typed_messages_at_their_place() {
        let e = error_of("port: 1\nhost: a\nhots: b\n");
        assert_eq!((e.line, e.column), (3, 1));
        assert_eq!(e.message.id, "rules-yaml-unknown-field");
        assert_eq!(e.message.get("field"), Some(&Arg::Text("hots".into())));
        assert_eq!(
            e.to_string(),
            "f.yaml:3:1: unknown field `hots`, expected one of port, host"
        );
        let ja = e.render(Lang::Ja);
        assert!(
            ja.starts_with("f.yaml:3:1: 不明なキー `hots` です。"),
            "{ja}"
        );

        let e = error_of("port: 1\n");
        assert_eq!(e.message.id, "rules-yaml-missing-field");
        assert!(e.to_string().ends_with("missing field `host`"), "{e}");

        let e = error_of("port: x\nhost: a\n");
        assert_eq!(e.message.id, "rules-yaml-invalid-scalar");
        assert_eq!(e.to_string(), "f.yaml:1:7: invalid u32");

        let e = error_of("port: 1\nport: 2\nhost: a\n");
        assert_eq!(e.message.id, "rules-yaml-duplicate-key");
        assert_eq!(e.line, 2);

        // Anything else keeps the parser's words, inside a Japanese sentence in Japanese.
        let e = error_of("port: [1\n");
        assert_eq!(e.message.id, "rules-yaml-other");
        assert!(e.line > 0, "{e:?}");
        assert!(e.render(Lang::Ja).contains("YAML の構文エラー: "), "{e}");
    }
}

//! The rule model: YAML files of checks, loaded with exact `file:line:column` errors.
//!
//! Loading is two passes over the same text. The first pass only peeks at each check's
//! `kind`; the second deserializes every check into the flat struct its kind declares
//! (common keys + kind keys, `deny_unknown_fields`). Flat structs matter: serde's tagged
//! enums and `flatten` buffer the input and lose the parser's positions, so an unknown key
//! would be reported at the start of the check instead of at the key itself.

pub mod embedded;
pub mod template;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::checks::{self, Check};
pub use template::Vars;

/// Where a rule error is: the file as the user named it, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for RuleError {
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

/// All errors found in a set of rule files (loading continues past the first one where it can).
#[derive(Debug, Clone)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// What a failed check means for activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fail,
    Warn,
}

/// What a check is run for: once, per DNS domain, or per KMS host; optionally per source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub over: Over,
    pub per_source: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Over {
    Once,
    Domain,
    Host,
}

impl Scope {
    pub const NAMES: &'static [&'static str] = &[
        "once",
        "each-source",
        "each-domain",
        "each-domain-and-source",
        "each-host",
        "each-host-and-source",
    ];

    pub fn parse(s: &str) -> Option<Scope> {
        let (over, per_source) = match s {
            "once" => (Over::Once, false),
            "each-source" => (Over::Once, true),
            "each-domain" => (Over::Domain, false),
            "each-domain-and-source" => (Over::Domain, true),
            "each-host" => (Over::Host, false),
            "each-host-and-source" => (Over::Host, true),
            _ => return None,
        };
        Some(Scope { over, per_source })
    }

    pub fn name(&self) -> &'static str {
        match (self.over, self.per_source) {
            (Over::Once, false) => "once",
            (Over::Once, true) => "each-source",
            (Over::Domain, false) => "each-domain",
            (Over::Domain, true) => "each-domain-and-source",
            (Over::Host, false) => "each-host",
            (Over::Host, true) => "each-host-and-source",
        }
    }
}

/// A YAML scalar read as text, so `port: 1688` and `port: "1688"` are the same variable.
#[derive(Debug, Clone)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The keys every check has, as written (spans kept for validation messages).
#[derive(Debug)]
pub struct RawCommon {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub title: Option<String>,
    pub scope: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub explains: Vec<Spanned<String>>,
    pub remediation: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub requires: Vec<Spanned<String>>,
}

/// Declares the YAML struct of a check kind: the common keys plus the kind's own, all flat
/// and strict, and splits a parsed value into (`RawCommon`, the kind's parameter struct).
/// Attributes on the kind's fields apply to the YAML struct only.
#[macro_export]
macro_rules! check_rule {
    ($(#[$m:meta])* $yaml:ident => $params:ident {
        $( $(#[$fm:meta])* $f:ident : $t:ty ),* $(,)?
    }) => {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[doc(hidden)]
        pub struct $yaml {
            id: serde_saphyr::Spanned<String>,
            kind: serde_saphyr::Spanned<String>,
            title: Option<String>,
            scope: Option<serde_saphyr::Spanned<String>>,
            severity: Option<serde_saphyr::Spanned<String>>,
            #[serde(default)]
            explains: Vec<serde_saphyr::Spanned<String>>,
            remediation: Option<serde_saphyr::Spanned<String>>,
            timeout: Option<serde_saphyr::Spanned<String>>,
            #[serde(default)]
            requires: Vec<serde_saphyr::Spanned<String>>,
            $( $(#[$fm])* $f: $t, )*
        }

        $(#[$m])*
        #[derive(Debug)]
        pub struct $params {
            $( pub $f: $t, )*
        }

        impl $yaml {
            pub fn split(self) -> ($crate::rules::RawCommon, $params) {
                (
                    $crate::rules::RawCommon {
                        id: self.id,
                        kind: self.kind,
                        title: self.title,
                        scope: self.scope,
                        severity: self.severity,
                        explains: self.explains,
                        remediation: self.remediation,
                        timeout: self.timeout,
                        requires: self.requires,
                    },
                    $params { $( $f: self.$f, )* },
                )
            }
        }
    };
}

/// One check, validated and ready for the engine.
#[derive(Debug, Clone)]
pub struct CheckRule {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub scope: Scope,
    pub severity: Severity,
    pub explains: Vec<String>,
    pub remediation: Option<String>,
    pub timeout: Duration,
    pub requires: Vec<String>,
    /// The file that defined it (for `rules list` and error messages).
    pub file: String,
    pub line: u64,
    /// Position of each `requires` entry, for dependency errors.
    pub requires_at: Vec<(u64, u64)>,
    pub check: Arc<dyn Check>,
}

/// The loaded rules: checks in definition order (built-ins first) and the merged vars.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub checks: Vec<CheckRule>,
    pub vars: Vars,
}

/// A rule file's text and the name to show in messages.
pub struct RuleSource {
    pub name: String,
    pub text: String,
    pub builtin: bool,
}

impl RuleSource {
    pub fn from_path(path: &Path) -> Result<Vec<RuleSource>, RuleError> {
        let err = |message: String| RuleError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut files: Vec<PathBuf> = Vec::new();
        if meta.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| err(format!("cannot list: {e}")))?;
            for entry in entries {
                let entry = entry.map_err(|e| err(format!("cannot list: {e}")))?;
                let p = entry.path();
                if matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                ) {
                    files.push(p);
                }
            }
            files.sort();
            if files.is_empty() {
                return Err(err("directory holds no .yaml or .yml rule files".into()));
            }
        } else {
            files.push(path.to_path_buf());
        }
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).map_err(|e| RuleError {
                    file: p.display().to_string(),
                    line: 0,
                    column: 0,
                    message: format!("cannot read: {e}"),
                })?;
                Ok(RuleSource {
                    name: p.display().to_string(),
                    text,
                    builtin: false,
                })
            })
            .collect()
    }
}

/// Options that shape validation: variables given on the command line.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    pub cli_vars: Vars,
}

/// Variables every job gets from the engine, so templates may always use them.
pub const RUNTIME_VARS: &[&str] = &["domain", "host", "port", "target", "source", "address"];

struct ParsedFile {
    name: String,
    builtin: bool,
    text: String,
    vars: Vec<(String, Spanned<Scalar>)>,
    checks: Vec<(RawCommon, Arc<dyn Check>)>,
}

/// Loads and validates rule files. Later files replace earlier checks with the same id only
/// when the earlier one is built in; two user files defining one id is an error.
pub fn load(sources: &[RuleSource], opts: &LoadOptions) -> Result<RuleSet, RuleErrors> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for src in sources {
        match parse_file(src) {
            Ok(p) => parsed.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(RuleErrors(errors));
    }

    // Vars: file order, then the command line wins.
    let mut vars = Vars::new();
    for p in &parsed {
        for (k, v) in &p.vars {
            vars.insert(k.clone(), v.value.0.clone());
        }
    }
    for (k, v) in &opts.cli_vars {
        vars.insert(k.clone(), v.clone());
    }

    // Checks, replacing built-ins by id.
    let mut order: Vec<(usize, usize)> = Vec::new(); // (file index, check index)
    let mut by_id: HashMap<String, usize> = HashMap::new(); // id -> position in order
    for (fi, p) in parsed.iter().enumerate() {
        let mut seen_here: HashMap<&str, &Spanned<String>> = HashMap::new();
        for (ci, (common, _)) in p.checks.iter().enumerate() {
            let id = common.id.value.as_str();
            if let Some(first) = seen_here.get(id) {
                errors.push(at(
                    &p.name,
                    &p.text,
                    &common.id,
                    format!(
                        "duplicate check id '{id}' (first defined at line {})",
                        first.referenced.line()
                    ),
                ));
                continue;
            }
            seen_here.insert(id, &common.id);
            match by_id.get(id) {
                Some(&pos) => {
                    let (pfi, pci) = order[pos];
                    let prev = &parsed[pfi];
                    if prev.builtin && !p.builtin {
                        order[pos] = (fi, ci);
                    } else {
                        errors.push(at(
                            &p.name,
                            &p.text,
                            &common.id,
                            format!(
                                "duplicate check id '{id}' (already defined at {}:{})",
                                prev.name,
                                prev.checks[pci].0.id.referenced.line()
                            ),
                        ));
                    }
                }
                None => {
                    by_id.insert(id.to_string(), order.len());
                    order.push((fi, ci));
                }
            }
        }
    }

    let known_ids: HashSet<&str> = order
        .iter()
        .map(|&(fi, ci)| parsed[fi].checks[ci].0.id.value.as_str())
        .collect();
    let mut known_vars: HashSet<String> = vars.keys().cloned().collect();
    known_vars.extend(RUNTIME_VARS.iter().map(|s| s.to_string()));

    let mut checks = Vec::new();
    for &(fi, ci) in &order {
        let p = &parsed[fi];
        let (common, check) = &p.checks[ci];
        match validate_check(p, common, check, &known_ids, &known_vars) {
            Ok(rule) => checks.push(rule),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        if let Err(e) = check_dependencies(&checks) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(RuleSet { checks, vars })
    } else {
        errors.sort_by(|a, b| {
            (a.file.as_str(), a.line, a.column).cmp(&(b.file.as_str(), b.line, b.column))
        });
        Err(RuleErrors(errors))
    }
}

fn validate_check(
    p: &ParsedFile,
    c: &RawCommon,
    check: &Arc<dyn Check>,
    known_ids: &HashSet<&str>,
    known_vars: &HashSet<String>,
) -> Result<CheckRule, Vec<RuleError>> {
    let mut errors = Vec::new();
    let id = c.id.value.trim();
    if id.is_empty() || id.chars().any(|ch| ch.is_whitespace()) {
        errors.push(at(
            &p.name,
            &p.text,
            &c.id,
            "check id must be a non-empty word without spaces".into(),
        ));
    }
    let scope = match &c.scope {
        None => check.default_scope(),
        Some(s) => Scope::parse(&s.value).unwrap_or_else(|| {
            errors.push(at(
                &p.name,
                &p.text,
                s,
                format!(
                    "unknown scope '{}', expected one of: {}",
                    s.value,
                    Scope::NAMES.join(", ")
                ),
            ));
            check.default_scope()
        }),
    };
    let severity = match c.severity.as_ref().map(|s| s.value.as_str()) {
        None | Some("fail") => Severity::Fail,
        Some("warn") => Severity::Warn,
        Some(other) => {
            errors.push(at(
                &p.name,
                &p.text,
                c.severity.as_ref().expect("matched Some"),
                format!("unknown severity '{other}', expected 'fail' or 'warn'"),
            ));
            Severity::Fail
        }
    };
    let timeout = match &c.timeout {
        None => check.default_timeout(),
        Some(t) => match parse_duration(&t.value) {
            Ok(d) => d,
            Err(msg) => {
                errors.push(at(&p.name, &p.text, t, msg));
                check.default_timeout()
            }
        },
    };
    for code in &c.explains {
        if !is_error_code(&code.value) {
            errors.push(at(
                &p.name,
                &p.text,
                code,
                format!(
                    "'{}' is not an error code; write it as 0x followed by 8 hex digits, e.g. 0xC004F074",
                    code.value
                ),
            ));
        }
    }
    for r in &c.requires {
        if !known_ids.contains(r.value.as_str()) {
            errors.push(at(
                &p.name,
                &p.text,
                r,
                format!("requires unknown check id '{}'", r.value),
            ));
        } else if r.value == c.id.value {
            errors.push(at(
                &p.name,
                &p.text,
                r,
                "a check cannot require itself".into(),
            ));
        }
    }
    // Templates: the kind's parameters may use vars; remediation may also use evidence names.
    for t in check.templates() {
        errors.extend(undefined_vars(p, t, known_vars, &[]));
    }
    if let Some(r) = &c.remediation {
        errors.extend(undefined_vars(p, r, known_vars, check.evidence_vars()));
    }
    for (loc, msg) in check.validate() {
        errors.push(at_location(&p.name, &p.text, loc, msg));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckRule {
        id: id.to_string(),
        kind: c.kind.value.clone(),
        title: c.title.clone().unwrap_or_else(|| id.to_string()),
        scope,
        severity,
        explains: c
            .explains
            .iter()
            .map(|s| s.value.to_uppercase().replacen("0X", "0x", 1))
            .collect(),
        remediation: c.remediation.as_ref().map(|r| r.value.clone()),
        timeout,
        requires: c.requires.iter().map(|r| r.value.clone()).collect(),
        file: p.name.clone(),
        line: c.id.referenced.line(),
        requires_at: c
            .requires
            .iter()
            .map(|r| (r.referenced.line(), r.referenced.column()))
            .collect(),
        check: Arc::clone(check),
    })
}

fn undefined_vars(
    p: &ParsedFile,
    t: &Spanned<String>,
    known: &HashSet<String>,
    extra: &[&str],
) -> Vec<RuleError> {
    let mut out = Vec::new();
    for (offset, name) in template::placeholders(&t.value) {
        if known.contains(name) || extra.contains(&name) {
            continue;
        }
        let msg = if name.is_empty() || name.contains("{{") {
            format!("malformed placeholder in {:?}", t.value)
        } else {
            let mut names: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
            names.extend_from_slice(extra);
            names.sort_unstable();
            format!(
                "undefined variable '{{{{{name}}}}}'; defined: {}",
                names.join(", ")
            )
        };
        let (line, column) = placeholder_position(&p.text, t, offset);
        out.push(RuleError {
            file: p.name.clone(),
            line,
            column,
            message: msg,
        });
    }
    out
}

/// Finds the `n`th-byte placeholder of a scalar in the source so the error points at
/// `{{name}}` itself; falls back to the scalar's start (block scalars, escapes).
fn placeholder_position(text: &str, t: &Spanned<String>, offset: usize) -> (u64, u64) {
    let loc = t.referenced;
    let fallback = (loc.line(), loc.column());
    let Some(start) = loc.span().byte_offset() else {
        return fallback;
    };
    let start = start as usize;
    let Some(needle) = t
        .value
        .get(offset..)
        .and_then(|s| s.get(..s.find("}}").map_or(s.len(), |e| e + 2)))
    else {
        return fallback;
    };
    let Some(hay) = text.get(start..) else {
        return fallback;
    };
    match hay.find(needle) {
        Some(rel) => line_col(text, start + rel),
        None => fallback,
    }
}

fn line_col(text: &str, byte: usize) -> (u64, u64) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[col_start..].chars().count() as u64 + 1;
    (line, column)
}

fn check_dependencies(checks: &[CheckRule]) -> Result<(), RuleError> {
    let by_id: HashMap<&str, &CheckRule> = checks.iter().map(|c| (c.id.as_str(), c)).collect();
    for c in checks {
        for (i, r) in c.requires.iter().enumerate() {
            let dep = by_id[r.as_str()];
            if dep.scope.over > c.scope.over {
                let (line, column) = c.requires_at.get(i).copied().unwrap_or((c.line, 1));
                return Err(RuleError {
                    file: c.file.clone(),
                    line,
                    column,
                    message: format!(
                        "check '{}' (scope {}) cannot require '{}' (scope {}): a check can only require checks of the same or a wider scope",
                        c.id,
                        c.scope.name(),
                        dep.id,
                        dep.scope.name()
                    ),
                });
            }
        }
    }
    // Cycle detection (depth-first, colours).
    fn visit<'a>(
        id: &'a str,
        by_id: &HashMap<&'a str, &'a CheckRule>,
        state: &mut HashMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(id) {
            Some(2) => return None,
            Some(1) => {
                let from = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[from..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(id, 1);
        path.push(id);
        for r in &by_id[id].requires {
            if let Some(c) = visit(r.as_str(), by_id, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(id, 2);
        None
    }
    let mut state = HashMap::new();
    for c in checks {
        let mut path = Vec::new();
        if let Some(cycle) = visit(c.id.as_str(), &by_id, &mut state, &mut path) {
            // Point at the `requires` entry that closes the cycle.
            let closer = by_id[cycle[cycle.len() - 2].as_str()];
            let last = &cycle[cycle.len() - 1];
            let at = closer
                .requires
                .iter()
                .position(|r| r == last)
                .and_then(|i| closer.requires_at.get(i).copied());
            let (line, column) = at.unwrap_or((closer.line, 1));
            return Err(RuleError {
                file: closer.file.clone(),
                line,
                column,
                message: format!("requires form a cycle: {}", cycle.join(" -> ")),
            });
        }
    }
    Ok(())
}

fn is_error_code(s: &str) -> bool {
    let s = s.trim();
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
    matches!(hex, Some(h) if h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Parses `3s`, `1500ms`, `2m`, `1m30s` (humantime syntax); zero and absurd values are errors.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid duration '{s}': {e} (write e.g. 500ms, 3s, 1m)"))?;
    if d.is_zero() {
        return Err(format!("invalid duration '{s}': must be greater than zero"));
    }
    if d > Duration::from_secs(24 * 3600) {
        return Err(format!("invalid duration '{s}': more than 24 hours"));
    }
    Ok(d)
}

fn at(file: &str, text: &str, s: &Spanned<impl Sized>, message: String) -> RuleError {
    at_location(file, text, s.referenced, message)
}

fn at_location(file: &str, _text: &str, loc: Location, message: String) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: loc.line(),
        column: loc.column(),
        message,
    }
}

// ---------- parsing ----------

#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    checks: Option<Vec<Spanned<PeekCheck>>>,
}

#[derive(Deserialize)]
struct PeekCheck {
    kind: Option<Spanned<String>>,
}

fn yaml_error(file: &str, e: &serde_saphyr::Error) -> RuleError {
    let inner = e.without_snippet();
    let mut message = inner.to_string();
    // The crate's Display starts with "line N column M: "; we print our own position.
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
    match e.location() {
        Some(l) => RuleError {
            file: file.to_string(),
            line: l.line(),
            column: l.column(),
            message,
        },
        None => RuleError {
            file: file.to_string(),
            line: 0,
            column: 0,
            message,
        },
    }
}

fn parse_file(src: &RuleSource) -> Result<ParsedFile, Vec<RuleError>> {
    let name = src.name.as_str();
    if src.text.trim().is_empty() {
        return Err(vec![RuleError {
            file: name.to_string(),
            line: 0,
            column: 0,
            message: "empty rule file: expected 'version: 1' and 'checks:'".into(),
        }]);
    }
    // Pass 1: the kind of each check.
    let peek: Peek = serde_saphyr::from_str(&src.text).map_err(|e| vec![yaml_error(name, &e)])?;
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for item in peek.checks.unwrap_or_default() {
        match item.value.kind {
            None => errors.push(at(
                name,
                &src.text,
                &item,
                format!(
                    "check has no 'kind'; expected one of: {}",
                    checks::KIND_NAMES.join(", ")
                ),
            )),
            Some(k) => match checks::KIND_NAMES.iter().find(|n| **n == k.value) {
                Some(n) => kinds.push(*n),
                None => errors.push(at(
                    name,
                    &src.text,
                    &k,
                    format!(
                        "unknown check kind '{}', expected one of: {}",
                        k.value,
                        checks::KIND_NAMES.join(", ")
                    ),
                )),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Pass 2: typed.
    let file: FileBody = serde_saphyr::with_deserializer_from_str(&src.text, |d| {
        FileSeed { kinds: &kinds }.deserialize(d)
    })
    .map_err(|e| vec![yaml_error(name, &e)])?;
    match file.version {
        Some(v) if v.value == 1 => {}
        Some(v) => {
            return Err(vec![at(
                name,
                &src.text,
                &v,
                format!(
                    "unsupported rules version {}; this kms-preflight reads version 1",
                    v.value
                ),
            )])
        }
        None => {
            return Err(vec![RuleError {
                file: name.to_string(),
                line: 1,
                column: 1,
                message: "missing 'version: 1' at the top of the rule file".into(),
            }])
        }
    }
    let mut vars = Vec::new();
    for (k, v) in file.vars {
        if k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            errors.push(at(
                name,
                &src.text,
                &v,
                format!("variable name '{k}' may only hold letters, digits, '_' and '-'"),
            ));
        }
        if RUNTIME_VARS.contains(&k.as_str()) && k != "port" {
            errors.push(at(
                name,
                &src.text,
                &v,
                format!("variable '{k}' is set by kms-preflight for each job and cannot be defined in a rule file"),
            ));
        }
        vars.push((k, v));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedFile {
        name: name.to_string(),
        builtin: src.builtin,
        text: src.text.clone(),
        vars,
        checks: file.checks,
    })
}

struct FileBody {
    version: Option<Spanned<u32>>,
    vars: Vec<(String, Spanned<Scalar>)>,
    checks: Vec<(RawCommon, Arc<dyn Check>)>,
}

struct FileSeed<'a> {
    kinds: &'a [&'static str],
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = FileBody;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FileBody, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = FileBody;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a rule file: a mapping with 'version', 'vars' and 'checks'")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileBody, A::Error> {
        let mut body = FileBody {
            version: None,
            vars: Vec::new(),
            checks: Vec::new(),
        };
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key '{key}'")));
            }
            match key.as_str() {
                "version" => body.version = Some(map.next_value()?),
                "vars" => {
                    let v: Option<BTreeMap<String, Spanned<Scalar>>> = map.next_value()?;
                    body.vars = v.unwrap_or_default().into_iter().collect();
                }
                "checks" => {
                    body.checks = map.next_value_seed(ChecksSeed { kinds: self.kinds })?;
                }
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["version", "vars", "checks"],
                    ));
                }
            }
        }
        Ok(body)
    }
}

struct ChecksSeed<'a> {
    kinds: &'a [&'static str],
}

impl<'de> DeserializeSeed<'de> for ChecksSeed<'_> {
    type Value = Vec<(RawCommon, Arc<dyn Check>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChecksSeed<'_> {
    type Value = Vec<(RawCommon, Arc<dyn Check>)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of checks")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let Some(kind) = self.kinds.get(i).copied() else {
                // Pass 1 saw exactly this many checks.
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("more checks than the first pass saw"));
                }
                break;
            };
            match seq.next_element_seed(OneCheck { kind })? {
                Some(c) => out.push(c),
                None => break,
            }
            i += 1;
        }
        Ok(out)
    }
}

struct OneCheck {
    kind: &'static str,
}

impl<'de> DeserializeSeed<'de> for OneCheck {
    type Value = (RawCommon, Arc<dyn Check>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        checks::deserialize_kind(self.kind, d)
    }
}

#[cfg(test)]
mod tests;

//! Semantic checks of a parsed check: scope, severity, codes, timeouts, variables, and the
//! `requires` graph (unknown ids, order of scopes, cycles).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::duration::{parse_duration, DEFAULT_RETRY_DELAY, MAX_RETRIES};
use super::error::{self, at, at_location, RuleError};
use super::model::{CheckRule, RawCommon, Severity};
use super::parsed::ParsedFile;
use super::scope::Scope;
use super::template;
use crate::check::Check;
use crate::model::Model;

pub(super) fn validate_check<M: Model>(
    p: &ParsedFile<M>,
    c: &RawCommon,
    check: &Arc<dyn Check<M>>,
    known_ids: &HashSet<&str>,
    known_vars: &HashSet<String>,
) -> Result<CheckRule<M>, Vec<RuleError>> {
    let mut errors = Vec::new();
    let id = c.id.value.trim();
    if id.is_empty() || id.chars().any(|ch| ch.is_whitespace()) {
        errors.push(at(&p.name, &c.id, error::bad_id()));
    }
    let scope = match &c.scope {
        None => check.default_scope(),
        Some(s) => Scope::parse(&s.value).unwrap_or_else(|| {
            errors.push(at(
                &p.name,
                s,
                error::unknown_scope(s.value.as_str(), Scope::NAMES),
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
                c.severity.as_ref().expect("matched Some"),
                error::unknown_severity(other),
            ));
            Severity::Fail
        }
    };
    let timeout = match &c.timeout {
        None => check.default_timeout(),
        Some(t) => match parse_duration(&t.value) {
            Ok(d) => d,
            Err(msg) => {
                errors.push(at(&p.name, t, msg));
                check.default_timeout()
            }
        },
    };
    let retries = match &c.retries {
        None => 0,
        Some(r) if r.value <= MAX_RETRIES => r.value,
        Some(r) => {
            errors.push(at(
                &p.name,
                r,
                error::too_many_retries(r.value, MAX_RETRIES),
            ));
            0
        }
    };
    let retry_delay = match &c.retry_delay {
        None => DEFAULT_RETRY_DELAY,
        Some(t) => match parse_duration(&t.value) {
            Ok(d) if d <= Duration::from_secs(60) => d,
            Ok(_) => {
                errors.push(at(
                    &p.name,
                    t,
                    error::retry_delay_too_long(t.value.as_str()),
                ));
                DEFAULT_RETRY_DELAY
            }
            Err(msg) => {
                errors.push(at(&p.name, t, msg));
                DEFAULT_RETRY_DELAY
            }
        },
    };
    for code in &c.explains {
        if !is_error_code(&code.value) {
            errors.push(at(
                &p.name,
                code,
                error::not_an_error_code(code.value.as_str()),
            ));
        }
    }
    for r in &c.requires {
        if !known_ids.contains(r.value.as_str()) {
            errors.push(at(&p.name, r, error::requires_unknown(r.value.as_str())));
        } else if r.value == c.id.value {
            errors.push(at(&p.name, r, error::requires_itself()));
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
        errors.push(at_location(&p.name, loc, msg));
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
        retries,
        retry_delay,
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

pub(super) fn undefined_vars<M: Model>(
    p: &ParsedFile<M>,
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
            // Quoted as Rust quotes it, so control characters show.
            error::malformed_placeholder(format!("{:?}", t.value))
        } else {
            let mut names: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
            names.extend_from_slice(extra);
            names.sort_unstable();
            error::undefined_var(name, names)
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
pub(super) fn placeholder_position(text: &str, t: &Spanned<String>, offset: usize) -> (u64, u64) {
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

pub(super) fn line_col(text: &str, byte: usize) -> (u64, u64) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[col_start..].chars().count() as u64 + 1;
    (line, column)
}

pub(super) fn check_dependencies<M: Model>(checks: &[CheckRule<M>]) -> Result<(), RuleError> {
    let by_id: HashMap<&str, &CheckRule<M>> = checks.iter().map(|c| (c.id.as_str(), c)).collect();
    for c in checks {
        for (i, r) in c.requires.iter().enumerate() {
            let dep = by_id[r.as_str()];
            if dep.scope.over > c.scope.over {
                let (line, column) = c.requires_at.get(i).copied().unwrap_or((c.line, 1));
                return Err(RuleError {
                    file: c.file.clone(),
                    line,
                    column,
                    message: error::scope_order(
                        c.id.as_str(),
                        c.scope.name(),
                        dep.id.as_str(),
                        dep.scope.name(),
                    ),
                });
            }
        }
    }
    // Cycle detection (depth-first, colours).
    fn visit<'a, M: Model>(
        id: &'a str,
        by_id: &HashMap<&'a str, &'a CheckRule<M>>,
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
                message: error::cycle(cycle),
            });
        }
    }
    Ok(())
}

pub(super) fn is_error_code(s: &str) -> bool {
    let s = s.trim();
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
    matches!(hex, Some(h) if h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

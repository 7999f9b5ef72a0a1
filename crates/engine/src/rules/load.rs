//! Two-pass loading of rule files: peek at each check's kind, then deserialize it into the
//! struct its kind declares, through the registry the caller passes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{self, at, yaml_error, RuleError, RuleErrors};
use super::model::{LoadOptions, RawCommon, RuleSet, RuleSource, RUNTIME_VARS};
use super::parsed::{ParsedFile, Scalar};
use super::template::Vars;
use super::validate::{check_dependencies, validate_check};
use crate::check::Check;
use crate::model::Model;

/// One check as the registry reads it: its common keys and its behaviour.
pub type ParsedCheck<M> = (RawCommon, Arc<dyn Check<M>>);

/// The check kinds a loader knows. The checks crate implements it; the loader is given one, so
/// the engine never names a kind.
pub trait KindRegistry {
    /// The model the kinds are checks of.
    type Model: Model;
    /// Every kind name, in registration order (for "expected one of" messages).
    fn names(&self) -> &'static [&'static str];
    /// Deserializes one check of kind `kind` (one of [`names`](Self::names)) into its common keys
    /// and its behaviour.
    fn deserialize<'de, D: Deserializer<'de>>(
        &self,
        kind: &str,
        d: D,
    ) -> Result<ParsedCheck<Self::Model>, D::Error>;
}

/// Rule files parsed with a registry's kinds, not yet merged or validated: the first half of
/// [`load`]. A command parses the built-in files once and merges the user's files behind them
/// with [`load_behind`]; the result is what [`load`] of all the files gives.
pub struct ParsedSources<M: Model>(Vec<ParsedFile<M>>);

impl<M: Model> Default for ParsedSources<M> {
    fn default() -> Self {
        ParsedSources(Vec::new())
    }
}

/// Parses rule files (every error of every file, or all of them parsed).
pub fn parse<R: KindRegistry>(
    sources: &[RuleSource],
    kinds: &R,
) -> Result<ParsedSources<R::Model>, RuleErrors> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for src in sources {
        match parse_file(src, kinds) {
            Ok(p) => parsed.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(ParsedSources(parsed))
    } else {
        Err(RuleErrors(errors))
    }
}

/// Loads and validates rule files. Later files replace earlier checks with the same id only
/// when the earlier one is built in; two user files defining one id is an error.
pub fn load<R: KindRegistry>(
    sources: &[RuleSource],
    opts: &LoadOptions,
    kinds: &R,
) -> Result<RuleSet<R::Model>, RuleErrors> {
    load_behind(&ParsedSources::default(), sources, opts, kinds)
}

/// [`load`] of the files of `front` followed by `sources`, without parsing `front` again.
pub fn load_behind<R: KindRegistry>(
    front: &ParsedSources<R::Model>,
    sources: &[RuleSource],
    opts: &LoadOptions,
    kinds: &R,
) -> Result<RuleSet<R::Model>, RuleErrors> {
    let behind = parse(sources, kinds)?;
    let parsed: Vec<&ParsedFile<R::Model>> = front.0.iter().chain(&behind.0).collect();
    let mut errors = Vec::new();

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
                    &common.id,
                    error::duplicate_id_in_file(id, first.referenced.line()),
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
                            &common.id,
                            error::duplicate_id(
                                id,
                                prev.name.as_str(),
                                prev.checks[pci].0.id.referenced.line(),
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
        let p = parsed[fi];
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

fn parse_file<R: KindRegistry>(
    src: &RuleSource,
    registry: &R,
) -> Result<ParsedFile<R::Model>, Vec<RuleError>> {
    let name = src.name.as_str();
    if src.text.trim().is_empty() {
        return Err(vec![RuleError::file(name, error::empty_file())]);
    }
    // Pass 1: the kind of each check.
    let peek: Peek = serde_saphyr::from_str(&src.text).map_err(|e| vec![yaml_error(name, &e)])?;
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for item in peek.checks.unwrap_or_default() {
        match item.value.kind {
            None => errors.push(at(name, &item, error::no_kind(registry.names()))),
            Some(k) => match registry.names().iter().find(|n| **n == k.value) {
                Some(n) => kinds.push(*n),
                None => errors.push(at(
                    name,
                    &k,
                    error::unknown_kind(k.value.as_str(), registry.names()),
                )),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Pass 2: typed.
    let file: FileBody<R::Model> = serde_saphyr::with_deserializer_from_str(&src.text, |d| {
        FileSeed {
            kinds: &kinds,
            registry,
            builtin: src.builtin,
        }
        .deserialize(d)
    })
    .map_err(|e| vec![yaml_error(name, &e)])?;
    match file.version {
        Some(v) if v.value == 1 => {}
        Some(v) => return Err(vec![at(name, &v, error::unsupported_version(v.value))]),
        None => {
            return Err(vec![RuleError {
                file: name.to_string(),
                line: 1,
                column: 1,
                message: error::missing_version(),
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
            errors.push(at(name, &v, error::bad_var_name(k.as_str())));
        }
        if RUNTIME_VARS.contains(&k.as_str()) && k != "port" {
            errors.push(at(name, &v, error::runtime_var(k.as_str())));
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

struct FileBody<M: Model> {
    version: Option<Spanned<u32>>,
    vars: Vec<(String, Spanned<Scalar>)>,
    checks: Vec<ParsedCheck<M>>,
}

struct FileSeed<'a, R> {
    kinds: &'a [&'static str],
    registry: &'a R,
    /// Built-in files may carry a `profile:` header (read by `rules::profiles`).
    builtin: bool,
}

impl<'de, R: KindRegistry> DeserializeSeed<'de> for FileSeed<'_, R> {
    type Value = FileBody<R::Model>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FileBody<R::Model>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R: KindRegistry> Visitor<'de> for FileSeed<'_, R> {
    type Value = FileBody<R::Model>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a rule file: a mapping with 'version', 'vars' and 'checks'")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileBody<R::Model>, A::Error> {
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
                    body.checks = map.next_value_seed(ChecksSeed {
                        kinds: self.kinds,
                        registry: self.registry,
                    })?;
                }
                "profile" if self.builtin => {
                    map.next_value::<de::IgnoredAny>()?;
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

struct ChecksSeed<'a, R> {
    kinds: &'a [&'static str],
    registry: &'a R,
}

impl<'de, R: KindRegistry> DeserializeSeed<'de> for ChecksSeed<'_, R> {
    type Value = Vec<ParsedCheck<R::Model>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: KindRegistry> Visitor<'de> for ChecksSeed<'_, R> {
    type Value = Vec<ParsedCheck<R::Model>>;
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
            match seq.next_element_seed(OneCheck {
                kind,
                registry: self.registry,
            })? {
                Some(c) => out.push(c),
                None => break,
            }
            i += 1;
        }
        Ok(out)
    }
}

struct OneCheck<'a, R> {
    kind: &'static str,
    registry: &'a R,
}

impl<'de, R: KindRegistry> DeserializeSeed<'de> for OneCheck<'_, R> {
    type Value = ParsedCheck<R::Model>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.registry.deserialize(self.kind, d)
    }
}

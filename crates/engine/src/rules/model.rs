//! The loaded rule model: checks validated and ready for the engine, and the rule sources.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::error::{self, RuleError};
use super::scope::Scope;
use super::template::Vars;
use crate::check::Check;
use crate::model::Model;

/// What a failed check means for activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fail,
    Warn,
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
    pub retries: Option<Spanned<u32>>,
    pub retry_delay: Option<Spanned<String>>,
}

/// One check, validated and ready for the engine.
#[derive(Debug)]
pub struct CheckRule<M: Model> {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub scope: Scope,
    pub severity: Severity,
    pub explains: Vec<String>,
    pub remediation: Option<String>,
    pub timeout: Duration,
    pub requires: Vec<String>,
    /// Extra attempts after a fail or error; a pass on a later attempt is reported as a
    /// flaky warning (see `engine::retry`).
    pub retries: u32,
    pub retry_delay: Duration,
    /// The file that defined it (for `rules list` and error messages).
    pub file: String,
    pub line: u64,
    /// Position of each `requires` entry, for dependency errors.
    pub requires_at: Vec<(u64, u64)>,
    pub check: Arc<dyn Check<M>>,
}

// By hand: a derive would ask `M: Clone` of the model marker type.
impl<M: Model> Clone for CheckRule<M> {
    fn clone(&self) -> Self {
        CheckRule {
            id: self.id.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            scope: self.scope,
            severity: self.severity,
            explains: self.explains.clone(),
            remediation: self.remediation.clone(),
            timeout: self.timeout,
            requires: self.requires.clone(),
            retries: self.retries,
            retry_delay: self.retry_delay,
            file: self.file.clone(),
            line: self.line,
            requires_at: self.requires_at.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

/// The loaded rules: checks in definition order (built-ins first) and the merged vars.
#[derive(Debug)]
pub struct RuleSet<M: Model> {
    pub checks: Vec<CheckRule<M>>,
    pub vars: Vars,
}

impl<M: Model> Clone for RuleSet<M> {
    fn clone(&self) -> Self {
        RuleSet {
            checks: self.checks.clone(),
            vars: self.vars.clone(),
        }
    }
}

impl<M: Model> Default for RuleSet<M> {
    fn default() -> Self {
        RuleSet {
            checks: Vec::new(),
            vars: Vars::new(),
        }
    }
}

/// A rule file's text and the name to show in messages.
pub struct RuleSource {
    pub name: String,
    pub text: String,
    pub builtin: bool,
}

impl RuleSource {
    pub fn from_path(path: &Path) -> Result<Vec<RuleSource>, RuleError> {
        let err = |message| RuleError::file(path.display().to_string(), message);
        let meta = std::fs::metadata(path).map_err(|e| err(error::cannot_read(e.to_string())))?;
        let mut files: Vec<PathBuf> = Vec::new();
        if meta.is_dir() {
            let entries =
                std::fs::read_dir(path).map_err(|e| err(error::cannot_list(e.to_string())))?;
            for entry in entries {
                let entry = entry.map_err(|e| err(error::cannot_list(e.to_string())))?;
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
                return Err(err(error::dir_empty()));
            }
        } else {
            files.push(path.to_path_buf());
        }
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).map_err(|e| {
                    RuleError::file(p.display().to_string(), error::cannot_read(e.to_string()))
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

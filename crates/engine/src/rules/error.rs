//! Rule errors, always with the file and, where known, line and column.

use std::fmt;

use serde_saphyr::{Location, Spanned};

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

pub(super) fn at(file: &str, text: &str, s: &Spanned<impl Sized>, message: String) -> RuleError {
    at_location(file, text, s.referenced, message)
}

pub(super) fn at_location(file: &str, _text: &str, loc: Location, message: String) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: loc.line(),
        column: loc.column(),
        message,
    }
}

pub fn yaml_error(file: &str, e: &serde_saphyr::Error) -> RuleError {
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

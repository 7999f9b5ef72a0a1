//! `--format json`: one document, schema `kms-preflight/report/v1`: the report's fields, then
//! the additive `verdict` object ([`super::verdict`]), computed from the results.

use serde_json::Value;

use super::Report;

/// The report as JSON, with the verdict added after every field of the report itself.
pub fn to_value(report: &Report) -> Value {
    let mut v = serde_json::to_value(report).expect("report is plain data");
    if let Value::Object(m) = &mut v {
        m.insert(
            "verdict".into(),
            serde_json::to_value(super::verdict::verdict(report)).expect("plain data"),
        );
    }
    v
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).expect("report is plain data");
    s.push('\n');
    s
}

//! `--format json`: one document, schema `kms-preflight/report/v1`.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report is plain data");
    s.push('\n');
    s
}

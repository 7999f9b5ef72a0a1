//! `{{name}}` substitution: the only templating the rule format has (no logic, by design).

use std::collections::BTreeMap;

/// Variables available to a check: rule-file vars, `--var`, and per-job values (domain, host, …).
pub type Vars = BTreeMap<String, String>;

/// Names of the `{{placeholders}}` in `text`, in order, with their byte offsets.
/// An unterminated `{{` is reported as a placeholder named after the rest of the text,
/// so validation flags it instead of passing it through silently.
pub fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut base = 0;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push((base + start, after[..end].trim()));
                let consumed = start + 2 + end + 2;
                base += consumed;
                rest = &rest[consumed..];
            }
            None => {
                out.push((base + start, after.trim()));
                break;
            }
        }
    }
    out
}

/// Replaces every `{{name}}` with its value. Unknown names are returned as an error
/// listing them; rule validation makes this unreachable for names known at load time.
pub fn render(text: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            missing.push(format!("unterminated '{{{{' in {text:?}"));
            rest = "";
            break;
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => missing.push(name.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(format!("undefined variable(s): {}", missing.join(", ")))
    }
}

/// Like [`render`], but leaves unknown placeholders in place: used for remediation text,
/// where a value the check did not measure is better shown as `{{name}}` than dropped.
pub fn render_lenient(text: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn renders_known_names() {
        let v = vars(&[("domain", "corp.test"), ("port", "1688")]);
        assert_eq!(
            render("_vlmcs._tcp.{{domain}}:{{ port }}", &v).unwrap(),
            "_vlmcs._tcp.corp.test:1688"
        );
    }

    #[test]
    fn reports_unknown_and_unterminated() {
        let v = vars(&[]);
        assert_eq!(
            render("a {{x}} b {{y}}", &v).unwrap_err(),
            "undefined variable(s): x, y"
        );
        assert!(render("a {{x", &v).unwrap_err().contains("unterminated"));
    }

    #[test]
    fn lists_placeholders_with_offsets() {
        assert_eq!(
            placeholders("ab{{x}}c{{ y }}{{z"),
            vec![(2, "x"), (8, "y"), (15, "z")]
        );
    }

    #[test]
    fn lenient_keeps_unknown() {
        let v = vars(&[("a", "1")]);
        assert_eq!(render_lenient("{{a}} {{b}}", &v), "1 {{b}}");
    }
}

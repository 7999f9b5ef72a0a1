//! `reg query` output (with or without `/s`): key header lines, then value lines of the form
//! `    <name>    <REG_TYPE>    <data>` (four-space separators; the data may be absent).

use crate::detect::{is_reg_header, is_reg_value};
use crate::model::{RegistryScope, RegistryTree, RegistryValue};
use crate::shape::uuid;
use crate::text::Line;

pub(crate) fn parse(lines: &[Line]) -> Vec<RegistryValue> {
    let mut out = Vec::new();
    let mut key: Option<(String, RegistryScope)> = None;
    for l in lines {
        let text = l.text.trim_end();
        if is_reg_header(text) {
            let k = text.trim().to_string();
            let scope = scope_of(&k);
            key = Some((k, scope));
        } else if is_reg_value(text) {
            let Some((k, scope)) = &key else { continue };
            if let Some(v) = value_line(text, k, scope) {
                out.push(v);
            }
        }
    }
    out
}

fn value_line(text: &str, key: &str, scope: &RegistryScope) -> Option<RegistryValue> {
    let body = text.strip_prefix("    ")?;
    let at = body.find("    REG_")?;
    let name = body[..at].trim().to_string();
    let rest = &body[at + 4..];
    let (kind, data) = match rest.split_once("    ") {
        Some((k, d)) => (k.trim(), d.trim()),
        None => (rest.trim(), ""),
    };
    if name.is_empty() || !kind.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        return None;
    }
    let number = match kind {
        "REG_DWORD" | "REG_QWORD" | "REG_DWORD_BIG_ENDIAN" => data
            .strip_prefix("0x")
            .and_then(|h| u64::from_str_radix(h, 16).ok()),
        _ => None,
    };
    Some(RegistryValue {
        key: key.to_string(),
        scope: scope.clone(),
        name,
        kind: kind.to_string(),
        data: data.to_string(),
        number,
    })
}

/// Which licensing key a header names (HKLM only; `Wow6432Node` is the same key's 32-bit view).
pub(crate) fn scope_of(key: &str) -> RegistryScope {
    let parts: Vec<String> = key
        .split('\\')
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_lowercase())
        .collect();
    let Some(hive) = parts.first() else {
        return RegistryScope::Other;
    };
    if hive != "hkey_local_machine" && hive != "hklm" {
        return RegistryScope::Other;
    }
    let path: Vec<&str> = parts[1..]
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "wow6432node")
        .collect();
    let (tree, rest) = match path.as_slice() {
        ["software", "microsoft", "windows nt", "currentversion", "softwareprotectionplatform", rest @ ..] => {
            (RegistryTree::Spp, rest)
        }
        ["software", "microsoft", "officesoftwareprotectionplatform", rest @ ..] => {
            (RegistryTree::Ospp, rest)
        }
        _ => return RegistryScope::Other,
    };
    match rest {
        [] => RegistryScope::Global { tree },
        [app] => match uuid(app) {
            Some(app_id) => RegistryScope::App { tree, app_id },
            None => RegistryScope::Other,
        },
        [app, sku] => match (uuid(app), uuid(sku)) {
            (Some(app_id), Some(sku_id)) => RegistryScope::Sku {
                tree,
                app_id,
                sku_id,
            },
            _ => RegistryScope::Other,
        },
        _ => RegistryScope::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn values_and_scopes() {
        let t = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\n    KeyManagementServiceName    REG_SZ    kms1.corp.example\n    VLActivationInterval    REG_DWORD    0x78\n    Empty    REG_SZ\n    (Default)    REG_SZ    x y  z\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\55c92734-d682-4d71-983e-d6ec3f16059f\\2DE67392-B7A7-462A-B1CA-108DD189F588\n    KeyManagementServicePort    REG_SZ    1688\n";
        let v = parse(&lines(t));
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].name, "KeyManagementServiceName");
        assert_eq!(v[0].data, "kms1.corp.example");
        assert_eq!(
            v[0].scope,
            RegistryScope::Global {
                tree: RegistryTree::Spp
            }
        );
        assert_eq!((v[1].kind.as_str(), v[1].number), ("REG_DWORD", Some(120)));
        assert_eq!((v[2].name.as_str(), v[2].data.as_str()), ("Empty", ""));
        assert_eq!(v[3].data, "x y  z");
        assert_eq!(
            v[4].scope,
            RegistryScope::Sku {
                tree: RegistryTree::Spp,
                app_id: "55c92734-d682-4d71-983e-d6ec3f16059f".into(),
                sku_id: "2de67392-b7a7-462a-b1ca-108dd189f588".into()
            }
        );
        assert_eq!(
            scope_of("HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\OfficeSoftwareProtectionPlatform"),
            RegistryScope::Global {
                tree: RegistryTree::Ospp
            }
        );
        assert_eq!(
            scope_of("HKEY_CURRENT_USER\\Software"),
            RegistryScope::Other
        );
    }
}

//! `proxy`: proxy settings in effect on this machine (the `*_PROXY` environment variables in
//! both cases, and on Windows the WinHTTP setting), reported with what they mean for KMS:
//! client activation is DCE/RPC over plain TCP to port 1688, which no HTTP proxy carries. A
//! proxy is a hint that direct egress may be closed; if the proxy is the only way out,
//! activation fails whatever the proxy allows. Reads settings only; sends nothing.

use crate::{CheckContext, CheckOutput, Finding, Kms};
use serde_json::{Map, Value};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `proxy` check (none beyond the common keys).
    ProxyRule => ProxyCheck {}
}

/// The environment variables read, upper and lower case (curl, wget, Go, Python use both).
pub const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Proxy variables that are set and not empty, in [`PROXY_VARS`] order.
pub fn proxy_env(get: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    PROXY_VARS
        .iter()
        .filter_map(|k| {
            get(k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (k.to_string(), v))
        })
        .collect()
}

/// Hides credentials in a proxy URL (`http://user:secret@host` → `http://user:***@host`).
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    match rest.split_once('@') {
        Some((cred, host)) if !cred.contains('/') => {
            let user = cred.split(':').next().unwrap_or("");
            if cred.contains(':') {
                format!("{scheme}{user}:***@{host}")
            } else {
                format!("{scheme}{cred}@{host}")
            }
        }
        _ => url.to_string(),
    }
}

/// The WinHTTP proxy (`netsh winhttp show proxy`): `Some(text)` when one is set.
#[cfg(windows)]
fn winhttp() -> Result<Option<String>, String> {
    let out = std::process::Command::new("netsh")
        .args(["winhttp", "show", "proxy"])
        .output()
        .map_err(|e| format!("cannot run netsh: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if text.contains("Direct access") {
        return Ok(None);
    }
    Ok(text
        .lines()
        .find(|l| l.trim_start().starts_with("Proxy Server"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string()))
}

impl Check<Kms> for ProxyCheck {
    fn default_scope(&self) -> Scope {
        Scope::ONCE
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["proxies"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let env = proxy_env(|k| std::env::var(k).ok());
            let port = ctx.vars.get("port").map_or("1688", |p| p.as_str());
            let mut evidence = Map::new();
            for (k, v) in &env {
                evidence.insert(k.clone(), Value::from(redact(v)));
            }
            #[cfg_attr(not(windows), allow(unused_mut))]
            let mut set: Vec<String> = env
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("NO_PROXY"))
                .map(|(k, v)| format!("{k}={}", redact(v)))
                .collect();
            #[cfg(windows)]
            match winhttp() {
                Ok(Some(p)) => {
                    evidence.insert("winhttp".into(), Value::from(p.clone()));
                    set.push(format!("WinHTTP proxy {p}"));
                }
                Ok(None) => {
                    evidence.insert("winhttp".into(), Value::from("direct access"));
                }
                Err(e) => {
                    evidence.insert("winhttp".into(), Value::from(format!("not readable: {e}")));
                }
            }
            #[cfg(not(windows))]
            evidence.insert(
                "winhttp".into(),
                Value::from("not applicable (not Windows)"),
            );
            let sources =
                "environment variables HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY (both cases)";
            let f = if set.is_empty() {
                Finding::new(
                    Status::Pass,
                    format!("no proxy configured ({sources}{}): KMS traffic goes straight to the network", if cfg!(windows) { ", WinHTTP" } else { "" }),
                )
            } else {
                let shown = set.join(", ");
                Finding::new(
                    Status::Fail,
                    format!(
                        "proxy configured: {shown}. KMS activation is DCE/RPC over TCP {port} and never goes through an HTTP proxy; \
                         it needs a direct TCP path to the KMS host (see the tcp and route results). If this network's only way out is the proxy, activation fails"
                    ),
                )
                .evidence("proxies", shown)
                .remediation(
                    "Make sure clients reach the KMS host on TCP 1688 without the proxy: allow TCP 1688 from the client subnets to the KMS hosts \
                     on the firewalls, and exempt the KMS addresses and port from any VPN tunnel or web-gateway redirection. Proxy exceptions \
                     (NO_PROXY, netsh winhttp set proxy ... bypass-list) do not help: KMS never uses the proxy. \
                     (A proxy matters only for the KMS host's own online activation with Microsoft: 0x80072EE2 there means use phone activation.)",
                )
            };
            let mut f = f;
            for (k, v) in evidence {
                f = f.evidence(&k, v);
            }
            CheckOutput::one(f)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_cases_and_skips_empty() {
        let env = |k: &str| match k {
            "https_proxy" => Some("http://proxy.corp.test:3128".to_string()),
            "HTTP_PROXY" => Some("".to_string()),
            "NO_PROXY" => Some("corp.test".to_string()),
            _ => None,
        };
        let got = proxy_env(env);
        assert_eq!(
            got,
            vec![
                (
                    "https_proxy".to_string(),
                    "http://proxy.corp.test:3128".to_string()
                ),
                ("NO_PROXY".to_string(), "corp.test".to_string())
            ]
        );
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("http://bob:s3cret@proxy:8080"),
            "http://bob:***@proxy:8080"
        );
        assert_eq!(redact("http://proxy:8080"), "http://proxy:8080");
        assert_eq!(redact("bob:pw@proxy:3128"), "bob:***@proxy:3128");
    }
}

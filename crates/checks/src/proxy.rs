//! `proxy`: proxy settings in effect on this machine (the `*_PROXY` environment variables in
//! both cases, and on Windows the WinHTTP setting), reported with what they mean for KMS:
//! client activation is DCE/RPC over plain TCP to port 1688, which no HTTP proxy carries. A
//! proxy is a hint that direct egress may be closed; if the proxy is the only way out,
//! activation fails whatever the proxy allows. Reads settings only; sends nothing.

use crate::{CheckContext, CheckOutput, Finding, Kms};

use serde::{Deserialize, Serialize};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_engine::{Message, Status};

kms_preflight_engine::messages! {
    /// no proxy configured (environment variables HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY
    /// (both cases)): KMS traffic goes straight to the network
    none = "proxy-none" ();
    /// no proxy configured (environment variables HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY
    /// (both cases), WinHTTP): KMS traffic goes straight to the network
    none_windows = "proxy-none-windows" ();
    /// proxy configured: {proxies}. KMS activation is DCE/RPC over TCP {port} and never goes
    /// through an HTTP proxy; it needs a direct TCP path to the KMS host (see the tcp and route
    /// results). If this network's only way out is the proxy, activation fails
    configured = "proxy-configured" (proxies, port);
    /// {name}={value} (a proxy variable that is set)
    variable = "proxy-variable" (name, value);
    /// WinHTTP proxy {proxy}
    winhttp_proxy = "proxy-winhttp" (proxy);
    /// Make sure clients reach the KMS host on TCP 1688 without the proxy: … (a proxy matters
    /// only for the KMS host's own online activation with Microsoft: 0x80072EE2 there means use
    /// phone activation.)
    fix = "proxy-fix" ();
}

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

/// The evidence of a `proxy` result: the proxies in effect (as the message lists them), each
/// variable that is set (credentials hidden), and the WinHTTP setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProxyEvidence {
    /// Only when a proxy is configured: `NAME=value, …` (and `WinHTTP proxy …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxies: Option<String>,
    #[serde(
        rename = "HTTP_PROXY",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub http_proxy_upper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_proxy: Option<String>,
    #[serde(
        rename = "HTTPS_PROXY",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub https_proxy_upper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_proxy: Option<String>,
    #[serde(rename = "ALL_PROXY", default, skip_serializing_if = "Option::is_none")]
    pub all_proxy_upper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_proxy: Option<String>,
    #[serde(rename = "NO_PROXY", default, skip_serializing_if = "Option::is_none")]
    pub no_proxy_upper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_proxy: Option<String>,
    /// The WinHTTP proxy, `direct access`, `not readable: …`, or `not applicable (not
    /// Windows)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winhttp: Option<String>,
}

impl ProxyEvidence {
    /// The field of one of [`PROXY_VARS`].
    fn variable_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "HTTP_PROXY" => &mut self.http_proxy_upper,
            "http_proxy" => &mut self.http_proxy,
            "HTTPS_PROXY" => &mut self.https_proxy_upper,
            "https_proxy" => &mut self.https_proxy,
            "ALL_PROXY" => &mut self.all_proxy_upper,
            "all_proxy" => &mut self.all_proxy,
            "NO_PROXY" => &mut self.no_proxy_upper,
            "no_proxy" => &mut self.no_proxy,
            _ => return None,
        })
    }
}

impl crate::Evidence {
    /// The evidence of a `proxy` result.
    pub fn proxy(&self) -> Option<&ProxyEvidence> {
        match self {
            crate::Evidence::Proxy(e) => Some(e),
            _ => None,
        }
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
            let mut evidence = ProxyEvidence::default();
            for (k, v) in &env {
                if let Some(slot) = evidence.variable_mut(k) {
                    *slot = Some(redact(v));
                }
            }
            // Each proxy in effect: for the message, and as the evidence shows it.
            #[cfg_attr(not(windows), allow(unused_mut))]
            let mut set: Vec<(Message, String)> = env
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("NO_PROXY"))
                .map(|(k, v)| (variable(k, redact(v)), format!("{k}={}", redact(v))))
                .collect();
            #[cfg(windows)]
            match winhttp() {
                Ok(Some(p)) => {
                    evidence.winhttp = Some(p.clone());
                    set.push((winhttp_proxy(&p), format!("WinHTTP proxy {p}")));
                }
                Ok(None) => evidence.winhttp = Some("direct access".into()),
                Err(e) => evidence.winhttp = Some(format!("not readable: {e}")),
            }
            #[cfg(not(windows))]
            {
                evidence.winhttp = Some("not applicable (not Windows)".into());
            }
            let f = if set.is_empty() {
                Finding::new(
                    Status::Pass,
                    if cfg!(windows) {
                        none_windows()
                    } else {
                        none()
                    },
                )
            } else {
                let shown: Vec<&str> = set.iter().map(|(_, e)| e.as_str()).collect();
                evidence.proxies = Some(shown.join(", "));
                let proxies: Vec<Message> = set.into_iter().map(|(m, _)| m).collect();
                Finding::new(Status::Fail, configured(proxies, port)).remediation(fix())
            };
            CheckOutput::one(f.with(evidence))
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

    #[test]
    fn recorded_evidence_reads_back_and_messages_list_each_proxy() {
        use crate::testing::en;
        use kms_preflight_engine::EvidenceSet;
        for text in [
            r#"{"proxies":"HTTPS_PROXY=http://u:***@proxy:3128","HTTPS_PROXY":"http://u:***@proxy:3128","no_proxy":"corp.test","winhttp":"not applicable (not Windows)"}"#,
            r#"{"winhttp":"not applicable (not Windows)"}"#,
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("proxy", v).unwrap();
            assert!(e.proxy().is_some(), "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
        let m = configured(
            vec![
                variable("HTTPS_PROXY", "http://proxy:3128"),
                winhttp_proxy("proxy:8080"),
            ],
            "1688",
        );
        assert!(
            en(&m).starts_with(
                "proxy configured: HTTPS_PROXY=http://proxy:3128, WinHTTP proxy proxy:8080. KMS activation is DCE/RPC over TCP 1688"
            ),
            "{}",
            en(&m)
        );
    }
}

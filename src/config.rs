//! `--config FILE`: a site's settings in one YAML file, so a branch office's check, its
//! exporter (`serve`, the systemd unit) and its sweeps share them. Every key is an option of
//! the command line; an option given on the command line overrides the file's value (a list
//! option replaces the file's list). Errors name file:line:column.

use std::path::Path;

use serde_saphyr::Spanned;

use kms_preflight::cli_values::{
    parse_deadline, parse_dns_server, parse_host, parse_host_name, parse_label, parse_timeout,
    ValueError,
};
use kms_preflight_engine::rules::{yaml_error, RuleErrors};
use kms_preflight_engine::Message;
use kms_preflight_net::{dns, source};
use kms_preflight_report as report;

use crate::cli::{AuditArgs, SweepArgs};
use crate::commands::UsageError;

pub use kms_preflight::site_config::SiteConfig;

/// A loaded file and the name to show in its errors.
pub struct Loaded {
    file: String,
    cfg: SiteConfig,
}

impl Loaded {
    /// Reads and parses `path` (keys and types; values are checked when applied).
    pub fn read(path: &Path) -> Result<Loaded, UsageError> {
        let file = path.display().to_string();
        let body = std::fs::read_to_string(path)
            .map_err(|e| report::cli::config_unreadable(&file, e.to_string()))?;
        let cfg = kms_preflight::site_config::parse(&body)
            .map_err(|e| UsageError::Rules(RuleErrors(vec![yaml_error(&file, &e)])))?;
        let loaded = Loaded { file, cfg };
        if let Some(v) = &loaded.cfg.version {
            if v.value != 1 {
                return Err(loaded.at(v, "version", report::usage::config_version()));
            }
        }
        // Labels are serve's, but a file check and serve share is checked whole by either.
        loaded.labels()?;
        Ok(loaded)
    }

    fn labels(&self) -> Result<Vec<(String, String)>, UsageError> {
        self.cfg
            .labels
            .iter()
            .map(|(k, v)| {
                parse_label(&format!("{k}={}", v.value))
                    .map_err(|e| self.at(v, &format!("labels.{k}"), e.0))
            })
            .collect()
    }

    fn at<T>(&self, s: &Spanned<T>, key: &str, error: Message) -> UsageError {
        UsageError::Message(report::cli::config_value(
            &self.file,
            s.referenced.line(),
            s.referenced.column(),
            key,
            error,
        ))
    }

    /// Each value of a list, checked by `parse`.
    fn list<T>(
        &self,
        items: &[Spanned<String>],
        key: &str,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Vec<T>, UsageError> {
        items
            .iter()
            .map(|s| parse(&s.value).map_err(|e| self.at(s, key, e.0)))
            .collect()
    }

    fn one<T>(
        &self,
        item: &Option<Spanned<String>>,
        key: &str,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Option<T>, UsageError> {
        item.as_ref()
            .map(|s| parse(&s.value).map_err(|e| self.at(s, key, e.0)))
            .transpose()
    }

    fn inventory(
        &self,
        expect: &mut Vec<String>,
        forbid: &mut Vec<String>,
    ) -> Result<(), UsageError> {
        let c = &self.cfg;
        let e = self.list(&c.expect_hosts, "expect_hosts", parse_host_name)?;
        let f = self.list(&c.forbid_hosts, "forbid_hosts", parse_host_name)?;
        if expect.is_empty() {
            *expect = e;
        }
        if forbid.is_empty() {
            *forbid = f;
        }
        Ok(())
    }

    fn domain_list(&self, items: &[Spanned<String>], key: &str) -> Result<Vec<String>, UsageError> {
        self.list(items, key, |d| {
            dns::fqdn(d).map(|_| d.to_string()).map_err(|e| {
                ValueError(kms_preflight_checks::common::dns::name_error_message(d, &e))
            })
        })
    }

    /// Fills what the command line left out of `a` (check, diagnose, serve).
    pub fn apply_audit(&self, a: &mut AuditArgs) -> Result<(), UsageError> {
        let c = &self.cfg;
        let domains = self.domain_list(&c.domains, "domains")?;
        let suffixes = self.domain_list(&c.suffixes, "suffixes")?;
        let dns = self.list(&c.dns, "dns", parse_dns_server)?;
        let sources = self.list(&c.sources, "sources", |s| {
            source::parse_sources(&[s.to_string()], &[])
                .map(|_| s.to_string())
                .map_err(ValueError)
        })?;
        let interfaces = self.list(&c.interfaces, "interfaces", |i| {
            source::parse_sources(&[], &[i.to_string()])
                .map(|_| i.to_string())
                .map_err(ValueError)
        })?;
        let ntp = self.one(&c.ntp, "ntp", parse_host)?;
        let timeout = self.one(&c.timeout, "timeout", parse_timeout)?;
        let deadline = self.one(&c.deadline, "deadline", parse_deadline)?;
        // The command line decides what it names; the file fills in the rest. Domains and
        // suffixes are one choice (explicit domains win over a suffix list), so a --domain on
        // the command line also sets aside the file's suffixes.
        if a.domains.is_empty() && a.suffixes.is_empty() {
            a.domains = domains;
            a.suffixes = suffixes;
        }
        if a.dns.is_empty() {
            a.dns = dns;
        }
        if a.sources.is_empty() && a.interfaces.is_empty() {
            a.sources = sources;
            a.interfaces = interfaces;
        }
        if a.ntp.is_none() {
            a.ntp = ntp;
        }
        if a.timeout.is_none() {
            a.timeout = timeout;
        }
        if a.deadline.is_none() {
            a.deadline = deadline;
        }
        self.inventory(&mut a.rules.expect_hosts, &mut a.rules.forbid_hosts)
    }

    /// serve's labels: the file's, then the command line's, which replace a label of the
    /// same name.
    pub fn apply_labels(&self, labels: &mut Vec<(String, String)>) -> Result<(), UsageError> {
        let mut out = Vec::new();
        for pair in self.labels()? {
            if !labels.iter().any(|(given, _)| *given == pair.0) {
                out.push(pair);
            }
        }
        out.append(labels);
        *labels = out;
        Ok(())
    }

    /// What a sweep uses: domains, DNS servers and the inventory.
    pub fn apply_sweep(&self, s: &mut SweepArgs) -> Result<(), UsageError> {
        let c = &self.cfg;
        let domains = self.domain_list(&c.domains, "domains")?;
        let dns = self.list(&c.dns, "dns", parse_dns_server)?;
        if !s.no_dns {
            if s.domains.is_empty() {
                s.domains = domains;
            }
            if s.dns.is_empty() {
                s.dns = dns;
            }
        }
        self.inventory(&mut s.rules.expect_hosts, &mut s.rules.forbid_hosts)
    }
}

/// Applies `--config` (when given) to an audit's options.
pub fn audit(a: &mut AuditArgs) -> Result<Option<Loaded>, UsageError> {
    match a.config.clone() {
        Some(p) => {
            let l = Loaded::read(&p)?;
            l.apply_audit(a)?;
            Ok(Some(l))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::FromArgMatches;

    fn audit_of(args: &[&str]) -> AuditArgs {
        let m = crate::cli::command()
            .try_get_matches_from(std::iter::once("kms-preflight").chain(args.iter().copied()))
            .unwrap();
        match Cli::from_arg_matches(&m).unwrap().command {
            Command::Check(c) => c.audit,
            Command::Serve(s) => s.audit,
            _ => panic!("not check or serve"),
        }
    }

    fn write(name: &str, body: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kp-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    const SITE: &str = "\
version: 1
domains: [corp.example]
dns: [10.1.0.53, \"10.1.0.54:5353\"]
ntp: ntp.corp.example
timeout: 2s
deadline: 30s
expect_hosts: [kms01.corp.example]
forbid_hosts: [old-kms.corp.example]
labels:
  site: osaka
  region: apac
";

    #[test]
    fn the_file_fills_in_and_the_command_line_wins() {
        let p = write("site.yaml", SITE);
        let ps = p.to_str().unwrap();
        let mut a = audit_of(&["check", "--config", ps]);
        audit(&mut a).unwrap();
        assert_eq!(a.domains, ["corp.example"]);
        assert_eq!(a.dns.len(), 2);
        assert_eq!(a.dns[1].to_string(), "10.1.0.54:5353");
        assert_eq!(a.ntp.as_ref().unwrap().host, "ntp.corp.example");
        assert_eq!(a.timeout, Some(std::time::Duration::from_secs(2)));
        assert_eq!(a.deadline, Some(std::time::Duration::from_secs(30)));
        assert_eq!(a.rules.expect_hosts, ["kms01.corp.example"]);
        assert_eq!(
            a.rules.all_vars()[..2],
            [
                ("expect_hosts".to_string(), "kms01.corp.example".to_string()),
                (
                    "forbid_hosts".to_string(),
                    "old-kms.corp.example".to_string()
                )
            ]
        );

        let mut a = audit_of(&[
            "check",
            "--config",
            ps,
            "--suffix",
            "branch.corp.example",
            "--dns",
            "192.0.2.53",
            "--deadline",
            "10s",
            "--forbid-host",
            "kms9.corp.example",
        ]);
        audit(&mut a).unwrap();
        assert!(
            a.domains.is_empty(),
            "a suffix list given: not the file's domains"
        );
        assert_eq!(a.suffixes, ["branch.corp.example"]);
        assert_eq!(a.dns.len(), 1);
        assert_eq!(a.dns[0].to_string(), "192.0.2.53:53");
        assert_eq!(a.deadline, Some(std::time::Duration::from_secs(10)));
        assert_eq!(
            a.timeout,
            Some(std::time::Duration::from_secs(2)),
            "from the file"
        );
        assert_eq!(a.rules.forbid_hosts, ["kms9.corp.example"]);
        assert_eq!(a.rules.expect_hosts, ["kms01.corp.example"]);

        let l = Loaded::read(&p).unwrap();
        let mut labels = vec![("site".to_string(), "kyoto".to_string())];
        l.apply_labels(&mut labels).unwrap();
        assert_eq!(
            labels,
            [
                ("region".to_string(), "apac".to_string()),
                ("site".to_string(), "kyoto".to_string())
            ]
        );
    }

    /// The example the package ships (deploy/config/site.yaml) loads and applies.
    #[test]
    fn the_shipped_example_loads() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/config/site.yaml");
        let mut a = audit_of(&["serve", "--config", p.to_str().unwrap()]);
        let l = audit(&mut a).unwrap().unwrap();
        assert_eq!(a.domains, ["corp.example"]);
        assert_eq!(a.rules.forbid_hosts, ["kms-old.corp.example"]);
        let mut labels = Vec::new();
        l.apply_labels(&mut labels).unwrap();
        assert_eq!(labels.len(), 2);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = |name: &str, body: &str| {
            let p = write(name, body);
            let mut a = audit_of(&["check", "--config", p.to_str().unwrap()]);
            let e = audit(&mut a)
                .err()
                .unwrap_or_else(|| panic!("{name}: no error"))
                .to_string();
            (p.display().to_string(), e)
        };
        let (f, e) = err(
            "unknown.yaml",
            "domains: [corp.example]\ndomain: corp.example\n",
        );
        assert!(
            e.starts_with(&format!("{f}:2:1: unknown field `domain`")),
            "{e}"
        );
        let (f, e) = err(
            "bad-dns.yaml",
            "domains: [corp.example]\ndns:\n  - 10.1.0.53\n  - dc1.corp\n",
        );
        assert!(
            e.starts_with(&format!(
                "{f}:4:5: dns: \"dc1.corp\": expected an IP address"
            )),
            "{e}"
        );
        let (f, e) = err("bad-deadline.yaml", "deadline: soon\n");
        assert!(
            e.starts_with(&format!("{f}:1:11: deadline: --deadline")),
            "{e}"
        );
        let (f, e) = err("bad-label.yaml", "labels:\n  check: x\n");
        assert!(
            e.starts_with(&format!("{f}:2:10: labels.check: label name")),
            "{e}"
        );
        let (f, e) = err("bad-version.yaml", "version: 2\n");
        assert!(
            e.starts_with(&format!("{f}:1:10: version: only version 1")),
            "{e}"
        );
        let (f, e) = err("bad-host.yaml", "expect_hosts: [\"kms1.corp:1688\"]\n");
        assert!(e.starts_with(&format!("{f}:1:16: expect_hosts: ")), "{e}");
        let e = audit(&mut audit_of(&[
            "check",
            "--config",
            "/nonexistent/site.yaml",
        ]))
        .err()
        .unwrap()
        .to_string();
        assert!(e.starts_with("/nonexistent/site.yaml: cannot read"), "{e}");
    }
}

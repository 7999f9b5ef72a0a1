//! The parsers of the command line's values: pure functions from the text of one option to
//! its typed value, or an error that names what was expected. They live in the library (not
//! in `cli`, the clap declaration of the binary) so the fuzz targets under `fuzz/` can reach
//! them; `cli` only refers to them.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use kms_preflight_checks::sweep;
use kms_preflight_engine::rules::parse_duration;
use kms_preflight_engine::{Message, Target};
use kms_preflight_net::scan::range::AddrRange;
use kms_preflight_report::usage;
use kms_preflight_report::Catalog;

/// Why a value is refused: a message, shown (by clap, or after a `--config` key) in the
/// language of the run ([`crate::language::current`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError(pub Message);

impl From<Message> for ValueError {
    fn from(m: Message) -> ValueError {
        ValueError(m)
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Catalog::get(crate::language::current()).text(&self.0))
    }
}

impl std::error::Error for ValueError {}

impl ValueError {
    /// The reason in `lang`, or what the catalog lacks to render it (the fuzz checks).
    pub fn try_text(&self, lang: crate::language::Lang) -> Result<String, Vec<String>> {
        Catalog::get(lang).try_text(&self.0)
    }
}

/// `s` quoted as Rust quotes it (control characters shown), as the messages show a value.
fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// `--timeout`: a duration (e.g. 500ms, 3s), more than zero and at most 24 hours.
pub fn parse_timeout(s: &str) -> Result<Duration, ValueError> {
    parse_duration(s).map_err(|e| usage::flag_value("--timeout", e).into())
}

/// `--deadline`: a duration, like `--timeout`.
pub fn parse_deadline(s: &str) -> Result<Duration, ValueError> {
    parse_duration(s).map_err(|e| usage::flag_value("--deadline", e).into())
}

/// `--product` values: every product of the catalog (so shell completion lists them), each
/// with its full name as help.
pub fn product_parser() -> clap::builder::PossibleValuesParser {
    let cat = kms_preflight_knowledge::products::catalog();
    clap::builder::PossibleValuesParser::new(
        cat.products()
            .iter()
            .map(|p| clap::builder::PossibleValue::new(p.slug()).help(p.name())),
    )
}

/// `--cmid`: a CMID: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (braces allowed), kept in lower case.
pub fn parse_cmid(s: &str) -> Result<String, ValueError> {
    kms_preflight_wire::dcerpc::Uuid::parse(s)
        .map(|u| u.to_string())
        .map_err(|_| usage::cmid(quoted(s)).into())
}

/// A host as given on the command line; the port, when absent, comes from the rules (or the
/// protocol's default) once they are loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostArg {
    /// Host name without trailing dot, lower case; or an IP address literal.
    pub host: String,
    pub port: Option<u16>,
}

impl HostArg {
    /// The target this host stands for, with `origin` saying which option named it.
    pub fn target(&self, default_port: u16, origin: &str) -> Target {
        Target {
            host: self.host.clone(),
            port: self.port.unwrap_or(default_port),
            origins: vec![origin.to_string()],
        }
    }
}

/// `NAME`, `NAME:PORT`, `IPv4:PORT`, `[IPv6]:PORT` or a bare IPv6 address.
pub fn parse_host(s: &str) -> Result<HostArg, ValueError> {
    let bad = |why: Message| ValueError(usage::host(quoted(s), why));
    let port_of = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(usage::host_invalid_port()))
    };
    let s = s.trim();
    if s.is_empty() {
        return Err(bad(usage::host_empty()));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| bad(usage::host_missing_bracket()))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(port_of(p)?),
            None if after.is_empty() => None,
            None => return Err(bad(usage::host_after_bracket())),
        };
        h.parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad(usage::host_not_ipv6()))?;
        (h.to_string(), port)
    } else if s.parse::<std::net::Ipv6Addr>().is_ok() {
        (s.to_string(), None)
    } else if let Some((h, p)) = s.rsplit_once(':') {
        (h.to_string(), Some(port_of(p)?))
    } else {
        (s.to_string(), None)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err(bad(usage::host_empty_name()));
    }
    if host.parse::<IpAddr>().is_err() {
        // The DNS name parser accepts any byte in a label, so a pasted "kms1\n.corp" or
        // "a:b" would become a name no DNS server has: refuse what a host name never holds.
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(bad(usage::host_bad_char(format!("{c:?}"))));
        }
        kms_preflight_net::dns::fqdn(&host).map_err(|e| {
            bad(kms_preflight_checks::common::dns::name_error_message(
                &host, &e,
            ))
        })?;
    }
    Ok(HostArg { host, port })
}

/// A host name or address without a port (`--expect-host`, `--forbid-host`).
pub fn parse_host_name(s: &str) -> Result<String, ValueError> {
    let h = parse_host(s)?;
    match h.port {
        Some(_) => Err(usage::host_with_port(quoted(s)).into()),
        None => Ok(h.host),
    }
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; port 53 by default.
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, ValueError> {
    let s = s.trim();
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(usage::dns_server(quoted(s)).into())
}

/// `KEY=VALUE` (the value may be empty or hold '=').
pub fn parse_var(s: &str) -> Result<(String, String), ValueError> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(usage::key_value(quoted(s)).into()),
    }
}

pub fn parse_concurrency(s: &str) -> Result<usize, ValueError> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err(usage::concurrency_zero().into()),
        Ok(n) => Ok(n),
        Err(e) => Err(usage::not_a_number(quoted(s), e.to_string()).into()),
    }
}

/// A sweep range: CIDR, FIRST-LAST, A.B.C.D-E or one address.
pub fn parse_range(s: &str) -> Result<AddrRange, ValueError> {
    AddrRange::parse(s).map_err(|e| usage::range(e).into())
}

/// A TCP port, 1-65535.
pub fn parse_port(s: &str) -> Result<u16, ValueError> {
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| usage::port(quoted(s)).into())
}

/// `N` or `N/s`, 1 to the highest rate accepted.
pub fn parse_rate(s: &str) -> Result<u32, ValueError> {
    let n = s.trim().trim_end_matches("/s");
    match n.parse::<u32>() {
        Ok(r) if (1..=sweep::MAX_RATE).contains(&r) => Ok(r),
        _ => Err(usage::rate(quoted(s), sweep::MAX_RATE).into()),
    }
}

pub fn parse_max_addresses(s: &str) -> Result<u128, ValueError> {
    match s.trim().parse::<u128>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(usage::max_addresses(quoted(s)).into()),
    }
}

pub fn parse_sweep_concurrency(s: &str) -> Result<usize, ValueError> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=sweep::MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(usage::sweep_concurrency(quoted(s), sweep::MAX_CONCURRENCY).into()),
    }
}

/// `ADDR:PORT` or `[IPv6]:PORT` to listen on.
pub fn parse_listen(s: &str) -> Result<SocketAddr, ValueError> {
    s.trim()
        .parse::<SocketAddr>()
        .map_err(|_| usage::listen(quoted(s)).into())
}

pub fn parse_interval(s: &str) -> Result<Duration, ValueError> {
    let d = parse_duration(s).map_err(|e| ValueError(usage::flag_value("--interval", e)))?;
    if d < Duration::from_secs(1) {
        return Err(usage::interval_too_short(s).into());
    }
    Ok(d)
}

/// `KEY=VALUE` for a constant Prometheus label, checked as the exposition requires.
pub fn parse_label(s: &str) -> Result<(String, String), ValueError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| ValueError(usage::label_form(quoted(s))))?;
    kms_preflight_report::prometheus::validate_label(k, v).map_err(ValueError)?;
    Ok((k.to_string(), v.to_string()))
}

//! The parsers of the command line's values: pure functions from the text of one option to
//! its typed value, or an error that names what was expected. They live in the library (not
//! in `cli`, the clap declaration of the binary) so the fuzz targets under `fuzz/` can reach
//! them; `cli` only refers to them.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use kms_preflight_checks::sweep;
use kms_preflight_engine::rules::parse_duration;
use kms_preflight_engine::Target;
use kms_preflight_net::scan::range::AddrRange;

/// `--timeout`: a duration (e.g. 500ms, 3s), more than zero and at most 24 hours.
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| format!("--timeout: {e}"))
}

/// `--deadline`: a duration, like `--timeout`.
pub fn parse_deadline(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| format!("--deadline: {e}"))
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
pub fn parse_cmid(s: &str) -> Result<String, String> {
    kms_preflight_wire::dcerpc::Uuid::parse(s)
        .map(|u| u.to_string())
        .map_err(|_| format!("{s:?}: not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"))
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
pub fn parse_host(s: &str) -> Result<HostArg, String> {
    let bad = |why: &str| format!("{s:?}: {why} (expected NAME, NAME:PORT or [IPv6]:PORT)");
    let port_of = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("invalid port"))
    };
    let s = s.trim();
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| bad("missing ']'"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(port_of(p)?),
            None if after.is_empty() => None,
            None => return Err(bad("unexpected text after ']'")),
        };
        h.parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad("not an IPv6 address inside [ ]"))?;
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
        return Err(bad("empty host name"));
    }
    if host.parse::<IpAddr>().is_err() {
        // The DNS name parser accepts any byte in a label, so a pasted "kms1\n.corp" or
        // "a:b" would become a name no DNS server has: refuse what a host name never holds.
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(bad(&format!(
                "{c:?} cannot be part of a host name (letters, digits, '-', '_' and '.')"
            )));
        }
        kms_preflight_net::dns::fqdn(&host).map_err(|e| bad(&e))?;
    }
    Ok(HostArg { host, port })
}

/// A host name or address without a port (`--expect-host`, `--forbid-host`).
pub fn parse_host_name(s: &str) -> Result<String, String> {
    let h = parse_host(s)?;
    match h.port {
        Some(_) => Err(format!("{s:?}: a host name without a port")),
        None => Ok(h.host),
    }
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; port 53 by default.
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(format!(
        "{s:?}: expected an IP address, IP:PORT or [IPv6]:PORT (DNS servers are given by address)"
    ))
}

/// `KEY=VALUE` (the value may be empty or hold '=').
pub fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{s:?}: expected KEY=VALUE")),
    }
}

pub fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("--concurrency must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{s:?}: {e}")),
    }
}

/// A sweep range: CIDR, FIRST-LAST, A.B.C.D-E or one address.
pub fn parse_range(s: &str) -> Result<AddrRange, String> {
    AddrRange::parse(s)
}

/// A TCP port, 1-65535.
pub fn parse_port(s: &str) -> Result<u16, String> {
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("{s:?}: not a TCP port number (1-65535)"))
}

/// `N` or `N/s`, 1 to the highest rate accepted.
pub fn parse_rate(s: &str) -> Result<u32, String> {
    let n = s.trim().trim_end_matches("/s");
    match n.parse::<u32>() {
        Ok(r) if (1..=sweep::MAX_RATE).contains(&r) => Ok(r),
        _ => Err(format!(
            "{s:?}: new connections per second, 1-{} (e.g. 200 or 200/s)",
            sweep::MAX_RATE
        )),
    }
}

pub fn parse_max_addresses(s: &str) -> Result<u128, String> {
    match s.trim().parse::<u128>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?}: a number of addresses, at least 1")),
    }
}

pub fn parse_sweep_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=sweep::MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?}: connects in flight, 1-{}",
            sweep::MAX_CONCURRENCY
        )),
    }
}

/// `ADDR:PORT` or `[IPv6]:PORT` to listen on.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.trim().parse::<SocketAddr>().map_err(|_| {
        format!("{s:?}: expected ADDR:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9688 or 0.0.0.0:9688")
    })
}

pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| format!("--interval: {e}"))?;
    if d < Duration::from_secs(1) {
        return Err(format!("--interval {s}: must be at least 1s"));
    }
    Ok(d)
}

/// `KEY=VALUE` for a constant Prometheus label, checked as the exposition requires.
pub fn parse_label(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected KEY=VALUE, e.g. site=osaka"))?;
    kms_preflight_report::prometheus::validate_label(k, v)?;
    Ok((k.to_string(), v.to_string()))
}

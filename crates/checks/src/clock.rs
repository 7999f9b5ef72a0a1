//! `clock`: the offset of this machine's clock against a KMS host or a reference clock,
//! measured — SNTP first, then the SystemTime of an SMB2 NEGOTIATE reply, then an HTTP
//! `Date` header — never guessed.
//!
//! Sign convention: **offset = remote clock − local clock**; positive means the remote clock
//! is ahead of this machine. Uncertainty is half the round-trip delay (plus 0.5 s for the
//! whole-second HTTP `Date`). Several samples are taken per method and the one with the
//! smallest delay is kept.
//!
//! Verdicts: fail above `expect.fail_above` (default 4 h: a KMS host rejects the request,
//! 0xC004F06C, often shown as 0xC004F074), warn above `expect.warn_above` (default 5 min:
//! Kerberos/AD break), pass otherwise. When the offset is within a minute of a whole number of
//! hours, the finding says a wrongly set time zone is the likely cause. When no method gives a
//! reading, the result is skip naming every method tried and why — never pass.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use kms_preflight_engine::rules::{parse_duration, Over, Scope};
use kms_preflight_engine::Status;
use kms_preflight_engine::{
    render_param, render_port, validate_port, BoxFuture, Check, CheckContext, CheckOutput, Finding,
    RunSettings, Source,
};
use kms_preflight_net::clock::{sample, Detail, ProbeFailure, Reading, Sampled};
use kms_preflight_net::{http, smb2, sntp};

kms_preflight_engine::check_rule! {
    /// Parameters of a `clock` check.
    ClockRule => ClockCheck {
        /// Host name or address whose clock to read (templated, e.g. `"{{ntp_reference}}"`);
        /// default: the KMS host of the job (scope each-host). Empty after filling in: skip.
        server: Option<Spanned<String>>,
        /// Methods in the order tried: `ntp`, `smb2`, `http`; default all three in that order.
        methods: Option<Spanned<Vec<Spanned<String>>>>,
        #[serde(default)]
        ports: ClockPorts,
        /// Exchanges per method (1-16, default 4); the one with the smallest delay is kept.
        samples: Option<Spanned<u32>>,
        #[serde(default)]
        expect: ClockExpect,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockPorts {
    /// UDP port of the NTP server (default 123).
    pub ntp: Option<Spanned<String>>,
    /// TCP port of SMB2 (default 445).
    pub smb2: Option<Spanned<String>>,
    /// TCP port of the HTTP server (default 80).
    pub http: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockExpect {
    /// Warn when |offset| is larger (default 5m: Kerberos' default maximum skew).
    pub warn_above: Option<Spanned<String>>,
    /// Fail when |offset| is larger (default 4h: the KMS host's limit).
    pub fail_above: Option<Spanned<String>>,
}

/// A way to read a remote clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Ntp,
    Smb2,
    Http,
}

impl Method {
    pub const NAMES: &'static [&'static str] = &["ntp", "smb2", "http"];

    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "ntp" => Some(Method::Ntp),
            "smb2" => Some(Method::Smb2),
            "http" => Some(Method::Http),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Method::Ntp => "ntp",
            Method::Smb2 => "smb2",
            Method::Http => "http",
        }
    }
    fn default_port(self) -> u16 {
        match self {
            Method::Ntp => 123,
            Method::Smb2 => 445,
            Method::Http => 80,
        }
    }
    fn transport(self) -> &'static str {
        match self {
            Method::Ntp => "udp",
            _ => "tcp",
        }
    }
}

pub const DEFAULT_WARN_ABOVE: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_FAIL_ABOVE: Duration = Duration::from_secs(4 * 3600);
const DEFAULT_SAMPLES: u32 = 4;
const MAX_SAMPLES: u32 = 16;
/// Pause between samples: gentle on servers that rate-limit (chrony drops, others send RATE).
const SAMPLE_SPACING: Duration = Duration::from_millis(250);
/// A skew this close to a whole number of hours hints at a time zone set wrongly.
const TZ_HINT_TOLERANCE_NS: i128 = 60 * 1_000_000_000;

impl ClockCheck {
    fn method_list(&self) -> Vec<Method> {
        match &self.methods {
            None => vec![Method::Ntp, Method::Smb2, Method::Http],
            Some(list) => list
                .value
                .iter()
                .filter_map(|m| Method::parse(&m.value))
                .collect(),
        }
    }

    fn samples(&self) -> u32 {
        self.samples
            .as_ref()
            .map_or(DEFAULT_SAMPLES, |s| s.value.clamp(1, MAX_SAMPLES))
    }

    fn thresholds(&self) -> (Duration, Duration) {
        let get = |t: &Option<Spanned<String>>, d: Duration| {
            t.as_ref()
                .and_then(|t| parse_duration(&t.value).ok())
                .unwrap_or(d)
        };
        (
            get(&self.expect.warn_above, DEFAULT_WARN_ABOVE),
            get(&self.expect.fail_above, DEFAULT_FAIL_ABOVE),
        )
    }

    fn port_param(&self, m: Method) -> &Option<Spanned<String>> {
        match m {
            Method::Ntp => &self.ports.ntp,
            Method::Smb2 => &self.ports.smb2,
            Method::Http => &self.ports.http,
        }
    }
}

/// The verdict for a measured offset: fail above `fail`, warn above `warn`, pass otherwise.
pub fn verdict(offset_ns: i128, warn: Duration, fail: Duration) -> Status {
    let abs = offset_ns.unsigned_abs();
    if abs > fail.as_nanos() {
        Status::Fail
    } else if abs > warn.as_nanos() {
        Status::Warn
    } else {
        Status::Pass
    }
}

/// Whole hours (signed, non-zero) the offset is within a minute of, if any: the signature of a
/// clock set in local time or to the wrong zone.
pub fn time_zone_hint(offset_ns: i128) -> Option<i64> {
    const HOUR: i128 = 3600 * 1_000_000_000;
    let hours = (offset_ns + offset_ns.signum() * HOUR / 2) / HOUR;
    if hours == 0 || (offset_ns - hours * HOUR).abs() > TZ_HINT_TOLERANCE_NS {
        return None;
    }
    i64::try_from(hours).ok()
}

/// An offset for people: `12.345 ms`, `3m 0.012s`, `5h 0m 0.001s`.
pub fn human_offset(ns: i128) -> String {
    let abs = ns.unsigned_abs();
    if abs < 1_000_000_000 {
        return format!("{:.3} ms", abs as f64 / 1e6);
    }
    let ms = (abs + 500_000) / 1_000_000;
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let s = rest as f64 / 1000.0;
    match (h, m) {
        (0, 0) => format!("{s:.3} s"),
        (0, _) => format!("{m}m {s:.3}s"),
        _ => format!("{h}h {m}m {s:.3}s"),
    }
}

fn ms_f(ns: i128) -> f64 {
    (ns as f64 / 1e3).round() / 1e3
}

fn rfc3339_ms(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// What one method did at one address.
struct MethodRun {
    method: Method,
    port: u16,
    sampled: Sampled,
}

impl MethodRun {
    fn tried_json(&self) -> Value {
        let why: Vec<String> = self
            .sampled
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.class, f.detail))
            .collect();
        json!({
            "method": self.method.name(),
            "port": self.port,
            "result": match (&self.sampled.best, self.sampled.failures.first()) {
                (Some(_), _) => "measured",
                (None, Some(f)) => f.class,
                (None, None) => "error",
            },
            "samples_sent": self.sampled.sent,
            "samples_good": self.sampled.good,
            "why": why,
        })
    }

    fn summary(&self) -> String {
        let f: &ProbeFailure = match self.sampled.failures.last() {
            Some(f) => f,
            None => return format!("{}/{}: no result", self.method.name(), self.port),
        };
        let times = if self.sampled.failures.len() > 1 {
            format!(" (×{})", self.sampled.failures.len())
        } else {
            String::new()
        };
        format!(
            "{}/{}/{}: {}{times} — {}",
            self.method.name(),
            self.method.transport(),
            self.port,
            f.class,
            f.detail
        )
    }
}

/// Whose clock is read, for messages.
struct Subject {
    /// "KMS host kms1.corp.test" or "reference ntp.corp.test".
    label: String,
    /// Name for the HTTP Host header and remediation commands.
    name: String,
    is_reference: bool,
}

/// Runs every planned method at one address as described in `run`; returns the runs that
/// count, in plan order (up to and including the one whose reading is reported).
async fn run_methods(
    ip: IpAddr,
    name: &str,
    plan: Vec<(Method, u16)>,
    source: Option<Source>,
    timeout: Duration,
    samples: u32,
) -> Vec<MethodRun> {
    let mut tasks = JoinSet::new();
    let mut handles = Vec::new();
    for (k, (method, port)) in plan.iter().copied().enumerate() {
        let addr = SocketAddr::new(ip, port);
        let hh = host_header(name, addr);
        let source = source.clone();
        handles.push(tasks.spawn(async move {
            let sampled = run_method(method, addr, &hh, source.as_ref(), timeout, samples).await;
            (
                k,
                MethodRun {
                    method,
                    port,
                    sampled,
                },
            )
        }));
    }
    let mut runs: Vec<Option<MethodRun>> = plan.iter().map(|_| None).collect();
    let mut best: Option<usize> = None;
    let mut patience_ends: Option<tokio::time::Instant> = None;
    loop {
        let waiting_on_earlier = best.is_some_and(|b| runs[..b].iter().any(Option::is_none));
        let next = match (waiting_on_earlier, patience_ends) {
            (true, Some(end)) => match tokio::time::timeout_at(end, tasks.join_next()).await {
                Ok(next) => next,
                Err(_) => {
                    let b = best.unwrap_or(0);
                    for k in 0..b {
                        if runs[k].is_none() {
                            handles[k].abort();
                            runs[k] = Some(MethodRun {
                                method: plan[k].0,
                                port: plan[k].1,
                                sampled: Sampled {
                                    best: None,
                                    good: 0,
                                    sent: 0,
                                    failures: vec![ProbeFailure::timeout(
                                        "no reading (given up: a later method had answered)",
                                        timeout,
                                    )],
                                },
                            });
                        }
                    }
                    continue;
                }
            },
            _ => tasks.join_next().await,
        };
        let Some(joined) = next else { break };
        let Ok((k, run)) = joined else { continue }; // cancelled
        if runs[k].is_some() {
            continue; // already given up
        }
        if run.sampled.best.is_some() && best.is_none_or(|b| k < b) {
            best = Some(k);
            patience_ends.get_or_insert_with(|| tokio::time::Instant::now() + timeout);
            for h in &handles[k + 1..] {
                h.abort();
            }
        }
        runs[k] = Some(run);
    }
    let keep = best.map_or(runs.len(), |b| b + 1);
    runs.into_iter().take(keep).flatten().collect()
}

async fn run_method(
    method: Method,
    addr: SocketAddr,
    host_header: &str,
    source: Option<&Source>,
    timeout: Duration,
    samples: u32,
) -> Sampled {
    match method {
        Method::Ntp => match sntp::connected_socket(addr, source).await {
            Err(f) => Sampled {
                best: None,
                good: 0,
                sent: 0,
                failures: vec![f],
            },
            Ok(sock) => sample(samples, SAMPLE_SPACING, || sntp::exchange(&sock, timeout)).await,
        },
        Method::Smb2 => {
            sample(samples, SAMPLE_SPACING, || async move {
                smb2::exchange(addr, source, timeout)
                    .await
                    .map_err(tcp_definitive)
            })
            .await
        }
        Method::Http => {
            sample(samples, SAMPLE_SPACING, || async move {
                http::exchange(addr, host_header, source, timeout)
                    .await
                    .map_err(tcp_definitive)
            })
            .await
        }
    }
}

/// A TCP handshake that timed out already had retransmissions: asking again only adds waiting.
fn tcp_definitive(mut f: ProbeFailure) -> ProbeFailure {
    if f.class == "timeout" && f.detail.starts_with("no TCP handshake") {
        f.definitive = true;
    }
    f
}

/// Host header: the name as given, an IPv6 literal in brackets; anything odd → the address.
fn host_header(name: &str, addr: SocketAddr) -> String {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    let name = if ok {
        name.to_string()
    } else {
        addr.ip().to_string()
    };
    let mut h = if name.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{name}]")
    } else {
        name
    };
    if addr.port() != 80 {
        h.push_str(&format!(":{}", addr.port()));
    }
    h
}

fn detail_evidence(f: Finding, r: &Reading) -> Finding {
    match &r.detail {
        Detail::Ntp {
            version,
            stratum,
            reference_id,
            precision,
            root_delay_ms,
            root_dispersion_ms,
        } => f
            .evidence("stratum", *stratum)
            .evidence("reference_id", reference_id.clone())
            .evidence("ntp_version", *version)
            .evidence("precision_log2", *precision)
            .evidence("root_delay_ms", *root_delay_ms)
            .evidence("root_dispersion_ms", *root_dispersion_ms),
        Detail::Smb2 {
            dialect,
            signing_required,
        } => f
            .evidence("dialect", dialect.clone())
            .evidence("signing_required", *signing_required),
        Detail::Http {
            status,
            date,
            server,
        } => {
            let f = f
                .evidence("http_status", *status)
                .evidence("http_date", date.clone());
            match server {
                Some(s) => f.evidence("http_server", s.clone()),
                None => f,
            }
        }
    }
}

fn method_note(r: &Reading) -> String {
    match &r.detail {
        Detail::Ntp { stratum, .. } => format!("NTP, stratum {stratum}"),
        Detail::Smb2 { dialect, .. } => format!("SMB2 NEGOTIATE SystemTime, {dialect}"),
        Detail::Http { .. } => "HTTP Date header, 1 s resolution".to_string(),
    }
}

fn remediation(subject: &Subject, status: Status, tz_hours: Option<i64>) -> String {
    let host = &subject.name;
    let mut out = String::new();
    if let Some(h) = tz_hours {
        out.push_str(&format!(
            "The skew is {} whole hour(s): look first for a time zone set wrongly, on this machine or on {host} \
             (Windows: tzutil /g, set it with tzutil /s \"<zone>\"; a machine that also boots Linux may keep the hardware clock in local time — \
             RealTimeIsUniversal; Linux: timedatectl, timedatectl set-timezone <zone>, timedatectl set-local-rtc 0). \
             Clocks are compared in UTC: the zone must be right, not the same.\n",
            h.abs()
        ));
    }
    if subject.is_reference {
        out.push_str(&format!(
            "This machine's clock is off against the reference {host}. Set it right:\n"
        ));
    } else {
        out.push_str(&format!(
            "Find which clock is wrong (compare both with a trusted source: kms-preflight check --host {host} --ntp <trusted NTP server>) and set it right:\n"
        ));
    }
    out.push_str(
        "  Domain members (Type=NT5DS under HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters): \
         w32tm /config /syncfromflags:domhier /update, then w32tm /resync\n  \
         Workgroup machines: enable the NTP client (HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\TimeProviders\\NtpClient Enabled=1), \
         w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update, then w32tm /resync\n  \
         Check with: w32tm /query /status /verbose\n",
    );
    out.push_str(&format!(
        "  Confirm from the client: w32tm /stripchart /computer:{host} /samples:5 /dataonly\n  \
         Linux jump host: chronyc tracking (chronyc makestep to step now), or timedatectl set-ntp true and timedatectl status"
    ));
    if status == Status::Fail && !subject.is_reference {
        out.push_str(
            "\n  After fixing the KMS host's clock, retry activation on the client: slmgr /ato (Office: cscript ospp.vbs /act); the host's event log shows the rejected requests as 12288 with 0xC004F06C",
        );
    }
    out
}

fn finding_for(
    subject: &Subject,
    addr: IpAddr,
    runs: &[MethodRun],
    warn: Duration,
    fail: Duration,
) -> Finding {
    let tried: Vec<Value> = runs.iter().map(MethodRun::tried_json).collect();
    let measured = runs.iter().find(|r| r.sampled.best.is_some());
    let Some(run) = measured else {
        let why: Vec<String> = runs.iter().map(MethodRun::summary).collect();
        return Finding::new(
            Status::Skip,
            format!(
                "skipped: no clock reading from {}{}: {}",
                subject.label,
                if subject.name == addr.to_string() {
                    String::new()
                } else {
                    format!(" at {addr}")
                },
                why.join("; ")
            ),
        )
        .address(addr.to_string())
        .evidence("server", addr.to_string())
        .evidence("tried", Value::Array(tried));
    };
    let r = run.sampled.best.as_ref().expect("measured");
    let status = verdict(r.offset_ns, warn, fail);
    let tz = time_zone_hint(r.offset_ns);
    let dir = if r.offset_ns >= 0 {
        "ahead of"
    } else {
        "behind"
    };
    let at = if subject.name == addr.to_string() {
        String::new()
    } else {
        format!("{addr}, ")
    };
    let mut msg = format!(
        "{} ({at}{}) is {} {dir} this machine (±{})",
        if subject.is_reference {
            format!("the reference clock {}", subject.name)
        } else {
            format!("the clock of {}", subject.label)
        },
        method_note(r),
        human_offset(r.offset_ns),
        human_offset(r.uncertainty_ns),
    );
    match status {
        Status::Fail => msg.push_str(&format!(
            ": more than {}, so a KMS host rejects the activation request (0xC004F06C, often shown as 0xC004F074)",
            humantime::format_duration(fail)
        )),
        Status::Warn => msg.push_str(&format!(
            ": more than {}, so Kerberos and AD authentication fail (KMS itself accepts up to {})",
            humantime::format_duration(warn),
            humantime::format_duration(fail)
        )),
        _ => msg.push_str(&format!(
            ": within {}",
            humantime::format_duration(warn)
        )),
    }
    if let Some(h) = tz {
        msg.push_str(&format!(
            "; that is within a minute of {} whole hour(s): a time zone set wrongly (a clock set in local time instead of UTC) is the likely cause",
            h.abs()
        ));
    }
    let mut f = Finding::new(status, msg)
        .address(addr.to_string())
        .evidence("method", run.method.name())
        .evidence("server", addr.to_string())
        .evidence("port", run.port)
        .evidence("offset_ms", ms_f(r.offset_ns))
        .evidence("offset", human_offset(r.offset_ns))
        .evidence("uncertainty_ms", ms_f(r.uncertainty_ns))
        .evidence("delay_ms", ms_f(r.delay_ns))
        .evidence("samples", run.sampled.good)
        .evidence("samples_sent", run.sampled.sent)
        .evidence("remote_time", rfc3339_ms(r.remote_time))
        .evidence("tz_hint_hours", tz.map_or(Value::Null, Value::from))
        .evidence("warn_above_ms", warn.as_millis() as u64)
        .evidence("fail_above_ms", fail.as_millis() as u64)
        .evidence("tried", Value::Array(tried));
    if let Some(l) = r.local {
        f = f.evidence("local", l.to_string());
    }
    f = detail_evidence(f, r);
    match status {
        Status::Fail => f
            .codes(&["0xC004F06C", "0xC004F074"])
            .remediation(remediation(subject, status, tz)),
        // SEC_E_TIME_SKEW: what Kerberos reports past its 5-minute default.
        Status::Warn => f
            .codes(&["0x80090324"])
            .remediation(remediation(subject, status, tz)),
        _ => f,
    }
}

impl Check for ClockCheck {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Host,
            per_source: false,
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution, then every method in turn; TCP methods may spend a connect and a read.
        let resolve = kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers);
        let samples = self.samples();
        let methods: Duration = self
            .method_list()
            .iter()
            .map(|m| {
                let per = if *m == Method::Ntp {
                    timeout
                } else {
                    timeout * 2
                };
                (per + SAMPLE_SPACING) * samples
            })
            .sum();
        resolve + methods + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.server
            .iter()
            .chain(self.ports.ntp.iter())
            .chain(self.ports.smb2.iter())
            .chain(self.ports.http.iter())
            .collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut errs = Vec::new();
        if let Some(list) = &self.methods {
            if list.value.is_empty() {
                errs.push((
                    list.referenced,
                    format!(
                        "'methods' is empty; list one or more of: {}",
                        Method::NAMES.join(", ")
                    ),
                ));
            }
            let mut seen = Vec::new();
            for m in &list.value {
                match Method::parse(&m.value) {
                    None => errs.push((
                        m.referenced,
                        format!(
                            "unknown clock method '{}', expected one of: {}",
                            m.value,
                            Method::NAMES.join(", ")
                        ),
                    )),
                    Some(x) if seen.contains(&x) => errs.push((
                        m.referenced,
                        format!("clock method '{}' is listed twice", m.value),
                    )),
                    Some(x) => seen.push(x),
                }
            }
        }
        for (p, proto) in [
            (&self.ports.ntp, "UDP"),
            (&self.ports.smb2, "TCP"),
            (&self.ports.http, "TCP"),
        ] {
            if let Some((loc, msg)) = p.as_ref().and_then(validate_port) {
                errs.push((loc, msg.replace("TCP", proto)));
            }
        }
        if let Some(s) = &self.samples {
            if s.value == 0 || s.value > MAX_SAMPLES {
                errs.push((
                    s.referenced,
                    format!("samples must be 1 to {MAX_SAMPLES}, not {}", s.value),
                ));
            }
        }
        let mut parse = |t: &Option<Spanned<String>>, default: Duration| match t {
            None => Some(default),
            Some(t) => match parse_duration(&t.value) {
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push((t.referenced, e));
                    None
                }
            },
        };
        let warn = parse(&self.expect.warn_above, DEFAULT_WARN_ABOVE);
        let fail = parse(&self.expect.fail_above, DEFAULT_FAIL_ABOVE);
        if let (Some(warn), Some(fail)) = (warn, fail) {
            let at = self
                .expect
                .warn_above
                .as_ref()
                .or(self.expect.fail_above.as_ref());
            if let (true, Some(at)) = (warn > fail, at) {
                errs.push((
                    at.referenced,
                    format!(
                        "warn_above ({}) is larger than fail_above ({}); a warning must come before a failure",
                        humantime::format_duration(warn),
                        humantime::format_duration(fail)
                    ),
                ));
            }
        }
        errs
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &[
            "method",
            "server",
            "port",
            "offset_ms",
            "offset",
            "uncertainty_ms",
            "delay_ms",
            "remote_time",
            "tz_hint_hours",
        ]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let methods = self.method_list();
            let mut ports = Vec::new();
            for m in &methods {
                match self.port_param(*m) {
                    None => ports.push(m.default_port()),
                    Some(p) => match render_port(p, ctx.vars) {
                        Ok(p) => ports.push(p),
                        Err(f) => return CheckOutput::one(f),
                    },
                }
            }
            let (subject, addrs) = match &self.server {
                Some(t) => {
                    let name = match render_param(t, ctx.vars) {
                        Ok(s) => s.trim().trim_end_matches('.').to_string(),
                        Err(f) => return CheckOutput::one(f),
                    };
                    if name.is_empty() {
                        return CheckOutput::one(Finding::new(
                            Status::Skip,
                            format!(
                                "skipped: no reference clock given ({:?} is empty); pass --ntp HOST with an NTP server you trust (a domain controller, or your NTP source)",
                                t.value
                            ),
                        ));
                    }
                    let res = match crate::common::address::lookup(ctx, &name).await {
                        Ok(r) => r,
                        Err(f) => return CheckOutput::one(f),
                    };
                    if res.addresses.is_empty() {
                        return CheckOutput::one(Finding::new(
                            Status::Error,
                            format!(
                                "cannot read the clock of {name}: it has no address ({})",
                                kms_preflight_net::dns::no_answer_message(&res.attempts)
                            ),
                        ));
                    }
                    let subject = Subject {
                        label: format!("reference {name}"),
                        name,
                        is_reference: true,
                    };
                    (subject, res.addresses)
                }
                None => {
                    let Some(target) = ctx.target else {
                        return CheckOutput::one(Finding::new(
                            Status::Error,
                            "no clock to read: set 'server' or run this check per host (scope each-host)",
                        ));
                    };
                    let addrs = match crate::common::address::addresses_for(ctx).await {
                        Ok(a) => a,
                        Err(f) => return CheckOutput::one(f),
                    };
                    let subject = Subject {
                        label: format!("KMS host {}", target.host),
                        name: target.host.clone(),
                        is_reference: false,
                    };
                    (subject, addrs)
                }
            };
            let (warn, fail) = self.thresholds();
            let samples = self.samples();
            // Addresses in parallel. At one address the methods run concurrently and the
            // configured order is the preference: a reading from an earlier method wins, later
            // methods are cancelled once an earlier one has a reading, and an earlier method that
            // is still silent one timeout after a later one answered is given up (a silent NTP
            // port must not hold a good SMB2 reading hostage for all its samples).
            let plan: Vec<(Method, u16)> = methods.iter().copied().zip(ports).collect();
            let mut set = JoinSet::new();
            for (i, ip) in addrs.iter().copied().enumerate() {
                let plan = plan.clone();
                let name = subject.name.clone();
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                set.spawn(async move {
                    (
                        i,
                        ip,
                        run_methods(ip, &name, plan, source, timeout, samples).await,
                    )
                });
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            let mut findings = Vec::new();
            let mut facts = Map::new();
            for (_, ip, runs) in results {
                let f = finding_for(&subject, ip, &runs, warn, fail);
                if let (Some(off), false) = (
                    f.evidence.get("offset_ms"),
                    facts.contains_key("clock_offset_ms"),
                ) {
                    facts.insert("clock_offset_ms".into(), off.clone());
                }
                findings.push(f);
            }
            CheckOutput {
                findings,
                facts,
                discovered: Vec::new(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i128 = 1_000_000_000;

    #[test]
    fn verdicts_at_the_thresholds() {
        let (w, f) = (DEFAULT_WARN_ABOVE, DEFAULT_FAIL_ABOVE);
        assert_eq!(verdict(0, w, f), Status::Pass);
        assert_eq!(
            verdict(300 * S, w, f),
            Status::Pass,
            "exactly 5 min is not more than"
        );
        assert_eq!(verdict(300 * S + 1, w, f), Status::Warn);
        assert_eq!(verdict(-(300 * S + 1), w, f), Status::Warn);
        assert_eq!(verdict(4 * 3600 * S, w, f), Status::Warn);
        assert_eq!(verdict(4 * 3600 * S + 1, w, f), Status::Fail);
        assert_eq!(verdict(-5 * 3600 * S, w, f), Status::Fail);
        assert_eq!(
            verdict(180 * S, Duration::from_secs(60), f),
            Status::Warn,
            "thresholds come from the rule"
        );
    }

    #[test]
    fn time_zone_hint_only_near_whole_hours() {
        assert_eq!(time_zone_hint(5 * 3600 * S), Some(5));
        assert_eq!(time_zone_hint(-3 * 3600 * S + 59 * S), Some(-3));
        assert_eq!(time_zone_hint(3600 * S - 60 * S), Some(1));
        assert_eq!(time_zone_hint(3600 * S - 61 * S), None);
        assert_eq!(time_zone_hint(90 * 60 * S), None);
        assert_eq!(time_zone_hint(180 * S), None);
        assert_eq!(time_zone_hint(0), None);
        assert_eq!(time_zone_hint(30 * S), None);
    }

    #[test]
    fn offsets_for_people() {
        assert_eq!(human_offset(1_234_567), "1.235 ms");
        assert_eq!(human_offset(-1_234_567), "1.235 ms");
        assert_eq!(human_offset(12 * S + 3_000_000), "12.003 s");
        assert_eq!(human_offset(180 * S + 12_000_000), "3m 0.012s");
        assert_eq!(human_offset(5 * 3600 * S + 1_000_000), "5h 0m 0.001s");
    }

    #[test]
    fn host_header_forms() {
        let v4: SocketAddr = "198.18.0.13:80".parse().unwrap();
        let v6: SocketAddr = "[fd00::1]:8080".parse().unwrap();
        assert_eq!(host_header("kms1.corp.test", v4), "kms1.corp.test");
        assert_eq!(host_header("fd00::1", v6), "[fd00::1]:8080");
        assert_eq!(host_header("evil\r\nX: y", v4), "198.18.0.13");
    }

    fn run_with(method: Method, sampled: Sampled) -> MethodRun {
        MethodRun {
            method,
            port: method.default_port(),
            sampled,
        }
    }

    fn subject() -> Subject {
        Subject {
            label: "KMS host kms1.corp.test".into(),
            name: "kms1.corp.test".into(),
            is_reference: false,
        }
    }

    #[test]
    fn nothing_measured_is_skip_with_every_reason_never_pass() {
        let runs = vec![
            run_with(
                Method::Ntp,
                Sampled {
                    best: None,
                    good: 0,
                    sent: 2,
                    failures: vec![
                        ProbeFailure::timeout("no NTP reply", Duration::from_secs(1)),
                        ProbeFailure::timeout("no NTP reply", Duration::from_secs(1)),
                    ],
                },
            ),
            run_with(
                Method::Smb2,
                Sampled {
                    best: None,
                    good: 0,
                    sent: 1,
                    failures: vec![ProbeFailure::new(
                        "refused",
                        "connection refused (RST)",
                        true,
                    )],
                },
            ),
        ];
        let f = finding_for(
            &subject(),
            "198.18.0.14".parse().unwrap(),
            &runs,
            DEFAULT_WARN_ABOVE,
            DEFAULT_FAIL_ABOVE,
        );
        assert_eq!(f.status, Status::Skip);
        assert!(
            f.message.contains("ntp/udp/123: timeout (×2)"),
            "{}",
            f.message
        );
        assert!(f.message.contains("smb2/tcp/445: refused"), "{}", f.message);
        assert_eq!(f.evidence["tried"][0]["result"], "timeout");
        assert_eq!(f.evidence["tried"][1]["result"], "refused");
        assert!(!f.evidence.contains_key("offset_ms"));
    }

    #[test]
    fn a_five_hour_skew_fails_with_codes_and_the_time_zone_hint() {
        let reading = Reading {
            offset_ns: 5 * 3600 * S + 1_000_000,
            delay_ns: 400_000,
            uncertainty_ns: 200_000,
            remote_time: std::time::UNIX_EPOCH,
            local: None,
            detail: Detail::Ntp {
                version: 4,
                stratum: 8,
                reference_id: "127.127.1.1".into(),
                precision: -26,
                root_delay_ms: 0.0,
                root_dispersion_ms: 0.0,
            },
        };
        let runs = vec![run_with(
            Method::Ntp,
            Sampled {
                best: Some(reading),
                good: 4,
                sent: 4,
                failures: vec![],
            },
        )];
        let f = finding_for(
            &subject(),
            "198.18.0.10".parse().unwrap(),
            &runs,
            DEFAULT_WARN_ABOVE,
            DEFAULT_FAIL_ABOVE,
        );
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.error_codes, vec!["0xC004F06C", "0xC004F074"]);
        assert_eq!(f.evidence["offset_ms"], 18_000_001.0);
        assert_eq!(f.evidence["tz_hint_hours"], 5);
        assert_eq!(f.evidence["stratum"], 8);
        assert!(f.message.contains("5 whole hour(s)"), "{}", f.message);
        assert!(f.message.contains("ahead of this machine"), "{}", f.message);
        let r = f.remediation.unwrap();
        assert!(r.contains("w32tm /resync") && r.contains("/stripchart /computer:kms1.corp.test"));
        assert!(r.contains("tzutil"));
    }

    #[test]
    fn rule_errors_point_at_the_bad_value() {
        use crate::pack::load;
        use kms_preflight_engine::rules::{LoadOptions, RuleSource};
        let text = "version: 1
checks:
  - id: my.clock
    kind: clock
    methods: [ntp, sntp, ntp]
    samples: 0
    ports: { http: 99999, ntp: 0 }
    expect: { warn_above: 5x, fail_above: 1m }
  - id: my.clock2
    kind: clock
    methods: []
    expect: { warn_above: 2h, fail_above: 1h }
";
        let errs = load(
            &[RuleSource {
                name: "c.yaml".into(),
                text: text.into(),
                builtin: false,
            }],
            &LoadOptions::default(),
        )
        .expect_err("broken")
        .0;
        let got: Vec<(u64, u64, &str)> = errs
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str()))
            .collect();
        let expect: &[(u64, u64, &str)] = &[
            (5, 20, "unknown clock method 'sntp'"),
            (5, 26, "'ntp' is listed twice"),
            (6, 14, "samples must be 1 to 16"),
            (7, 20, "not a TCP port"),
            (7, 32, "not a UDP port"),
            (8, 27, "invalid duration '5x'"),
            (11, 14, "'methods' is empty"),
            (12, 27, "warn_above (2h) is larger than fail_above (1h)"),
        ];
        assert_eq!(got.len(), expect.len(), "{got:?}");
        for ((l, c, m), (el, ec, em)) in got.iter().zip(expect) {
            assert_eq!((l, c), (el, ec), "{m}");
            assert!(m.contains(em), "{m:?} lacks {em:?}");
        }
    }

    #[test]
    fn the_built_in_clock_rules_load() {
        let set = crate::pack::load(
            &crate::pack::embedded::sources(),
            &kms_preflight_engine::rules::LoadOptions::default(),
        )
        .expect("built-ins load");
        let ids: Vec<&str> = set.checks.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"clock.kms-host") && ids.contains(&"clock.reference"));
        assert_eq!(set.vars["ntp_reference"], "");
    }
}

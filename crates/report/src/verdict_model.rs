//! The verdict's data (what the `verdict` module computes and the renderers read) and the
//! phrases it is told in: the answer, per-host attempts, shares under both host-caching
//! settings, fixes; percentages, offsets and short clauses for one terminal line.

use schemars::JsonSchema;
use serde::Serialize;

use kms_preflight_checks::evidence::kinds;

use super::Outcome;

/// The overall answer, ordered from best to worst (`Unknown`: nothing to judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Unknown,
    Works,
    WorksWithRisk,
    Fails,
}

impl Answer {
    /// How bad the answer is for the run, 0 best: an answer nothing proved (unknown) ranks
    /// below one that works with risk, above one that fails.
    pub fn badness(&self) -> u8 {
        match self {
            Answer::Works => 0,
            Answer::WorksWithRisk => 1,
            Answer::Unknown => 2,
            Answer::Fails => 3,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Works => "WORKS",
            Answer::WorksWithRisk => "WORKS WITH RISK",
            Answer::Fails => "FAILS",
            Answer::Unknown => "UNKNOWN",
        }
    }
}

/// What one activation attempt at a host does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Attempt {
    Works,
    /// The host answers with an error: the client logs `code` and stops this attempt.
    Rejected,
    /// Nothing answers as KMS: the client moves on to another host.
    NoResponse,
    /// A deciding check could not decide (status `error`), or the probes that decide were
    /// all skipped from this source; counted as working with risk next to hosts that work,
    /// and as unknown when no host that works is left.
    Unknown,
}

impl Attempt {
    pub(crate) fn answers(self) -> bool {
        self != Attempt::NoResponse
    }
    pub(crate) fn activates(self) -> bool {
        matches!(self, Attempt::Works | Attempt::Unknown)
    }
}

/// A probability under both host-caching settings.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, JsonSchema)]
pub struct Both {
    /// KMS host caching off (`slmgr /ckhc`): the RFC 2782 order.
    pub caching_off: f64,
    /// Caching on (the default): a random choice over all hosts.
    pub caching_on: f64,
}

impl Both {
    pub(crate) fn mean(&self) -> f64 {
        (self.caching_off + self.caching_on) / 2.0
    }
    pub(crate) fn max(&self) -> f64 {
        self.caching_off.max(self.caching_on)
    }
    pub(crate) fn min(&self) -> f64 {
        self.caching_off.min(self.caching_on)
    }
    pub(crate) fn round(self) -> Both {
        let r = |x: f64| (x * 10000.0).round() / 10000.0;
        Both {
            caching_off: r(self.caching_off),
            caching_on: r(self.caching_on),
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HostVerdict {
    /// `host:port`, as the host's results name it.
    pub target: String,
    /// The host name (`host:port` when several records name the same host).
    pub host: String,
    pub port: u16,
    pub priority: u16,
    pub weight: u16,
    /// Share of first attempts that go to this host.
    pub first_attempt: Both,
    /// Share of clients whose attempt is decided here (the first host that answers).
    pub decides: Both,
    pub attempt: Attempt,
    /// The code a client logs when its attempt ends here (or, for no response, when this
    /// host is its only one).
    pub code: Option<String>,
    /// Why, in a few words.
    pub because: Option<String>,
    /// The results that decided `attempt`.
    pub results: Vec<String>,
    /// Warnings and other problems of this host that do not change the attempt.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClientVerdict {
    /// The `--source` this client stands for; null: the OS's choice.
    pub source: Option<String>,
    pub suffixes: Vec<String>,
    pub suffix_origin: Option<String>,
    /// The domain the client finds KMS through (null: none, or hosts given by hand).
    pub domain: Option<String>,
    /// How the client finds its hosts, in words.
    pub discovery: String,
    pub answer: Answer,
    /// The main reason for the answer (the first of `risks` when there are any).
    pub reason: String,
    /// Every risk found, worst first.
    pub risks: Vec<String>,
    pub code: Option<String>,
    /// Share of clients whose activation attempt succeeds (after failover).
    pub activates: Both,
    /// Share of first attempts that reach a host that does not answer (a failover wait).
    pub failover: Both,
    pub hosts: Vec<HostVerdict>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Fix {
    pub rank: usize,
    pub title: String,
    /// The result id whose remediation this is.
    pub check: String,
    /// Targets (hosts or domains) it applies to.
    pub applies_to: Vec<String>,
    /// Added share of clients that activate, averaged over clients and caching settings.
    pub unblocks: f64,
    /// Share of first attempts no longer spent on a host that does not answer.
    pub spares: f64,
    pub code: Option<String>,
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Verdict {
    pub answer: Answer,
    pub label: &'static str,
    pub reason: String,
    pub code: Option<String>,
    pub clients: Vec<ClientVerdict>,
    pub fixes: Vec<Fix>,
}

/// The first clause of a message: up to the first ": " or "; " past its opening words and
/// outside parentheses.
pub fn first_clause(msg: &str) -> &str {
    let mut depth = 0i32;
    for (i, ch) in msg.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ':' | ';' if depth <= 0 && i >= 20 && msg[i + 1..].starts_with(' ') => {
                return &msg[..i];
            }
            _ => {}
        }
    }
    msg
}

/// A clock offset in words: "5 h", "12 min", "40 s".
pub(crate) fn human_ms(ms: f64) -> String {
    let a = ms.abs();
    let t = |x: f64, unit: &str| {
        let s = format!("{x:.1}");
        format!("{} {unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    if a >= 3_600_000.0 {
        t(a / 3_600_000.0, "h")
    } else if a >= 60_000.0 {
        t(a / 60_000.0, "min")
    } else {
        t(a / 1000.0, "s")
    }
}

/// Percent for people: "33 %", "<1 %", "100 %".
pub fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.005 {
        "<1 %".to_string()
    } else {
        format!("{:.0} %", x * 100.0)
    }
}

/// The share in words, naming the settings when they differ.
pub(crate) fn both_text(b: Both) -> String {
    if (b.caching_off - b.caching_on).abs() < 0.005 {
        pct(b.caching_off)
    } else {
        format!(
            "{} (caching off) / {} (caching on)",
            pct(b.caching_off),
            pct(b.caching_on)
        )
    }
}

pub(crate) fn fix_title(
    o: &Outcome,
    host: &str,
    port: u16,
    because: Option<&str>,
    published: bool,
) -> String {
    let or_remove = if published {
        ", or remove its SRV record"
    } else {
        ""
    };
    match o.kind.as_str() {
        kinds::SRV_STALE => format!("remove the stale SRV record of {host}"),
        kinds::CLOCK => format!(
            "set the clock of {host} right{}",
            because
                .and_then(|b| b.strip_prefix("clock is "))
                .map_or(String::new(), |b| format!(" (now {b})"))
        ),
        kinds::RESOLVE => format!("make {host} resolve{or_remove}"),
        kinds::TCP => format!("open TCP {port} to {host}{or_remove}"),
        kinds::KMS_RPC => format!("make {host} answer as a KMS host{or_remove}"),
        kinds::SRV_DISCOVERY
            if o.evidence.srv_discovery().and_then(|e| e.dns_answered) == Some(false) =>
        {
            "make the client's DNS servers answer it (UDP and TCP 53)".into()
        }
        kinds::SRV_DISCOVERY => "publish _vlmcs._tcp where the client's suffix list looks".into(),
        kinds::KMS_ACTIVATION => match because {
            Some(b) => format!("make {host} activate (its {b})"),
            None => format!("make {host} activate the product"),
        },
        _ => format!("fix {} for {host}", o.id),
    }
}

/// A few names and a count of the rest: "a, b, +3".
pub fn few(names: &[String]) -> String {
    if names.len() <= 2 {
        names.join(", ")
    } else {
        format!("{}, {}, +{}", names[0], names[1], names.len() - 2)
    }
}

/// The title of one fix applied to several hosts.
pub(crate) fn fixes_title(o: &Outcome, names: &[String], port: u16, published: bool) -> String {
    let n = names.len();
    let list = few(names);
    let or_remove = if published {
        ", or remove their SRV records"
    } else {
        ""
    };
    match o.kind.as_str() {
        kinds::SRV_STALE => format!("remove the {n} stale SRV records ({list})"),
        kinds::CLOCK => format!("set the clocks of {n} hosts right ({list})"),
        kinds::RESOLVE => format!("make {n} hosts resolve{or_remove} ({list})"),
        kinds::TCP => format!("open TCP {port} to {n} hosts{or_remove} ({list})"),
        kinds::KMS_RPC => format!("make {n} hosts answer as KMS hosts{or_remove} ({list})"),
        _ => format!("fix {} for {n} hosts ({list})", o.id),
    }
}

/// The answer, reason and code of one client from its hosts' probabilities.
pub(crate) fn judge(c: &mut ClientVerdict) {
    const EPS: f64 = 1e-6;
    let rejected: Vec<&HostVerdict> = {
        let mut v: Vec<&HostVerdict> = c
            .hosts
            .iter()
            .filter(|h| h.attempt == Attempt::Rejected)
            .collect();
        v.sort_by(|a, b| b.decides.mean().total_cmp(&a.decides.mean()));
        v
    };
    let dead: Vec<&HostVerdict> = {
        let mut v: Vec<&HostVerdict> = c
            .hosts
            .iter()
            .filter(|h| h.attempt == Attempt::NoResponse)
            .collect();
        v.sort_by(|a, b| b.first_attempt.mean().total_cmp(&a.first_attempt.mean()));
        v
    };
    let unknown: Vec<&HostVerdict> = c
        .hosts
        .iter()
        .filter(|h| h.attempt == Attempt::Unknown && h.decides.max() > EPS)
        .collect();
    let because = |h: &HostVerdict| h.because.clone().unwrap_or_default();
    // Clients activate only through hosts whose attempt could not be decided: nothing proves
    // they do (a skip is never evidence).
    let proven = c
        .hosts
        .iter()
        .filter(|h| h.attempt == Attempt::Works)
        .fold(0.0f64, |m, h| m.max(h.decides.max()));
    if !unknown.is_empty() && proven <= EPS {
        c.answer = Answer::Unknown;
        c.reason = format!(
            "cannot tell: no host's attempt could be decided — {}",
            because(unknown[0])
        );
        return;
    }
    if c.activates.max() <= EPS {
        c.answer = Answer::Fails;
        if let Some(h) = rejected.first() {
            c.code = h.code.clone();
            c.reason = format!(
                "every host that answers rejects the request: {}",
                rejected
                    .iter()
                    .map(|h| format!(
                        "{} ({}{})",
                        h.host,
                        because(h),
                        h.code.as_ref().map_or(String::new(), |c| format!(" → {c}"))
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        } else {
            // No KMS host could be contacted: the client's generic code.
            c.code = Some("0xC004F074".into());
            c.reason = format!(
                "no KMS host answers: {} → 0xC004F074",
                dead.iter()
                    .map(|h| format!("{} ({})", h.host, because(h)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return;
    }
    let risky = c.activates.min() < 1.0 - EPS || c.failover.max() > EPS || !unknown.is_empty();
    if !risky {
        c.answer = Answer::Works;
        c.reason = format!(
            "every host a client can pick activates it ({} host(s){})",
            c.hosts.len(),
            c.domain
                .as_ref()
                .map_or(String::new(), |d| format!(" via {d}"))
        );
        return;
    }
    c.answer = Answer::WorksWithRisk;
    let mut parts = Vec::new();
    for h in &rejected {
        parts.push(format!(
            "{} of first attempts reach {}, whose {} → {}",
            both_text(h.first_attempt),
            h.host,
            because(h),
            h.code.as_deref().unwrap_or("an error")
        ));
    }
    if let Some(h) = rejected.first() {
        c.code = h.code.clone();
    }
    let reached: Vec<&&HostVerdict> = dead
        .iter()
        .filter(|h| h.first_attempt.max() > EPS)
        .collect();
    match reached.as_slice() {
        [] => {}
        [h] => parts.push(format!(
            "{} of first attempts reach {}, which does not answer ({}); clients fail over to another host",
            both_text(h.first_attempt),
            h.host,
            because(h)
        )),
        many => {
            let mut sum = Both::default();
            for h in many {
                sum.caching_off += h.first_attempt.caching_off;
                sum.caching_on += h.first_attempt.caching_on;
            }
            let names: Vec<String> = many.iter().map(|h| h.host.clone()).collect();
            parts.push(format!(
                "{} of first attempts reach one of {} hosts that do not answer ({}); clients fail over to another host",
                both_text(sum),
                many.len(),
                few(&names)
            ));
        }
    }
    for h in &unknown {
        parts.push(format!("{}: {}", h.host, because(h)));
    }
    if parts.is_empty() {
        parts.push("some attempts reach hosts that do not answer".into());
    }
    c.reason = parts[0].clone();
    c.risks = parts;
}

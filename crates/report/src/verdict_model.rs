//! The verdict's data (what the `verdict` module computes and the renderers read) and the
//! phrases it is told in: the answer, per-host attempts, shares under both host-caching
//! settings, fixes; percentages, offsets and short clauses for one terminal line.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use kms_preflight_checks::evidence::kinds;
use kms_preflight_message::{Arg, Message};

use super::catalog::{Catalog, Lang};
use super::Outcome;

/// How a target origin that a client's pin made starts (client::pinned_origin): the verdict
/// tells those hosts from the command line's.
pub const PINNED_ORIGIN_PREFIX: &str = "client-state ";

kms_preflight_message::messages! {
    label_works = "verdict-label-works" ();
    label_works_with_risk = "verdict-label-works-with-risk" ();
    label_fails = "verdict-label-fails" ();
    label_unknown = "verdict-label-unknown" ();
    clause = "verdict-clause" (message);
    not_probed = "verdict-not-probed" ();
    stale_no_address = "verdict-stale-no-address" ();
    stale_port_dead = "verdict-stale-port-dead" (port);
    undecided = "verdict-undecided" (check);
    clock_off = "verdict-clock-off" (value, unit, direction);
    activation_count = "verdict-activation-count" (count, threshold, product);
    activation_refused = "verdict-activation-refused" (product);
    the_product = "verdict-the-product" ();
    note = "verdict-note" (check, status, message);
    discovery_no_dns = "verdict-discovery-no-dns" ();
    discovery_no_record = "verdict-discovery-no-record" ();
    discovery_fails = "verdict-discovery-fails" (what, suffixes);
    discovery_srv = "verdict-discovery-srv" (domain);
    discovery_by_hand = "verdict-discovery-by-hand" ();
    discovery_pinned = "verdict-discovery-pinned" ();
    discovery_none_found = "verdict-discovery-none-found" ();
    discovery_nothing = "verdict-discovery-nothing" ();
    nothing_to_judge = "verdict-nothing-to-judge" ();
    with_code = "verdict-with-code" (reason, code);
    from_source = "verdict-from-source" (source, reason);
    fix_stale = "verdict-fix-stale" (host);
    fix_clock = "verdict-fix-clock" (host);
    fix_clock_now = "verdict-fix-clock-now" (host, value, unit, direction);
    fix_resolve = "verdict-fix-resolve" (host, or_remove);
    fix_tcp = "verdict-fix-tcp" (port, host, or_remove);
    fix_rpc = "verdict-fix-rpc" (host, or_remove);
    fix_dns = "verdict-fix-dns" ();
    fix_publish = "verdict-fix-publish" ();
    fix_publish_in = "verdict-fix-publish-in" (domain);
    fix_publish_in_client_domain = "verdict-fix-publish-in-client-domain" ();
    fix_activate_because = "verdict-fix-activate-because" (host, because);
    fix_activate = "verdict-fix-activate" (host);
    fix_other = "verdict-fix-other" (check, host);
    fixes_stale = "verdict-fixes-stale" (count, hosts);
    fixes_clock = "verdict-fixes-clock" (count, hosts);
    fixes_resolve = "verdict-fixes-resolve" (count, or_remove, hosts);
    fixes_tcp = "verdict-fixes-tcp" (port, count, or_remove, hosts);
    fixes_rpc = "verdict-fixes-rpc" (count, or_remove, hosts);
    fixes_other = "verdict-fixes-other" (check, count, hosts);
    cannot_tell = "verdict-cannot-tell" (because);
    all_reject = "verdict-all-reject" (hosts);
    host_because = "verdict-host-because" (host, because);
    host_because_code = "verdict-host-because-code" (host, because, code);
    none_answers = "verdict-none-answers" (hosts, code);
    all_activate = "verdict-all-activate" (count);
    all_activate_via = "verdict-all-activate-via" (count, domain);
    share_both = "verdict-share-both" (off, on);
    risk_rejects = "verdict-risk-rejects" (share, host, because, code);
    risk_rejects_error = "verdict-risk-rejects-error" (share, host, because);
    risk_dead_one = "verdict-risk-dead-one" (share, host, because);
    risk_dead_many = "verdict-risk-dead-many" (share, count, hosts);
    risk_unknown = "verdict-risk-unknown" (host, because);
    risk_some_dead = "verdict-risk-some-dead" ();
    attempt_works = "verdict-attempt-works" ();
    attempt_works_notes = "verdict-attempt-works-notes" (count, note);
    attempt_rejected = "verdict-attempt-rejected" (because);
    attempt_rejected_code = "verdict-attempt-rejected-code" (because, code);
    attempt_no_answer = "verdict-attempt-no-answer" (because);
    attempt_unknown = "verdict-attempt-unknown" (because);
    block_group = "verdict-block-group" (share, count, hosts);
    activates_same = "verdict-activates-same" (share);
    activates_both = "verdict-activates-both" (off, on);
    others_log = "verdict-others-log" (line, code);
    find_through = "verdict-find-through" (domain);
    find_through_how = "verdict-find-through-how" (how);
    find_list = "verdict-find-list" (line, suffixes);
    find_list_from = "verdict-find-list-from" (line, origin, suffixes);
    origin_system = "verdict-origin-system" ();
    benefit_unblocks = "verdict-benefit-unblocks" (share);
    benefit_spares = "verdict-benefit-spares" (share);
    benefit_none = "verdict-benefit-none" ();
    block_answer = "verdict-block-answer" (label, reason);
    block_client = "verdict-block-client" (source, label, reason);
    block_os_choice = "verdict-block-os-choice" ();
    block_hosts_head = "verdict-block-hosts-head" ();
    block_hosts_head_prio = "verdict-block-hosts-head-prio" ();
    block_fixes = "verdict-block-fixes" ();
    block_fix = "verdict-block-fix" (rank, title, check, benefit);
}

/// A verdict phrase's arguments in JSON (`reason_args`, …): the object a result's `args` is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhraseArgs(pub Vec<(Cow<'static, str>, Arg)>);

impl Serialize for PhraseArgs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl JsonSchema for PhraseArgs {
    fn schema_name() -> Cow<'static, str> {
        "MessageArgs".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The arguments of the catalog message beside it (by name, typed: numbers stay numbers, a nested message is {message_id, args}).",
            "type": "object"
        })
    }
}

/// Verdicts recorded before their phrases carried ids have no `…_id`, `…_args` and
/// `…_messages`: the schema does not require them (this writer always writes them).
fn phrase_ids_optional(s: &mut schemars::Schema) {
    if let Some(serde_json::Value::Array(required)) = s.get_mut("required") {
        required.retain(|r| {
            r.as_str().is_none_or(|r| {
                !(r.ends_with("_id") || r.ends_with("_args") || r.ends_with("_messages"))
            })
        });
    }
}

/// A phrase of the verdict: its text in the verdict's language and the message it renders.
pub(crate) struct Said {
    pub text: String,
    pub id: Cow<'static, str>,
    pub args: PhraseArgs,
}

pub(crate) fn said(cat: &Catalog, m: Message) -> Said {
    Said {
        text: cat.text(&m),
        id: m.id,
        args: PhraseArgs(m.args),
    }
}

/// A message back from its id and arguments (a phrase of the verdict, to nest it in another).
pub(crate) fn message_of(id: Cow<'static, str>, args: &PhraseArgs) -> Message {
    Message {
        id,
        args: args.0.clone(),
    }
}

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

    /// The answer in English words (`WORKS WITH RISK`).
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Works => "WORKS",
            Answer::WorksWithRisk => "WORKS WITH RISK",
            Answer::Fails => "FAILS",
            Answer::Unknown => "UNKNOWN",
        }
    }

    /// The answer's message.
    pub fn label_message(&self) -> Message {
        match self {
            Answer::Works => label_works(),
            Answer::WorksWithRisk => label_works_with_risk(),
            Answer::Fails => label_fails(),
            Answer::Unknown => label_unknown(),
        }
    }

    /// The answer in words of `lang`.
    pub fn label_in(&self, lang: Lang) -> String {
        Catalog::get(lang).text(&self.label_message())
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
#[schemars(transform = phrase_ids_optional)]
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
    /// Why, in a few words, in the report's language.
    pub because: Option<String>,
    /// The catalog id of `because`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because_id: Option<Cow<'static, str>>,
    /// The arguments of `because`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because_args: Option<PhraseArgs>,
    /// The results that decided `attempt`.
    pub results: Vec<String>,
    /// Warnings and other problems of this host that do not change the attempt.
    pub notes: Vec<String>,
    /// `notes` as catalog messages (id and arguments), in the same order.
    pub note_messages: Vec<Message>,
}

impl HostVerdict {
    /// `because` as a message (to nest it in another phrase).
    pub fn because_message(&self) -> Option<Message> {
        Some(message_of(
            self.because_id.clone()?,
            self.because_args.as_ref()?,
        ))
    }

    /// `because` as an argument: the message, or empty text when there is none.
    pub(crate) fn because_arg(&self) -> Arg {
        self.because_message()
            .map_or(Arg::Text(String::new()), Arg::from)
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = phrase_ids_optional)]
pub struct ClientVerdict {
    /// The `--source` this client stands for; null: the OS's choice.
    pub source: Option<String>,
    pub suffixes: Vec<String>,
    pub suffix_origin: Option<String>,
    /// The domain the client finds KMS through (null: none, or hosts given by hand).
    pub domain: Option<String>,
    /// How the client finds its hosts, in words.
    pub discovery: String,
    /// The catalog id of `discovery`.
    pub discovery_id: Cow<'static, str>,
    pub discovery_args: PhraseArgs,
    pub answer: Answer,
    /// The main reason for the answer (the first of `risks` when there are any).
    pub reason: String,
    /// The catalog id of `reason` (stable across languages).
    pub reason_id: Cow<'static, str>,
    /// The arguments of `reason`.
    pub reason_args: PhraseArgs,
    /// Every risk found, worst first.
    pub risks: Vec<String>,
    /// `risks` as catalog messages (id and arguments), in the same order.
    pub risk_messages: Vec<Message>,
    pub code: Option<String>,
    /// Share of clients whose activation attempt succeeds (after failover).
    pub activates: Both,
    /// Share of first attempts that reach a host that does not answer (a failover wait).
    pub failover: Both,
    pub hosts: Vec<HostVerdict>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = phrase_ids_optional)]
pub struct Fix {
    pub rank: usize,
    pub title: String,
    /// The catalog id of `title`.
    pub title_id: Cow<'static, str>,
    pub title_args: PhraseArgs,
    /// The result id whose remediation this is.
    pub check: String,
    /// Targets (hosts or domains) it applies to.
    pub applies_to: Vec<String>,
    /// Added share of clients that activate, averaged over clients and caching settings.
    pub unblocks: f64,
    /// Share of first attempts no longer spent on a host that does not answer.
    pub spares: f64,
    pub code: Option<String>,
    /// The result's remediation, in the report's language.
    pub remediation: Option<String>,
    /// The catalog id of `remediation` (`user-text`: the rule's own text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation_id: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation_args: Option<PhraseArgs>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = phrase_ids_optional)]
pub struct Verdict {
    pub answer: Answer,
    /// `answer` in words of the report's language.
    pub label: String,
    pub reason: String,
    /// The catalog id of `reason`.
    pub reason_id: Cow<'static, str>,
    pub reason_args: PhraseArgs,
    pub code: Option<String>,
    pub clients: Vec<ClientVerdict>,
    pub fixes: Vec<Fix>,
}

impl ClientVerdict {
    pub(crate) fn set_reason(&mut self, cat: &Catalog, m: Message) {
        let s = said(cat, m);
        self.reason = s.text;
        self.reason_id = s.id;
        self.reason_args = s.args;
    }

    pub(crate) fn set_discovery(&mut self, cat: &Catalog, m: Message) {
        let s = said(cat, m);
        self.discovery = s.text;
        self.discovery_id = s.id;
        self.discovery_args = s.args;
    }

    /// `reason` as a message.
    pub fn reason_message(&self) -> Message {
        message_of(self.reason_id.clone(), &self.reason_args)
    }

    /// `discovery` as a message.
    pub fn discovery_message(&self) -> Message {
        message_of(self.discovery_id.clone(), &self.discovery_args)
    }
}

/// The first clause of an English message: up to the first ": " or "; " past its opening
/// words and outside parentheses (see [`kms_preflight_catalog::first_clause`]).
pub fn first_clause(msg: &str) -> &str {
    kms_preflight_catalog::first_clause(msg, Lang::En)
}

/// A clock offset as a number and a unit (`h`, `min`, `s`): 5 h, 12 min, 40 s.
pub(crate) fn offset_parts(ms: f64) -> (f64, &'static str) {
    let a = ms.abs();
    if a >= 3_600_000.0 {
        (a / 3_600_000.0, "h")
    } else if a >= 60_000.0 {
        (a / 60_000.0, "min")
    } else {
        (a / 1000.0, "s")
    }
}

/// `ahead` or `behind`: the direction of a clock offset (positive: the host is ahead).
pub(crate) fn direction(ms: f64) -> &'static str {
    if ms >= 0.0 {
        "ahead"
    } else {
        "behind"
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

/// The share as an argument, naming the settings when they differ.
pub(crate) fn both_arg(b: Both) -> Arg {
    if (b.caching_off - b.caching_on).abs() < 0.005 {
        Arg::Text(pct(b.caching_off))
    } else {
        share_both(pct(b.caching_off), pct(b.caching_on)).into()
    }
}

/// The title of the fix for one host. `clock_ms`: the host's clock offset, when its attempt is
/// rejected for it; `because`: why the attempt fails.
pub(crate) fn fix_title(
    o: &Outcome,
    host: &str,
    port: u16,
    because: Option<&Message>,
    clock_ms: Option<f64>,
    published: bool,
) -> Message {
    match o.kind.as_str() {
        kinds::SRV_STALE => fix_stale(host),
        kinds::CLOCK => match clock_ms {
            Some(ms) => {
                let (value, unit) = offset_parts(ms);
                fix_clock_now(host, value, unit, direction(ms))
            }
            None => fix_clock(host),
        },
        kinds::RESOLVE => fix_resolve(host, published),
        kinds::TCP => fix_tcp(port, host, published),
        kinds::KMS_RPC => fix_rpc(host, published),
        kinds::SRV_DISCOVERY
            if o.evidence.srv_discovery().and_then(|e| e.dns_answered) == Some(false) =>
        {
            fix_dns()
        }
        kinds::SRV_DISCOVERY => fix_publish(),
        kinds::KMS_ACTIVATION => match because {
            Some(b) => fix_activate_because(host, b.clone()),
            None => fix_activate(host),
        },
        _ => fix_other(o.id.as_str(), host),
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
pub(crate) fn fixes_title(o: &Outcome, names: &[String], port: u16, published: bool) -> Message {
    let n = names.len();
    let list = few(names);
    match o.kind.as_str() {
        kinds::SRV_STALE => fixes_stale(n, list),
        kinds::CLOCK => fixes_clock(n, list),
        kinds::RESOLVE => fixes_resolve(n, published, list),
        kinds::TCP => fixes_tcp(port, n, published, list),
        kinds::KMS_RPC => fixes_rpc(n, published, list),
        _ => fixes_other(o.id.as_str(), n, list),
    }
}

/// The answer, reason and code of one client from its hosts' probabilities.
pub(crate) fn judge(c: &mut ClientVerdict, cat: &Catalog) {
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
    // Clients activate only through hosts whose attempt could not be decided: nothing proves
    // they do (a skip is never evidence).
    let proven = c
        .hosts
        .iter()
        .filter(|h| h.attempt == Attempt::Works)
        .fold(0.0f64, |m, h| m.max(h.decides.max()));
    let all_unknown = !c.hosts.is_empty() && c.hosts.iter().all(|h| h.attempt == Attempt::Unknown);
    if all_unknown || (!unknown.is_empty() && proven <= EPS) {
        let first = unknown.first().copied().unwrap_or(&c.hosts[0]);
        let m = cannot_tell(first.because_arg());
        c.answer = Answer::Unknown;
        c.set_reason(cat, m);
        return;
    }
    if c.activates.max() <= EPS {
        let (code, m) = if let Some(h) = rejected.first() {
            let hosts: Vec<Message> = rejected
                .iter()
                .map(|h| match &h.code {
                    Some(code) => host_because_code(h.host.as_str(), h.because_arg(), code),
                    None => host_because(h.host.as_str(), h.because_arg()),
                })
                .collect();
            (h.code.clone(), all_reject(hosts))
        } else {
            // No KMS host could be contacted: the client's generic code.
            let hosts: Vec<Message> = dead
                .iter()
                .map(|h| host_because(h.host.as_str(), h.because_arg()))
                .collect();
            (
                Some("0xC004F074".to_string()),
                none_answers(hosts, "0xC004F074"),
            )
        };
        c.answer = Answer::Fails;
        c.code = code;
        c.set_reason(cat, m);
        return;
    }
    let risky = c.activates.min() < 1.0 - EPS || c.failover.max() > EPS || !unknown.is_empty();
    if !risky {
        let m = match &c.domain {
            Some(d) => all_activate_via(c.hosts.len(), d),
            None => all_activate(c.hosts.len()),
        };
        c.answer = Answer::Works;
        c.set_reason(cat, m);
        return;
    }
    let mut parts: Vec<Message> = Vec::new();
    for h in &rejected {
        parts.push(match &h.code {
            Some(code) => risk_rejects(
                both_arg(h.first_attempt),
                h.host.as_str(),
                h.because_arg(),
                code,
            ),
            None => risk_rejects_error(both_arg(h.first_attempt), h.host.as_str(), h.because_arg()),
        });
    }
    let code = rejected.first().and_then(|h| h.code.clone());
    let reached: Vec<&&HostVerdict> = dead
        .iter()
        .filter(|h| h.first_attempt.max() > EPS)
        .collect();
    match reached.as_slice() {
        [] => {}
        [h] => parts.push(risk_dead_one(
            both_arg(h.first_attempt),
            h.host.as_str(),
            h.because_arg(),
        )),
        many => {
            let mut sum = Both::default();
            for h in many {
                sum.caching_off += h.first_attempt.caching_off;
                sum.caching_on += h.first_attempt.caching_on;
            }
            let names: Vec<String> = many.iter().map(|h| h.host.clone()).collect();
            parts.push(risk_dead_many(both_arg(sum), many.len(), few(&names)));
        }
    }
    for h in &unknown {
        parts.push(risk_unknown(h.host.as_str(), h.because_arg()));
    }
    if parts.is_empty() {
        parts.push(risk_some_dead());
    }
    c.answer = Answer::WorksWithRisk;
    if code.is_some() {
        c.code = code;
    }
    c.set_reason(cat, parts[0].clone());
    c.risks = parts.iter().map(|m| cat.text(m)).collect();
    c.risk_messages = parts;
}

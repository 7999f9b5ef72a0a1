//! The verdict per client product (`--client-state`): what each product of each Windows client
//! whose output was given would do, from the client's own route to KMS (the client crate's
//! `discovery`) and this run's results. A pure function of the [`Report`], like the verdict.
//!
//! - a pinned product: its pinned host:port only (DNS discovery is bypassed), with the fix
//!   command of its own tool (`slmgr /skms` / `/ckms`, `ospp.vbs /sethst` / `/remhst`);
//! - a lookup domain or suffix list: the first of the client's own domains with records;
//! - MAK, retail, OEM: not a KMS client, the KMS checks do not apply;
//! - its status (grace with the date it ends) and its last code against what the run sees;
//! - CMIDs several machines share: a `fail` result predicting 0xC004F038 ([`cmid_results`]).

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use kms_preflight_client::{
    self as client, App, Channel, ClientState, DiscoveryNote, LicenseStatus, ParseError, PinOrigin,
    Product, Route,
};
use kms_preflight_engine::Message;

use super::catalog::{Catalog, Lang};
use super::verdict::{classify, discovery_verdict, Cand};
use super::verdict_model::{Answer, Attempt, PINNED_ORIGIN_PREFIX};
use super::{Evidence, Outcome, Report, Status};

kms_preflight_engine::messages! {
    /// A `--client-state` input that cannot be read at all.
    client_input_unreadable = "client-input-unreadable" (file, error);
    client_input_empty = "client-input-empty" (file);
    client_input_too_large = "client-input-too-large" (file, bytes, limit_mib);
    client_input_binary = "client-input-binary" (file, detail, first_bytes);
    client_input_too_many = "client-input-too-many" (file, what, limit);
    client_input_unrecognized = "client-input-unrecognized" (file, encoding, first_line);
    client_heading = "client-heading" (inputs);
    client_input_missing = "client-input-missing" (file, fields);
    client_override = "client-override" (client_domains, run_domains);
    client_product_pinned = "client-product-pinned" (product, target, origin, outcome);
    client_product_discovery = "client-product-discovery" (product, via, outcome);
    client_product_not_kms = "client-product-not-kms" (product, channel);
    client_product_not_kms_code = "client-product-not-kms-code" (product, channel, code);
    client_via_lookup_domain = "client-via-lookup-domain" (domain);
    client_via_suffixes = "client-via-suffixes" (domain, suffixes);
    client_via_nothing = "client-via-nothing" (suffixes);
    client_product_no_suffix = "client-product-no-suffix" (product);
    client_product_of = "client-product-of" (machine, product);
    client_product_name = "client-product-name" (product);
    client_outcome_activates = "client-outcome-activates" ();
    client_outcome_no_answer = "client-outcome-no-answer" (because, code);
    client_outcome_rejected = "client-outcome-rejected" (because, code);
    client_outcome_unknown = "client-outcome-unknown" (because);
    client_outcome_fails = "client-outcome-fails" (reason);
    client_outcome_risk = "client-outcome-risk" (reason);
    client_discovery_would_find = "client-discovery-would-find" (hosts);
    client_fix_windows_pinned = "client-fix-windows-pinned" (host);
    client_fix_office_pinned = "client-fix-office-pinned" (host, port);
    client_fix_windows_dns = "client-fix-windows-dns" ();
    client_fix_office_dns = "client-fix-office-dns" ();
    client_status_grace = "client-status-grace" (status, minutes, ends);
    client_status_notification = "client-status-notification" ();
    client_last_code_matches = "client-last-code-matches" (code);
    client_last_code_differs = "client-last-code-differs" (code, seen);
    client_last_code_cleared = "client-last-code-cleared" (code);
    client_note_pin_unknown = "client-note-pin-unknown" ();
    client_note_pin_differs = "client-note-pin-differs" (registry, printed);
    client_note_lookup_domain_ignored = "client-note-lookup-domain-ignored" (domain);
    client_note_suffixes_unknown = "client-note-suffixes-unknown" (domains);
    client_note_no_suffix = "client-note-no-suffix" ();
    client_note_channel_unknown = "client-note-channel-unknown" ();
    client_note_sku_override_unmatched = "client-note-sku-override-unmatched" (skus);
    client_note_kms_excluded = "client-note-kms-excluded" (activation_type);
    client_cmid_shared = "client-cmid-shared" (cmid, count, machines);
    client_cmid_shared_unsure = "client-cmid-shared-unsure" (cmid, machines);
    client_cmid_unique = "client-cmid-unique" (count);
    client_cmid_fix = "client-cmid-fix" ();
    client_summary_fails = "client-summary-fails" (product, code);
    client_cmid_shared_product = "client-cmid-shared-product" (cmid, machines);
    client_no_code = "client-no-code" ();
}

/// The id of the result [`cmid_results`] adds, and its kind.
pub const CMID_CHECK: &str = "client.cmid-unique";
pub const CLIENT_KIND: &str = "client";

/// The code a client logs when no KMS host answers.
const NO_HOST: &str = "0xC004F074";
/// A clone's code: the host counts every copy of one CMID as one client.
const COUNT_TOO_LOW: &str = "0xC004F038";

/// The message of a parse error, naming the input and what it looked like.
pub fn parse_error(e: &ParseError) -> Message {
    match e {
        ParseError::Empty { source } => client_input_empty(source.as_str()),
        ParseError::TooLarge { source, bytes } => client_input_too_large(
            source.as_str(),
            *bytes,
            client::MAX_INPUT_BYTES / (1024 * 1024),
        ),
        ParseError::Binary {
            source,
            detail,
            first_bytes,
            ..
        } => client_input_binary(source.as_str(), detail.as_str(), first_bytes.as_str()),
        ParseError::TooManyRecords {
            source,
            what,
            limit,
        } => client_input_too_many(source.as_str(), *what, *limit),
        ParseError::Unrecognized {
            source,
            encoding,
            first_line,
        } => client_input_unrecognized(source.as_str(), encoding.as_str(), first_line.as_str()),
    }
}

/// The origin a pinned host's target carries (data, like `--host`).
pub fn pinned_origin(machine: &str) -> String {
    format!("{PINNED_ORIGIN_PREFIX}{machine}")
}

/// One product's verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProductVerdict {
    /// The machine (its host name, else its inputs).
    pub machine: String,
    /// The inputs the product was read from.
    pub inputs: Vec<String>,
    pub product: String,
    /// `windows` or `office` (null: not said).
    pub app: Option<String>,
    /// The channel as printed (`VOLUME_KMSCLIENT`, `MAK`, …).
    pub channel: Option<String>,
    /// How it finds KMS: `pinned`, `lookup_domain`, `suffix_list`, `not_kms_client`.
    pub route: String,
    /// The pinned host:port, or the domain it finds KMS through.
    pub via: Option<String>,
    /// Null when the KMS checks do not apply (not a KMS client).
    pub answer: Option<Answer>,
    /// The code this audit predicts for it.
    #[schemars(regex(pattern = r"^0x[0-9A-F]{8}$"))]
    pub code: Option<String>,
    /// The code the client itself last logged.
    #[schemars(regex(pattern = r"^0x[0-9A-F]{8}$"))]
    pub last_code: Option<String>,
    /// When its grace period ends (RFC 3339), counted from the run's start.
    pub grace_ends: Option<String>,
    #[serde(skip)]
    pub line: Message,
    #[serde(skip)]
    pub details: Vec<Message>,
    #[serde(skip)]
    pub fix: Option<Message>,
}

/// Everything the client state adds to a report.
#[derive(Debug, Clone, Default)]
pub struct ClientAudit {
    pub notes: Vec<Message>,
    pub products: Vec<ProductVerdict>,
}

fn channel_text(c: &Channel) -> String {
    match c {
        Channel::KmsClient => "VOLUME_KMSCLIENT".into(),
        Channel::Mak => "MAK".into(),
        Channel::Retail => "RETAIL".into(),
        Channel::Oem => "OEM".into(),
        Channel::Other(s) => s.clone(),
    }
}

fn origin_token(o: PinOrigin) -> &'static str {
    match o {
        PinOrigin::SlmgrRegistered => "slmgr",
        PinOrigin::OsppRegistryOverride => "ospp",
        PinOrigin::RegistrySku => "registry-sku",
        PinOrigin::RegistryApp => "registry-app",
        PinOrigin::RegistryGlobal => "registry",
    }
}

fn status_token(s: LicenseStatus) -> &'static str {
    match s {
        LicenseStatus::InitialGrace => "initial",
        LicenseStatus::AdditionalGrace => "additional",
        LicenseStatus::NonGenuineGrace => "non-genuine",
        LicenseStatus::ExtendedGrace => "extended",
        _ => "other",
    }
}

/// `started_at + minutes`, RFC 3339 to the second.
fn grace_end(started_at: &str, minutes: u64) -> Option<String> {
    let start = humantime::parse_rfc3339_weak(started_at.trim_end_matches('Z'))
        .or_else(|_| humantime::parse_rfc3339(started_at))
        .ok()?;
    let end = start.checked_add(std::time::Duration::from_secs(minutes.checked_mul(60)?))?;
    Some(humantime::format_rfc3339_seconds(end).to_string())
}

fn is_office(p: &Product) -> bool {
    p.app == Some(App::Office)
}

/// The hosts that activate for a client searching `domains`, if any of them has records.
fn working_discovered(report: &Report, domains: &[String]) -> Vec<String> {
    if domains.is_empty() {
        return Vec::new();
    }
    let v = discovery_verdict(report, domains);
    v.hosts
        .iter()
        .filter(|h| h.attempt == Attempt::Works)
        .map(|h| h.target.clone())
        .collect()
}

/// A product's outcome and predicted code through its discovery route.
fn discovery_outcome(
    report: &Report,
    domains: &[String],
) -> (Answer, Option<String>, Message, Message) {
    let v = discovery_verdict(report, domains);
    let via = match &v.domain {
        Some(d) => client_via_suffixes(d.as_str(), domains.to_vec()),
        None => client_via_nothing(domains.to_vec()),
    };
    let outcome = match v.answer {
        Answer::Works => client_outcome_activates(),
        Answer::WorksWithRisk => client_outcome_risk(v.reason_message()),
        Answer::Fails => client_outcome_fails(v.reason_message()),
        Answer::Unknown => client_outcome_unknown(v.reason_message()),
    };
    (v.answer, v.code, via, outcome)
}

/// The verdict of every product of every client in `report.clients`.
pub fn audit(report: &Report) -> ClientAudit {
    let mut out = ClientAudit::default();
    if report.clients.is_empty() {
        return out;
    }
    for s in &report.clients {
        if !s.missing.is_empty() {
            out.notes
                .push(client_input_missing(s.source.as_str(), s.missing.clone()));
        }
    }
    let machines = client::group_by_machine(&report.clients);
    let shared: Vec<client::SharedCmid> = client::shared_cmids(&machines)
        .into_iter()
        .filter(|s| s.certain)
        .collect();
    let mut client_domains: Vec<String> = Vec::new();
    for m in &machines {
        let clone_of = shared.iter().find(|s| m.cmids().contains(&s.cmid));
        for p in &m.products {
            let d = client::discovery(p, &m.machine);
            let mut v = ProductVerdict {
                machine: m.label(),
                inputs: m.sources.clone(),
                product: p.label(),
                app: p.app.map(|a| match a {
                    App::Windows => "windows".to_string(),
                    App::Office => "office".to_string(),
                }),
                channel: p.channel.as_ref().map(channel_text),
                route: String::new(),
                via: None,
                answer: None,
                code: None,
                last_code: p.error_code.clone(),
                grace_ends: None,
                line: Message::new("client-outcome-activates"),
                details: Vec::new(),
                fix: None,
            };
            // Several machines: each line says whose product it is.
            let product: Message = if machines.len() > 1 {
                client_product_of(m.label(), p.label())
            } else {
                client_product_name(p.label())
            };
            match &d.route {
                Route::NotKmsClient { channel } => {
                    v.route = "not_kms_client".into();
                    v.line = match &p.error_code {
                        Some(c) => client_product_not_kms_code(
                            product.clone(),
                            channel_text(channel),
                            c.as_str(),
                        ),
                        None => client_product_not_kms(product.clone(), channel_text(channel)),
                    };
                    out.products.push(v);
                    continue;
                }
                Route::Pinned { pinned } => {
                    v.route = "pinned".into();
                    let host = pinned.host.trim_end_matches('.').to_ascii_lowercase();
                    let target = format!("{host}:{}", pinned.port);
                    v.via = Some(target.clone());
                    let cand = Cand {
                        host: host.clone(),
                        port: pinned.port,
                        priority: 0,
                        weight: 0,
                    };
                    // With --source, the first source's results stand for the client.
                    let src = report.sources.first().map(String::as_str);
                    let cl = classify(report, src, &cand, None);
                    let because = cl
                        .because
                        .clone()
                        .unwrap_or_else(|| Message::user_text(String::new()));
                    let (answer, code, outcome) = match cl.attempt {
                        Attempt::Works => (Answer::Works, None, client_outcome_activates()),
                        Attempt::NoResponse => (
                            Answer::Fails,
                            Some(NO_HOST.to_string()),
                            client_outcome_no_answer(because.clone(), NO_HOST),
                        ),
                        Attempt::Rejected => {
                            let c = cl.code.clone().unwrap_or_else(|| NO_HOST.into());
                            (
                                Answer::Fails,
                                Some(c.clone()),
                                client_outcome_rejected(because.clone(), c),
                            )
                        }
                        Attempt::Unknown => (
                            Answer::Unknown,
                            None,
                            client_outcome_unknown(because.clone()),
                        ),
                    };
                    v.answer = Some(answer);
                    v.code = code;
                    v.line = client_product_pinned(
                        product.clone(),
                        target.as_str(),
                        origin_token(pinned.origin),
                        outcome,
                    );
                    let working = working_discovered(report, &report.domains);
                    if answer != Answer::Works {
                        if !working.is_empty() {
                            v.details.push(client_discovery_would_find(working.clone()));
                        }
                        let to = working.first().cloned();
                        v.fix = Some(if is_office(p) {
                            // ospp.vbs takes the host and the port apart.
                            let (h, port) = to.as_deref().and_then(|t| t.rsplit_once(':')).map_or(
                                ("<kms-host>".to_string(), "1688".to_string()),
                                |(h, p)| (h.to_string(), p.to_string()),
                            );
                            client_fix_office_pinned(h, port)
                        } else {
                            client_fix_windows_pinned(
                                to.unwrap_or_else(|| "<kms-host>:1688".into()),
                            )
                        });
                    }
                }
                Route::LookupDomain { domain, .. } => {
                    v.route = "lookup_domain".into();
                    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
                    client_domains.push(domain.clone());
                    let (answer, code, _, outcome) =
                        discovery_outcome(report, std::slice::from_ref(&domain));
                    v.via = Some(domain.clone());
                    v.answer = Some(answer);
                    v.code = code;
                    v.line = client_product_discovery(
                        product.clone(),
                        client_via_lookup_domain(domain.as_str()),
                        outcome,
                    );
                }
                Route::SuffixList { suffixes, .. } => {
                    v.route = "suffix_list".into();
                    let list: Vec<String> = if suffixes.is_empty() {
                        report.domains.clone()
                    } else {
                        suffixes
                            .iter()
                            .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
                            .collect()
                    };
                    client_domains.extend(list.iter().cloned());
                    if list.is_empty() {
                        v.answer = Some(Answer::Unknown);
                        v.line = client_product_no_suffix(product.clone());
                    } else {
                        let (answer, code, via, outcome) = discovery_outcome(report, &list);
                        v.via = list.first().cloned();
                        v.answer = Some(answer);
                        v.code = code;
                        v.line = client_product_discovery(product.clone(), via, outcome);
                    }
                }
            }
            if matches!(v.route.as_str(), "lookup_domain" | "suffix_list")
                && v.answer == Some(Answer::Fails)
            {
                v.fix = Some(if is_office(p) {
                    client_fix_office_dns()
                } else {
                    client_fix_windows_dns()
                });
            }
            // Status and the last code against what this run sees.
            match p.license_status {
                Some(st) if st.is_grace() => {
                    if let Some(min) = p.grace_minutes_left {
                        v.grace_ends = grace_end(&report.started_at, min);
                        v.details.push(client_status_grace(
                            status_token(st),
                            min,
                            v.grace_ends.clone().unwrap_or_default(),
                        ));
                    }
                }
                Some(LicenseStatus::Notification) => {
                    v.details.push(client_status_notification());
                }
                _ => {}
            }
            if let Some(last) = &p.error_code {
                let is_error = last.starts_with("0xC") || last.starts_with("0x8");
                match (&v.code, v.answer) {
                    (Some(c), _) if c == last => {
                        v.details.push(client_last_code_matches(last.as_str()))
                    }
                    (Some(c), _) => v
                        .details
                        .push(client_last_code_differs(last.as_str(), c.as_str())),
                    (None, Some(Answer::Works)) if is_error => {
                        v.details.push(client_last_code_cleared(last.as_str()))
                    }
                    _ => {}
                }
            }
            // A clone: whatever the network does, the host counts it with the others as one.
            if let (Some(sh), Some(_)) = (clone_of, &v.answer) {
                v.answer = Some(Answer::Fails);
                v.code = Some(COUNT_TOO_LOW.into());
                let others: Vec<String> = sh
                    .machines
                    .iter()
                    .filter(|x| **x != m.label())
                    .cloned()
                    .collect();
                v.details
                    .insert(0, client_cmid_shared_product(sh.cmid.as_str(), others));
            }
            for n in &d.notes {
                let m = match n {
                    DiscoveryNote::PinUnknown => client_note_pin_unknown(),
                    DiscoveryNote::PinDiffers { registry, printed } => client_note_pin_differs(
                        format!("{}:{}", registry.host, registry.port),
                        format!("{}:{}", printed.host, printed.port),
                    ),
                    DiscoveryNote::LookupDomainIgnored { domain } => {
                        client_note_lookup_domain_ignored(domain.as_str())
                    }
                    DiscoveryNote::SuffixesUnknown if !report.domains.is_empty() => {
                        client_note_suffixes_unknown(report.domains.clone())
                    }
                    DiscoveryNote::NoSuffix => client_note_no_suffix(),
                    DiscoveryNote::ChannelUnknown => client_note_channel_unknown(),
                    DiscoveryNote::SkuOverrideUnmatched { sku_ids } => {
                        client_note_sku_override_unmatched(sku_ids.clone())
                    }
                    DiscoveryNote::KmsExcludedByActivationType { activation_type } => {
                        client_note_kms_excluded(
                            serde_json::to_value(activation_type)
                                .ok()
                                .and_then(|x| x.as_str().map(str::to_string))
                                .unwrap_or_default(),
                        )
                    }
                    _ => continue,
                };
                v.details.push(m);
            }
            out.products.push(v);
        }
    }
    // An explicit --domain/--suffix replaced what the clients search.
    client_domains.dedup();
    let searched_all = client_domains
        .iter()
        .all(|d| report.domains.iter().any(|r| r == d));
    if !client_domains.is_empty() && !searched_all {
        out.notes
            .push(client_override(client_domains, report.domains.clone()));
    }
    out
}

/// The results the client state adds: CMIDs shared by different machines (a fail predicting
/// 0xC004F038, or a warn when an unnamed input may be another output of the same machine),
/// or one pass when several machines' CMIDs are all distinct. Nothing for one machine.
pub fn cmid_results(clients: &[ClientState]) -> Vec<Outcome> {
    let machines = client::group_by_machine(clients);
    let with_cmid = machines.iter().filter(|m| !m.cmids().is_empty()).count();
    if with_cmid < 2 {
        return Vec::new();
    }
    let base = |status: Status, target: Option<String>, message: Message| Outcome {
        id: CMID_CHECK.into(),
        kind: CLIENT_KIND.into(),
        title: "client machine IDs (CMIDs) are distinct".into(),
        target,
        address: None,
        source: None,
        status,
        message,
        remediation: None,
        error_codes: Vec::new(),
        evidence: Evidence::default(),
        run: Default::default(),
        duration_ms: 0,
    };
    let shared = client::shared_cmids(&machines);
    if shared.is_empty() {
        return vec![base(Status::Pass, None, client_cmid_unique(with_cmid))];
    }
    shared
        .into_iter()
        .map(|s| {
            let (status, message) = if s.certain {
                (
                    Status::Fail,
                    client_cmid_shared(s.cmid.as_str(), s.machines.len(), s.machines.clone()),
                )
            } else {
                (
                    Status::Warn,
                    client_cmid_shared_unsure(s.cmid.as_str(), s.machines.clone()),
                )
            };
            let mut o = base(status, Some(format!("CMID {}", s.cmid)), message);
            o.error_codes = vec![COUNT_TOO_LOW.into()];
            o.remediation = Some(client_cmid_fix());
            o
        })
        .collect()
}

/// The client block of the table: one line per product (the first line is the first
/// product's), its details and fix indented below, then the notes.
pub fn text(report: &Report, lang: Lang) -> String {
    let a = audit(report);
    if a.products.is_empty() && a.notes.is_empty() {
        return String::new();
    }
    let cat = Catalog::get(lang);
    let mut out = String::new();
    for p in &a.products {
        let _ = writeln!(out, "{}", cat.text(&p.line));
        for d in &p.details {
            let _ = writeln!(out, "  {}", cat.text(d));
        }
        if let Some(f) = &p.fix {
            let _ = writeln!(out, "  {}", cat.text(f));
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "  {}", cat.text(n));
    }
    let inputs: Vec<String> = report.clients.iter().map(|c| c.source.clone()).collect();
    let _ = writeln!(out, "  {}", cat.text(&client_heading(inputs)));
    out.push('\n');
    out
}

/// One message as JSON: the sentence and the same as data.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MessageJson {
    pub text: String,
    pub message_id: String,
    pub args: serde_json::Map<String, serde_json::Value>,
}

fn message_json(m: &Message, cat: &Catalog) -> MessageJson {
    MessageJson {
        text: cat.text(m),
        message_id: m.id.to_string(),
        args: match serde_json::to_value(m.args_map()) {
            Ok(serde_json::Value::Object(o)) => o,
            _ => Default::default(),
        },
    }
}

/// One `--client-state` input in the JSON report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClientInputJson {
    /// The input's name (`stdin` for `-`).
    pub input: String,
    /// The client model as read (docs/client-state.md, "The model"); `client.missing` lists
    /// what its formats print that was not found.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub client: ClientState,
    /// The verdict of each product this input shows (a product several inputs of one
    /// machine show is listed under each).
    pub products: Vec<ProductJson>,
}

/// A product's verdict in the JSON report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProductJson {
    #[serde(flatten)]
    pub verdict: ProductVerdict,
    /// The verdict line, in the report's language and as data.
    pub line: MessageJson,
    pub details: Vec<MessageJson>,
    pub fix: Option<MessageJson>,
}

/// `client_state` of the JSON report: one object per input; null without `--client-state`.
pub fn json(report: &Report, lang: Lang) -> Option<Vec<ClientInputJson>> {
    if report.clients.is_empty() {
        return None;
    }
    let cat = Catalog::get(lang);
    let a = audit(report);
    Some(
        report
            .clients
            .iter()
            .map(|c| ClientInputJson {
                input: c.source.clone(),
                client: c.clone(),
                products: a
                    .products
                    .iter()
                    .filter(|p| p.inputs.contains(&c.source))
                    .map(|p| ProductJson {
                        verdict: p.clone(),
                        line: message_json(&p.line, cat),
                        details: p.details.iter().map(|d| message_json(d, cat)).collect(),
                        fix: p.fix.as_ref().map(|f| message_json(f, cat)),
                    })
                    .collect(),
            })
            .collect(),
    )
}

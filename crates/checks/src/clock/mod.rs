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

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::validation as invalid;
use kms_preflight_engine::rules::{parse_duration, Scope};
use kms_preflight_engine::Message;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, render_port, validate_port_of, BoxFuture, Check};

mod findings;
mod model;
mod probe;

use findings::*;
pub use findings::{human_offset, time_zone_hint, verdict};
pub use model::*;
use probe::*;

kms_preflight_engine::messages! {
    /// skipped: no reference clock given ({template} is empty); pass --ntp HOST with an NTP
    /// server you trust (a domain controller, or your NTP source)
    no_reference = "clock-no-reference" (template);
    /// cannot read the clock of {name}: it has no address ({why})
    no_address = "clock-no-address" (name, why);
    /// no clock to read: set 'server' or run this check per host (scope each-host)
    no_server = "clock-no-server" ();
    /// KMS host {host}
    subject_kms_host = "clock-subject-kms-host" (host);
    /// reference {name}
    subject_reference = "clock-subject-reference" (name);
    /// {subject} at {addr}
    subject_at = "clock-subject-at" (subject, addr);
    /// skipped: no clock reading from {subject}: {tried, joined by "; "}
    no_reading = "clock-no-reading" (subject, tried);
    /// {method}/{transport}/{port}: {class} — {detail}
    method_failed = "clock-method-failed" (method, transport, port, class, detail);
    /// {method}/{transport}/{port}: {class} (×{times}) — {detail}
    method_failed_repeated = "clock-method-failed-repeated" (method, transport, port, class, times, detail);
    /// {method}/{port}: no result
    method_no_result = "clock-method-no-result" (method, port);
    /// {class}: {detail} (one failure, as evidence)
    failure = "clock-failure" (class, detail);
    /// the clock of KMS host {host}
    who_kms_host = "clock-who-kms-host" (host);
    /// the reference clock {name}
    who_reference = "clock-who-reference" (name);
    /// NTP, stratum {stratum}
    note_ntp = "clock-note-ntp" (stratum);
    /// SMB2 NEGOTIATE SystemTime, {dialect}
    note_smb2 = "clock-note-smb2" (dialect);
    /// HTTP Date header, 1 s resolution
    note_http = "clock-note-http" ();
    /// {addr}, {note}
    note_at = "clock-note-at" (addr, note);
    /// {ms} ms (an offset under a second, 3 decimals)
    span_ms = "clock-span-ms" (ms);
    /// {s} s (under a minute, 3 decimals)
    span_s = "clock-span-s" (s);
    /// {m}m {s}s
    span_m = "clock-span-m" (m, s);
    /// {h}h {m}m {s}s
    span_h = "clock-span-h" (h, m, s);
    /// {who} ({source}) is {offset} ahead of|behind this machine (±{uncertainty}): {verdict}
    measured = "clock-measured" (who, source, offset, direction, uncertainty, verdict);
    /// more than {fail_ms}, so a KMS host rejects the activation request (0xC004F06C, often
    /// shown as 0xC004F074)
    verdict_fail = "clock-verdict-fail" (fail_ms);
    /// more than {warn_ms}, so Kerberos and AD authentication fail (KMS itself accepts up to
    /// {fail_ms})
    verdict_warn = "clock-verdict-warn" (warn_ms, fail_ms);
    /// within {warn_ms}
    verdict_pass = "clock-verdict-pass" (warn_ms);
    /// {reading}; that is within a minute of {hours} whole hour(s): a time zone set wrongly (a
    /// clock set in local time instead of UTC) is the likely cause
    likely_time_zone = "clock-time-zone-hint" (reading, hours);
    /// This machine's clock is off against the reference {host}. Set it right:
    fix_intro_reference = "clock-fix-intro-reference" (host);
    /// Find which clock is wrong (compare both with a trusted source: {compare}) and set it
    /// right:
    fix_intro_kms_host = "clock-fix-intro-kms-host" (compare);
    /// {intro}, then how to set a Windows clock from the domain or an NTP server, how to
    /// confirm it ({stripchart}) and the Linux jump host's commands
    fix = "clock-fix" (intro, stripchart);
    /// The skew is {hours} whole hour(s): look first for a time zone set wrongly, on this
    /// machine or on {host} (…), then {fix}
    fix_time_zone = "clock-fix-time-zone" (hours, host, fix);
    /// {fix}, then: after fixing the KMS host's clock, retry activation on the client
    fix_retry_activation = "clock-fix-retry-activation" (fix);
}

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

impl Check<Kms> for ClockCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
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

    fn validate(&self) -> Vec<(Location, Message)> {
        let mut errs = Vec::new();
        if let Some(list) = &self.methods {
            if list.value.is_empty() {
                errs.push((list.referenced, invalid::clock_methods_empty(Method::NAMES)));
            }
            let mut seen = Vec::new();
            for m in &list.value {
                match Method::parse(&m.value) {
                    None => errs.push((
                        m.referenced,
                        invalid::clock_method_unknown(m.value.as_str(), Method::NAMES),
                    )),
                    Some(x) if seen.contains(&x) => {
                        errs.push((m.referenced, invalid::clock_method_twice(m.value.as_str())))
                    }
                    Some(x) => seen.push(x),
                }
            }
        }
        for (p, proto) in [
            (&self.ports.ntp, "UDP"),
            (&self.ports.smb2, "TCP"),
            (&self.ports.http, "TCP"),
        ] {
            if let Some(e) = p.as_ref().and_then(|p| validate_port_of(p, proto)) {
                errs.push(e);
            }
        }
        if let Some(s) = &self.samples {
            if s.value == 0 || s.value > MAX_SAMPLES {
                errs.push((s.referenced, invalid::clock_samples(MAX_SAMPLES, s.value)));
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
                    invalid::clock_warn_above_fail(
                        u64::try_from(warn.as_millis()).unwrap_or(u64::MAX),
                        u64::try_from(fail.as_millis()).unwrap_or(u64::MAX),
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        use kms_preflight_engine::plan::{Destination, PlannedPort, PlannedProbe, Transport};
        let mut out = Vec::new();
        let to = match &self.server {
            None => Destination::KmsHosts,
            Some(t) => {
                let name = kms_preflight_engine::rules::template::render(&t.value, ctx.vars)
                    .map(|s| s.trim().trim_end_matches('.').to_string())
                    .unwrap_or_default();
                if name.is_empty() {
                    // Skipped without a server (`--ntp` not given): nothing is sent.
                    return out;
                }
                match name.parse::<std::net::IpAddr>() {
                    Ok(address) => Destination::Address { address },
                    Err(_) => {
                        out.extend(crate::common::plan::dns_queries(
                            ctx,
                            crate::common::plan::dns_query("A, AAAA", vec![name.clone()]),
                        ));
                        Destination::Host { name }
                    }
                }
            }
        };
        let samples = self.samples();
        // The methods run side by side (the first in order that reads wins), so each is sent.
        for m in self.method_list() {
            let port = self
                .port_param(m)
                .as_ref()
                .and_then(|p| {
                    kms_preflight_engine::rules::template::render(&p.value, ctx.vars).ok()
                })
                .and_then(|s| s.trim().parse::<u16>().ok())
                .unwrap_or(m.default_port());
            let (transport, what) = match m {
                Method::Ntp => (Transport::Udp, crate::common::plan::ntp(samples)),
                Method::Smb2 => (Transport::Tcp, crate::common::plan::smb2()),
                Method::Http => (Transport::Tcp, crate::common::plan::http()),
            };
            let mut p =
                PlannedProbe::new(transport, to.clone(), Some(PlannedPort::Number(port)), what);
            if self.server.is_some() {
                p = p.off(crate::common::plan::off_ntp());
            }
            out.push(p);
        }
        out
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
                            no_reference(format!("{:?}", t.value)),
                        ));
                    }
                    let res = match crate::common::address::lookup(ctx, &name).await {
                        Ok(r) => r,
                        Err(f) => return CheckOutput::one(f),
                    };
                    if res.addresses.is_empty() {
                        return CheckOutput::one(Finding::new(
                            Status::Error,
                            no_address(
                                name.as_str(),
                                kms_preflight_net::dns::no_answer_message(&res.attempts),
                            ),
                        ));
                    }
                    let subject = Subject {
                        name,
                        is_reference: true,
                    };
                    (subject, res.addresses)
                }
                None => {
                    let Some(target) = ctx.target else {
                        return CheckOutput::one(Finding::new(Status::Error, no_server()));
                    };
                    let addrs = match crate::common::address::addresses_for(ctx).await {
                        Ok(a) => a,
                        Err(f) => return CheckOutput::one(f),
                    };
                    let subject = Subject {
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
            let mut facts = crate::Facts::default();
            for (_, ip, runs) in results {
                let f = finding_for(&subject, ip, &runs, warn, fail);
                if facts.clock_offset_ms.is_none() {
                    facts.clock_offset_ms = f.evidence.clock().and_then(|e| e.offset_ms);
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
    use std::net::SocketAddr;

    use kms_preflight_net::clock::{Detail, ProbeFailure, Reading, Sampled};
    use kms_preflight_net::text;

    use super::*;
    use crate::testing::en;

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
                        ProbeFailure::timeout(text::no_ntp_reply(1000)),
                        ProbeFailure::timeout(text::no_ntp_reply(1000)),
                    ],
                },
            ),
            run_with(
                Method::Smb2,
                Sampled {
                    best: None,
                    good: 0,
                    sent: 1,
                    failures: vec![ProbeFailure::new("refused", text::connect_refused(), true)],
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
            en(&f.message).contains("ntp/udp/123: timeout (×2)"),
            "{}",
            en(&f.message)
        );
        assert!(
            en(&f.message).contains("smb2/tcp/445: refused"),
            "{}",
            en(&f.message)
        );
        let e = f.evidence.clock().expect("clock evidence");
        let tried = e.tried.as_ref().expect("tried");
        assert_eq!(tried[0].result, "timeout");
        assert_eq!(tried[1].result, "refused");
        assert_eq!(e.offset_ms, None);
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
        let e = f.evidence.clock().expect("clock evidence");
        assert_eq!(e.offset_ms, Some(18_000_001.0));
        assert_eq!(e.tz_hint_hours, Some(Some(5)));
        assert_eq!(e.stratum, Some(8));
        assert!(
            en(&f.message).contains("5 whole hour(s)"),
            "{}",
            en(&f.message)
        );
        assert!(
            en(&f.message).contains("ahead of this machine"),
            "{}",
            en(&f.message)
        );
        let r = en(&f.remediation.unwrap());
        assert!(r.contains("w32tm /resync") && r.contains("/stripchart /computer:kms1.corp.test"));
        assert!(r.contains("tzutil"));
    }

    /// The English of every shape of message, byte for byte what the code wrote before
    /// messages had ids (the catalog renders it now).
    #[test]
    fn english_is_byte_for_byte_what_it_was() {
        let ntp = Detail::Ntp {
            version: 4,
            stratum: 8,
            reference_id: "127.127.1.1".into(),
            precision: -26,
            root_delay_ms: 0.0,
            root_dispersion_ms: 0.0,
        };
        let reading = |offset_ns, uncertainty_ns, detail| Reading {
            offset_ns,
            delay_ns: 400_000,
            uncertainty_ns,
            remote_time: std::time::UNIX_EPOCH,
            local: None,
            detail,
        };
        let measured = |r: Reading, m: Method| {
            vec![MethodRun {
                method: m,
                port: m.default_port(),
                sampled: Sampled {
                    best: Some(r),
                    good: 4,
                    sent: 4,
                    failures: vec![],
                },
            }]
        };
        let (w, f) = (DEFAULT_WARN_ABOVE, DEFAULT_FAIL_ABOVE);
        let skew = finding_for(
            &subject(),
            "198.18.0.10".parse().unwrap(),
            &measured(reading(5 * 3600 * S + 1_000_000, 200_000, ntp), Method::Ntp),
            w,
            f,
        );
        assert_eq!(en(&skew.message), "the clock of KMS host kms1.corp.test (198.18.0.10, NTP, stratum 8) is 5h 0m 0.001s ahead of this machine (±0.200 ms): more than 4h, so a KMS host rejects the activation request (0xC004F06C, often shown as 0xC004F074); that is within a minute of 5 whole hour(s): a time zone set wrongly (a clock set in local time instead of UTC) is the likely cause");
        assert_eq!(en(skew.remediation.as_ref().unwrap()), "The skew is 5 whole hour(s): look first for a time zone set wrongly, on this machine or on kms1.corp.test (Windows: tzutil /g, set it with tzutil /s \"<zone>\"; a machine that also boots Linux may keep the hardware clock in local time — RealTimeIsUniversal; Linux: timedatectl, timedatectl set-timezone <zone>, timedatectl set-local-rtc 0). Clocks are compared in UTC: the zone must be right, not the same.\nFind which clock is wrong (compare both with a trusted source: kms-preflight check --host kms1.corp.test --ntp <trusted NTP server>) and set it right:\n  Domain members (Type=NT5DS under HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters): w32tm /config /syncfromflags:domhier /update, then w32tm /resync\n  Workgroup machines: enable the NTP client (HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\TimeProviders\\NtpClient Enabled=1), w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update, then w32tm /resync\n  Check with: w32tm /query /status /verbose\n  Confirm from the client: w32tm /stripchart /computer:kms1.corp.test /samples:5 /dataonly\n  Linux jump host: chronyc tracking (chronyc makestep to step now), or timedatectl set-ntp true and timedatectl status\n  After fixing the KMS host's clock, retry activation on the client: slmgr /ato (Office: cscript ospp.vbs /act); the host's Key Management Service log shows the rejected requests as event 12290 with 0xC004F06C (the client's Application log as event 12288)");
        let none = finding_for(
            &subject(),
            "198.18.0.14".parse().unwrap(),
            &[
                run_with(
                    Method::Ntp,
                    Sampled {
                        best: None,
                        good: 0,
                        sent: 2,
                        failures: vec![
                            ProbeFailure::timeout(text::no_ntp_reply(1000)),
                            ProbeFailure::timeout(text::no_ntp_reply(1000)),
                        ],
                    },
                ),
                run_with(
                    Method::Smb2,
                    Sampled {
                        best: None,
                        good: 0,
                        sent: 1,
                        failures: vec![ProbeFailure::new("refused", text::connect_refused(), true)],
                    },
                ),
            ],
            w,
            f,
        );
        assert_eq!(en(&none.message), "skipped: no clock reading from KMS host kms1.corp.test at 198.18.0.14: ntp/udp/123: timeout (×2) — no NTP reply within 1s; smb2/tcp/445: refused — connection refused (RST)");
        let reference = Subject {
            name: "ntp.corp.test".into(),
            is_reference: true,
        };
        let smb2 = Detail::Smb2 {
            dialect: "3.1.1".into(),
            signing_required: false,
        };
        let behind = finding_for(
            &reference,
            "198.18.0.5".parse().unwrap(),
            &measured(
                reading(-(7 * 60 * S + 12_345_678), 1_234_567, smb2),
                Method::Smb2,
            ),
            w,
            f,
        );
        assert_eq!(en(&behind.message), "the reference clock ntp.corp.test (198.18.0.5, SMB2 NEGOTIATE SystemTime, 3.1.1) is 7m 0.012s behind this machine (±1.235 ms): more than 5m, so Kerberos and AD authentication fail (KMS itself accepts up to 4h)");
        assert_eq!(en(behind.remediation.as_ref().unwrap()), "This machine's clock is off against the reference ntp.corp.test. Set it right:\n  Domain members (Type=NT5DS under HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters): w32tm /config /syncfromflags:domhier /update, then w32tm /resync\n  Workgroup machines: enable the NTP client (HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\TimeProviders\\NtpClient Enabled=1), w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update, then w32tm /resync\n  Check with: w32tm /query /status /verbose\n  Confirm from the client: w32tm /stripchart /computer:ntp.corp.test /samples:5 /dataonly\n  Linux jump host: chronyc tracking (chronyc makestep to step now), or timedatectl set-ntp true and timedatectl status");
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
        let got: Vec<(u64, u64, String)> = errs
            .iter()
            .map(|e| (e.line, e.column, crate::testing::en(&e.message)))
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

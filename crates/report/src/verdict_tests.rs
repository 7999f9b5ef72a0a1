//! The verdict on hand-built reports: WORKS, WORKS WITH RISK, FAILS with its code, the
//! ranking of fixes, failover across priorities, both host-caching settings, per source.

use kms_preflight_engine::EvidenceSet;
use serde_json::{json, Value};

use super::*;
use crate::{ReportTarget, Summary, SCHEMA};

fn o(
    id: &str,
    kind: &str,
    target: Option<&str>,
    status: Status,
    codes: &[&str],
    evidence: Value,
) -> Outcome {
    Outcome {
        id: id.into(),
        kind: kind.into(),
        title: id.into(),
        target: target.map(Into::into),
        address: None,
        source: None,
        status,
        message: kms_preflight_engine::Message::recorded(format!("{id} {}", status.as_str())),
        remediation: (status != Status::Pass)
            .then(|| kms_preflight_engine::Message::recorded(format!("fix {id} on {target:?}"))),
        error_codes: codes.iter().map(|c| c.to_string()).collect(),
        // As a report records it: typed for the kinds that have their own evidence.
        evidence: crate::Evidence::from_recorded(kind, evidence).expect("recorded evidence"),
        run: Default::default(),
        duration_ms: 0,
    }
}

/// (host, priority, weight)
fn srv(domain: &str, recs: &[(&str, u16, u16)]) -> Vec<Outcome> {
    let records: Vec<Value> = recs
        .iter()
        .map(|(h, p, w)| json!({"priority": p, "weight": w, "port": 1688, "target": h, "ttl": 300}))
        .collect();
    let hosts: Vec<String> = recs.iter().map(|(h, _, _)| format!("{h}:1688")).collect();
    vec![
        o(
            "srv.discovery",
            kinds::SRV_DISCOVERY,
            None,
            Status::Pass,
            &[],
            json!({"first_suffix": domain, "suffix_origin": "--suffix",
                   "suffixes": [{"suffix": domain, "hosts": hosts}]}),
        ),
        o(
            "srv.present",
            kinds::SRV,
            Some(domain),
            Status::Pass,
            &[],
            json!({ "records": records }),
        ),
    ]
}

/// The host checks of a healthy host.
fn healthy(host: &str) -> Vec<Outcome> {
    let t = format!("{host}:1688");
    vec![
        o(
            "resolve.host",
            kinds::RESOLVE,
            Some(&t),
            Status::Pass,
            &[],
            json!({}),
        ),
        o(
            "tcp.port",
            kinds::TCP,
            Some(&t),
            Status::Pass,
            &[],
            json!({}),
        ),
        o(
            "kms.rpc-bind",
            kinds::KMS_RPC,
            Some(&t),
            Status::Pass,
            &[],
            json!({}),
        ),
        o(
            "clock.kms-host",
            kinds::CLOCK,
            Some(&t),
            Status::Pass,
            &[],
            json!({"offset_ms": 12.0}),
        ),
    ]
}

fn skewed(host: &str, hours: f64) -> Vec<Outcome> {
    let mut v = healthy(host);
    v[3] = o(
        "clock.kms-host",
        kinds::CLOCK,
        Some(&format!("{host}:1688")),
        Status::Fail,
        &["0xC004F06C", "0xC004F074"],
        json!({"offset_ms": hours * 3_600_000.0}),
    );
    v
}

fn filtered(host: &str) -> Vec<Outcome> {
    let mut v = healthy(host);
    let t = format!("{host}:1688");
    v[1] = o(
        "tcp.port",
        kinds::TCP,
        Some(&t),
        Status::Fail,
        &["0xC004F074", "0x800706BA"],
        json!({}),
    );
    v[2] = o(
        "kms.rpc-bind",
        kinds::KMS_RPC,
        Some(&t),
        Status::Skip,
        &[],
        json!({"prerequisite": "tcp.port"}),
    );
    v.truncate(3);
    v
}

fn stale(domain: &str, host: &str) -> Vec<Outcome> {
    let t = format!("{host}:1688");
    vec![
        o(
            "srv.stale",
            kinds::SRV_STALE,
            Some(domain),
            Status::Fail,
            &["0xC004F074", "0x8007232B"],
            json!({"target": host, "issue": "no-address"}),
        ),
        o(
            "resolve.host",
            kinds::RESOLVE,
            Some(&t),
            Status::Fail,
            &["0x8007232B", "0xC004F074"],
            json!({}),
        ),
    ]
}

fn report(results: Vec<Outcome>) -> Report {
    let mut r = Report::empty();
    r.schema = SCHEMA;
    r.profile = Some("branch-office".into());
    r.domains = vec!["corp.test".into()];
    r.summary = Summary::of(&results);
    r.results = results;
    r
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-3
}

fn host<'a>(c: &'a ClientVerdict, name: &str) -> &'a HostVerdict {
    c.hosts.iter().find(|h| h.host == name).expect(name)
}

#[test]
fn all_hosts_healthy_works() {
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 0, 0)],
    );
    rs.extend(healthy("kms1.corp.test"));
    rs.extend(healthy("kms2.corp.test"));
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Works, "{v:#?}");
    assert_eq!(v.label, "WORKS");
    assert!(v.fixes.is_empty());
    let c = &v.clients[0];
    assert_eq!(c.domain.as_deref(), Some("corp.test"));
    assert!(close(c.activates.caching_off, 1.0) && close(c.activates.caching_on, 1.0));
    assert!(close(
        host(c, "kms1.corp.test").first_attempt.caching_on,
        0.5
    ));
    assert_eq!(readiness(&rep, &v), Readiness::Ready);
}

#[test]
fn skewed_host_and_stale_record_work_with_risk_and_rank_the_fixes() {
    let mut rs = srv(
        "corp.test",
        &[
            ("kms-old.corp.test", 0, 0),
            ("kms1.corp.test", 0, 0),
            ("kms2.corp.test", 0, 0),
        ],
    );
    rs.extend(stale("corp.test", "kms-old.corp.test"));
    rs.extend(healthy("kms1.corp.test"));
    rs.extend(skewed("kms2.corp.test", 5.0));
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::WorksWithRisk, "{v:#?}");
    assert_eq!(
        v.reason,
        "33 % of first attempts reach kms2.corp.test, whose clock is 5 h ahead → 0xC004F06C"
    );
    assert_eq!(v.code.as_deref(), Some("0xC004F06C"));
    let c = &v.clients[0];
    assert_eq!(c.risks.len(), 2, "{:?}", c.risks);
    // Failover from the dead host splits its third between the two that answer.
    assert!(close(c.activates.caching_off, 0.5) && close(c.activates.caching_on, 0.5));
    assert!(close(c.failover.caching_on, 1.0 / 3.0));
    let old = host(c, "kms-old.corp.test");
    assert_eq!(old.attempt, Attempt::NoResponse);
    assert_eq!(old.results, ["srv.stale", "resolve.host"]);
    let k2 = host(c, "kms2.corp.test");
    assert_eq!(k2.attempt, Attempt::Rejected);
    assert_eq!(k2.code.as_deref(), Some("0xC004F06C"));
    assert!(close(k2.decides.caching_off, 0.5));
    // Fixing the clock unblocks half the clients; removing the record unblocks none but
    // spares a third of first attempts the failover wait.
    assert_eq!(v.fixes.len(), 2, "{:#?}", v.fixes);
    assert_eq!(v.fixes[0].check, "clock.kms-host");
    assert_eq!(v.fixes[0].applies_to, ["kms2.corp.test:1688"]);
    assert!(close(v.fixes[0].unblocks, 0.5), "{:?}", v.fixes[0]);
    assert_eq!(v.fixes[1].check, "srv.stale");
    assert!(close(v.fixes[1].unblocks, 0.0) && close(v.fixes[1].spares, 1.0 / 3.0));
    assert_eq!(v.fixes[1].rank, 2);
    // The summary line must not say NOT READY: half the clients activate.
    assert_eq!(readiness(&rep, &v), Readiness::ReadyWithRisk);
}

#[test]
fn no_host_answers_fails_with_the_generic_code() {
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 10, 0)],
    );
    rs.extend(filtered("kms1.corp.test"));
    rs.extend(filtered("kms2.corp.test"));
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Fails);
    assert_eq!(v.code.as_deref(), Some("0xC004F074"));
    assert!(v.reason.starts_with("no KMS host answers"), "{}", v.reason);
    assert_eq!(readiness(&rep, &v), Readiness::NotReady);
    // Opening the port of either host unblocks every client.
    assert!(
        v.fixes.iter().all(|f| close(f.unblocks, 1.0)),
        "{:#?}",
        v.fixes
    );
}

#[test]
fn every_answering_host_rejecting_fails_with_its_code() {
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 0, 0)],
    );
    rs.extend(skewed("kms1.corp.test", 5.0));
    rs.extend(filtered("kms2.corp.test"));
    let v = verdict(&report(rs));
    assert_eq!(v.answer, Answer::Fails);
    assert_eq!(v.code.as_deref(), Some("0xC004F06C"));
    assert_eq!(v.fixes[0].check, "clock.kms-host", "{:#?}", v.fixes);
    assert!(close(v.fixes[0].unblocks, 1.0));
    assert_eq!(v.fixes[1].check, "tcp.port");
    assert!(close(v.fixes[1].unblocks, 0.5), "{:#?}", v.fixes[1]);
}

#[test]
fn failover_across_priorities_depends_on_host_caching() {
    // Priority 0 is dead, priority 10 healthy: with caching off (RFC 2782) every first
    // attempt goes to the dead host and fails over; with caching on only half do.
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 10, 0)],
    );
    rs.extend(filtered("kms1.corp.test"));
    rs.extend(healthy("kms2.corp.test"));
    let v = verdict(&report(rs));
    assert_eq!(v.answer, Answer::WorksWithRisk, "{v:#?}");
    let c = &v.clients[0];
    let k1 = host(c, "kms1.corp.test");
    assert!(close(k1.first_attempt.caching_off, 1.0) && close(k1.first_attempt.caching_on, 0.5));
    assert!(close(host(c, "kms2.corp.test").decides.caching_off, 1.0));
    assert!(close(c.activates.caching_off, 1.0) && close(c.activates.caching_on, 1.0));
    assert_eq!(
        v.reason,
        "100 % (caching off) / 50 % (caching on) of first attempts reach kms1.corp.test, which does not answer (tcp.port fail); clients fail over to another host"
    );
}

#[test]
fn weights_shape_the_rfc_order_but_not_the_random_choice() {
    // kms2 (weight 30) is skewed: RFC 2782 gives it 30/101 + 1/202 of first attempts.
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 70), ("kms2.corp.test", 0, 30)],
    );
    rs.extend(healthy("kms1.corp.test"));
    rs.extend(skewed("kms2.corp.test", -6.0));
    let v = verdict(&report(rs));
    let c = &v.clients[0];
    let k2 = host(c, "kms2.corp.test");
    assert!(close(k2.first_attempt.caching_off, 30.5 / 101.0), "{k2:?}");
    assert!(close(k2.first_attempt.caching_on, 0.5));
    assert_eq!(k2.because.as_deref(), Some("clock is 6 h behind"));
    assert!(close(c.activates.caching_off, 70.5 / 101.0));
    assert!(
        v.reason.starts_with(
            "30 % (caching off) / 50 % (caching on) of first attempts reach kms2.corp.test"
        ),
        "{}",
        v.reason
    );
}

#[test]
fn discovery_failure_fails_with_its_code_and_its_fix_comes_first() {
    let rs = vec![o(
        "srv.discovery",
        kinds::SRV_DISCOVERY,
        None,
        Status::Fail,
        &["0x8007232B", "0xC004F074"],
        json!({"suffix_origin": "--suffix", "suffixes": [{"suffix": "branch.test", "hosts": []}]}),
    )];
    let v = verdict(&report(rs));
    assert_eq!(v.answer, Answer::Fails);
    assert_eq!(v.code.as_deref(), Some("0x8007232B"));
    assert_eq!(v.clients[0].suffixes, ["branch.test"]);
    assert_eq!(v.fixes.len(), 1);
    assert_eq!(v.fixes[0].check, "srv.discovery");
    assert!(close(v.fixes[0].unblocks, 1.0));
}

#[test]
fn hosts_given_by_hand_stand_for_a_pinned_client() {
    let mut rs = healthy("kms9.corp.test");
    rs.extend(filtered("kms8.corp.test"));
    let mut rep = report(rs);
    rep.domains.clear();
    rep.targets = ["kms9.corp.test", "kms8.corp.test"]
        .iter()
        .map(|h| ReportTarget {
            target: format!("{h}:1688"),
            host: h.to_string(),
            port: 1688,
            origins: vec!["--host".into()],
        })
        .collect();
    let v = verdict(&rep);
    let c = &v.clients[0];
    assert!(c.domain.is_none());
    assert!(c.discovery.contains("command line"), "{}", c.discovery);
    assert_eq!(c.hosts.len(), 2);
    assert_eq!(v.answer, Answer::WorksWithRisk);
}

#[test]
fn one_client_per_source_and_the_worst_decides() {
    let mut rs = srv("corp.test", &[("kms1.corp.test", 0, 0)]);
    for (src, ok) in [("198.18.0.1", true), ("198.18.1.1", false)] {
        let mut h = if ok {
            healthy("kms1.corp.test")
        } else {
            filtered("kms1.corp.test")
        };
        for r in &mut h {
            r.source = Some(src.into());
        }
        rs.extend(h);
    }
    let mut rep = report(rs);
    rep.sources = vec!["198.18.0.1".into(), "198.18.1.1".into()];
    let v = verdict(&rep);
    assert_eq!(v.clients.len(), 2);
    assert_eq!(v.clients[0].answer, Answer::Works);
    assert_eq!(v.clients[1].answer, Answer::Fails);
    assert_eq!(v.answer, Answer::Fails);
    assert!(v.reason.starts_with("from 198.18.1.1: "), "{}", v.reason);
    // The fix unblocks the one client of two that fails.
    assert!(close(v.fixes[0].unblocks, 0.5), "{:#?}", v.fixes);
}

#[test]
fn an_error_result_keeps_the_summary_not_ready() {
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 0, 0)],
    );
    rs.extend(healthy("kms1.corp.test"));
    let mut h2 = healthy("kms2.corp.test");
    h2[3].status = Status::Error;
    rs.extend(h2);
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::WorksWithRisk);
    assert_eq!(
        host(&v.clients[0], "kms2.corp.test").attempt,
        Attempt::Unknown
    );
    assert_eq!(readiness(&rep, &v), Readiness::NotReady);
}

#[test]
fn first_clause_stops_outside_parentheses() {
    assert_eq!(
        first_clause("no suffix in the list (--suffix: a, b) reaches any record: a → NXDOMAIN"),
        "no suffix in the list (--suffix: a, b) reaches any record"
    );
    assert_eq!(first_clause("short: x"), "short: x");
}

#[test]
fn the_same_failure_on_several_hosts_is_one_fix_applied_to_all() {
    let mut rs = srv(
        "corp.test",
        &[
            ("kms1.corp.test", 0, 0),
            ("kms2.corp.test", 0, 0),
            ("kms3.corp.test", 0, 0),
            ("kms4.corp.test", 0, 0),
        ],
    );
    rs.extend(healthy("kms1.corp.test"));
    for h in ["kms2.corp.test", "kms3.corp.test", "kms4.corp.test"] {
        rs.extend(filtered(h));
    }
    let v = verdict(&report(rs));
    assert_eq!(v.answer, Answer::WorksWithRisk);
    assert!(
        v.reason
            .starts_with("75 % of first attempts reach one of 3 hosts that do not answer"),
        "{}",
        v.reason
    );
    assert_eq!(v.fixes.len(), 1, "{:#?}", v.fixes);
    let f = &v.fixes[0];
    assert_eq!(f.title, "open TCP 1688 to 3 hosts, or remove their SRV records (kms2.corp.test, kms3.corp.test, +1)");
    assert_eq!(f.applies_to.len(), 3);
    // Every client already activates (failover to kms1); the fix spares the waits.
    assert!(close(f.unblocks, 0.0) && close(f.spares, 0.75), "{f:?}");
}

#[test]
fn a_stale_record_on_another_port_leaves_the_live_one_alone() {
    // kms1 is published on 1688 (answers) and on 1689 (nothing listens: stale).
    let mut rs = srv("corp.test", &[("kms1.corp.test", 0, 0)]);
    rs.extend(healthy("kms1.corp.test"));
    rs.push(o(
        "srv.stale",
        kinds::SRV_STALE,
        Some("corp.test"),
        Status::Fail,
        &["0xC004F074", "0x800706BA"],
        json!({"target": "kms1.corp.test", "issue": "port-dead", "record": "SRV 0 0 1689 kms1.corp.test"}),
    ));
    let v = verdict(&report(rs));
    assert_eq!(v.answer, Answer::Works, "{v:#?}");
    assert_eq!(
        host(&v.clients[0], "kms1.corp.test").attempt,
        Attempt::Works
    );
}

#[test]
fn hosts_never_probed_leave_the_answer_unknown() {
    // A run of DNS checks only (diagnose of a DNS code): records, but no connection tried.
    let rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 0, 0)],
    );
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Unknown, "{v:#?}");
    assert!(v.reason.starts_with("cannot tell"), "{}", v.reason);
    assert!(v.clients[0]
        .hosts
        .iter()
        .all(|h| h.attempt == Attempt::Unknown));
    // The summary line then keeps its own logic: everything passed.
    assert_eq!(readiness(&rep, &v), Readiness::Ready);
}

#[test]
fn the_hosts_own_refusal_from_the_activation_probe_is_a_rejection() {
    let mut rs = srv(
        "corp.test",
        &[("kms1.corp.test", 0, 0), ("kms2.corp.test", 0, 0)],
    );
    rs.extend(healthy("kms1.corp.test"));
    rs.extend(healthy("kms2.corp.test"));
    // kms2 answers the bind and its clock is fine, but its count is below the threshold.
    rs.push(o(
        "kms.activation",
        kinds::KMS_ACTIVATION,
        Some("kms2.corp.test:1688"),
        Status::Fail,
        &["0xC004F038"],
        json!({"product": "windows-10-enterprise", "current_count": 3, "threshold": 25}),
    ));
    // An emulator sign on kms1 is a warning, not a refusal.
    rs.push(o(
        "kms.activation",
        kinds::KMS_ACTIVATION,
        Some("kms1.corp.test:1688"),
        Status::Warn,
        &[],
        json!({"product": "office-ltsc-2021-proplus"}),
    ));
    let rep = report(rs);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::WorksWithRisk, "{v:#?}");
    assert_eq!(v.code.as_deref(), Some("0xC004F038"));
    assert_eq!(
        v.reason,
        "50 % of first attempts reach kms2.corp.test, whose client count is 3 of the 25 that \
         windows-10-enterprise needs → 0xC004F038"
    );
    let c = &v.clients[0];
    let k2 = host(c, "kms2.corp.test");
    assert_eq!(k2.attempt, Attempt::Rejected);
    assert_eq!(k2.code.as_deref(), Some("0xC004F038"));
    assert_eq!(k2.results, ["kms.activation"]);
    assert_eq!(host(c, "kms1.corp.test").attempt, Attempt::Works);
    assert_eq!(v.fixes[0].check, "kms.activation");
    assert!(close(v.fixes[0].unblocks, 0.5), "{:?}", v.fixes[0]);
}

#[path = "verdict_skip_tests.rs"]
mod skip;

//! A skip is never evidence: a host whose deciding probes (TCP, the RPC bind, the activation
//! probe where it ran) were all skipped from a source is not a host that works there, in the
//! verdict, the matrix, the summary word and the exit code; and over generated reports,
//! turning any pass into a skip never makes any of them better.

use super::*;
use crate::matrix;

/// The run: the only published host, every connection probe skipped from the source
/// (the prerequisite failed there), nothing else failing.
fn skipped_from_source() -> Report {
    let mut rs = srv("corp.test", &[("kms1.corp.test", 0, 0)]);
    let mut host = healthy("kms1.corp.test");
    host[1].status = Status::Skip; // tcp
    host[2].status = Status::Skip; // kms-rpc
    rs.extend(host);
    for r in &mut rs {
        r.source = Some("198.18.0.1".into());
    }
    let mut rep = report(rs);
    rep.sources = vec!["198.18.0.1".into()];
    rep.targets = vec![target("kms1.corp.test")];
    rep
}

fn target(name: &str) -> ReportTarget {
    ReportTarget {
        target: format!("{name}:1688"),
        host: name.into(),
        port: 1688,
        origins: vec!["SRV _vlmcs._tcp.corp.test".into()],
    }
}

#[test]
fn skipped_probes_do_not_make_a_host_work() {
    let rep = skipped_from_source();
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Unknown, "{v:#?}");
    let h = host(&v.clients[0], "kms1.corp.test");
    assert_eq!(h.attempt, Attempt::Unknown);
    assert_eq!(h.results, ["tcp.port"]);
    assert_eq!(readiness(&rep, &v), Readiness::Unknown);
    assert_eq!(exit_code(&rep), 1, "nothing proves a client activates");
    assert_eq!(rep.exit_code(), 0, "no result failed");
    assert_eq!(
        ready_gauge(&rep),
        0,
        "the exporter's ready follows the exit code"
    );
    let cells = matrix::cells(&rep);
    let (_, row) = cells
        .iter()
        .find(|(t, _)| t == "kms1.corp.test:1688")
        .expect("the host's row");
    let cell = row[0].as_ref().unwrap();
    assert_eq!(cell.status, Status::Skip, "{cell:?}");
    assert_eq!(cell.checks, ["tcp.port", "kms.rpc-bind"]);
}

#[test]
fn a_host_without_an_address_of_the_sources_family_fails() {
    let mut rep = skipped_from_source();
    for r in &mut rep.results {
        if r.kind == kinds::TCP {
            r.message = kms_preflight_engine::Message::new("common-connect-wrong-family")
                .arg("addr", "[2001:db8::10]:1688")
                .arg(
                    "error",
                    "Address family not supported by protocol (os error 97)",
                );
        }
    }
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Fails, "{v:#?}");
    assert_eq!(v.code.as_deref(), Some("0xC004F074"));
    let h = host(&v.clients[0], "kms1.corp.test");
    assert_eq!(h.attempt, Attempt::NoResponse);
    assert_eq!(readiness(&rep, &v), Readiness::NotReady);
    assert_eq!(exit_code(&rep), 1);
}

#[test]
fn a_pass_on_one_address_still_decides() {
    // Dual-stack host from an IPv4 source: the AAAA address is skipped, the A address passes.
    let mut rep = skipped_from_source();
    let tcp = rep
        .results
        .iter()
        .position(|r| r.kind == kinds::TCP)
        .unwrap();
    let mut v4 = rep.results[tcp].clone();
    v4.status = Status::Pass;
    rep.results.insert(tcp + 1, v4);
    for r in &mut rep.results {
        if r.kind == kinds::KMS_RPC {
            r.status = Status::Pass;
        }
    }
    rep.summary = Summary::of(&rep.results);
    let v = verdict(&rep);
    assert_eq!(v.answer, Answer::Works, "{v:#?}");
    assert_eq!(exit_code(&rep), 0);
    let cells = matrix::cells(&rep);
    let (_, row) = cells
        .iter()
        .find(|(t, _)| t == "kms1.corp.test:1688")
        .expect("the host's row");
    assert_eq!(row[0].as_ref().unwrap().status, Status::Pass);
}

// ---------- the property, over generated reports ----------

/// A small deterministic generator (64-bit LCG): no new crate, the same reports every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn status(&mut self) -> Status {
        // Mostly passes, so that there is something to turn into a skip.
        match self.below(10) {
            0..=4 => Status::Pass,
            5 => Status::Warn,
            6 | 7 => Status::Skip,
            8 => Status::Fail,
            _ => Status::Error,
        }
    }
}

const SOURCES: [&str; 2] = ["198.18.0.1", "198.18.1.1"];

fn generated(g: &mut Gen) -> Report {
    let n_hosts = 1 + g.below(3) as usize;
    let names: Vec<String> = (1..=n_hosts).map(|i| format!("kms{i}.corp.test")).collect();
    let recs: Vec<(&str, u16, u16)> = names
        .iter()
        .map(|n| (n.as_str(), g.below(2) as u16, g.below(3) as u16 * 10))
        .collect();
    let sources: Vec<Option<&str>> = match g.below(3) {
        0 => vec![None],
        1 => vec![Some(SOURCES[0])],
        _ => SOURCES.iter().map(|s| Some(*s)).collect(),
    };
    let mut rs = srv("corp.test", &recs);
    let activation = g.below(4) == 0;
    for name in &names {
        for src in &sources {
            let t = format!("{name}:1688");
            let mut host = healthy(name);
            if activation {
                host.push(o(
                    "kms.activation",
                    kinds::KMS_ACTIVATION,
                    Some(&t),
                    Status::Pass,
                    &[],
                    json!({}),
                ));
            }
            // Sometimes an address more (a second tcp/kms-rpc finding of the same host).
            if g.below(3) == 0 {
                host.push(host[1].clone());
                host.push(host[2].clone());
            }
            for r in &mut host {
                r.status = g.status();
                if r.status == Status::Skip && r.kind == kinds::TCP && g.below(3) == 0 {
                    r.message = kms_preflight_engine::Message::new("common-connect-wrong-family")
                        .arg("addr", "[2001:db8::1]:1688")
                        .arg("error", "wrong family");
                }
                if matches!(r.status, Status::Fail | Status::Warn) && r.error_codes.is_empty() {
                    r.error_codes = vec!["0xC004F074".into()];
                }
                r.source = src.map(str::to_string);
            }
            rs.extend(host);
        }
    }
    let mut rep = report(rs);
    rep.sources = sources.iter().flatten().map(|s| s.to_string()).collect();
    rep.targets = names.iter().map(|n| target(n)).collect();
    rep
}

fn readiness_badness(r: Readiness) -> u8 {
    match r {
        Readiness::Ready => 0,
        Readiness::ReadyWithWarnings => 1,
        Readiness::ReadyWithRisk => 2,
        Readiness::Unknown => 3,
        Readiness::NotReady => 4,
    }
}

fn cell_badness(s: Status) -> u8 {
    match s {
        Status::Pass => 0,
        Status::Warn => 1,
        Status::Skip => 2,
        Status::Fail => 3,
        Status::Error => 4,
    }
}

/// The value of `kms_preflight_ready` in the report's exposition (as `serve` renders it).
fn ready_gauge(rep: &Report) -> u8 {
    let text = crate::prometheus::render(rep);
    let line = text
        .lines()
        .find(|l| l.starts_with("kms_preflight_ready "))
        .expect("kms_preflight_ready in the exposition");
    line["kms_preflight_ready ".len()..]
        .parse()
        .expect("0 or 1")
}

/// Everything the property compares: the overall answer, each client's, the summary word,
/// the exit code and every matrix cell, each as a badness (bigger is worse).
fn judged_badness(rep: &Report) -> (Vec<u8>, Vec<u8>) {
    let v = verdict(rep);
    let (code, ready) = (exit_code(rep), ready_gauge(rep));
    assert_eq!(
        ready,
        u8::from(code == 0),
        "kms_preflight_ready is 1 exactly when check exits 0"
    );
    let mut answers = vec![
        v.answer.badness(),
        readiness_badness(readiness(rep, &v)),
        code as u8,
        1 - ready,
    ];
    answers.extend(v.clients.iter().map(|c| c.answer.badness()));
    let cells = matrix::cells(rep)
        .iter()
        .flat_map(|(_, cs)| {
            cs.iter()
                .map(|c| c.as_ref().map_or(0, |c| cell_badness(c.status)))
        })
        .collect();
    (answers, cells)
}

fn with_skip(rep: &Report, which: &[usize]) -> Report {
    let mut r = rep.clone();
    for &i in which {
        r.results[i].status = Status::Skip;
        r.results[i].error_codes.clear();
    }
    r.summary = Summary::of(&r.results);
    r
}

/// No host's attempt works from a source unless its TCP result passed (or warned) on some
/// address from there, and so did its RPC bind and activation probe where they ran.
fn every_works_was_probed(rep: &Report, case: usize) {
    for c in verdict(rep).clients {
        for h in c.hosts.iter().filter(|h| h.attempt == Attempt::Works) {
            let own: Vec<&Outcome> = rep
                .results
                .iter()
                .filter(|r| {
                    r.target.as_deref() == Some(h.target.as_str())
                        && (r.source.is_none() || r.source == c.source)
                })
                .collect();
            let passed = |k: &str| {
                own.iter()
                    .any(|r| r.kind == k && matches!(r.status, Status::Pass | Status::Warn))
            };
            let ran = |k: &str| own.iter().any(|r| r.kind == k);
            assert!(
                passed(kinds::TCP),
                "case {case}: {} works without a TCP pass",
                h.host
            );
            for k in [kinds::KMS_RPC, kinds::KMS_ACTIVATION] {
                assert!(
                    !ran(k) || passed(k),
                    "case {case}: {} works without a {k} pass",
                    h.host
                );
            }
        }
    }
}

#[test]
fn turning_any_pass_into_a_skip_never_makes_anything_better() {
    let mut g = Gen(0x6b6d_732d_7072_6566);
    let (mut compared, mut cells_seen, mut nothing_passed) = (0, 0, 0);
    for case in 0..1500 {
        let rep = generated(&mut g);
        let before = judged_badness(&rep);
        cells_seen += before.1.len();
        let passes: Vec<usize> = rep
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == Status::Pass)
            .map(|(i, _)| i)
            .collect();
        every_works_was_probed(&rep, case);
        // Nothing passed or warned at all: nothing proves a client activates.
        let none: Vec<usize> = rep
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.status, Status::Pass | Status::Warn))
            .map(|(i, _)| i)
            .collect();
        let bare = with_skip(&rep, &none);
        let v = verdict(&bare);
        assert!(
            matches!(v.answer, Answer::Unknown | Answer::Fails),
            "case {case}: {:?} with nothing passed",
            v.answer
        );
        assert_eq!(exit_code(&bare), 1, "case {case}");
        for (_, cs) in matrix::cells(&bare) {
            for c in cs.into_iter().flatten() {
                assert!(
                    !matches!(c.status, Status::Pass | Status::Warn),
                    "case {case}: {c:?}"
                );
            }
        }
        nothing_passed += 1;
        let mut variants: Vec<Vec<usize>> = passes.iter().map(|&i| vec![i]).collect();
        variants.push(passes.clone());
        for which in variants {
            let skipped = with_skip(&rep, &which);
            every_works_was_probed(&skipped, case);
            let after = judged_badness(&skipped);
            compared += 1;
            for (k, (b, a)) in before.0.iter().zip(&after.0).enumerate() {
                assert!(
                    a >= b,
                    "case {case}: skipping results {which:?} made answer #{k} better ({b} → {a}): {:#?}",
                    rep.results
                        .iter()
                        .map(|r| (&r.id, &r.target, &r.source, r.status))
                        .collect::<Vec<_>>()
                );
            }
            for (k, (b, a)) in before.1.iter().zip(&after.1).enumerate() {
                assert!(
                    a >= b,
                    "case {case}: skipping results {which:?} made matrix cell #{k} better ({b} → {a})"
                );
            }
        }
    }
    assert!(compared > 5000, "{compared}");
    assert!(nothing_passed > 1000, "{nothing_passed}");
    assert!(cells_seen > 1000, "the matrix was compared: {cells_seen}");
}

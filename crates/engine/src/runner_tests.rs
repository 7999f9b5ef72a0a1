//! Engine logic with a stub check kind (no network): discovery feeds host jobs,
//! prerequisites skip with the reason, severity maps fail to warn, the deadline bounds a run.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::check::{BoxFuture, Check, CheckContext, Finding, Target};
use crate::rules::{CheckRule, Over, Scope, Severity, Vars};
use crate::testing::{text, TestEvidence, TestModel, TestSettings};

type CheckOutput = crate::check::CheckOutput<TestModel>;
type RuleSet = crate::rules::RuleSet<TestModel>;
type Report = crate::outcome::Report<TestEvidence>;
type Outcome = crate::outcome::Outcome<TestEvidence>;

/// Behaves as told: a status, optional discovered hosts, an optional delay; fails for host "bad".
#[derive(Debug)]
struct Stub {
    over: Over,
    status: Status,
    discover: Vec<&'static str>,
    delay: Duration,
}

impl Check<TestModel> for Stub {
    fn default_scope(&self) -> Scope {
        Scope {
            over: self.over,
            per_source: false,
        }
    }
    fn budget(&self, _t: Duration, _s: &TestSettings) -> Duration {
        Duration::from_secs(30)
    }
    fn discovers(&self) -> bool {
        !self.discover.is_empty()
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            let status = match ctx.target {
                Some(t) if t.host == "bad" => Status::Fail,
                _ => self.status,
            };
            let mut out = CheckOutput::one(Finding::new(
                status,
                Message::recorded(format!(
                    "stub {}",
                    ctx.vars.get("host").cloned().unwrap_or_default()
                )),
            ));
            out.discovered = self
                .discover
                .iter()
                .map(|h| Target {
                    host: h.to_string(),
                    port: 1688,
                    origins: vec!["stub".into()],
                })
                .collect();
            out
        })
    }
}

fn rule(id: &str, check: Stub, requires: &[&str], severity: Severity) -> CheckRule<TestModel> {
    CheckRule {
        id: id.into(),
        kind: "stub".into(),
        title: id.into(),
        scope: check.default_scope(),
        severity,
        explains: vec!["0xC004F074".into()],
        remediation: Some("fix {{host}}".into()),
        timeout: Duration::from_secs(1),
        requires: requires.iter().map(|s| s.to_string()).collect(),
        retries: 0,
        retry_delay: Duration::from_millis(10),
        file: "test".into(),
        line: 1,
        requires_at: Vec::new(),
        check: Arc::new(check),
    }
}

fn opts(deadline: Duration) -> RunOptions<TestModel> {
    RunOptions {
        domains: vec!["corp.test".into()],
        targets: vec![Target {
            host: "cli".into(),
            port: 1688,
            origins: vec!["--host".into()],
        }],
        sources: Vec::new(),
        timeout: None,
        deadline,
        concurrency: 4,
        settings: TestSettings::default(),
    }
}

fn by<'a>(r: &'a Report, id: &str, target: &str) -> &'a Outcome {
    r.results
        .iter()
        .find(|o| o.id == id && o.target.as_deref() == Some(target))
        .unwrap_or_else(|| panic!("{id} {target}: {:#?}", r.results))
}

#[tokio::test]
async fn discovery_feeds_host_jobs_and_prerequisites_skip() {
    let rules = RuleSet {
        checks: vec![
            rule(
                "discover",
                Stub {
                    over: Over::Domain,
                    status: Status::Pass,
                    discover: vec!["good", "bad", "cli"],
                    delay: Duration::ZERO,
                },
                &[],
                Severity::Fail,
            ),
            rule(
                "first",
                Stub {
                    over: Over::Host,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::ZERO,
                },
                &[],
                Severity::Fail,
            ),
            rule(
                "second",
                Stub {
                    over: Over::Host,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::ZERO,
                },
                &["first"],
                Severity::Fail,
            ),
        ],
        vars: Vars::new(),
    };
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let targets: Vec<&str> = r.targets.iter().map(|t| t.host.as_str()).collect();
    assert_eq!(
        targets,
        ["cli", "good", "bad"],
        "--host first, then discovered; duplicates merged"
    );
    assert_eq!(r.targets[0].origins, ["--host", "stub"]);
    assert_eq!(by(&r, "second", "good:1688").status, Status::Pass);
    let bad = by(&r, "first", "bad:1688");
    assert_eq!(bad.status, Status::Fail);
    assert_eq!(bad.error_codes, ["0xC004F074"]);
    assert_eq!(
        bad.remediation.as_ref().and_then(|m| m.verbatim_text()),
        Some("fix bad")
    );
    let skipped = by(&r, "second", "bad:1688");
    assert_eq!(skipped.status, Status::Skip);
    assert_eq!(skipped.message.id, "engine-prerequisite-failed");
    assert_eq!(
        skipped.message.get("prerequisite"),
        Some(&"first".into()),
        "{:?}",
        skipped.message
    );
    let reasons = format!("{:?}", skipped.message.get("reasons"));
    assert!(
        reasons.contains("engine-prerequisite-reason")
            && reasons.contains("fail")
            && reasons.contains("stub bad"),
        "{reasons}"
    );
    assert_eq!(skipped.run.prerequisite.as_deref(), Some("first"));
    assert!(skipped.error_codes.is_empty() && skipped.remediation.is_none());
    assert_eq!(r.summary.total, 1 + 3 + 3);
    assert_eq!(r.exit_code(), 1);
}

#[tokio::test]
async fn severity_warn_turns_fail_into_warn() {
    let rules = RuleSet {
        checks: vec![rule(
            "w",
            Stub {
                over: Over::Host,
                status: Status::Fail,
                discover: vec![],
                delay: Duration::ZERO,
            },
            &[],
            Severity::Warn,
        )],
        vars: Vars::new(),
    };
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let o = by(&r, "w", "cli:1688");
    assert_eq!(o.status, Status::Warn);
    assert_eq!(
        o.error_codes,
        ["0xC004F074"],
        "a warning still says what it predicts"
    );
    assert_eq!(r.exit_code(), 0, "warnings alone exit 0");
}

#[tokio::test]
async fn deadline_reports_unfinished_checks_as_errors() {
    let rules = RuleSet {
        checks: vec![
            rule(
                "slow",
                Stub {
                    over: Over::Host,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::from_secs(20),
                },
                &[],
                Severity::Fail,
            ),
            rule(
                "fast",
                Stub {
                    over: Over::Once,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::ZERO,
                },
                &[],
                Severity::Fail,
            ),
        ],
        vars: Vars::new(),
    };
    let started = std::time::Instant::now();
    let r = run(&rules, opts(Duration::from_millis(300))).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        r.results.iter().find(|o| o.id == "fast").unwrap().status,
        Status::Pass
    );
    let slow = by(&r, "slow", "cli:1688");
    assert_eq!(slow.status, Status::Error);
    assert_eq!(slow.message.id, "engine-unfinished-at-deadline");
    assert_eq!(slow.message.get("deadline_ms"), Some(&300u64.into()));
}

#[tokio::test]
async fn host_checks_do_not_wait_for_non_discovering_domain_checks() {
    let rules = RuleSet {
        checks: vec![
            rule(
                "discover",
                Stub {
                    over: Over::Domain,
                    status: Status::Pass,
                    discover: vec!["good"],
                    delay: Duration::ZERO,
                },
                &[],
                Severity::Fail,
            ),
            rule(
                "slow-audit",
                Stub {
                    over: Over::Domain,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::from_millis(800),
                },
                &[],
                Severity::Fail,
            ),
            rule(
                "host",
                Stub {
                    over: Over::Host,
                    status: Status::Pass,
                    discover: vec![],
                    delay: Duration::from_millis(800),
                },
                &[],
                Severity::Fail,
            ),
        ],
        vars: Vars::new(),
    };
    let started = std::time::Instant::now();
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let took = started.elapsed();
    assert_eq!(
        by(&r, "host", "good:1688").status,
        Status::Pass,
        "discovered host was checked"
    );
    // Sequential stages would take 1.6 s; overlapping ones take 0.8 s.
    assert!(
        took < Duration::from_millis(1400),
        "host checks waited for the audit: {took:?}"
    );
}

#[tokio::test]
async fn discovered_hosts_of_non_discovering_kinds_are_ignored() {
    #[derive(Debug)]
    struct Liar;
    impl Check<TestModel> for Liar {
        fn default_scope(&self) -> Scope {
            Scope {
                over: Over::Domain,
                per_source: false,
            }
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
            Box::pin(async move {
                let mut out = CheckOutput::one(Finding::new(Status::Pass, Message::recorded("ok")));
                out.discovered.push(Target {
                    host: "sneaky".into(),
                    port: 1688,
                    origins: vec![],
                });
                out
            })
        }
    }
    let mut liar = rule(
        "liar",
        Stub {
            over: Over::Domain,
            status: Status::Pass,
            discover: vec![],
            delay: Duration::ZERO,
        },
        &[],
        Severity::Fail,
    );
    liar.check = Arc::new(Liar);
    let rules = RuleSet {
        checks: vec![liar],
        vars: Vars::new(),
    };
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    assert!(r.targets.iter().all(|t| t.host != "sneaky"));
}

/// Marks a DNS server dead in the run memo and says whether it already was.
#[derive(Debug)]
struct MemoProbe;

impl Check<TestModel> for MemoProbe {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Once,
            per_source: false,
        }
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let known = ctx.settings.mark("198.18.0.53:53");
            CheckOutput::one(Finding::new(
                Status::Pass,
                Message::recorded(if known { "known" } else { "fresh" }),
            ))
        })
    }
}

#[tokio::test]
async fn every_run_starts_with_a_fresh_memo_shared_by_its_jobs() {
    let probe = |id: &str| CheckRule {
        check: Arc::new(MemoProbe),
        scope: MemoProbe.default_scope(),
        ..rule(
            id,
            Stub {
                over: Over::Once,
                status: Status::Pass,
                discover: vec![],
                delay: Duration::ZERO,
            },
            &[],
            Severity::Fail,
        )
    };
    // The second check requires the first, so it runs after it and sees its mark.
    let mut second = probe("second");
    second.requires = vec!["first".into()];
    let rules = RuleSet {
        checks: vec![probe("first"), second],
        ..Default::default()
    };
    let o = opts(Duration::from_secs(5));
    for _ in 0..2 {
        let r = run(&rules, o.clone()).await;
        let msg = |id: &str| {
            r.results
                .iter()
                .find(|x| x.id == id)
                .map(|x| text(&x.message))
                .unwrap()
        };
        assert_eq!(msg("first"), "fresh", "a run must not inherit the memo");
        assert_eq!(msg("second"), "known", "jobs of one run share it");
    }
    // The caller's settings are untouched.
    assert!(o.settings.marks.lock().unwrap().is_empty());
}

/// Counts the results of other rules in its post-pass and notes the count on its own results.
#[derive(Debug)]
struct Tally;

impl Check<TestModel> for Tally {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Once,
            per_source: false,
        }
    }
    fn run<'a>(&'a self, _: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(
            async move { CheckOutput::one(Finding::new(Status::Pass, Message::recorded("tally"))) },
        )
    }
    fn post_pass(&self, id: &str, results: &mut [Outcome]) {
        let others = results.iter().filter(|r| r.id != id).count();
        for r in results.iter_mut().filter(|r| r.id == id) {
            let seen = format!("{} saw {others}", text(&r.message));
            r.message = Message::recorded(seen);
        }
    }
}

#[tokio::test]
async fn each_rule_post_pass_runs_once_over_the_finished_run() {
    let tally = |id: &str| CheckRule {
        check: Arc::new(Tally),
        scope: Tally.default_scope(),
        ..rule(
            id,
            Stub {
                over: Over::Once,
                status: Status::Pass,
                discover: vec![],
                delay: Duration::ZERO,
            },
            &[],
            Severity::Fail,
        )
    };
    // A slow job finishes after both tallies: the post-pass still sees it.
    let slow = rule(
        "slow",
        Stub {
            over: Over::Domain,
            status: Status::Pass,
            discover: vec![],
            delay: Duration::from_millis(200),
        },
        &[],
        Severity::Fail,
    );
    let rules = RuleSet {
        checks: vec![tally("t1"), slow, tally("t2")],
        ..Default::default()
    };
    let r = run(&rules, opts(Duration::from_secs(5))).await;
    let msg = |id: &str| {
        r.results
            .iter()
            .find(|x| x.id == id)
            .map(|x| text(&x.message))
            .unwrap()
    };
    // Two of the three results are another rule's; each tally amends only its own, once.
    assert_eq!(msg("t1"), "tally saw 2");
    assert_eq!(msg("t2"), "tally saw 2");
    assert_eq!(msg("slow"), "stub ");
}

/// Fails at once for its first `fail_first` runs, then hangs (a silent peer); records the
/// per-operation timeout each run was given.
#[derive(Debug)]
struct Budgeted {
    fail_first: u32,
    fail_after: Duration,
    runs: std::sync::Mutex<Vec<Duration>>,
}

impl Check<TestModel> for Budgeted {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Once,
            per_source: false,
        }
    }
    // As the connection kinds with their prerequisite's addresses: the timeout is the budget.
    fn budget(&self, t: Duration, _s: &TestSettings) -> Duration {
        t
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        let n = {
            let mut runs = self.runs.lock().unwrap();
            runs.push(ctx.timeout);
            runs.len() as u32
        };
        Box::pin(async move {
            if n <= self.fail_first {
                tokio::time::sleep(self.fail_after.min(ctx.timeout)).await;
                return CheckOutput::one(Finding::new(Status::Fail, Message::recorded("refused")));
            }
            std::future::pending::<()>().await;
            unreachable!()
        })
    }
}

async fn budgeted(timeout: Duration, retries: u32, fail_first: u32) -> (Outcome, Vec<Duration>) {
    let check = Arc::new(Budgeted {
        fail_first,
        fail_after: Duration::from_millis(120),
        runs: Default::default(),
    });
    let mut r = rule(
        "budgeted",
        Stub {
            over: Over::Once,
            status: Status::Pass,
            discover: vec![],
            delay: Duration::ZERO,
        },
        &[],
        Severity::Fail,
    );
    r.scope = check.default_scope();
    r.check = check.clone();
    r.retries = retries;
    let rules = RuleSet {
        checks: vec![r],
        ..Default::default()
    };
    let mut o = opts(Duration::from_secs(10));
    o.timeout = Some(timeout);
    let report = run(&rules, o).await;
    let runs = check.runs.lock().unwrap().clone();
    (report.results[0].clone(), runs)
}

/// Scheduling noise allowed on top of 5 % (a loaded 2-core CI machine).
const NOISE_MS: f64 = 60.0;

fn within(o: &Outcome, timeout: Duration) {
    let bound = timeout.as_millis() as f64 * 1.05 + NOISE_MS;
    assert!(
        (o.duration_ms as f64) <= bound,
        "{} ms > {bound} ms: {o:#?}",
        o.duration_ms
    );
}

#[tokio::test]
async fn a_hung_check_ends_at_its_timeout() {
    let t = Duration::from_millis(300);
    let (o, runs) = budgeted(t, 0, 0).await;
    assert_eq!(o.status, Status::Error);
    assert_eq!(o.message.id, "engine-budget-exceeded");
    assert!(o.duration_ms >= 300, "{}", o.duration_ms);
    within(&o, t);
    assert_eq!(runs, [t]);
}

#[tokio::test]
async fn retries_share_the_one_deadline() {
    // Two quick failures, then a hang: the third attempt gets only what is left.
    let t = Duration::from_millis(400);
    let (o, runs) = budgeted(t, 5, 2).await;
    within(&o, t);
    assert!(runs.len() >= 3, "{runs:?}");
    assert_eq!(runs[0], t);
    // A later attempt inherits the time left, never a fresh timeout.
    for w in runs.windows(2) {
        assert!(w[1] < w[0], "{runs:?}");
    }
    assert!(runs[2] <= t - Duration::from_millis(240), "{runs:?}");
}

#[tokio::test]
async fn no_retry_starts_without_time_left() {
    // Each failure takes 120 ms of 200: the second attempt gets the last 70 ms, no third.
    let t = Duration::from_millis(200);
    let (o, runs) = budgeted(t, 5, 5).await;
    within(&o, t);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(o.status, Status::Fail);
}

/// Publishes `early` facts at once, then after `hold` ends with `status` and `last` facts: a
/// TCP check whose handshake is done while it watches the hold.
#[derive(Debug)]
struct EarlyStub {
    early: &'static str,
    hold: Duration,
    status: Status,
    last: &'static str,
}

fn facts(addr: &str) -> crate::testing::TestFacts {
    crate::testing::TestFacts([("addr".to_string(), addr.to_string())].into())
}

impl Check<TestModel> for EarlyStub {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            if let Some(early) = ctx.early {
                early(&facts(self.early));
            }
            tokio::time::sleep(self.hold).await;
            let mut out = CheckOutput::one(Finding::new(self.status, Message::recorded("held")));
            out.facts = facts(self.last);
            out
        })
    }
}

/// Works `work` long, then says which address its prerequisite gave it.
#[derive(Debug)]
struct Dependent {
    work: Duration,
}

impl Check<TestModel> for Dependent {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, TestModel>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            tokio::time::sleep(self.work).await;
            let addr = ctx.prior.0.get("addr").cloned().unwrap_or_default();
            CheckOutput::one(Finding::new(
                Status::Pass,
                Message::recorded(format!("bound {addr}")),
            ))
        })
    }
}

fn chain(early: EarlyStub) -> RuleSet {
    let mut tcp = rule("tcp", stub_host(), &[], Severity::Fail);
    tcp.check = Arc::new(early);
    let mut rpc = rule("rpc", stub_host(), &["tcp"], Severity::Fail);
    rpc.check = Arc::new(Dependent {
        work: Duration::from_millis(400),
    });
    RuleSet {
        checks: vec![tcp, rpc],
        vars: Vars::new(),
    }
}

fn stub_host() -> Stub {
    Stub {
        over: Over::Host,
        status: Status::Pass,
        discover: vec![],
        delay: Duration::ZERO,
    }
}

#[tokio::test]
async fn a_dependent_starts_on_early_facts_and_keeps_its_run_when_they_stand() {
    let rules = chain(EarlyStub {
        early: "a",
        hold: Duration::from_millis(400),
        status: Status::Pass,
        last: "a",
    });
    let t = std::time::Instant::now();
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let wall = t.elapsed();
    let rpc = by(&r, "rpc", "cli:1688");
    assert_eq!(rpc.status, Status::Pass);
    assert_eq!(text(&rpc.message), "bound a");
    assert!(rpc.duration_ms >= 400, "{}", rpc.duration_ms);
    // The work overlapped the hold: one 400 ms wait, not two.
    assert!(wall < Duration::from_millis(700), "{wall:?}");
}

#[tokio::test]
async fn an_early_start_is_skipped_when_the_prerequisite_fails_after_all() {
    let rules = chain(EarlyStub {
        early: "a",
        hold: Duration::from_millis(100),
        status: Status::Fail,
        last: "a",
    });
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let rpc = by(&r, "rpc", "cli:1688");
    assert_eq!(rpc.status, Status::Skip, "{rpc:?}");
    assert_eq!(rpc.run.prerequisite.as_deref(), Some("tcp"));
    assert_eq!(rpc.duration_ms, 0, "a skip has no run time");
}

#[tokio::test]
async fn an_early_start_runs_again_on_other_final_facts() {
    let rules = chain(EarlyStub {
        early: "a",
        hold: Duration::from_millis(200),
        status: Status::Pass,
        last: "b",
    });
    let t = std::time::Instant::now();
    let r = run(&rules, opts(Duration::from_secs(10))).await;
    let rpc = by(&r, "rpc", "cli:1688");
    assert_eq!(text(&rpc.message), "bound b", "the final facts decide");
    assert!(
        t.elapsed() >= Duration::from_millis(600),
        "{:?}",
        t.elapsed()
    );
    assert!(
        rpc.duration_ms >= 400 && rpc.duration_ms < 600,
        "{}",
        rpc.duration_ms
    );
}

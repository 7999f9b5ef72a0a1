//! Retries of one job: a check that fails or errors is run again, up to the rule's `retries`,
//! `retry_delay` apart. A result that passes only on a later attempt is not a pass: it is a
//! warning ("flaky") that carries every earlier attempt as evidence, because an intermittent
//! path fails clients intermittently too.

use std::time::Duration;

use kms_preflight_message::Message;

use crate::check::{Check, CheckContext, CheckOutput, Finding};
use crate::model::Model;
use crate::outcome::{EarlierAttempt, Status};

kms_preflight_message::messages! {
    /// check did not finish within its budget of {budget_ms} (timeout {timeout_ms} per operation); stopped
    budget_exceeded = "engine-budget-exceeded" (budget_ms, timeout_ms);
    /// flaky: passed on attempt {attempt} of {max_attempts} after {failed} failed attempt(s) ({first}); now: {now}
    flaky = "engine-flaky" (attempt, max_attempts, failed, first, now);
    /// The path fails intermittently; clients will too. {fix}
    flaky_fix = "engine-flaky-fix" (fix);
    /// The path fails intermittently; clients will too. Look for packet loss, …
    flaky_fix_generic = "engine-flaky-fix-generic" ();
}

/// Past the job's deadline, how long the engine still waits for a kind that bounds its own
/// waits by [`CheckContext::deadline`]: its own report (what it saw by then) then wins over
/// the engine's "stopped". Scheduling noise, not a budget.
pub const GRACE: Duration = Duration::from_millis(40);

/// Runs `check` until `ctx.deadline` (its budget, `budget` long), then again while any
/// finding is fail or error, attempts remain and time is left: every attempt shares the one
/// deadline, a later one inherits the time left (and a per-operation timeout no longer
/// than that), never a fresh budget.
pub async fn run<M: Model>(
    check: &dyn Check<M>,
    ctx: &CheckContext<'_, M>,
    budget: Duration,
    retries: u32,
    delay: Duration,
) -> CheckOutput<M> {
    let mut history: Vec<Vec<Finding<M::Evidence>>> = Vec::new();
    let mut out = once(check, ctx, budget).await;
    let mut attempt = 1;
    while attempt <= retries && failing(&out) && ctx.left() > delay {
        history.push(out.findings.clone());
        tokio::time::sleep(delay).await;
        let again = CheckContext {
            timeout: ctx.timeout.min(ctx.left()),
            ..*ctx
        };
        out = once(check, &again, budget).await;
        attempt += 1;
    }
    if retries == 0 {
        return out;
    }
    mark(out, &history, attempt, retries + 1)
}

async fn once<M: Model>(
    check: &dyn Check<M>,
    ctx: &CheckContext<'_, M>,
    budget: Duration,
) -> CheckOutput<M> {
    match tokio::time::timeout_at(ctx.deadline + GRACE, check.run(ctx)).await {
        Ok(out) => out,
        Err(_) => CheckOutput::one(Finding::new(
            Status::Error,
            budget_exceeded(millis(budget), millis(ctx.timeout)),
        )),
    }
}

/// A duration as a message argument: whole milliseconds.
pub(crate) fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}

fn failing<M: Model>(out: &CheckOutput<M>) -> bool {
    out.findings
        .iter()
        .any(|f| matches!(f.status, Status::Fail | Status::Error))
}

/// Adds the attempt count to every finding and turns a pass that failed earlier (same address,
/// or the whole check when the earlier failure had no address) into a flaky warning.
pub fn mark<M: Model>(
    mut out: CheckOutput<M>,
    history: &[Vec<Finding<M::Evidence>>],
    attempts: u32,
    max_attempts: u32,
) -> CheckOutput<M> {
    for f in &mut out.findings {
        let earlier: Vec<(usize, &Finding<M::Evidence>)> = history
            .iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.iter().map(move |e| (i + 1, e)))
            .filter(|(_, e)| matches!(e.status, Status::Fail | Status::Error))
            .filter(|(_, e)| e.address.is_none() || e.address == f.address)
            .collect();
        f.run.attempt = Some(attempts);
        f.run.max_attempts = Some(max_attempts);
        if earlier.is_empty() {
            continue;
        }
        f.run.earlier_attempts = earlier
            .iter()
            .map(|(n, e)| EarlierAttempt {
                attempt: *n as u32,
                status: e.status,
                message: e.message.clone(),
            })
            .collect();
        if f.status == Status::Pass {
            let (_, first) = earlier[0];
            f.status = Status::Warn;
            let now: Message = f.message.clone();
            f.message = flaky(
                attempts,
                max_attempts,
                earlier.len(),
                first.message.clone(),
                now,
            );
            f.run.flaky = Some(true);
            if f.error_codes.is_empty() {
                f.error_codes = first.error_codes.clone();
            }
            if f.remediation.is_none() {
                f.remediation = Some(match &first.remediation {
                    Some(r) => flaky_fix(r.clone()),
                    None => flaky_fix_generic(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::BoxFuture;
    use crate::rules::{Over, Scope, Vars};
    use crate::testing::{text, TestEvidence, TestFacts, TestModel};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Fails until its `n`th run, then passes; counts its runs.
    #[derive(Debug)]
    struct FailsUntil {
        n: u32,
        runs: AtomicU32,
    }

    impl Check<TestModel> for FailsUntil {
        fn default_scope(&self) -> Scope {
            Scope {
                over: Over::Once,
                per_source: false,
            }
        }
        fn run<'a>(
            &'a self,
            _ctx: &'a CheckContext<'a, TestModel>,
        ) -> crate::check::BoxFuture<'a, CheckOutput<TestModel>> {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            let status = if run >= self.n {
                Status::Pass
            } else {
                Status::Fail
            };
            let fut: BoxFuture<'a, CheckOutput<TestModel>> = Box::pin(async move {
                CheckOutput::one(Finding::new(
                    status,
                    Message::recorded(format!("run {run}")),
                ))
            });
            fut
        }
    }

    async fn attempt(n: u32, retries: u32) -> (CheckOutput<TestModel>, u32) {
        let check = FailsUntil {
            n,
            runs: AtomicU32::new(0),
        };
        let vars = Vars::new();
        let settings = crate::testing::TestSettings::default();
        let prior = TestFacts::default();
        let ctx = CheckContext {
            vars: &vars,
            domain: None,
            target: None,
            source: None,
            timeout: Duration::from_secs(1),
            deadline: tokio::time::Instant::now() + Duration::from_secs(5),
            settings: &settings,
            prior: &prior,
            early: None,
        };
        let out = run(
            &check,
            &ctx,
            Duration::from_secs(5),
            retries,
            Duration::from_millis(5),
        )
        .await;
        (out, check.runs.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn runs_again_until_pass_and_stops_there() {
        let (out, runs) = attempt(2, 3).await;
        assert_eq!(runs, 2, "no run after the pass");
        assert_eq!(out.findings[0].status, Status::Warn);
        assert_eq!(out.findings[0].run.attempt, Some(2));
        assert_eq!(out.findings[0].run.max_attempts, Some(4));
    }

    #[tokio::test]
    async fn gives_up_after_the_retries() {
        let (out, runs) = attempt(10, 2).await;
        assert_eq!(runs, 3);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert_eq!(text(&out.findings[0].message), "run 3");
    }

    #[tokio::test]
    async fn without_retries_nothing_changes() {
        let (out, runs) = attempt(2, 0).await;
        assert_eq!(runs, 1);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert!(out.findings[0].run.attempt.is_none());
        let (out, _) = attempt(1, 2).await;
        assert_eq!(
            out.findings[0].status,
            Status::Pass,
            "a first-time pass stays a pass"
        );
    }

    fn f(status: Status, addr: Option<&str>, msg: &str) -> Finding<TestEvidence> {
        let mut f = Finding::new(status, Message::recorded(msg));
        f.address = addr.map(str::to_string);
        f
    }

    #[test]
    fn pass_after_failure_is_flaky_warn_with_attempts() {
        let history = vec![vec![
            f(Status::Fail, Some("198.18.0.10"), "timed out").codes(&["0xC004F074"]),
            f(Status::Pass, Some("198.18.0.11"), "connected"),
        ]];
        let out = CheckOutput::<TestModel> {
            findings: vec![
                f(Status::Pass, Some("198.18.0.10"), "connected in 1 ms"),
                f(Status::Pass, Some("198.18.0.11"), "connected"),
            ],
            ..Default::default()
        };
        let out = mark(out, &history, 2, 3);
        let a = &out.findings[0];
        assert_eq!(a.status, Status::Warn);
        assert_eq!(a.message.id, "engine-flaky");
        assert_eq!(a.message.get("attempt"), Some(&2u32.into()));
        assert_eq!(a.message.get("max_attempts"), Some(&3u32.into()));
        assert_eq!(
            a.message.get("first"),
            Some(&Message::recorded("timed out").into())
        );
        assert_eq!(a.run.attempt, Some(2));
        assert_eq!(a.run.earlier_attempts[0].status, Status::Fail);
        assert_eq!(a.error_codes, ["0xC004F074"]);
        // The address that never failed stays a pass.
        let b = &out.findings[1];
        assert_eq!(b.status, Status::Pass);
        assert_eq!(b.run.attempt, Some(2));
        assert!(b.run.flaky.is_none());
    }

    #[test]
    fn a_kinds_own_attempts_evidence_is_kept() {
        // srv and resolve list their DNS attempts under "attempts"; retries must not clobber it.
        let history = vec![vec![f(Status::Fail, None, "timeout")]];
        let out = CheckOutput::<TestModel>::one(
            f(Status::Pass, None, "ok").with(TestEvidence::of("attempts", "198.18.0.2:53")),
        );
        let out = mark(out, &history, 2, 2);
        assert_eq!(
            out.findings[0].evidence.get("attempts"),
            Some("198.18.0.2:53")
        );
        assert_eq!(out.findings[0].run.attempt, Some(2));
    }

    #[test]
    fn failure_without_address_marks_every_pass() {
        let history = vec![vec![f(Status::Error, None, "budget exceeded")]];
        let out = CheckOutput::<TestModel>::one(f(Status::Pass, Some("x"), "ok"));
        let out = mark(out, &history, 2, 2);
        assert_eq!(out.findings[0].status, Status::Warn);
    }

    #[test]
    fn persistent_failure_stays_fail_with_attempt_count() {
        let history = vec![
            vec![f(Status::Fail, None, "refused")],
            vec![f(Status::Fail, None, "refused")],
        ];
        let out = CheckOutput::<TestModel>::one(f(Status::Fail, None, "refused"));
        let out = mark(out, &history, 3, 3);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert_eq!(out.findings[0].run.attempt, Some(3));
        assert_eq!(out.findings[0].run.earlier_attempts.len(), 2);
    }
}

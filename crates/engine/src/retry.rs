//! Retries of one job: a check that fails or errors is run again, up to the rule's `retries`,
//! `retry_delay` apart. A result that passes only on a later attempt is not a pass: it is a
//! warning ("flaky") that carries every earlier attempt as evidence, because an intermittent
//! path fails clients intermittently too.

use std::time::Duration;

use serde_json::{json, Value};

use crate::check::{Check, CheckContext, CheckOutput, Finding};
use crate::outcome::Status;

/// Runs `check` once under `budget`, then again while any finding is fail or error and
/// attempts remain.
pub async fn run(
    check: &dyn Check,
    ctx: &CheckContext<'_>,
    budget: Duration,
    retries: u32,
    delay: Duration,
) -> CheckOutput {
    let mut history: Vec<Vec<Finding>> = Vec::new();
    let mut out = once(check, ctx, budget).await;
    let mut attempt = 1;
    while attempt <= retries && failing(&out) {
        history.push(out.findings.clone());
        tokio::time::sleep(delay).await;
        out = once(check, ctx, budget).await;
        attempt += 1;
    }
    if retries == 0 {
        return out;
    }
    mark(out, &history, attempt, retries + 1)
}

async fn once(check: &dyn Check, ctx: &CheckContext<'_>, budget: Duration) -> CheckOutput {
    match tokio::time::timeout(budget, check.run(ctx)).await {
        Ok(out) => out,
        Err(_) => CheckOutput::one(Finding::new(
            Status::Error,
            format!(
                "check did not finish within its budget of {} (timeout {} per operation); stopped",
                humantime::format_duration(budget),
                humantime::format_duration(ctx.timeout)
            ),
        )),
    }
}

fn failing(out: &CheckOutput) -> bool {
    out.findings
        .iter()
        .any(|f| matches!(f.status, Status::Fail | Status::Error))
}

/// Adds the attempt count to every finding and turns a pass that failed earlier (same address,
/// or the whole check when the earlier failure had no address) into a flaky warning.
pub fn mark(
    mut out: CheckOutput,
    history: &[Vec<Finding>],
    attempts: u32,
    max_attempts: u32,
) -> CheckOutput {
    for f in &mut out.findings {
        let earlier: Vec<(usize, &Finding)> = history
            .iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.iter().map(move |e| (i + 1, e)))
            .filter(|(_, e)| matches!(e.status, Status::Fail | Status::Error))
            .filter(|(_, e)| e.address.is_none() || e.address == f.address)
            .collect();
        f.evidence.insert("attempt".into(), Value::from(attempts));
        f.evidence
            .insert("max_attempts".into(), Value::from(max_attempts));
        if earlier.is_empty() {
            continue;
        }
        f.evidence.insert(
            "earlier_attempts".into(),
            Value::Array(
                earlier
                    .iter()
                    .map(|(n, e)| json!({"attempt": n, "status": e.status.as_str(), "message": e.message}))
                    .collect(),
            ),
        );
        if f.status == Status::Pass {
            let (_, first) = earlier[0];
            f.status = Status::Warn;
            f.message = format!(
                "flaky: passed on attempt {attempts} of {max_attempts} after {} failed attempt(s) ({}); now: {}",
                earlier.len(),
                first.message,
                f.message
            );
            f.evidence.insert("flaky".into(), Value::Bool(true));
            if f.error_codes.is_empty() {
                f.error_codes = first.error_codes.clone();
            }
            if f.remediation.is_none() {
                f.remediation = Some(match &first.remediation {
                    Some(r) => format!("The path fails intermittently; clients will too. {r}"),
                    None => "The path fails intermittently; clients will too. Look for packet loss, an overloaded host, or a firewall or load balancer that drops some connections.".into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{BoxFuture, RunSettings};
    use crate::rules::{Over, Scope, Vars};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Fails until its `n`th run, then passes; counts its runs.
    #[derive(Debug)]
    struct FailsUntil {
        n: u32,
        runs: AtomicU32,
    }

    impl Check for FailsUntil {
        fn default_scope(&self) -> Scope {
            Scope {
                over: Over::Once,
                per_source: false,
            }
        }
        fn run<'a>(
            &'a self,
            _ctx: &'a CheckContext<'a>,
        ) -> crate::check::BoxFuture<'a, CheckOutput> {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            let status = if run >= self.n {
                Status::Pass
            } else {
                Status::Fail
            };
            let fut: BoxFuture<'a, CheckOutput> =
                Box::pin(
                    async move { CheckOutput::one(Finding::new(status, format!("run {run}"))) },
                );
            fut
        }
    }

    async fn attempt(n: u32, retries: u32) -> (CheckOutput, u32) {
        let check = FailsUntil {
            n,
            runs: AtomicU32::new(0),
        };
        let vars = Vars::new();
        let settings = RunSettings::default();
        let prior = serde_json::Map::new();
        let ctx = CheckContext {
            vars: &vars,
            domain: None,
            target: None,
            source: None,
            timeout: Duration::from_secs(1),
            settings: &settings,
            prior: &prior,
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
        assert_eq!(out.findings[0].evidence["attempt"], 2);
        assert_eq!(out.findings[0].evidence["max_attempts"], 4);
    }

    #[tokio::test]
    async fn gives_up_after_the_retries() {
        let (out, runs) = attempt(10, 2).await;
        assert_eq!(runs, 3);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert_eq!(out.findings[0].message, "run 3");
    }

    #[tokio::test]
    async fn without_retries_nothing_changes() {
        let (out, runs) = attempt(2, 0).await;
        assert_eq!(runs, 1);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert!(out.findings[0].evidence.get("attempt").is_none());
        let (out, _) = attempt(1, 2).await;
        assert_eq!(
            out.findings[0].status,
            Status::Pass,
            "a first-time pass stays a pass"
        );
    }

    fn f(status: Status, addr: Option<&str>, msg: &str) -> Finding {
        let mut f = Finding::new(status, msg);
        f.address = addr.map(str::to_string);
        f
    }

    #[test]
    fn pass_after_failure_is_flaky_warn_with_attempts() {
        let history = vec![vec![
            f(Status::Fail, Some("198.18.0.10"), "timed out").codes(&["0xC004F074"]),
            f(Status::Pass, Some("198.18.0.11"), "connected"),
        ]];
        let out = CheckOutput {
            findings: vec![
                f(Status::Pass, Some("198.18.0.10"), "connected in 1 ms"),
                f(Status::Pass, Some("198.18.0.11"), "connected"),
            ],
            ..Default::default()
        };
        let out = mark(out, &history, 2, 3);
        let a = &out.findings[0];
        assert_eq!(a.status, Status::Warn);
        assert!(a.message.starts_with("flaky: passed on attempt 2 of 3"));
        assert!(a.message.contains("timed out"));
        assert_eq!(a.evidence["attempt"], 2);
        assert_eq!(a.evidence["earlier_attempts"][0]["status"], "fail");
        assert_eq!(a.error_codes, ["0xC004F074"]);
        // The address that never failed stays a pass.
        let b = &out.findings[1];
        assert_eq!(b.status, Status::Pass);
        assert_eq!(b.evidence["attempt"], 2);
        assert!(b.evidence.get("flaky").is_none());
    }

    #[test]
    fn a_kinds_own_attempts_evidence_is_kept() {
        // srv and resolve list their DNS attempts under "attempts"; retries must not clobber it.
        let history = vec![vec![f(Status::Fail, None, "timeout")]];
        let out = CheckOutput::one(
            f(Status::Pass, None, "ok").evidence("attempts", json!([{"server": "198.18.0.2:53"}])),
        );
        let out = mark(out, &history, 2, 2);
        assert!(out.findings[0].evidence["attempts"].is_array());
        assert_eq!(out.findings[0].evidence["attempt"], 2);
    }

    #[test]
    fn failure_without_address_marks_every_pass() {
        let history = vec![vec![f(Status::Error, None, "budget exceeded")]];
        let out = CheckOutput::one(f(Status::Pass, Some("x"), "ok"));
        let out = mark(out, &history, 2, 2);
        assert_eq!(out.findings[0].status, Status::Warn);
    }

    #[test]
    fn persistent_failure_stays_fail_with_attempt_count() {
        let history = vec![
            vec![f(Status::Fail, None, "refused")],
            vec![f(Status::Fail, None, "refused")],
        ];
        let out = CheckOutput::one(f(Status::Fail, None, "refused"));
        let out = mark(out, &history, 3, 3);
        assert_eq!(out.findings[0].status, Status::Fail);
        assert_eq!(out.findings[0].evidence["attempt"], 3);
        assert_eq!(
            out.findings[0].evidence["earlier_attempts"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}

//! Plans jobs (check × domain/host × source) and runs them concurrently.
//!
//! The engine knows nothing about DNS or TCP: it sees checks through [`Check`], targets as
//! names and ports, and facts as opaque JSON. Two stages: first the checks that run once or
//! per domain (discovery lives there), then the per-host checks over every target known by
//! then. Inside a stage, a job waits only for the jobs it `requires`, so one slow host never
//! delays another.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::checks::{CheckContext, CheckOutput, Finding, RunSettings, Source, Target};
use crate::report::{Outcome, Report, ReportTarget, Status, Summary, SCHEMA};
use crate::rules::{template, CheckRule, Over, RuleSet, Severity, Vars};

/// How to run: the parts of the command line the engine itself uses.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub domains: Vec<String>,
    pub targets: Vec<Target>,
    /// Empty: let the OS choose (one pass, `source` null in results).
    pub sources: Vec<Source>,
    /// Overrides every check's `timeout`.
    pub timeout: Option<Duration>,
    pub deadline: Duration,
    pub concurrency: usize,
    pub settings: RunSettings,
}

#[derive(Debug, Clone)]
struct Job {
    check: usize,
    domain: Option<String>,
    target: Option<usize>,
    source: Option<usize>,
}

/// What dependents see of a finished job.
#[derive(Debug, Clone)]
struct Done {
    usable: bool,
    status: Status,
    message: String,
    facts: Map<String, Value>,
}

type DoneRx = watch::Receiver<Option<Arc<Done>>>;

struct Finished {
    job: usize,
    output: CheckOutput,
    duration: Duration,
}

/// Runs the rule set and returns the report.
pub async fn run(rules: &RuleSet, opts: RunOptions) -> Report {
    let started = Instant::now();
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let deadline = tokio::time::Instant::now() + opts.deadline;
    let checks: Arc<Vec<CheckRule>> = Arc::new(rules.checks.clone());
    let sources: Arc<Vec<Source>> = Arc::new(opts.sources.clone());
    let settings = Arc::new(opts.settings.clone());
    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));

    let source_slots: Vec<Option<usize>> = if sources.is_empty() {
        vec![None]
    } else {
        (0..sources.len()).map(Some).collect()
    };

    let mut jobs: Vec<Job> = Vec::new();
    let mut done_rx: Vec<DoneRx> = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut targets: Vec<Target> = Vec::new();
    for t in &opts.targets {
        merge_target(&mut targets, t.clone());
    }

    let mut ctx = StageCtx {
        checks: &checks,
        sources: &sources,
        settings: &settings,
        sem: &sem,
        rule_vars: &rules.vars,
        timeout_override: opts.timeout,
        deadline,
        deadline_len: opts.deadline,
    };

    // Stage 1: once / per-domain checks.
    let mut stage1 = Vec::new();
    for (ci, c) in checks.iter().enumerate() {
        let slots: &[Option<usize>] = if c.scope.per_source {
            &source_slots
        } else {
            &[None]
        };
        match c.scope.over {
            Over::Once => {
                for s in slots {
                    stage1.push(Job {
                        check: ci,
                        domain: None,
                        target: None,
                        source: *s,
                    });
                }
            }
            Over::Domain => {
                for d in &opts.domains {
                    for s in slots {
                        stage1.push(Job {
                            check: ci,
                            domain: Some(d.clone()),
                            target: None,
                            source: *s,
                        });
                    }
                }
            }
            Over::Host => {}
        }
    }
    let first = jobs.len();
    jobs.extend(stage1);
    let results = ctx.run_stage(&jobs, first, &mut done_rx, &targets).await;
    for (job, output, duration) in results {
        for t in &output.discovered {
            merge_target(&mut targets, t.clone());
        }
        outcomes.extend(ctx.outcomes(&jobs[job], output, duration, &targets));
    }

    // Stage 2: per-host checks over every target known now.
    let mut stage2 = Vec::new();
    for (ci, c) in checks.iter().enumerate() {
        if c.scope.over != Over::Host {
            continue;
        }
        let slots: &[Option<usize>] = if c.scope.per_source {
            &source_slots
        } else {
            &[None]
        };
        for ti in 0..targets.len() {
            for s in slots {
                stage2.push(Job {
                    check: ci,
                    domain: None,
                    target: Some(ti),
                    source: *s,
                });
            }
        }
    }
    let second = jobs.len();
    jobs.extend(stage2);
    ctx.deadline = deadline;
    let results = ctx.run_stage(&jobs, second, &mut done_rx, &targets).await;
    for (job, output, duration) in results {
        outcomes.extend(ctx.outcomes(&jobs[job], output, duration, &targets));
    }

    let summary = Summary::of(&outcomes);
    Report {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        domains: opts.domains.clone(),
        dns_servers: opts
            .settings
            .dns_servers
            .iter()
            .map(|s| s.to_string())
            .collect(),
        sources: sources.iter().map(|s| s.label()).collect(),
        targets: targets
            .iter()
            .map(|t| ReportTarget {
                target: t.label(),
                host: t.host.clone(),
                port: t.port,
                origins: t.origins.clone(),
            })
            .collect(),
        results: outcomes,
        summary,
    }
}

fn merge_target(targets: &mut Vec<Target>, t: Target) {
    if let Some(existing) = targets
        .iter_mut()
        .find(|e| e.host == t.host && e.port == t.port)
    {
        for o in t.origins {
            if !existing.origins.contains(&o) {
                existing.origins.push(o);
            }
        }
    } else {
        targets.push(t);
    }
}

struct StageCtx<'a> {
    checks: &'a Arc<Vec<CheckRule>>,
    sources: &'a Arc<Vec<Source>>,
    settings: &'a Arc<RunSettings>,
    sem: &'a Arc<Semaphore>,
    rule_vars: &'a Vars,
    timeout_override: Option<Duration>,
    deadline: tokio::time::Instant,
    deadline_len: Duration,
}

impl StageCtx<'_> {
    fn job_vars(&self, job: &Job, targets: &[Target]) -> Vars {
        let mut v = self.rule_vars.clone();
        if let Some(d) = &job.domain {
            v.insert("domain".into(), d.clone());
        }
        if let Some(t) = job.target.map(|i| &targets[i]) {
            v.insert("host".into(), t.host.clone());
            v.insert("port".into(), t.port.to_string());
            v.insert("target".into(), t.label());
        }
        if let Some(s) = job.source.map(|i| &self.sources[i]) {
            v.insert("source".into(), s.label());
        }
        v
    }

    /// Prerequisite receivers of a job, grouped by required check id.
    fn prerequisites(
        &self,
        job: &Job,
        jobs: &[Job],
        done_rx: &[DoneRx],
    ) -> Vec<(String, Vec<DoneRx>)> {
        let rule = &self.checks[job.check];
        let mut out = Vec::new();
        for req in &rule.requires {
            let Some(rci) = self.checks.iter().position(|c| &c.id == req) else {
                continue;
            };
            let dep = &self.checks[rci];
            let rxs = jobs
                .iter()
                .enumerate()
                .take(done_rx.len())
                .filter(|(_, j)| j.check == rci)
                .filter(|(_, j)| {
                    dep.scope.over != rule.scope.over
                        || (j.domain == job.domain && j.target == job.target)
                })
                .filter(|(_, j)| {
                    !(dep.scope.per_source && rule.scope.per_source) || j.source == job.source
                })
                .map(|(i, _)| done_rx[i].clone())
                .collect();
            out.push((req.clone(), rxs));
        }
        out
    }

    /// Runs jobs[first..] concurrently; returns (job index, output, duration) for each.
    async fn run_stage(
        &mut self,
        jobs: &[Job],
        first: usize,
        done_rx: &mut Vec<DoneRx>,
        targets: &[Target],
    ) -> Vec<(usize, CheckOutput, Duration)> {
        // Create every job's completion channel before spawning, so dependents can wait on it.
        let mut senders = Vec::new();
        for _ in first..jobs.len() {
            let (tx, rx) = watch::channel(None);
            senders.push(tx);
            done_rx.push(rx);
        }
        let targets: Arc<Vec<Target>> = Arc::new(targets.to_vec());
        let mut set = JoinSet::new();
        for (ji, tx) in (first..jobs.len()).zip(senders) {
            let job = jobs[ji].clone();
            let prereqs = self.prerequisites(&job, jobs, done_rx);
            let vars = self.job_vars(&job, &targets);
            let checks = Arc::clone(self.checks);
            let sources = Arc::clone(self.sources);
            let settings = Arc::clone(self.settings);
            let sem = Arc::clone(self.sem);
            let targets = Arc::clone(&targets);
            let timeout_override = self.timeout_override;
            set.spawn(async move {
                let rule = &checks[job.check];
                // Duration is the check's own run time: not the wait for prerequisites or a slot.
                let mut duration = Duration::ZERO;
                let (output, usable_facts) = match wait_prerequisites(prereqs).await {
                    Err(f) => (CheckOutput::one(f), None),
                    Ok(prior) => {
                        let _permit = sem.acquire().await.expect("semaphore never closed");
                        let started = Instant::now();
                        let timeout = timeout_override.unwrap_or(rule.timeout);
                        let ctx = CheckContext {
                            vars: &vars,
                            domain: job.domain.as_deref(),
                            target: job.target.map(|i| &targets[i]),
                            source: job.source.map(|i| &sources[i]),
                            timeout,
                            settings: &settings,
                            prior: &prior,
                        };
                        let budget = rule.check.budget(timeout, &settings);
                        let out = match tokio::time::timeout(budget, rule.check.run(&ctx)).await {
                            Ok(out) => out,
                            Err(_) => CheckOutput::one(Finding::new(
                                Status::Error,
                                format!(
                                    "check did not finish within its budget of {} (timeout {} per operation); stopped",
                                    humantime::format_duration(budget),
                                    humantime::format_duration(timeout)
                                ),
                            )),
                        };
                        duration = started.elapsed();
                        (out, Some(prior))
                    }
                };
                let worst = output.findings.iter().map(|f| f.status).max().unwrap_or(Status::Skip);
                let usable = usable_facts.is_some()
                    && output.findings.iter().any(|f| matches!(f.status, Status::Pass | Status::Warn));
                let mut facts = usable_facts.unwrap_or_default();
                for (k, v) in &output.facts {
                    facts.insert(k.clone(), v.clone());
                }
                let message = output
                    .findings
                    .iter()
                    .find(|f| f.status == worst)
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| "no result".into());
                let _ = tx.send(Some(Arc::new(Done { usable, status: worst, message, facts })));
                Finished { job: ji, output, duration }
            });
        }

        let mut results: Vec<(usize, CheckOutput, Duration)> = Vec::new();
        let collect = async {
            while let Some(r) = set.join_next().await {
                match r {
                    Ok(f) => results.push((f.job, f.output, f.duration)),
                    Err(e) if e.is_panic() => {
                        // Should not happen; reported, never hidden. The job index is lost, so
                        // the job shows up below as unfinished.
                        eprintln!("kms-preflight: internal error: a check panicked: {e}");
                    }
                    Err(_) => {}
                }
            }
        };
        let _ = tokio::time::timeout_at(self.deadline, collect).await;
        set.abort_all();
        // Jobs that never finished: deadline (or panic).
        let finished: std::collections::HashSet<usize> = results.iter().map(|r| r.0).collect();
        for ji in first..jobs.len() {
            if !finished.contains(&ji) {
                let msg = if tokio::time::Instant::now() >= self.deadline {
                    format!(
                        "not finished before the run deadline ({}); raise --deadline or lower timeouts",
                        humantime::format_duration(self.deadline_len)
                    )
                } else {
                    "internal error: the check stopped unexpectedly".to_string()
                };
                results.push((
                    ji,
                    CheckOutput::one(Finding::new(Status::Error, msg)),
                    Duration::ZERO,
                ));
            }
        }
        results.sort_by_key(|r| r.0);
        results
    }

    fn outcomes(
        &self,
        job: &Job,
        output: CheckOutput,
        duration: Duration,
        targets: &[Target],
    ) -> Vec<Outcome> {
        let rule = &self.checks[job.check];
        let target = match (&job.domain, job.target) {
            (_, Some(t)) => Some(targets[t].label()),
            (Some(d), None) => Some(d.clone()),
            (None, None) => None,
        };
        let source = job.source.map(|i| self.sources[i].label());
        let vars = self.job_vars(job, targets);
        let mut findings = output.findings;
        if findings.is_empty() {
            findings.push(Finding::new(
                Status::Error,
                "internal error: the check produced no result",
            ));
        }
        findings
            .into_iter()
            .map(|f| {
                let status = match (f.status, rule.severity) {
                    (Status::Fail, Severity::Warn) => Status::Warn,
                    (s, _) => s,
                };
                let problem = matches!(status, Status::Fail | Status::Warn | Status::Error);
                let mut rvars = vars.clone();
                if let Some(a) = &f.address {
                    rvars.insert("address".into(), a.clone());
                }
                for (k, v) in &f.evidence {
                    match v {
                        Value::String(s) => {
                            rvars.insert(k.clone(), s.clone());
                        }
                        Value::Number(n) => {
                            rvars.insert(k.clone(), n.to_string());
                        }
                        Value::Bool(b) => {
                            rvars.insert(k.clone(), b.to_string());
                        }
                        _ => {}
                    }
                }
                let remediation = if problem {
                    match (&f.remediation, &rule.remediation) {
                        (Some(own), _) => Some(template::render_lenient(own, &rvars)),
                        (None, Some(r)) => Some(template::render_lenient(r, &rvars)),
                        (None, None) => None,
                    }
                    .map(|s| s.trim_end().to_string())
                } else {
                    None
                };
                let error_codes = if matches!(status, Status::Fail | Status::Warn) {
                    if f.error_codes.is_empty() {
                        rule.explains.clone()
                    } else {
                        f.error_codes.clone()
                    }
                } else {
                    Vec::new()
                };
                Outcome {
                    id: rule.id.clone(),
                    kind: rule.kind.clone(),
                    title: rule.title.clone(),
                    target: target.clone(),
                    address: f.address,
                    source: source.clone(),
                    status,
                    message: f.message,
                    remediation,
                    error_codes,
                    evidence: f.evidence,
                    duration_ms: duration.as_millis() as u64,
                }
            })
            .collect()
    }
}

/// Waits for every prerequisite; each required check must have at least one usable job.
async fn wait_prerequisites(
    prereqs: Vec<(String, Vec<DoneRx>)>,
) -> Result<Map<String, Value>, Finding> {
    let mut facts = Map::new();
    for (id, rxs) in prereqs {
        let mut any_usable = false;
        let mut reasons = Vec::new();
        for mut rx in rxs {
            let done = match rx.wait_for(|v| v.is_some()).await {
                Ok(v) => v.clone().expect("waited for Some"),
                Err(_) => continue, // sender dropped: job aborted at the deadline
            };
            if done.usable {
                any_usable = true;
                for (k, v) in &done.facts {
                    facts.insert(k.clone(), v.clone());
                }
            } else {
                reasons.push(format!("{}: {}", done.status.as_str(), done.message));
            }
        }
        if !any_usable {
            let why = if reasons.is_empty() {
                "it did not run".to_string()
            } else {
                reasons.join("; ")
            };
            return Err(Finding::new(
                Status::Skip,
                format!("skipped: prerequisite '{id}' did not pass ({why})"),
            )
            .evidence("prerequisite", id));
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests;

//! Plans jobs (check × domain/host × source) and runs them concurrently.
//!
//! The engine knows nothing about DNS or TCP: it sees checks through [`Check`], targets as
//! names and ports, and facts and evidence as the types of its [`Model`]. The checks that run once or per domain start
//! first; the per-host checks start over every target known as soon as the discovering jobs
//! ([`Check::discovers`]) are done, while the other domain checks go on. A job waits only for
//! the jobs it `requires`, so one slow host never delays another and timeouts do not stack.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kms_preflight_message::Message;
use serde_json::Value;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::check::{CheckContext, CheckOutput, Finding, Target};
use crate::model::{EvidenceSet, FactSet, Model};
use crate::outcome::{Outcome, Report, ReportTarget, Status, Summary, SCHEMA};
use crate::retry::{self, millis};
use crate::rules::{template, CheckRule, Over, RuleSet, Severity, Vars};

kms_preflight_message::messages! {
    /// not finished before the run deadline ({deadline_ms}); raise --deadline or lower timeouts
    unfinished_at_deadline = "engine-unfinished-at-deadline" (deadline_ms);
    /// internal error: the check stopped unexpectedly
    stopped_unexpectedly = "engine-stopped-unexpectedly" ();
    /// internal error: the check produced no result
    no_result = "engine-no-result" ();
    /// no result
    no_result_short = "engine-no-result-short" ();
    /// skipped: prerequisite '{prerequisite}' did not pass ({reasons})
    prerequisite_failed = "engine-prerequisite-failed" (prerequisite, reasons);
    /// skipped: prerequisite '{prerequisite}' did not pass (it did not run)
    prerequisite_not_run = "engine-prerequisite-not-run" (prerequisite);
    /// {status}: {message} (one reason of a prerequisite skip)
    prerequisite_reason = "engine-prerequisite-reason" (status, message);
}

/// How to run: the parts of the command line the engine itself uses.
#[derive(Debug)]
pub struct RunOptions<M: Model> {
    pub domains: Vec<String>,
    pub targets: Vec<Target>,
    /// Empty: let the OS choose (one pass, `source` null in results).
    pub sources: Vec<M::Source>,
    /// Overrides every check's `timeout`.
    pub timeout: Option<Duration>,
    pub deadline: Duration,
    pub concurrency: usize,
    pub settings: M::Settings,
}

// By hand: a derive would ask `M: Clone` of the model marker type.
impl<M: Model> Clone for RunOptions<M> {
    fn clone(&self) -> Self {
        RunOptions {
            domains: self.domains.clone(),
            targets: self.targets.clone(),
            sources: self.sources.clone(),
            timeout: self.timeout,
            deadline: self.deadline,
            concurrency: self.concurrency,
            settings: self.settings.clone(),
        }
    }
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
struct Done<F> {
    usable: bool,
    status: Status,
    message: Message,
    facts: F,
}

/// What dependents see of a job: still running, facts it published before its end (a TCP
/// handshake done while the hold is watched, [`CheckContext::early`]), or its end.
#[derive(Debug, Clone)]
enum Progress<F> {
    Running,
    Early(Arc<F>),
    Done(Arc<Done<F>>),
}

type DoneRx<F> = watch::Receiver<Progress<F>>;

struct Finished<M: Model> {
    job: usize,
    output: CheckOutput<M>,
    duration: Duration,
}

/// Runs the rule set and returns the report.
pub async fn run<M: Model>(rules: &RuleSet<M>, opts: RunOptions<M>) -> Report<M::Evidence> {
    let started = Instant::now();
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let deadline = tokio::time::Instant::now() + opts.deadline;
    let checks: Arc<Vec<CheckRule<M>>> = Arc::new(rules.checks.clone());
    let sources: Arc<Vec<M::Source>> = Arc::new(opts.sources.clone());
    // A fresh memo per run: what one run learnt (a dead DNS server) must not leak into the next.
    let settings = Arc::new(M::fresh_run(&opts.settings));
    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));

    let source_slots: Vec<Option<usize>> = if sources.is_empty() {
        vec![None]
    } else {
        (0..sources.len()).map(Some).collect()
    };

    let mut jobs: Vec<Job> = Vec::new();
    let mut done_rx: Vec<DoneRx<M::Facts>> = Vec::new();
    let mut outcomes: Vec<Outcome<M::Evidence>> = Vec::new();
    let mut targets: Vec<Target> = Vec::new();
    for t in &opts.targets {
        merge_target(&mut targets, t.clone());
    }

    let ctx = StageCtx {
        checks: &checks,
        sources: &sources,
        settings: &settings,
        sem: &sem,
        rule_vars: &rules.vars,
        timeout_override: opts.timeout,
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
    // Per-host checks start as soon as the jobs that discover hosts are done, while the other
    // domain checks (audits that probe on their own) go on: timeouts do not stack.
    let discovering: HashSet<usize> = (first..jobs.len())
        .filter(|&j| checks[jobs[j].check].check.discovers())
        .collect();
    let mut pending_discovery = discovering.len();
    let mut set = JoinSet::new();
    ctx.spawn_jobs(
        &mut set,
        &jobs,
        first,
        &mut done_rx,
        Arc::new(targets.clone()),
    );
    let mut finished: Vec<Finished<M>> = Vec::new();
    let mut host_stage_spawned = false;
    loop {
        if !host_stage_spawned && (pending_discovery == 0 || set.is_empty()) {
            let second = jobs.len();
            jobs.extend(host_jobs(&checks, targets.len(), &source_slots));
            ctx.spawn_jobs(
                &mut set,
                &jobs,
                second,
                &mut done_rx,
                Arc::new(targets.clone()),
            );
            host_stage_spawned = true;
        }
        match tokio::time::timeout_at(deadline, set.join_next()).await {
            Err(_) | Ok(None) => break,
            Ok(Some(Ok(f))) => {
                if discovering.contains(&f.job) {
                    pending_discovery -= 1;
                    for t in &f.output.discovered {
                        merge_target(&mut targets, t.clone());
                    }
                }
                finished.push(f);
            }
            Ok(Some(Err(e))) => {
                if e.is_panic() {
                    // Reported, never hidden; the job shows up below as unfinished.
                    eprintln!("kms-preflight: internal error: a check panicked: {e}");
                }
            }
        }
    }
    set.abort_all();
    if !host_stage_spawned {
        // The deadline came during discovery: host checks of the hosts known so far did not run.
        jobs.extend(host_jobs(&checks, targets.len(), &source_slots));
    }
    let done: HashSet<usize> = finished.iter().map(|f| f.job).collect();
    for ji in 0..jobs.len() {
        if !done.contains(&ji) {
            let msg = if tokio::time::Instant::now() >= deadline {
                unfinished_at_deadline(millis(opts.deadline))
            } else {
                stopped_unexpectedly()
            };
            finished.push(Finished {
                job: ji,
                output: CheckOutput::one(Finding::new(Status::Error, msg)),
                duration: Duration::ZERO,
            });
        }
    }
    finished.sort_by_key(|f| f.job);
    for f in finished {
        outcomes.extend(ctx.outcomes(&jobs[f.job], f.output, f.duration, &targets));
    }
    for rule in checks.iter() {
        rule.check.post_pass(&rule.id, &mut outcomes);
    }

    let summary = Summary::of(&outcomes);
    Report {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        profile: None,
        domains: opts.domains.clone(),
        // The caller fills in the DNS servers: the engine does not know what they are.
        dns_servers: Vec::new(),
        sources: sources.iter().map(M::source_label).collect(),
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
        clients: Vec::new(),
    }
}

/// Jobs of the per-host checks over `n_targets` targets.
fn host_jobs<M: Model>(
    checks: &[CheckRule<M>],
    n_targets: usize,
    source_slots: &[Option<usize>],
) -> Vec<Job> {
    let mut out = Vec::new();
    for (ci, c) in checks.iter().enumerate() {
        if c.scope.over != Over::Host {
            continue;
        }
        let slots: &[Option<usize>] = if c.scope.per_source {
            source_slots
        } else {
            &[None]
        };
        for ti in 0..n_targets {
            for s in slots {
                out.push(Job {
                    check: ci,
                    domain: None,
                    target: Some(ti),
                    source: *s,
                });
            }
        }
    }
    out
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

struct StageCtx<'a, M: Model> {
    checks: &'a Arc<Vec<CheckRule<M>>>,
    sources: &'a Arc<Vec<M::Source>>,
    settings: &'a Arc<M::Settings>,
    sem: &'a Arc<Semaphore>,
    rule_vars: &'a Vars,
    timeout_override: Option<Duration>,
}

impl<M: Model> StageCtx<'_, M> {
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
            v.insert("source".into(), M::source_label(s));
        }
        v
    }

    /// Prerequisite receivers of a job, grouped by required check id.
    fn prerequisites(
        &self,
        job: &Job,
        jobs: &[Job],
        done_rx: &[DoneRx<M::Facts>],
    ) -> Vec<(String, Vec<DoneRx<M::Facts>>)> {
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

    /// Spawns jobs[first..] into `set`; each waits for its prerequisites, then for a slot.
    fn spawn_jobs(
        &self,
        set: &mut JoinSet<Finished<M>>,
        jobs: &[Job],
        first: usize,
        done_rx: &mut Vec<DoneRx<M::Facts>>,
        targets: Arc<Vec<Target>>,
    ) {
        // Create every job's completion channel before spawning, so dependents can wait on it.
        let mut senders = Vec::new();
        for _ in first..jobs.len() {
            let (tx, rx) = watch::channel(Progress::Running);
            senders.push(tx);
            done_rx.push(rx);
        }
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
                let (output, usable_facts) = loop {
                    // A start on a prerequisite's early facts is provisional: it stands only
                    // if the prerequisite ends usable with the same facts (else it starts
                    // again, or is skipped, as it would have been).
                    let (prior, provisional) = match wait_prerequisites(&prereqs, true).await {
                        Err(f) => break (CheckOutput::one(f), None),
                        Ok(p) => p,
                    };
                    let _permit = sem.acquire().await.expect("semaphore never closed");
                    let started = Instant::now();
                    let timeout = timeout_override.unwrap_or(rule.timeout);
                    // The job's budget is its deadline: retries and every wait of the kind
                    // live inside it (docs/timeouts.md).
                    let budget = rule.check.job_budget(timeout, &settings, &prior);
                    let publish = |early: &M::Facts| {
                        let mut facts = prior.clone();
                        facts.merge(early);
                        let _ = tx.send(Progress::Early(Arc::new(facts)));
                    };
                    let ctx = CheckContext {
                        vars: &vars,
                        domain: job.domain.as_deref(),
                        target: job.target.map(|i| &targets[i]),
                        source: job.source.map(|i| &sources[i]),
                        timeout: timeout.min(budget),
                        deadline: tokio::time::Instant::now() + budget,
                        settings: settings.as_ref(),
                        prior: &prior,
                        early: (!provisional).then_some(&publish as _),
                    };
                    let run = retry::run(
                        rule.check.as_ref(),
                        &ctx,
                        budget,
                        rule.retries,
                        rule.retry_delay,
                    );
                    if !provisional {
                        let out = run.await;
                        duration = started.elapsed();
                        break (out, Some(prior));
                    }
                    tokio::pin!(run);
                    let settled = tokio::select! {
                        out = &mut run => {
                            let elapsed = started.elapsed();
                            (Some((out, elapsed)), wait_prerequisites(&prereqs, false).await)
                        }
                        settled = wait_prerequisites(&prereqs, false) => (None, settled),
                    };
                    match settled {
                        (_, Err(f)) => break (CheckOutput::one(f), None),
                        (ran, Ok((last, _))) if last == prior => {
                            let (out, elapsed) = match ran {
                                Some(r) => r,
                                None => {
                                    let out = run.await;
                                    (out, started.elapsed())
                                }
                            };
                            duration = elapsed;
                            break (out, Some(prior.clone()));
                        }
                        // Other facts than the early ones: run again on them.
                        (_, Ok(_)) => continue,
                    }
                };
                let worst = output
                    .findings
                    .iter()
                    .map(|f| f.status)
                    .max()
                    .unwrap_or(Status::Skip);
                let usable = usable_facts.is_some()
                    && output
                        .findings
                        .iter()
                        .any(|f| matches!(f.status, Status::Pass | Status::Warn));
                let mut facts = usable_facts.unwrap_or_default();
                facts.merge(&output.facts);
                let message = output
                    .findings
                    .iter()
                    .find(|f| f.status == worst)
                    .map(|f| f.message.clone())
                    .unwrap_or_else(no_result_short);
                let _ = tx.send(Progress::Done(Arc::new(Done {
                    usable,
                    status: worst,
                    message,
                    facts,
                })));
                Finished {
                    job: ji,
                    output,
                    duration,
                }
            });
        }
    }

    fn outcomes(
        &self,
        job: &Job,
        output: CheckOutput<M>,
        duration: Duration,
        targets: &[Target],
    ) -> Vec<Outcome<M::Evidence>> {
        let rule = &self.checks[job.check];
        let target = match (&job.domain, job.target) {
            (_, Some(t)) => Some(targets[t].label()),
            (Some(d), None) => Some(d.clone()),
            (None, None) => None,
        };
        let source = job.source.map(|i| M::source_label(&self.sources[i]));
        let vars = self.job_vars(job, targets);
        let mut findings = output.findings;
        if findings.is_empty() {
            findings.push(Finding::new(Status::Error, no_result()));
        }
        findings
            .into_iter()
            .map(|f| {
                let status = match (f.status, rule.severity) {
                    (Status::Fail, Severity::Warn) => Status::Warn,
                    (s, _) => s,
                };
                let problem = matches!(status, Status::Fail | Status::Warn | Status::Error);
                let evidence = f.evidence;
                let remediation = if problem {
                    // A rule's own remediation wins (the user said what to do); else the check's,
                    // which is specific to the finding (refused vs filtered, NXDOMAIN vs SERVFAIL).
                    match (&rule.remediation, f.remediation) {
                        (Some(r), _) => {
                            let rvars = remediation_vars(&vars, f.address.as_deref(), &evidence);
                            Some(Message::user_text(
                                template::render_lenient(r, &rvars).trim_end(),
                            ))
                        }
                        (None, own) => own,
                    }
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
                    evidence,
                    run: f.run,
                    duration_ms: duration.as_millis() as u64,
                }
            })
            .collect()
    }
}

/// The variables a rule's remediation text may use: the job's, the finding's address and the
/// scalars of its evidence.
fn remediation_vars<E: EvidenceSet>(vars: &Vars, address: Option<&str>, evidence: &E) -> Vars {
    let mut rvars = vars.clone();
    if let Some(a) = address {
        rvars.insert("address".into(), a.to_string());
    }
    if let Ok(Value::Object(m)) = serde_json::to_value(evidence) {
        for (k, v) in m {
            match v {
                Value::String(s) => {
                    rvars.insert(k, s);
                }
                Value::Number(n) => {
                    rvars.insert(k, n.to_string());
                }
                Value::Bool(b) => {
                    rvars.insert(k, b.to_string());
                }
                _ => {}
            }
        }
    }
    rvars
}

/// Waits for every prerequisite; each required check must have at least one usable job.
/// With `early`, a job's early facts count as its end (usable); the second value says whether
/// any did, so that the start is provisional.
async fn wait_prerequisites<F: FactSet, E: Default>(
    prereqs: &[(String, Vec<DoneRx<F>>)],
    early: bool,
) -> Result<(F, bool), Finding<E>> {
    let mut facts = F::default();
    let mut provisional = false;
    for (id, rxs) in prereqs {
        let mut any_usable = false;
        let mut reasons = Vec::new();
        for rx in rxs {
            let mut rx = rx.clone();
            let seen = match rx
                .wait_for(|p| match p {
                    Progress::Running => false,
                    Progress::Early(_) => early,
                    Progress::Done(_) => true,
                })
                .await
            {
                Ok(v) => v.clone(),
                Err(_) => continue, // sender dropped: job aborted at the deadline
            };
            match seen {
                Progress::Running => {}
                Progress::Early(f) => {
                    any_usable = true;
                    provisional = true;
                    facts.merge(&f);
                }
                Progress::Done(done) if done.usable => {
                    any_usable = true;
                    facts.merge(&done.facts);
                }
                Progress::Done(done) => reasons.push(prerequisite_reason(
                    done.status.as_str(),
                    done.message.clone(),
                )),
            }
        }
        if !any_usable {
            let message = if reasons.is_empty() {
                prerequisite_not_run(id.as_str())
            } else {
                prerequisite_failed(id.as_str(), reasons)
            };
            let mut f = Finding::new(Status::Skip, message);
            f.run.prerequisite = Some(id.clone());
            return Err(f);
        }
    }
    Ok((facts, provisional))
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;

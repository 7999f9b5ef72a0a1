//! `serve`: a per-site Prometheus exporter. The audit is planned once from the command line
//! ([`Plan`]), run at start and then every `--interval` by one background task, and each
//! finished audit replaces a [`Snapshot`] of pre-rendered responses. HTTP requests
//! ([`http`]) only read the latest snapshot: a scrape never starts an audit, and nothing in a
//! request can choose what is probed.
//!
//! A failed audit (it ran out of `--deadline` and its results were cut off, it did not return
//! in time, or it stopped) keeps the previous report and says so in
//! `kms_preflight_audit_success`. SIGTERM or SIGINT abandon the running audit and stop the
//! server within a second.

mod http;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hyper::body::Bytes;

use kms_preflight_report::prometheus::{AuditStatus, Exposition};
use kms_preflight_report::{self as report, Lang, Report};

use super::check::Plan;
use super::{UsageError, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE};
use crate::cli::ServeArgs;

/// How long an audit may run past its `--deadline` before it is abandoned as failed (the
/// engine itself stops at the deadline; this only catches a run that does not return).
const AUDIT_GRACE: Duration = Duration::from_secs(5);

/// The responses for one state of the exporter, rendered once when an audit ends (shared,
/// immutable bodies: a request clones a reference, never the text).
pub struct Snapshot {
    pub metrics: Bytes,
    pub report_json: Bytes,
    /// The status page in each language, in [`Lang::ALL`] order.
    pub pages: Vec<(Lang, Bytes)>,
    /// When the last successful audit (the served report) finished; `None` before the first.
    pub last_success: Option<Instant>,
}

/// What the HTTP side shares with the audit task.
pub struct Shared {
    pub interval: Duration,
    /// The page's language when a request's Accept-Language names none we have.
    pub page_lang: Lang,
    snapshot: RwLock<Arc<Snapshot>>,
}

impl Snapshot {
    /// The page in `lang` (the first one if a language was not rendered).
    pub fn page(&self, lang: Lang) -> Bytes {
        self.pages
            .iter()
            .find(|(l, _)| *l == lang)
            .or(self.pages.first())
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    }
}

impl Shared {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn publish(&self, s: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
    }

    /// `/healthz`: healthy when the last *successful* audit finished within 2 × interval (a
    /// failed audit serves the previous report, so only a success counts as fresh).
    pub fn health(&self) -> (bool, String) {
        let (ok, msg) = match self.snapshot().last_success {
            None => (false, report::cli::health_none()),
            Some(t) => {
                let age = t.elapsed();
                let limit = self.interval * 2;
                let age_s = age.as_secs_f64();
                if age <= limit {
                    (true, report::cli::health_ok(age_s))
                } else {
                    (false, report::cli::health_stale(age_s, limit.as_secs_f64()))
                }
            }
        };
        let text = report::Catalog::get(super::lang()).text(&msg);
        (ok, format!("{text}\n"))
    }
}

/// The served state: the report of the last successful audit and how the last audit went.
struct State {
    report: Report,
    labels: Vec<(String, String)>,
    audit: AuditStatus,
    last_success: Option<Instant>,
}

impl State {
    fn render(&self) -> Snapshot {
        let expo = Exposition {
            labels: self.labels.clone(),
            audit: Some(self.audit),
            fail_on_warn: false,
        };
        Snapshot {
            metrics: report::prometheus::render_with(&self.report, &expo).into(),
            report_json: report::json::render(&self.report, super::lang()).into(),
            pages: Lang::ALL
                .iter()
                .map(|l| (*l, report::html::render(&self.report, &expo, *l).into()))
                .collect(),
            last_success: self.last_success,
        }
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The labels, each name once.
fn check_labels(labels: &[(String, String)]) -> Result<(), UsageError> {
    for (i, (k, _)) in labels.iter().enumerate() {
        if labels[..i].iter().any(|(seen, _)| seen == k) {
            return Err(kms_preflight_report::usage::label_twice(k.as_str()).into());
        }
    }
    Ok(())
}

/// How one audit ended.
enum AuditEnd {
    Done(Box<Report>),
    Failed(String),
}

/// A task that is aborted when its handle is dropped: the audit stops with the exporter.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the plan once (on its own task, so a panic is contained), bounded by its deadline
/// plus [`AUDIT_GRACE`].
async fn audit_once(plan: &Arc<Plan>) -> AuditEnd {
    let deadline = plan.deadline();
    let p = plan.clone();
    let mut task = AbortOnDrop(tokio::spawn(async move { p.run().await }));
    match tokio::time::timeout(deadline + AUDIT_GRACE, &mut task.0).await {
        Ok(Ok(report)) => {
            if u128::from(report.duration_ms) >= deadline.as_millis() {
                AuditEnd::Failed(format!(
                    "ran out of --deadline {} and its results were cut off",
                    humantime::format_duration(deadline)
                ))
            } else {
                AuditEnd::Done(Box::new(report))
            }
        }
        Ok(Err(e)) => AuditEnd::Failed(format!("stopped: {e}")),
        Err(_) => {
            task.0.abort();
            AuditEnd::Failed(format!(
                "did not return within --deadline {} + {} s",
                humantime::format_duration(deadline),
                AUDIT_GRACE.as_secs()
            ))
        }
    }
}

/// Audits at start and then every interval, forever; publishes a snapshot after each.
async fn audit_loop(plan: Arc<Plan>, shared: Arc<Shared>, mut state: State) {
    let mut ticker = tokio::time::interval(shared.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n: u64 = 0;
    let mut last_ok: Option<u64> = None;
    loop {
        ticker.tick().await;
        n += 1;
        let started = Instant::now();
        let end = audit_once(&plan).await;
        let took = started.elapsed().as_secs_f64();
        state.audit.duration_seconds = took;
        match end {
            AuditEnd::Done(report) => {
                let s = &report.summary;
                eprintln!(
                    "kms-preflight serve: audit {n} done in {took:.2} s: {}, {} results: {} pass, {} warn, {} fail, {} skip, {} error",
                    report::markdown::verdict(&report),
                    s.total, s.pass, s.warn, s.fail, s.skip, s.error
                );
                state.report = *report;
                state.audit.success = true;
                state.audit.last_success_unix = Some(unix_now());
                state.last_success = Some(Instant::now());
                last_ok = Some(n);
            }
            AuditEnd::Failed(why) => {
                eprintln!(
                    "kms-preflight serve: audit {n} FAILED after {took:.2} s: {why}; {}",
                    match last_ok {
                        Some(k) => format!("serving the report of audit {k}"),
                        None => "no report to serve yet".to_string(),
                    }
                );
                state.audit.success = false;
            }
        }
        shared.publish(state.render());
    }
}

/// Installs the SIGTERM and SIGINT handlers now; the future resolves with the name of the
/// first one that arrives.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}

/// `serve`: returns when stopped by a signal (exit 0), or at once on a usage error.
pub async fn serve(mut args: ServeArgs) -> i32 {
    // The site file (the systemd unit's too) fills in what the command line leaves out.
    let site = crate::config::audit(&mut args.audit).and_then(|l| match l {
        Some(l) => l.apply_labels(&mut args.labels),
        None => Ok(()),
    });
    if let Err(e) = site {
        eprintln!("kms-preflight: {e}");
        return EXIT_USAGE;
    }
    if args.audit.deadline.is_none() {
        args.audit.deadline = Some(crate::cli::SERVE_DEADLINE);
    }
    if let Err(e) = check_labels(&args.labels) {
        eprintln!("kms-preflight: {e}");
        return EXIT_USAGE;
    }
    // Here the probe would repeat every interval: only its own, explicit flag enables it.
    if args.audit.activation_probe {
        let m = report::cli::serve_activation_flag();
        eprintln!(
            "kms-preflight: {}",
            report::Catalog::get(super::lang()).text(&m)
        );
        return EXIT_USAGE;
    }
    args.audit.activation_probe = args.activation_probe_every_interval;
    let plan = match Plan::new(&args.audit) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    // Signals are caught from here on, so a stop during start-up is clean too.
    let stop = match stop_signal() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kms-preflight: internal error: cannot catch SIGTERM/SIGINT: {e}");
            return EXIT_INTERNAL;
        }
    };
    tokio::pin!(stop);
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kms-preflight: cannot listen on {}: {e}", args.listen);
            return EXIT_USAGE;
        }
    };
    let local = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kms-preflight: internal error: listener address: {e}");
            return EXIT_INTERNAL;
        }
    };
    if plan.deadline() > args.interval {
        eprintln!(
            "kms-preflight serve: warning: --deadline {} is longer than --interval {}: audits may run back to back and /healthz may report them late",
            humantime::format_duration(plan.deadline()),
            humantime::format_duration(args.interval)
        );
    }
    let state = State {
        report: Report::empty(),
        labels: args.labels.clone(),
        audit: AuditStatus {
            success: false,
            last_success_unix: None,
            duration_seconds: 0.0,
        },
        last_success: None,
    };
    let shared = Arc::new(Shared {
        interval: args.interval,
        // --lang (global) or the locale; a browser's Accept-Language for ja or en wins.
        page_lang: super::lang(),
        snapshot: RwLock::new(Arc::new(state.render())),
    });
    eprintln!(
        "kms-preflight serve: listening on http://{local} (audit every {}; GET /metrics /healthz /report.json /)",
        humantime::format_duration(args.interval)
    );
    // What every audit will send, once, for the operator's change record (`check --plan`).
    eprint!(
        "{}",
        kms_preflight_report::plan::render_table(&plan.traffic(), super::lang(), false)
    );
    let auditor = tokio::spawn(audit_loop(plan, shared.clone(), state));
    let signal = http::serve(listener, shared, &mut stop).await;
    // Abandon a running audit: its probes are dropped with the task.
    auditor.abort();
    eprintln!("kms-preflight serve: {signal}: stopped");
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique() {
        let l = |k: &str| (k.to_string(), "x".to_string());
        assert!(check_labels(&[l("site"), l("env")]).is_ok());
        assert!(check_labels(&[l("site"), l("site")]).is_err());
    }

    #[test]
    fn health_follows_the_last_successful_audit() {
        let shared = Shared {
            interval: Duration::from_secs(10),
            page_lang: Lang::En,
            snapshot: RwLock::new(Arc::new(Snapshot {
                metrics: Default::default(),
                report_json: Default::default(),
                pages: Default::default(),
                last_success: None,
            })),
        };
        let (ok, text) = shared.health();
        assert!(
            !ok && text == "unhealthy: no audit has succeeded yet\n",
            "{text}"
        );
        let mk = |age: u64| Snapshot {
            metrics: Default::default(),
            report_json: Default::default(),
            pages: Default::default(),
            last_success: Instant::now().checked_sub(Duration::from_secs(age)),
        };
        shared.publish(mk(5));
        let (ok, text) = shared.health();
        assert!(
            ok && text.starts_with("ok: last successful audit finished 5."),
            "{text}"
        );
        shared.publish(mk(25));
        let (ok, text) = shared.health();
        assert!(!ok && text.contains("more than 2 x interval"), "{text}");
    }
}

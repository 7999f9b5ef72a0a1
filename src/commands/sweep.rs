//! `sweep CIDR|ADDR-RANGE...`: find every KMS listener in a range, verified by the read-only
//! RPC bind, and compare with what DNS publishes. The scan is `net::scan`, the judgement and
//! the report `checks::sweep`; this module checks the request (size limit, source, DNS),
//! shows progress on a terminal, turns Ctrl-C into a stop, and prints the report.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use kms_preflight_checks::sweep::{self, DnsPlan, SweepEvidence, SweepRequest};
use kms_preflight_net::scan::range::AddressSet;
use kms_preflight_net::scan::Progress;
use kms_preflight_net::{dns, source};
use kms_preflight_report as report;

use super::rules::load_rules;
use super::{color_wanted, render, UsageError, EXIT_INTERRUPTED, EXIT_USAGE};
use crate::cli::{Format, SweepArgs};

pub async fn sweep(mut args: SweepArgs) -> i32 {
    let format = args.format;
    if let Some(p) = args.config.clone() {
        if let Err(e) = crate::config::Loaded::read(&p).and_then(|l| l.apply_sweep(&mut args)) {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    }
    let req = match plan(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    if args.plan {
        return super::check::print_plan(&req.plan(), format, false);
    }
    colored::control::set_override(color_wanted(args.no_color));
    let targets = req.targets();
    let progress = Arc::new(Progress::default());
    let unit = if req.ports.len() == 1 {
        "addresses"
    } else {
        "probes"
    };
    let bar = progress_bar(
        format,
        targets.len() as u64,
        unit,
        color_wanted(args.no_color),
    );
    let ticker = bar.clone().map(|bar| {
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.done.load(Ordering::Relaxed));
                bar.set_message(format!("{} open", progress.open.load(Ordering::Relaxed)));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    });
    let stop = async {
        // If the handler cannot be installed, the sweep simply cannot be stopped early.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let rep = sweep::run(&req, progress.clone(), stop).await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let out = match format {
        _ if args.quiet => format!(
            "{}\n",
            report::sweep::summary_text(&rep, report::Catalog::get(super::lang()))
        ),
        Format::Table => report::sweep::render_table(&rep, super::lang()),
        Format::Markdown => report::sweep::render_markdown(&rep, super::lang()),
        other => render(&rep, other, false),
    };
    print!("{out}");
    let interrupted = rep.results.iter().any(|r| {
        r.evidence
            .sweep()
            .and_then(SweepEvidence::summary)
            .is_some_and(|s| s.interrupted)
    });
    if interrupted {
        eprintln!("kms-preflight: sweep interrupted (Ctrl-C): the report above is partial");
        EXIT_INTERRUPTED
    } else {
        super::gate(&rep, args.fail_on)
    }
}

/// A progress bar on a terminal (stderr), none otherwise and never with `--format json`.
fn progress_bar(format: Format, total: u64, unit: &str, color: bool) -> Option<ProgressBar> {
    if format == Format::Json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let bar_spec = if color {
        "{bar:32.cyan/blue}"
    } else {
        "{bar:32}"
    };
    let style = ProgressStyle::with_template(&format!(
        "sweep {bar_spec} {{pos}}/{{len}} {unit}, {{msg}} ({{elapsed}}, ETA {{eta}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

/// The request from the command line, or why it is refused (exit 2).
pub fn plan(args: &SweepArgs) -> Result<SweepRequest, UsageError> {
    let addresses = AddressSet::new(&args.ranges).len();
    if addresses > args.max_addresses {
        let ranges: Vec<&str> = args.ranges.iter().map(|r| r.text.as_str()).collect();
        return Err(report::usage::sweep_too_many(
            addresses.to_string(),
            ranges,
            args.max_addresses.to_string(),
        )
        .into());
    }
    let mut ports: Vec<u16> = Vec::new();
    for p in &args.ports {
        if !ports.contains(p) {
            ports.push(*p);
        }
    }
    if ports.is_empty() {
        ports.push(sweep::DEFAULT_PORT);
    }
    let source = match &args.source {
        Some(s) => source::parse_sources(std::slice::from_ref(s), &[])
            .map_err(report::usage::sources)?
            .into_iter()
            .next(),
        None => None,
    };
    let dns = if args.no_dns {
        None
    } else {
        let (sys_servers, sys_domains) = if args.dns.is_empty() || args.domains.is_empty() {
            dns::system_dns()
        } else {
            (Vec::new(), Vec::new())
        };
        let servers = if args.dns.is_empty() {
            sys_servers
        } else {
            args.dns.clone()
        };
        let given = if args.domains.is_empty() {
            &sys_domains
        } else {
            &args.domains
        };
        let mut domains = Vec::new();
        for d in given {
            let name = dns::fqdn(d).map_err(|e| {
                report::usage::domain(
                    "--domain",
                    format!("{d:?}"),
                    kms_preflight_checks::common::dns::name_error_message(d, &e),
                )
            })?;
            let shown = dns::display_name(&name);
            if !domains.contains(&shown) {
                domains.push(shown);
            }
        }
        if servers.is_empty() && !args.domains.is_empty() {
            return Err(report::usage::no_dns_server_sweep().into());
        }
        let rules = load_rules(&args.rules, &[])?;
        let inventory = sweep::inventory_of(&rules, &domains).map_err(UsageError::Message)?;
        Some(DnsPlan {
            servers,
            domains,
            inventory,
        })
    };
    Ok(SweepRequest {
        ranges: args.ranges.clone(),
        ports,
        rate: args.rate,
        concurrency: args.concurrency,
        timeout: args.timeout,
        source,
        list_all: args.all,
        dns,
    })
}

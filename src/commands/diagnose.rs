//! `diagnose CODE`: run only the checks that decide a code and give the verdict in its terms
//! (the analysis and its renderings are `report::diagnose`).

use kms_preflight_checks::Report;
use kms_preflight_report::{self as report, diagnose as diag};

use super::check::run_check;
use super::explain::lookup;
use super::{color_wanted, render, EXIT_OK, EXIT_USAGE};
use crate::cli::{DiagnoseArgs, Format};

pub async fn diagnose(args: DiagnoseArgs) -> i32 {
    let lang = super::lang();
    // Without CODE, the client's own last error code (--client-state).
    let given = match &args.code {
        Some(c) => c.clone(),
        None => match last_client_code(&args.check.audit.client_state) {
            Ok(Some(c)) => c,
            Ok(None) => {
                eprintln!(
                    "kms-preflight: {}",
                    report::Catalog::get(lang).text(&report::client::client_no_code())
                );
                return EXIT_USAGE;
            }
            Err(e) => {
                eprintln!("kms-preflight: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let (code, entry) = match lookup(&given) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(entry) = entry else {
        eprintln!(
            "kms-preflight: {}\nkms-preflight: {}",
            report::Catalog::get(lang).text(&report::explain::describe_unknown(code)),
            report::explain::diagnose_known_codes_line(lang)
        );
        return EXIT_USAGE;
    };
    if entry.checks.is_empty() {
        let empty = Report::empty();
        let d = diag::diagnose_report(entry, &empty);
        match args.check.format {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"diagnosis": diag::json(&d, lang)})
                )
                .expect("plain data")
            ),
            _ => print!("{}", diag::text(&d, lang).trim_start()),
        }
        return EXIT_OK;
    }
    let mut audit = args.check.audit;
    if let Err(e) = crate::config::audit(&mut audit) {
        eprintln!("kms-preflight: {e}");
        return EXIT_USAGE;
    }
    audit.only = Some(entry.checks.clone());
    let (format, verbose) = (args.check.format, args.check.verbose);
    colored::control::set_override(color_wanted(args.check.no_color));
    let report = match run_check(&audit).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let d = diag::diagnose_report(entry, &report);
    if args.check.quiet {
        println!("{}", super::verdict_line(&report));
        return super::gate(&report, args.check.fail_on);
    }
    match format {
        Format::Json => {
            let mut v = report::json::to_value(&report, lang);
            v["diagnosis"] = diag::to_json(&d, lang);
            println!("{}", serde_json::to_string_pretty(&v).expect("plain data"));
        }
        Format::Markdown => {
            print!("{}", render(&report, format, verbose));
            print!("{}", diag::markdown(&d, lang));
        }
        Format::Table => {
            print!("{}", render(&report, format, verbose));
            print!("{}", diag::text(&d, lang));
        }
        Format::Junit | Format::Prometheus => {
            print!("{}", render(&report, format, verbose));
            eprint!("{}", diag::text(&d, lang));
        }
    }
    super::gate(&report, args.check.fail_on)
}

/// The last error code the given clients printed: the first KMS client product's, else any.
fn last_client_code(paths: &[std::path::PathBuf]) -> Result<Option<String>, super::UsageError> {
    let states = super::client_state::load(paths)?;
    let products = || states.iter().flat_map(|s| s.products.iter());
    let kms = products()
        .find(|p| p.error_code.is_some() && p.channel.as_ref().is_none_or(|c| c.is_kms_client()));
    Ok(kms
        .or_else(|| products().find(|p| p.error_code.is_some()))
        .and_then(|p| p.error_code.clone()))
}

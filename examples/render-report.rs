//! render-report: renders a recorded JSON report (`check --format json`) in every output
//! format, into a directory, for the before/after comparison of the renderers
//! (scripts/compare-renderings.sh). Development support only; not part of the shipped binary.
//!
//! Usage: render-report REPORT.json OUT-DIR [--lang en|ja]

use kms_preflight_report::{self as report, Lang, Report};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: render-report REPORT.json OUT-DIR [--lang en|ja]");
        std::process::exit(2);
    }
    let lang = match args.iter().position(|a| a == "--lang") {
        Some(i) => args
            .get(i + 1)
            .and_then(|l| Lang::parse(l))
            .unwrap_or_default(),
        None => Lang::En,
    };
    let text = std::fs::read_to_string(&args[1]).expect("read the report");
    let r = Report::from_json(&text).unwrap_or_else(|e| {
        eprintln!("{}: {e:?}", args[1]);
        std::process::exit(2);
    });
    let d = std::path::Path::new(&args[2]);
    std::fs::create_dir_all(d).expect("create OUT-DIR");
    let put = |name: &str, body: String| std::fs::write(d.join(name), body).expect("write");
    put("report.json", report::json::render(&r, lang));
    put("concise-120.txt", report::concise::render(&r, 120, lang));
    put("concise-80.txt", report::concise::render(&r, 80, lang));
    put("verbose.txt", report::table::render_width(&r, 120, lang));
    put("report.md", report::markdown::render(&r, lang));
    put("junit.xml", report::junit::render(&r, lang));
    put("report.prom", report::prometheus::render(&r));
    let expo = report::prometheus::Exposition {
        labels: vec![("site".into(), "lab".into())],
        audit: None,
        fail_on_warn: false,
    };
    put("page.html", report::html::render(&r, &expo, lang));
    if report::sweep::is_sweep(&r) {
        put("sweep.txt", report::sweep::render_table(&r, lang));
        put("sweep.md", report::sweep::render_markdown(&r, lang));
    }
}

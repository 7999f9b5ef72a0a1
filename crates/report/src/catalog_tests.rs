//! The catalogs against the code: every message a crate declares (`messages!`) has a text in
//! every language, each text uses exactly the declared arguments, the languages agree on the
//! arguments, every text renders without an unfilled placeholder, and no text is orphaned.

use std::collections::BTreeSet;

use kms_preflight_catalog::{introspect, Catalog, Lang};
use kms_preflight_engine::{Arg, Message, MessageSpec};

fn dummy(spec: &MessageSpec, make: impl Fn(&str) -> Arg) -> Message {
    let mut m = Message::new(spec.id);
    for a in spec.args {
        m.set(a, make(a));
    }
    m
}

/// Renders `spec` with dummy arguments of each shape until one renders cleanly.
fn renders(cat: &Catalog, spec: &MessageSpec) -> Result<String, Vec<String>> {
    let shapes: [&dyn Fn(&str) -> Arg; 4] = [
        &|_| Arg::Int(2),
        &|a| Arg::Text(format!("<{a}>")),
        &|a| {
            Arg::List(vec![
                Arg::Text(format!("<{a}1>")),
                Arg::Text(format!("<{a}2>")),
            ])
        },
        &|_| Arg::Num(1.5),
    ];
    let mut errors = Vec::new();
    for make in shapes {
        match cat.try_text(&dummy(spec, make)) {
            Ok(s) if !s.contains("{$") => return Ok(s),
            Ok(s) => errors.push(format!("unfilled placeholder: {s}")),
            Err(mut e) => errors.append(&mut e),
        }
    }
    Err(errors)
}

#[test]
fn every_declared_message_has_a_text_in_every_language_with_its_arguments() {
    let specs = crate::messages();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    let texts: Vec<(Lang, _)> = Lang::ALL
        .iter()
        .map(|l| (*l, introspect::messages(*l)))
        .collect();
    for spec in &specs {
        assert!(seen.insert(spec.id), "'{}' is declared twice", spec.id);
        let declared: BTreeSet<String> = spec.args.iter().map(|a| a.to_string()).collect();
        for (lang, all) in &texts {
            match all.get(spec.id) {
                None => problems.push(format!("{}: no text for '{}'", lang.tag(), spec.id)),
                Some(vars) if *vars != declared => problems.push(format!(
                    "{}: '{}' uses {vars:?}, the code declares {declared:?}",
                    lang.tag(),
                    spec.id
                )),
                Some(_) => {
                    if let Err(e) = renders(Catalog::get(*lang), spec) {
                        problems.push(format!(
                            "{}: '{}' does not render: {e:?}",
                            lang.tag(),
                            spec.id
                        ));
                    }
                }
            }
        }
    }
    for (lang, all) in &texts {
        for id in all.keys() {
            if !seen.contains(id.as_str()) {
                problems.push(format!(
                    "{}: '{id}' is in the catalog but no code declares it",
                    lang.tag()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} catalog problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn numbers_lists_and_durations_render_as_the_catalog_says() {
    let cat = Catalog::get(Lang::En);
    let m = Message::new("engine-prerequisite-failed")
        .arg("prerequisite", "tcp.port")
        .arg(
            "reasons",
            vec![
                Message::new("engine-prerequisite-reason")
                    .arg("status", "fail")
                    .arg("message", Message::recorded("refused")),
                Message::new("engine-prerequisite-reason")
                    .arg("status", "error")
                    .arg("message", Message::recorded("x")),
            ],
        );
    assert_eq!(
        cat.text(&m),
        "skipped: prerequisite 'tcp.port' did not pass (fail: refused; error: x)"
    );
    let d = Message::new("engine-unfinished-at-deadline").arg("deadline_ms", 90_000u64);
    assert_eq!(
        cat.text(&d),
        "not finished before the run deadline (1m 30s); raise --deadline or lower timeouts"
    );
    let ja = Catalog::get(Lang::Ja).text(&d);
    assert!(ja.contains("1 分 30 秒"), "{ja}");
}

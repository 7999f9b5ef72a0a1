//! The verdict block at the top of the table, and the phrases the Markdown report's block
//! shares with it (the verdict itself is computed in [`super::verdict`]).

use std::fmt::Write;

use colored::Colorize;

use super::verdict::{pct, Answer, Attempt, Both, ClientVerdict, Fix, HostVerdict, Verdict};

fn label(a: Answer) -> String {
    match a {
        Answer::Works => a.label().green().bold().to_string(),
        Answer::WorksWithRisk => a.label().yellow().bold().to_string(),
        Answer::Fails => a.label().red().bold().to_string(),
        Answer::Unknown => a.label().dimmed().to_string(),
    }
}

fn share(b: Both) -> String {
    format!("{:>5} | {:>5}", pct(b.caching_off), pct(b.caching_on))
}

pub(crate) fn attempt_text(h: &HostVerdict) -> String {
    let because = h.because.as_deref().unwrap_or("");
    let code = h.code.as_ref().map_or(String::new(), |c| format!(" → {c}"));
    match h.attempt {
        Attempt::Works if h.notes.is_empty() => "activates".into(),
        Attempt::Works => format!("activates ({} note(s): {})", h.notes.len(), h.notes[0]),
        Attempt::Rejected => format!("rejected: {because}{code}"),
        Attempt::NoResponse => {
            format!("no answer ({because}) → next host")
        }
        Attempt::Unknown => format!("unknown: {because}"),
    }
}

fn host_label(h: &HostVerdict, show_prio: bool) -> String {
    if show_prio {
        format!("{} ({}/{})", h.target, h.priority, h.weight)
    } else {
        h.target.clone()
    }
}

/// Hosts, collapsed into one line per identical outcome when there are many.
fn host_lines(c: &ClientVerdict, pad: &str) -> Vec<String> {
    let show_prio = c
        .hosts
        .iter()
        .any(|h| h.priority != c.hosts[0].priority || h.weight != c.hosts[0].weight);
    if c.hosts.len() <= 6 {
        let w = c
            .hosts
            .iter()
            .map(|h| host_label(h, show_prio).len())
            .max()
            .unwrap_or(0);
        return c
            .hosts
            .iter()
            .map(|h| {
                format!(
                    "{pad}{}   {:<w$}  {}",
                    share(h.first_attempt),
                    host_label(h, show_prio),
                    attempt_text(h)
                )
            })
            .collect();
    }
    let mut groups: Vec<(String, String, Vec<&HostVerdict>)> = Vec::new();
    for h in &c.hosts {
        let key = (
            share(h.first_attempt),
            attempt_text(h).replace(&h.host, "<host>"),
        );
        match groups.iter_mut().find(|g| g.0 == key.0 && g.1 == key.1) {
            Some(g) => g.2.push(h),
            None => groups.push((key.0, key.1, vec![h])),
        }
    }
    groups
        .iter()
        .map(|(s, text, hs)| {
            if hs.len() == 1 {
                format!(
                    "{pad}{s}   {}  {}",
                    host_label(hs[0], show_prio),
                    attempt_text(hs[0])
                )
            } else {
                let names: Vec<&str> = hs.iter().take(2).map(|h| h.target.as_str()).collect();
                format!(
                    "{pad}{s} each   {} hosts ({}{})  {text}",
                    hs.len(),
                    names.join(", "),
                    if hs.len() > 2 {
                        format!(", +{}", hs.len() - 2)
                    } else {
                        String::new()
                    }
                )
            }
        })
        .collect()
}

pub(crate) fn activation_line(c: &ClientVerdict) -> String {
    let a = c.activates;
    let mut s = if (a.caching_off - a.caching_on).abs() < 0.005 {
        format!(
            "activates: {} of clients (either caching setting)",
            pct(a.caching_off)
        )
    } else {
        format!(
            "activates: {} of clients with caching off, {} with caching on",
            pct(a.caching_off),
            pct(a.caching_on)
        )
    };
    if a.caching_off.min(a.caching_on) < 0.995 {
        if let Some(code) = &c.code {
            s.push_str(&format!("; the others log {code}"));
        }
    }
    s
}

pub(crate) fn discovery_line(c: &ClientVerdict) -> String {
    let list = if c.suffixes.is_empty() {
        String::new()
    } else {
        format!(
            " (suffix list{}: {})",
            c.suffix_origin
                .as_ref()
                .map_or(String::new(), |o| format!(" from {o}")),
            c.suffixes.join(", ")
        )
    };
    match &c.domain {
        Some(d) => format!("clients find KMS through {d}{list}"),
        None => format!("clients find KMS through: {}{list}", c.discovery),
    }
}

pub(crate) fn fix_benefit(f: &Fix) -> String {
    if f.unblocks > 0.0 {
        format!("unblocks {} of clients", pct(f.unblocks))
    } else if f.spares > 0.0 {
        format!("spares {} of first attempts a failover", pct(f.spares))
    } else {
        "unblocks no client by itself".into()
    }
}

/// Word-wraps one line to `width` columns; continuation lines are indented 4 more than the
/// line's own indent. Colour escapes count as width (colour is only on for terminals, where
/// the label is the one coloured word).
pub fn wrap(line: &str, width: usize) -> String {
    let indent = line.len() - line.trim_start().len();
    let cont = " ".repeat(indent + 4);
    let mut out = String::new();
    let mut cur = line[..indent].to_string();
    let mut first = true;
    for word in line[indent..].split(' ') {
        let start = if first { indent } else { cont.len() };
        let cur_len = cur.chars().count();
        if cur_len > start && cur_len + 1 + word.chars().count() > width {
            out.push_str(cur.trim_end());
            out.push('\n');
            cur = cont.clone();
            first = false;
        } else if cur_len > start {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push_str(cur.trim_end());
    out.push('\n');
    out
}

/// The verdict block of the table, wrapped to `width` (plain text; colour on the label).
pub fn text(v: &Verdict, width: usize) -> String {
    unwrapped(v)
        .lines()
        .map(|l| wrap(l, width))
        .collect::<String>()
}

/// The verdict's first line, unwrapped: its answer and reason (all `check -q` prints).
pub fn headline(v: &Verdict) -> String {
    format!("{} — {}", label(v.answer), v.reason)
}

fn unwrapped(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(v));
    let many = v.clients.len() > 1;
    for c in &v.clients {
        let pad = if many { "    " } else { "  " };
        if many {
            let _ = writeln!(
                out,
                "  from {}: {} — {}",
                c.source.as_deref().unwrap_or("(OS choice)"),
                label(c.answer),
                c.reason
            );
        }
        let _ = writeln!(out, "{pad}{}", discovery_line(c));
        if !c.hosts.is_empty() {
            let _ = writeln!(
                out,
                "{pad}first try, caching off | on   host{} and what an attempt there does",
                if c.hosts
                    .iter()
                    .any(|h| h.priority != c.hosts[0].priority || h.weight != c.hosts[0].weight)
                {
                    " (priority/weight)"
                } else {
                    ""
                }
            );
            for l in host_lines(c, &format!("{pad}  ")) {
                let _ = writeln!(out, "{l}");
            }
            if c.answer != Answer::Unknown {
                let _ = writeln!(out, "{pad}{}", activation_line(c));
            }
        }
    }
    if !v.fixes.is_empty() {
        let _ = writeln!(out, "  fixes, by clients unblocked:");
        for f in &v.fixes {
            let _ = writeln!(
                out,
                "    {}. {} [{}] — {}",
                f.rank,
                f.title,
                f.check,
                fix_benefit(f)
            );
        }
    }
    out
}

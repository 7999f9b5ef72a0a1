//! The verdict block at the top of the table, and the phrases the Markdown report's block
//! shares with it (the verdict itself is computed in [`super::verdict`]). Each phrase has an
//! English form (`attempt_text`) and one in a chosen language (`attempt_text_in`).

use std::fmt::Write;

use colored::Colorize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::catalog::{Catalog, Lang};
use super::verdict::{pct, Answer, Attempt, Both, ClientVerdict, Fix, HostVerdict, Verdict};
use super::verdict_model as m;
use kms_preflight_message::{Arg, Message};

/// The answer in the words of `lang`, coloured as the verdict block shows it (also the
/// summary line's word, so the two never use different vocabularies).
pub(crate) fn label(a: Answer, lang: Lang) -> String {
    let l = a.label_in(lang);
    match a {
        Answer::Works => l.green().bold().to_string(),
        Answer::WorksWithRisk => l.yellow().bold().to_string(),
        Answer::Fails => l.red().bold().to_string(),
        Answer::Unknown => l.dimmed().to_string(),
    }
}

fn share(b: Both) -> String {
    format!("{:>5} | {:>5}", pct(b.caching_off), pct(b.caching_on))
}

fn attempt_message(h: &HostVerdict) -> Message {
    let because = h.because_arg();
    match h.attempt {
        Attempt::Works if h.notes.is_empty() => m::attempt_works(),
        Attempt::Works => {
            let note: Arg = match h.note_messages.first() {
                Some(n) => n.clone().into(),
                None => h.notes[0].clone().into(),
            };
            m::attempt_works_notes(h.notes.len(), note)
        }
        Attempt::Rejected => match &h.code {
            Some(c) => m::attempt_rejected_code(because, c),
            None => m::attempt_rejected(because),
        },
        Attempt::NoResponse => m::attempt_no_answer(because),
        Attempt::Unknown => m::attempt_unknown(because),
    }
}

/// What an attempt at the host does, in `lang`.
pub fn attempt_text_in(h: &HostVerdict, lang: Lang) -> String {
    Catalog::get(lang).text(&attempt_message(h))
}

fn host_label(h: &HostVerdict, show_prio: bool) -> String {
    if show_prio {
        format!("{} ({}/{})", h.target, h.priority, h.weight)
    } else {
        h.target.clone()
    }
}

/// Hosts, collapsed into one line per identical outcome when there are many.
fn host_lines(c: &ClientVerdict, pad: &str, lang: Lang) -> Vec<String> {
    let cat = Catalog::get(lang);
    let show_prio = c
        .hosts
        .iter()
        .any(|h| h.priority != c.hosts[0].priority || h.weight != c.hosts[0].weight);
    if c.hosts.len() <= 6 {
        let w = c
            .hosts
            .iter()
            .map(|h| host_label(h, show_prio).width())
            .max()
            .unwrap_or(0);
        return c
            .hosts
            .iter()
            .map(|h| {
                format!(
                    "{pad}{}   {}  {}",
                    share(h.first_attempt),
                    super::pad(&host_label(h, show_prio), w),
                    attempt_text_in(h, lang)
                )
            })
            .collect();
    }
    let mut groups: Vec<(String, String, Vec<&HostVerdict>)> = Vec::new();
    for h in &c.hosts {
        let key = (
            share(h.first_attempt),
            attempt_text_in(h, lang).replace(&h.host, "<host>"),
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
                    attempt_text_in(hs[0], lang)
                )
            } else {
                let names: Vec<&str> = hs.iter().take(2).map(|h| h.target.as_str()).collect();
                let names = format!(
                    "{}{}",
                    names.join(", "),
                    if hs.len() > 2 {
                        format!(", +{}", hs.len() - 2)
                    } else {
                        String::new()
                    }
                );
                format!(
                    "{pad}{}  {text}",
                    cat.text(&m::block_group(s.as_str(), hs.len(), names))
                )
            }
        })
        .collect()
}

/// The share of clients that activate, in `lang`.
pub fn activation_line_in(c: &ClientVerdict, lang: Lang) -> String {
    let a = c.activates;
    let mut line = if (a.caching_off - a.caching_on).abs() < 0.005 {
        m::activates_same(pct(a.caching_off))
    } else {
        m::activates_both(pct(a.caching_off), pct(a.caching_on))
    };
    if a.caching_off.min(a.caching_on) < 0.995 {
        if let Some(code) = &c.code {
            line = m::others_log(line, code);
        }
    }
    Catalog::get(lang).text(&line)
}

/// How the client finds KMS, in `lang`.
pub fn discovery_line_in(c: &ClientVerdict, lang: Lang) -> String {
    let line = match &c.domain {
        Some(d) => m::find_through(d),
        None => m::find_through_how(c.discovery_message()),
    };
    let line = if c.suffixes.is_empty() {
        line
    } else {
        match &c.suffix_origin {
            Some(o) => m::find_list_from(line, origin(o), c.suffixes.clone()),
            None => m::find_list(line, c.suffixes.clone()),
        }
    };
    Catalog::get(lang).text(&line)
}

/// Where a suffix list came from: the evidence keeps it in English words (a flag, or what the
/// run said); the known ones are said in the language of the line.
fn origin(o: &str) -> Arg {
    let from_command_line = Message::new("srv-discovery-origin-command-line");
    if o == "system resolver search list" {
        m::origin_system().into()
    } else if o == Catalog::get(Lang::En).text(&from_command_line) {
        from_command_line.into()
    } else {
        o.into()
    }
}

/// What a fix changes, in `lang`.
pub fn fix_benefit_in(f: &Fix, lang: Lang) -> String {
    let m = if f.unblocks > 0.0 {
        m::benefit_unblocks(pct(f.unblocks))
    } else if f.spares > 0.0 {
        m::benefit_spares(pct(f.spares))
    } else {
        m::benefit_none()
    };
    Catalog::get(lang).text(&m)
}

/// Display columns of `s` (full-width characters count 2; a control character, as in a colour
/// escape, counts 1 as it always has here).
fn cols(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if c.is_control() {
                1
            } else {
                c.width().unwrap_or(0)
            }
        })
        .sum()
}

/// Word-wraps one line to `width` display columns; continuation lines are indented 4 more
/// than the line's own indent. A word too long for the room left that holds full-width text
/// (Japanese has no spaces between words) is broken between characters, never inside one.
/// Colour escapes count as width (colour is only on for terminals, where the label is the one
/// coloured word).
pub fn wrap(line: &str, width: usize) -> String {
    let indent = line.len() - line.trim_start().len();
    let cont = " ".repeat(indent + 4);
    let mut out = String::new();
    let mut cur = line[..indent].to_string();
    let mut first = true;
    for word in line[indent..].split(' ') {
        let start = if first { indent } else { cont.len() };
        let cur_len = cols(&cur);
        if cur_len + usize::from(cur_len > start) + cols(word) > width && is_wide(word) {
            // Fill this line, then go on with the rest of the word on the next ones.
            if cur_len > start {
                cur.push(' ');
            }
            for ch in word.chars() {
                let w = ch.width().unwrap_or(0);
                if cols(&cur) + w > width && cols(&cur) > cont.len().min(start) + 1 {
                    // A closing mark never starts a line: the character before it goes along.
                    let carry = if CLOSING.contains(ch) {
                        cur.pop()
                    } else {
                        None
                    };
                    out.push_str(cur.trim_end());
                    out.push('\n');
                    cur = cont.clone();
                    cur.extend(carry);
                    first = false;
                }
                cur.push(ch);
            }
            continue;
        }
        if cur_len > start && cur_len + 1 + cols(word) > width {
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

/// Marks that close a phrase: a line does not start with one (Japanese line breaking).
const CLOSING: &str = ")]）」』、。，．・ー";

/// True when `word` holds a full-width character (it may be broken between characters).
fn is_wide(word: &str) -> bool {
    word.chars().any(|c| c.width().unwrap_or(0) > 1)
}

/// The verdict block of the table in English, wrapped to `width`.
pub fn text(v: &Verdict, width: usize) -> String {
    text_in(v, width, Lang::En)
}

/// The verdict block of the table, wrapped to `width` (plain text; colour on the label). `v`
/// is the verdict in `lang` ([`super::verdict::verdict_in`]).
pub fn text_in(v: &Verdict, width: usize, lang: Lang) -> String {
    unwrapped(v, lang)
        .lines()
        .map(|l| wrap(l, width))
        .collect::<String>()
}

/// The verdict's first line, unwrapped: its answer and reason (all `check -q` prints).
pub fn headline(v: &Verdict, lang: Lang) -> String {
    Catalog::get(lang).text(&m::block_answer(label(v.answer, lang), v.reason.as_str()))
}

fn unwrapped(v: &Verdict, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(v, lang));
    let many = v.clients.len() > 1;
    for c in &v.clients {
        let pad = if many { "    " } else { "  " };
        if many {
            let source: Arg = match c.source.as_deref() {
                Some(s) => s.into(),
                None => m::block_os_choice().into(),
            };
            let _ = writeln!(
                out,
                "  {}",
                cat.text(&m::block_client(
                    source,
                    label(c.answer, lang),
                    c.reason.as_str()
                ))
            );
        }
        let _ = writeln!(out, "{pad}{}", discovery_line_in(c, lang));
        if !c.hosts.is_empty() {
            let prio = c
                .hosts
                .iter()
                .any(|h| h.priority != c.hosts[0].priority || h.weight != c.hosts[0].weight);
            let head = if prio {
                m::block_hosts_head_prio()
            } else {
                m::block_hosts_head()
            };
            let _ = writeln!(out, "{pad}{}", cat.text(&head));
            for l in host_lines(c, &format!("{pad}  "), lang) {
                let _ = writeln!(out, "{l}");
            }
            if c.answer != Answer::Unknown {
                let _ = writeln!(out, "{pad}{}", activation_line_in(c, lang));
            }
        }
    }
    if !v.fixes.is_empty() {
        let _ = writeln!(out, "  {}", cat.text(&m::block_fixes()));
        for f in &v.fixes {
            let _ = writeln!(
                out,
                "    {}",
                cat.text(&m::block_fix(
                    f.rank,
                    f.title.as_str(),
                    f.check.as_str(),
                    fix_benefit_in(f, lang)
                ))
            );
        }
    }
    out
}

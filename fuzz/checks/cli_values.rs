//! Fuzz the parsers of the command line's values (`kms_preflight::cli_values`, the functions
//! clap calls for each option). The first input byte picks the parser, the rest is the value
//! (clap hands these parsers UTF-8 only; `--product`'s parser takes the raw bytes).
//!
//! Beyond "no panic": whatever a parser accepts, written back the way a user would write it,
//! parses to the same value, and the accepted values keep their stated bounds; whatever a
//! parser refuses, it explains, in English and in Japanese (every reason is in the catalog).
//!
//! Shared by the fuzz target `fuzz_targets/cli_values.rs` and by `tests/fuzz_regressions.rs`,
//! which runs every saved input under `testdata/fuzz-regressions/cli_values/` through it.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use clap::builder::TypedValueParser;
use kms_preflight::cli_values as v;
use kms_preflight::language::Lang;

/// `host[:port]` as a user writes it (IPv6 in brackets when a port follows).
fn host_text(h: &v::HostArg) -> String {
    match (h.host.contains(':'), h.port) {
        (true, Some(p)) => format!("[{}]:{p}", h.host),
        (false, Some(p)) => format!("{}:{p}", h.host),
        (_, None) => h.host.clone(),
    }
}

/// The value, or `None` when refused; a refusal must explain itself in every language.
fn accepted<T>(r: Result<T, v::ValueError>) -> Option<T> {
    match r {
        Ok(t) => Some(t),
        Err(e) => {
            for lang in [Lang::En, Lang::Ja] {
                match e.try_text(lang) {
                    Ok(t) => assert!(!t.trim().is_empty(), "{e:?}: an empty reason"),
                    Err(why) => panic!("{e:?} does not render in {}: {why:?}", lang.tag()),
                }
            }
            None
        }
    }
}

/// Checks one input; panics on a defect.
pub fn run(data: &[u8]) {
    let Some((&which, raw)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(raw);
    let s: &str = &text;
    match which % 16 {
        0 => {
            if let Some(h) = accepted(v::parse_host(s)) {
                assert!(!h.host.is_empty());
                assert_eq!(h.host, h.host.to_ascii_lowercase());
                assert!(!h.host.ends_with('.'));
                assert_ne!(h.port, Some(0));
                let again = v::parse_host(&host_text(&h));
                assert_eq!(again.as_ref(), Ok(&h), "{s:?} -> {h:?} -> {again:?}");
                let _ = h.target(1688, "--host");
            }
        }
        1 => {
            if let Some(sa) = accepted(v::parse_dns_server(s)) {
                assert_eq!(v::parse_dns_server(&sa.to_string()), Ok(sa));
            }
        }
        2 => {
            if let Some((k, val)) = accepted(v::parse_var(s)) {
                assert!(!k.is_empty() && k == k.trim());
                assert_eq!(v::parse_var(&format!("{k}={val}")), Ok((k, val)));
            }
        }
        3..=5 => {
            let parse =
                [v::parse_timeout, v::parse_deadline, v::parse_interval][(which % 16 - 3) as usize];
            if let Some(d) = accepted(parse(s)) {
                assert!(!d.is_zero());
                assert!(d <= std::time::Duration::from_secs(24 * 3600));
                let written = format!("{}ns", d.as_nanos());
                assert_eq!(parse(&written), Ok(d), "{s:?} -> {d:?}");
            }
        }
        6 => {
            if let Some(n) = accepted(v::parse_concurrency(s)) {
                assert!(n >= 1);
                assert_eq!(v::parse_concurrency(&n.to_string()), Ok(n));
            }
        }
        7 => {
            if let Some(n) = accepted(v::parse_sweep_concurrency(s)) {
                assert!(n >= 1);
                assert_eq!(v::parse_sweep_concurrency(&n.to_string()), Ok(n));
            }
        }
        8 => {
            if let Some(n) = accepted(v::parse_max_addresses(s)) {
                assert!(n >= 1);
            }
        }
        9 => {
            if let Some(r) = accepted(v::parse_range(s)) {
                assert_eq!(r.first.is_ipv4(), r.last.is_ipv4(), "{s:?} -> {r:?}");
                assert!(r.first <= r.last, "{s:?} -> {r:?}");
                assert!(!r.is_empty());
                let again = v::parse_range(&format!("{}-{}", r.first, r.last))
                    .unwrap_or_else(|e| panic!("{s:?} -> {r:?} -> {e}"));
                assert_eq!((again.first, again.last), (r.first, r.last));
            }
        }
        10 => {
            if let Some(p) = accepted(v::parse_port(s)) {
                assert_ne!(p, 0);
                assert_eq!(v::parse_port(&p.to_string()), Ok(p));
            }
        }
        11 => {
            if let Some(r) = accepted(v::parse_rate(s)) {
                assert!(r >= 1);
                assert_eq!(v::parse_rate(&format!("{r}/s")), Ok(r));
            }
        }
        12 => {
            if let Some(sa) = accepted(v::parse_listen(s)) {
                assert_eq!(v::parse_listen(&sa.to_string()), Ok(sa));
            }
        }
        13 => {
            if let Some(c) = accepted(v::parse_cmid(s)) {
                assert_eq!(c.len(), 36);
                assert_eq!(c, c.to_ascii_lowercase());
                assert_eq!(v::parse_cmid(&c).as_deref(), Ok(c.as_str()));
            }
        }
        14 => {
            let cmd = clap::Command::new("kms-preflight");
            if let Ok(p) = v::product_parser().parse_ref(&cmd, None, OsStr::from_bytes(raw)) {
                assert!(kms_preflight_knowledge::products::catalog()
                    .product(&p)
                    .is_some());
            }
        }
        _ => {
            if let Some((k, val)) = accepted(v::parse_label(s)) {
                assert_eq!(v::parse_label(&format!("{k}={val}")), Ok((k, val)));
            }
        }
    }
}

//! The output language: `--lang`, else `KMS_PREFLIGHT_LANG`, else the POSIX locale (`LC_ALL`,
//! `LC_MESSAGES`, `LANG`: the first one set and non-empty decides, as in POSIX). A pure
//! function of the flag and the environment, so each step is testable without touching the
//! process's environment.
//!
//! `--lang` takes `en` or `ja` (clap rejects anything else, exit 2). `KMS_PREFLIGHT_LANG` is
//! the user asking for a language on purpose, so a value that names none (`fr`, `jp`) is an
//! error naming the variable and its value (exit 2) rather than a silent English; it accepts
//! what the flag does and locale names (`ja_JP.UTF-8`). The locale is the system's, not a
//! request: `ja_JP.UTF-8`, `ja_JP` and `ja` select Japanese, anything else (`C`, `POSIX`,
//! `C.UTF-8`, `de_DE.UTF-8`) English.

use std::sync::atomic::{AtomicU8, Ordering};

pub use kms_preflight_report::Lang;

/// The environment variable that chooses the language when `--lang` is not given.
pub const ENV: &str = "KMS_PREFLIGHT_LANG";

/// The locale variables, in the order POSIX gives them precedence.
pub const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// The values of `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangFlag {
    En,
    Ja,
}

impl From<LangFlag> for Lang {
    fn from(f: LangFlag) -> Lang {
        match f {
            LangFlag::En => Lang::En,
            LangFlag::Ja => Lang::Ja,
        }
    }
}

/// `KMS_PREFLIGHT_LANG` names no language this build speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLang {
    pub var: &'static str,
    pub value: String,
}

impl std::fmt::Display for BadLang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}={:?}: not a language of kms-preflight (expected en or ja, or a locale name such as ja_JP.UTF-8)",
            self.var, self.value
        )
    }
}

impl std::error::Error for BadLang {}

/// The language of this run: `flag` (`--lang`) first, then `env(ENV)`, then the locale
/// variables through `env`. Unset and empty variables are skipped.
pub fn choose(flag: Option<Lang>, env: impl Fn(&str) -> Option<String>) -> Result<Lang, BadLang> {
    if let Some(l) = flag {
        return Ok(l);
    }
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(v) = set(ENV) {
        return Lang::parse(v.trim()).ok_or(BadLang { var: ENV, value: v });
    }
    Ok(LOCALE_VARS
        .iter()
        .find_map(|name| set(name))
        .map_or(Lang::En, |v| locale_lang(&v)))
}

/// The language a POSIX locale name selects: Japanese for `ja` with any territory, codeset
/// or modifier (`ja`, `ja_JP`, `ja_JP.UTF-8`, `ja_JP.eucJP@x`), English for everything else.
pub fn locale_lang(locale: &str) -> Lang {
    match Lang::parse(locale.trim()) {
        Some(Lang::Ja) => Lang::Ja,
        _ => Lang::En,
    }
}

/// The language of this process's messages, once chosen ([`set_current`]); English before.
static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language every later message of this process is rendered in.
pub fn set_current(lang: Lang) {
    CURRENT.store(
        match lang {
            Lang::En => 0,
            Lang::Ja => 1,
        },
        Ordering::Relaxed,
    );
}

/// The language chosen with [`set_current`] (English until then).
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Ja,
        _ => Lang::En,
    }
}

/// The `--lang` of a raw command line, before clap has parsed it: so the errors clap prints
/// while parsing (our value parsers' reasons) are already in the chosen language. Only
/// `--lang en|ja` and `--lang=en|ja` count; anything after `--` is an operand.
pub fn flag_in_args<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Option<Lang> {
    let mut found = None;
    let mut it = args.iter().map(|a| a.as_ref().to_str().unwrap_or(""));
    while let Some(a) = it.next() {
        let value = match a {
            "--" => break,
            "--lang" => it.next(),
            _ => a.strip_prefix("--lang="),
        };
        match value {
            Some("en") => found = Some(Lang::En),
            Some("ja") => found = Some(Lang::Ja),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_flag_is_found_before_clap_parses() {
        assert_eq!(flag_in_args(&["check", "--lang", "ja"]), Some(Lang::Ja));
        assert_eq!(
            flag_in_args(&["--lang=ja", "check", "--lang=en"]),
            Some(Lang::En)
        );
        assert_eq!(flag_in_args(&["check", "--timeout", "5x"]), None);
        assert_eq!(flag_in_args(&["check", "--lang", "fr"]), None);
        assert_eq!(flag_in_args(&["diff", "--", "--lang", "ja"]), None);
    }

    #[test]
    fn nothing_set_is_english() {
        assert_eq!(choose(None, env(&[])), Ok(Lang::En));
    }

    #[test]
    fn each_locale_variable_selects_japanese_alone() {
        for var in LOCALE_VARS {
            for value in ["ja_JP.UTF-8", "ja_JP", "ja", "ja_JP.eucJP"] {
                assert_eq!(
                    choose(None, env(&[(var, value)])),
                    Ok(Lang::Ja),
                    "{var}={value}"
                );
            }
        }
    }

    #[test]
    fn other_locales_are_english() {
        for var in LOCALE_VARS {
            for value in ["C", "POSIX", "C.UTF-8", "en_US.UTF-8", "de_DE.UTF-8", "jav"] {
                assert_eq!(
                    choose(None, env(&[(var, value)])),
                    Ok(Lang::En),
                    "{var}={value}"
                );
            }
        }
    }

    #[test]
    fn lc_all_wins_over_lc_messages_wins_over_lang() {
        let e = env(&[
            ("LC_ALL", "C"),
            ("LC_MESSAGES", "ja_JP.UTF-8"),
            ("LANG", "ja"),
        ]);
        assert_eq!(choose(None, e), Ok(Lang::En));
        let e = env(&[
            ("LC_ALL", "ja_JP.UTF-8"),
            ("LC_MESSAGES", "C"),
            ("LANG", "C"),
        ]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
        let e = env(&[("LC_MESSAGES", "ja_JP.UTF-8"), ("LANG", "en_US.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
        let e = env(&[("LC_MESSAGES", "POSIX"), ("LANG", "ja_JP.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::En));
    }

    #[test]
    fn empty_variables_are_skipped() {
        let e = env(&[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "ja_JP.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
        let e = env(&[(ENV, ""), ("LANG", "ja_JP.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
    }

    #[test]
    fn the_tool_variable_wins_over_the_locale() {
        let e = env(&[(ENV, "en"), ("LC_ALL", "ja_JP.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::En));
        let e = env(&[(ENV, "ja"), ("LC_ALL", "C"), ("LANG", "C")]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
        let e = env(&[(ENV, "ja_JP.UTF-8")]);
        assert_eq!(choose(None, e), Ok(Lang::Ja));
    }

    #[test]
    fn the_flag_overrides_everything() {
        let all_ja = [
            (ENV, "ja"),
            ("LC_ALL", "ja_JP.UTF-8"),
            ("LC_MESSAGES", "ja_JP.UTF-8"),
            ("LANG", "ja_JP.UTF-8"),
        ];
        assert_eq!(choose(Some(Lang::En), env(&all_ja)), Ok(Lang::En));
        let all_en = [(ENV, "en"), ("LC_ALL", "C"), ("LANG", "C")];
        assert_eq!(choose(Some(Lang::Ja), env(&all_en)), Ok(Lang::Ja));
        // Even a bad variable does not matter once the flag decides.
        assert_eq!(choose(Some(Lang::Ja), env(&[(ENV, "fr")])), Ok(Lang::Ja));
    }

    #[test]
    fn a_bad_tool_variable_is_an_error_naming_it() {
        let e = choose(None, env(&[(ENV, "fr"), ("LANG", "ja_JP.UTF-8")])).unwrap_err();
        assert_eq!(
            e,
            BadLang {
                var: ENV,
                value: "fr".into()
            }
        );
        let text = e.to_string();
        assert!(text.starts_with("KMS_PREFLIGHT_LANG=\"fr\": "), "{text}");
        assert!(text.contains("en or ja"), "{text}");
    }
}

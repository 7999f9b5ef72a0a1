//! Fuzz the site configuration file (`--config FILE`, `kms_preflight::site_config::parse`):
//! raw bytes as the file's text (the binary reads it as UTF-8; lossy here so every input
//! reaches the parser). No panic; a refusal is the loader's error with a message and a
//! position inside the text; an accepted file's every position is inside the text too (the
//! binary names file:line:column from them when it checks the values).
//!
//! Shared by the fuzz target `fuzz_targets/site_config.rs` and by `tests/fuzz_regressions.rs`.

use kms_preflight::language::Lang;
use kms_preflight::site_config::parse;
use kms_preflight_engine::rules::yaml_error;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Line breaks as YAML counts them: CRLF, CR alone, LF (an old Mac file is CR only).
    let lines = text.replace("\r\n", "\n").matches(['\r', '\n']).count() as u64 + 1;
    match parse(&text) {
        Ok(cfg) => {
            let spans = cfg
                .domains
                .iter()
                .chain(&cfg.suffixes)
                .chain(&cfg.dns)
                .chain(&cfg.sources)
                .chain(&cfg.interfaces)
                .chain(&cfg.expect_hosts)
                .chain(&cfg.forbid_hosts)
                .chain(cfg.ntp.iter())
                .chain(cfg.timeout.iter())
                .chain(cfg.deadline.iter())
                .chain(cfg.labels.values())
                .map(|s| s.referenced.line());
            for line in spans {
                assert!(line <= lines, "a value at line {line} of {lines}");
            }
        }
        Err(e) => {
            let err = yaml_error("site.yaml", &e);
            let shown = err.to_string();
            assert!(shown.starts_with("site.yaml:"), "{shown}");
            for lang in [Lang::En, Lang::Ja] {
                let said = err
                    .try_text(lang)
                    .unwrap_or_else(|why| panic!("{err:?} does not render: {why:?}"));
                assert!(!said.trim().is_empty(), "an error without a message");
            }
        }
    }
}

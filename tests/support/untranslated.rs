//! The "no untranslated English" check of the Japanese output (issue 20), shared by
//! tests/lang.rs (recorded reports) and tests/lab_lang_ja.rs (a live lab run).

/// Kana, kanji and full-width forms.
pub fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// The words of a line that could be English prose: ASCII words left after dropping what is
/// not prose (host names, addresses, codes, ids, commands, numbers and shares).
pub fn english_words(line: &str) -> Vec<&str> {
    line.split_whitespace()
        .map(|w| w.trim_matches(|c: char| "()[],;:→—|%·…".contains(c)))
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect()
}

//! Text to numbered lines: CRLF or LF (or CR alone), and lines a console wrapped at 80
//! columns joined back.

/// One line of the input, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub no: usize,
    pub text: String,
}

/// The console width Windows wraps redirected `cscript` output at when it was copied from
/// the console window (seen in public samples: `VOLUME_KMSCLIENT chan` / `nel`).
const CONSOLE_WIDTH: usize = 80;

pub(crate) fn lines(text: &str) -> Vec<Line> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Old Mac line ends only when there is no LF at all; otherwise a stray CR is line noise.
    let raw: Vec<&str> = if !text.contains('\n') && text.contains('\r') {
        text.split('\r').collect()
    } else {
        text.split('\n').collect()
    };
    let mut out: Vec<Line> = Vec::with_capacity(raw.len());
    let mut wrapped = false;
    for (i, l) in raw.iter().enumerate() {
        let l = l.trim_end_matches('\r');
        if wrapped && is_continuation(l) {
            if let Some(last) = out.last_mut() {
                last.text.push_str(l);
                wrapped = false;
                continue;
            }
        }
        // A character is never wider than its UTF-8 bytes: short lines cannot have wrapped.
        wrapped = l.len() + 1 >= CONSOLE_WIDTH && {
            let w = crate::shape::display_width(l);
            (w == CONSOLE_WIDTH || w + 1 == CONSOLE_WIDTH) && !l.trim().is_empty()
        };
        // cscript's banner is no output of the tools read here: kept as a blank line.
        out.push(Line {
            no: i + 1,
            text: if is_banner(l) {
                String::new()
            } else {
                l.to_string()
            },
        });
    }
    out
}

/// cscript's banner, in any display language: `Microsoft (R) Windows Script Host Version
/// 5.812` and its copyright line (`版权所有(C) Microsoft Corporation。`, Russian
/// `Сервер сценариев Windows (Microsoft R) версия 5.812`, `(C) Корпорация Майкрософт`).
pub(crate) fn is_banner(line: &str) -> bool {
    let t = line.trim();
    // Most lines name neither; one search rules them out.
    if !(t.contains("Micro") || t.contains("Майкрософт") || t.contains("Script Host")) {
        return false;
    }
    let copyright = t.contains("(C)") || t.contains("(c)") || t.contains("©");
    t.contains("Script Host")
        || t.contains("(Microsoft R)")
        || (t.contains("Microsoft (R)") && !t.contains(':'))
        || (copyright && (t.contains("Microsoft") || t.contains("Майкрософт")))
}

/// The rest of a wrapped line: not indented (a continuation value line of ipconfig is), no
/// label of its own, shorter than a console line.
fn is_continuation(l: &str) -> bool {
    !l.is_empty()
        && !l.starts_with([' ', '\t'])
        && !l.contains([':', '：'])
        && crate::shape::display_width(l) < CONSOLE_WIDTH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_and_wraps() {
        let t = |s: &str| lines(s).into_iter().map(|l| l.text).collect::<Vec<_>>();
        assert_eq!(t("a\r\nb\nc\r\r\n"), ["a", "b", "c", ""]);
        assert_eq!(t("a\rb"), ["a", "b"]);
        let wrapped = "Description: Windows Operating System - Windows Server(R), VOLUME_KMSCLIENT chan\nnel\nPartial Product Key: R7VHC";
        assert_eq!(
            t(wrapped),
            [
                "Description: Windows Operating System - Windows Server(R), VOLUME_KMSCLIENT channel",
                "Partial Product Key: R7VHC"
            ]
        );
        // A full-width line wraps one column early when the next character is wide.
        let ja = format!(
            "   説明{} : Intel(R) 82579LM Gigabit Network Connecti\non",
            ". ".repeat(14)
        );
        assert_eq!(crate::shape::display_width(ja.lines().next().unwrap()), 79);
        assert!(t(&ja)[0].ends_with("Connection"));
        assert_eq!(lines("x\ny")[1].no, 2);
    }
}

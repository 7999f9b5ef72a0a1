//! Showing bytes that are not DCE/RPC.

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

/// Render up to `max` leading bytes readably: printable ASCII as is, `\r` `\n` `\t` `\\` as
/// escapes, anything else as `\xNN`; `...` is appended when bytes were left out. For messages
/// like `not DCE/RPC: got 'HTTP/1.1 400 Bad Request\r\n...'`.
pub fn printable_prefix(bytes: &[u8], max: usize) -> String {
    let shown = bytes.get(..max).unwrap_or(bytes);
    let mut s = String::with_capacity(shown.len() + 3);
    for &b in shown {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if shown.len() < bytes.len() {
        s.push_str("...");
    }
    s
}

#![no_main]
//! Fuzz the HTTP response-head parser and the HTTP-date parser used by the clock check.

use kms_preflight_wire::http_date::{date_of, head_complete, parse_http_date, parse_response_head};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = head_complete(data);
    match parse_response_head(data) {
        Ok(h) => {
            let _ = h.date.map_err(|e| e.to_string());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let _ = date_of(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_http_date(s);
    }
});

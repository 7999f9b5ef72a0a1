#![no_main]
//! Fuzz the client-state reader: decoding (BOMs, UTF-8, CP932, UTF-16), sectioning, the four
//! parsers, then everything a caller does with the result (discovery per product, merging,
//! grouping, shared CMIDs, the error messages).

use kms_preflight_client::{discovery, group_by_machine, merge, parse, shared_cmids};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse("fuzz.txt", data) {
        Ok(state) => {
            for p in &state.products {
                let d = discovery(p, &state.machine);
                let _ = format!("{d:?}");
                let _ = p.app_id();
            }
            let _ = state.machine.client_suffixes();
            let _ = state.machine.dns_servers();
            let _ = state.cmids();
            let m = merge(&[&state, &state]);
            for p in &m.products {
                let _ = discovery(p, &m.machine);
            }
            let groups = group_by_machine(std::slice::from_ref(&state));
            let _ = shared_cmids(&groups);
        }
        Err(e) => {
            let _ = e.to_string();
            let _ = e.source_name();
        }
    }
});

#![no_main]
//! Fuzz target: see `checks/site_config.rs` (what is fed and what is checked).

use libfuzzer_sys::fuzz_target;

#[path = "../checks/site_config.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::run(data));

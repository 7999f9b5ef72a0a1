#![no_main]
//! Fuzz target: see `checks/cli_values.rs` (what is fed and what is checked).

use libfuzzer_sys::fuzz_target;

#[path = "../checks/cli_values.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::run(data));

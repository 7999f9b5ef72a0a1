#![no_main]
//! Fuzz target: see `checks/rules_load.rs` (what is fed and what is checked).

use libfuzzer_sys::fuzz_target;

#[path = "../checks/rules_load.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::run(data, check::Pack::BuiltIn));

//! The library side of the `kms-preflight` package: code of the binary that other build
//! targets (the fuzz targets under `fuzz/`, tests) must link. The binary (`src/main.rs`) uses
//! it like any other crate; the workspace crates under `crates/` never do.

pub mod cli_values;
pub mod language;
pub mod site_config;

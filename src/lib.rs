//! kms-preflight: checks whether KMS volume activation would work from this machine.
//!
//! Layers: `rules` (YAML model) → `engine` (plan and concurrent run, protocol-agnostic) →
//! `checks` (one module per kind) → `net` (sockets, DNS, TCP) and `wire` (pure codecs);
//! `report` holds the result model and its renderers; `knowledge` the error-code catalog;
//! `operator` the commands built on them (explain, diagnose, diff, profiles, formats).

pub mod app;
pub mod checks;
pub mod cli;
pub mod engine;
pub mod knowledge;
pub mod net;
pub mod operator;
pub mod report;
pub mod rules;
pub mod sources;
pub mod wire;

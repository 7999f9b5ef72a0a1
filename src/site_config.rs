//! The site configuration file (`--config FILE`) as written: its keys and their types. The
//! binary applies the values (`src/config.rs`); parsing lives here so the fuzz target
//! `site_config` feeds it the same way.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// The file, as written. Keys are the long options' names with `_` for `-` (and the plural
/// for the repeatable ones).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Format version: 1 (optional).
    #[serde(default)]
    pub version: Option<Spanned<u32>>,
    #[serde(default)]
    pub domains: Vec<Spanned<String>>,
    #[serde(default)]
    pub suffixes: Vec<Spanned<String>>,
    /// DNS servers, IP or IP:PORT.
    #[serde(default)]
    pub dns: Vec<Spanned<String>>,
    /// Sources, ADDR or ADDR%INTERFACE.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    #[serde(default)]
    pub interfaces: Vec<Spanned<String>>,
    /// The reference clock, HOST or HOST:PORT.
    #[serde(default)]
    pub ntp: Option<Spanned<String>>,
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub deadline: Option<Spanned<String>>,
    /// srv.inventory's (and sweep's) expected KMS hosts.
    #[serde(default)]
    pub expect_hosts: Vec<Spanned<String>>,
    #[serde(default)]
    pub forbid_hosts: Vec<Spanned<String>>,
    /// serve: labels on every series.
    #[serde(default)]
    pub labels: BTreeMap<String, Spanned<String>>,
}

/// Parses a site file's text; an empty (or blank) file is an empty configuration.
pub fn parse(body: &str) -> Result<SiteConfig, serde_saphyr::Error> {
    if body.trim().is_empty() {
        return Ok(SiteConfig::default());
    }
    serde_saphyr::from_str::<SiteConfig>(body)
}

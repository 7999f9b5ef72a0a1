//! A KMS host to check, shared by the check contract, the runner and the traffic plan.

use std::net::IpAddr;

/// A KMS host to check: from `--host` or from an SRV answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name without trailing dot, lower case; or an IP address literal.
    pub host: String,
    pub port: u16,
    /// Where it came from, e.g. `--host` or `SRV _vlmcs._tcp.corp.test`.
    pub origins: Vec<String>,
}

impl Target {
    pub fn label(&self) -> String {
        match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => format!("[{}]:{}", self.host, self.port),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

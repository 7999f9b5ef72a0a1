//! `--client-state FILE`: read what Windows clients printed about themselves and turn it into
//! what the audit must do to follow them (docs/client-state.md, "The audit follows the
//! client"). Reading is the client crate's; this module only does the file I/O and the
//! planning.

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;

use kms_preflight_client::{self as client, ClientState, Route};
use kms_preflight_engine::Target;
use kms_preflight_report::client as client_report;

use super::UsageError;

/// What the clients ask of the run.
#[derive(Debug, Default)]
pub struct ClientPlan {
    /// One per pinned host:port (a pinned product is audited against it only).
    pub targets: Vec<Target>,
    /// Lookup domains and suffix lists, in the clients' order, without repeats.
    pub domains: Vec<String>,
    /// A product finds KMS through DNS but no input shows its suffixes (no `ipconfig /all`):
    /// the system's search list stands in for them.
    pub needs_system_domains: bool,
    /// The clients' DNS servers (ipconfig), in order.
    pub dns: Vec<SocketAddr>,
}

/// Reads every `--client-state` input (`-` is stdin). An input that is not a client's output
/// is a usage error naming the file and what it looked like.
pub fn load(paths: &[std::path::PathBuf]) -> Result<Vec<ClientState>, UsageError> {
    let mut out = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        let bytes = read_bounded(p).map_err(|e| {
            UsageError::Message(client_report::client_input_unreadable(
                name.as_str(),
                e.to_string(),
            ))
        })?;
        let source = if name == "-" {
            "stdin".to_string()
        } else {
            name
        };
        match client::parse(&source, &bytes) {
            Ok(s) => out.push(s),
            Err(e) => return Err(UsageError::Message(client_report::parse_error(&e))),
        }
    }
    Ok(out)
}

/// The whole input, but never more than one byte over the parser's limit (a huge file is
/// refused by the parser without being read to its end).
fn read_bounded(p: &Path) -> std::io::Result<Vec<u8>> {
    let limit = client::MAX_INPUT_BYTES as u64 + 1;
    let mut buf = Vec::new();
    if p.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(p)?.take(limit).read_to_end(&mut buf)?;
    }
    Ok(buf)
}

/// How the run follows the clients: each product's route (client crate's `discovery`).
pub fn plan(states: &[ClientState], default_port: u16) -> ClientPlan {
    let mut plan = ClientPlan::default();
    let push_domain = |plan: &mut ClientPlan, d: &str| {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if !d.is_empty() && !plan.domains.contains(&d) {
            plan.domains.push(d);
        }
    };
    for m in client::group_by_machine(states) {
        let mut kms_client = false;
        for p in &m.products {
            match client::discovery(p, &m.machine).route {
                Route::NotKmsClient { .. } => {}
                Route::Pinned { pinned } => {
                    kms_client = true;
                    let host = pinned.host.trim_end_matches('.').to_ascii_lowercase();
                    let port = if pinned.port == 0 {
                        default_port
                    } else {
                        pinned.port
                    };
                    let origin = client_report::pinned_origin(&m.label());
                    match plan
                        .targets
                        .iter_mut()
                        .find(|t| t.host == host && t.port == port)
                    {
                        Some(t) if !t.origins.contains(&origin) => t.origins.push(origin),
                        Some(_) => {}
                        None => plan.targets.push(Target {
                            host,
                            port,
                            origins: vec![origin],
                        }),
                    }
                }
                Route::LookupDomain { domain, .. } => {
                    kms_client = true;
                    push_domain(&mut plan, &domain);
                }
                Route::SuffixList { suffixes, .. } => {
                    kms_client = true;
                    if suffixes.is_empty() {
                        plan.needs_system_domains = true;
                    }
                    for s in &suffixes {
                        push_domain(&mut plan, s);
                    }
                }
            }
        }
        // The client resolves its pinned host and its SRV records with its own DNS servers.
        if kms_client {
            for s in m.machine.dns_servers() {
                if let Ok(a) = kms_preflight::cli_values::parse_dns_server(&s) {
                    if !plan.dns.contains(&a) {
                        plan.dns.push(a);
                    }
                }
            }
        }
    }
    plan
}

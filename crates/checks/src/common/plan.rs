//! What the kinds' `plan` (`--plan`) share: the DNS queries a job sends (UDP to each server
//! it asks, TCP to the same server after a truncated answer), the names it asks for, and the
//! sentences that say what each probe is.

use kms_preflight_engine::plan::{Destination, PlanContext, PlannedPort, PlannedProbe, Transport};
use kms_preflight_engine::rules::template;
use kms_preflight_engine::Message;
use serde_saphyr::Spanned;

use crate::Kms;

kms_preflight_engine::messages! {
    /// DNS {rtype} queries for {names}
    dns_query = "plan-dns-query" (rtype, names);
    /// each KMS host name
    each_host_name = "plan-each-host-name" ();
    /// the SRV targets' names
    srv_target_names = "plan-srv-target-names" ();
    /// the reverse (PTR) names of the KMS hosts' addresses
    reverse_names = "plan-reverse-names" ();
    /// only when the UDP answer is truncated
    when_truncated = "plan-when-truncated" ();
    /// TCP handshake, held {hold_ms} ms, then closed; no data sent
    tcp_handshake = "plan-tcp-handshake" (hold_ms);
    /// TCP handshake, then closed; no data sent
    tcp_connect = "plan-tcp-connect" ();
    /// TCP connection and one DCE/RPC bind to the KMS interface (read-only: no activation
    /// request)
    rpc_bind = "plan-rpc-bind" ();
    /// {count} ICMP echo requests
    icmp_echo = "plan-icmp-echo" (count);
    /// TCP handshake attempt to a port that should be closed (is something answering in the
    /// host's place?)
    closed_port = "plan-closed-port" ();
    /// {samples} TCP handshakes, timed and closed at once; no data sent
    timed_handshakes = "plan-timed-handshakes" (samples);
    /// {samples} SNTP client requests
    ntp = "plan-ntp" (samples);
    /// SMB2 NEGOTIATE, to read the server's clock (no session, no login)
    smb2 = "plan-smb2" ();
    /// HTTP HEAD / request, to read the Date header
    http = "plan-http" ();
    /// only when {methods} gave no reading
    when_earlier_methods = "plan-when-earlier-methods" (methods);
    /// only for an SRV record whose port is not {port}
    when_odd_port = "plan-when-odd-port" (port);
    /// only for an SRV target that is an alias (CNAME)
    when_alias = "plan-when-alias" ();
    /// a REAL KMS activation request over DCE/RPC (the host counts this machine as a client
    /// for 30 days and logs its name)
    activation = "plan-activation" ();
    /// leave out --activation-probe (it is off unless given)
    off_activation = "plan-off-activation" ();
    /// only where the handshake was accepted
    when_accepted = "plan-when-accepted" ();
    /// the SRV targets' and the inventory hosts' names
    srv_and_inventory_names = "plan-srv-and-inventory-names" ();
    /// the reverse (PTR) names of the addresses found listening
    open_reverse_names = "plan-open-reverse-names" ();
    /// --no-dns for the DNS questions; narrow the ranges or --port for the rest
    off_sweep = "plan-off-sweep" ();
    /// leave out --ntp (without it this probe is not sent)
    off_ntp = "plan-off-ntp" ();
}

/// One DNS question set sent to every server the job asks: UDP, and TCP after truncation.
/// No server known (the system configuration could not be read): the system resolver's.
pub fn dns_queries(ctx: &PlanContext<'_, Kms>, what: Message) -> Vec<PlannedProbe> {
    let servers = &ctx.settings.dns_servers;
    if servers.is_empty() {
        return vec![
            PlannedProbe::new(
                Transport::Udp,
                Destination::SystemResolver,
                None,
                what.clone(),
            ),
            PlannedProbe::new(Transport::Tcp, Destination::SystemResolver, None, what)
                .only_when(when_truncated()),
        ];
    }
    let mut out = Vec::new();
    for s in servers {
        let to = Destination::Address { address: s.ip() };
        let port = Some(PlannedPort::Number(s.port()));
        out.push(PlannedProbe::new(
            Transport::Udp,
            to.clone(),
            port,
            what.clone(),
        ));
        out.push(
            PlannedProbe::new(Transport::Tcp, to, port, what.clone()).only_when(when_truncated()),
        );
    }
    out
}

/// The DNS questions for the addresses of the KMS hosts (A and AAAA), when a host is named
/// (an address literal needs none; SRV targets are not known yet, so any may be a name).
pub fn host_address_queries(ctx: &PlanContext<'_, Kms>) -> Vec<PlannedProbe> {
    dns_queries(ctx, dns_query("A, AAAA", each_host_name()))
}

/// The name an SRV audit asks for in each domain (`name`, default `_vlmcs._tcp.{{domain}}`),
/// as far as it can be filled in before the run.
pub fn srv_names(ctx: &PlanContext<'_, Kms>, name: &Option<Spanned<String>>) -> Vec<String> {
    let text = name
        .as_ref()
        .map_or(super::srv_audit::DEFAULT_NAME, |n| n.value.as_str());
    let mut names = Vec::new();
    let domains: Vec<Option<&String>> = if ctx.domains.is_empty() {
        vec![None]
    } else {
        ctx.domains.iter().map(Some).collect()
    };
    for d in domains {
        let mut vars = ctx.vars.clone();
        if let Some(d) = d {
            vars.insert("domain".into(), d.clone());
        }
        let shown = template::render(text, &vars).unwrap_or_else(|_| text.to_string());
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    names
}

/// SRV queries for `names` to every server.
pub fn srv_queries(ctx: &PlanContext<'_, Kms>, names: Vec<String>) -> Vec<PlannedProbe> {
    dns_queries(ctx, dns_query("SRV", names))
}

/// The KMS host's port, or the rule's own `port` when it has one.
pub fn kms_port(ctx: &PlanContext<'_, Kms>, port: &Option<Spanned<String>>) -> PlannedPort {
    // As `pack::default_port`: the rules' `port` variable, else 1688.
    let default = ctx
        .vars
        .get("port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1688);
    match port {
        Some(p) => match template::render(&p.value, ctx.vars)
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
        {
            Some(n) => PlannedPort::Number(n),
            None => PlannedPort::KmsHost(default),
        },
        None => PlannedPort::KmsHost(default),
    }
}

/// The number [`kms_port`] stands for.
pub fn kms_port_number(ctx: &PlanContext<'_, Kms>, port: &Option<Spanned<String>>) -> u16 {
    match kms_port(ctx, port) {
        PlannedPort::Number(p) | PlannedPort::KmsHost(p) | PlannedPort::OtherSrvPort(p) => p,
    }
}

/// A TCP probe to each address of each KMS host.
pub fn to_kms_hosts(port: PlannedPort, what: Message) -> PlannedProbe {
    PlannedProbe::new(Transport::Tcp, Destination::KmsHosts, Some(port), what)
}

//! Helpers several kinds share: the addresses and port of a host, SRV records, and the opening
//! of the SRV audits (ask every server, classify each answer). No kind imports another kind.

pub mod address;
pub mod rpc;
pub mod srv;
pub mod srv_audit;
pub mod srv_sanity;

// The messages of every helper above, declared here (one list for the catalog tests).
kms_preflight_engine::messages! {
    // ---- Connections (address.rs, rpc.rs); catalog: connection-common.ftl. Keep this
    // section last. ----

    /// {error} (a host's addresses could not be looked up: the resolver's reason)
    lookup_failed = "common-lookup-failed" (error);
    /// this check needs a host (scope each-host)
    needs_host = "common-needs-host" ();
    /// skipped: {host} has no address ({dns})
    no_address = "common-no-address" (host, dns);
    /// no port: set 'port' or run per host
    no_port = "common-no-port" ();

    /// connection to {addr} refused (RST): nothing listens on {port} there, or a firewall rejects it
    connect_refused = "common-connect-refused" (addr, port);
    /// connected to {addr}, then the connection was reset (RST) at once, before a byte was
    /// sent: a middlebox or service completes the handshake and kills the connection
    connect_reset = "common-connect-reset" (addr);
    /// no answer from {addr} to {attempts} connection attempt(s) within {timeout_ms} (host down
    /// or filtered): nothing else on this path answered in this run, so the two cannot be told
    /// apart
    connect_no_answer = "common-connect-no-answer" (addr, attempts, timeout_ms);
    /// no answer from {addr} to {attempts} connection attempt(s) within {timeout_ms}, while
    /// {answered} on the same path answered: filtered (a firewall drops the SYN), or the host is
    /// down
    connect_filtered = "common-connect-filtered" (addr, attempts, timeout_ms, answered);
    /// {addr} is unreachable ({error}): no route, or a router answered ICMP unreachable
    connect_unreachable = "common-connect-unreachable" (addr, error);
    /// connection to {addr} prohibited ({error}): a firewall or local policy rejects it
    connect_prohibited = "common-connect-prohibited" (addr, error);
    /// cannot probe {addr}: {error}
    connect_source_unusable = "common-connect-source-unusable" (addr, error);
    /// skipped {addr}: {error}
    connect_wrong_family = "common-connect-wrong-family" (addr, error);
    /// connect to {addr} failed: {error}
    connect_error = "common-connect-error" (addr, error);

    /// On the KMS host: check the service runs (Get-Service sppsvc; slmgr /dlv shows
    /// 'Listening on Port'), open the port (Enable-NetFirewallRule -Name SPPSVC-In-TCP, or
    /// {new_rule}). If the host listens on another port, fix the SRV record or set it back with
    /// {sprt}. Then from a client: {test}
    fix_host_service = "common-fix-host-service" (new_rule, sprt, test);
    /// Allow TCP {port} from this subnet to {ip} on every firewall between them (and on the
    /// host: Enable-NetFirewallRule -Name SPPSVC-In-TCP). Then from a client: {test}
    fix_path = "common-fix-path" (port, ip, test);
    /// An IPS or application-aware firewall, a load balancer without a healthy backend, or a
    /// service that refuses this client. Test-NetConnection may report TcpTestSucceeded: True
    /// here although clients fail. {path_fix}⏎{host_fix}
    fix_reset_after_connect = "common-fix-reset-after-connect" (path_fix, host_fix);
    /// Check that {ip} is up and is the KMS host (a retired host leaves a stale record). If it
    /// is up: {path_fix}
    fix_host_down = "common-fix-host-down" (ip, path_fix);
    /// Check routing from this subnet to {ip} (VPN split tunnel, default gateway, static
    /// routes) and any firewall that rejects with ICMP. {path_fix}
    fix_unreachable = "common-fix-unreachable" (ip, path_fix);

    /// connection closed after {bytes} bytes of a DCE/RPC PDU: {prefix}
    rpc_closed_partway = "common-rpc-closed-partway" (bytes, prefix);
    /// connection reset after {bytes} bytes of a DCE/RPC PDU: {prefix}
    rpc_reset_partway = "common-rpc-reset-partway" (bytes, prefix);
    /// nothing more within the timeout after {bytes} bytes of a DCE/RPC PDU: {prefix}
    rpc_silent_partway = "common-rpc-silent-partway" (bytes, prefix);
    /// bind_ack has {answered} results for the {offered} contexts offered
    rpc_result_count = "common-rpc-result-count" (answered, offered);
    /// {error} (a PDU the decoder rejects: its reason)
    rpc_undecodable = "common-rpc-undecodable" (error);
}

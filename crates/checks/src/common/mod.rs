//! Helpers several kinds share: the addresses and port of a host, SRV records, and the opening
//! of the SRV audits (ask every server, classify each answer). No kind imports another kind.

pub mod address;
pub mod dns;
pub mod evidence_text;
pub mod plan;
pub mod rpc;
pub mod srv;
pub mod srv_audit;
pub mod srv_sanity;
pub mod validation;

// The messages of every helper above, declared here (one list for the catalog tests).
kms_preflight_engine::messages! {
    // ---- joining (lists of messages or values) ----
    /// {lines}, one per line
    lines = "common-lines" (lines);
    /// {items}, joined with "; "
    clauses = "common-clauses" (items);
    /// {items}, joined with ", "
    list = "common-list" (items);
    /// {value}: a value shown as it is (a record line, an address)
    value = "common-value" (value);
    /// undefined variable(s): {names}
    undefined_variables = "common-undefined-variables" (names);

    // ---- dns: answer classes and failures ----
    /// records
    dns_records = "common-dns-records" ();
    /// NXDOMAIN
    dns_nxdomain = "common-dns-nxdomain" ();
    /// NODATA
    dns_nodata = "common-dns-nodata" ();
    /// SERVFAIL
    dns_servfail = "common-dns-servfail" ();
    /// REFUSED
    dns_refused = "common-dns-refused" ();
    /// rcode {code} ({name})
    dns_rcode = "common-dns-rcode" (code, name);
    /// timeout
    dns_timeout = "common-dns-timeout" ();
    /// connection refused ({error})
    dns_connection_refused = "common-dns-connection-refused" (error);
    /// unreachable ({error})
    dns_unreachable = "common-dns-unreachable" (error);
    /// malformed response ({error})
    dns_malformed = "common-dns-malformed" (error);
    /// I/O error ({error})
    dns_io_error = "common-dns-io-error" (error);
    /// not waited for (it left an earlier lookup unanswered); a later server answered
    dns_moved_on_unwaited = "common-dns-moved-on-unwaited" ();
    /// no answer within {wait_ms}; a later server answered
    dns_moved_on = "common-dns-moved-on" (wait_ms);
    /// no answer ({why})
    dns_no_answer_paren = "common-dns-no-answer-paren" (why);
    /// {server}: {result}
    dns_attempt = "common-dns-attempt" (server, result);
    /// {server}: {result} (earlier in this run; not asked again)
    dns_attempt_remembered = "common-dns-attempt-remembered" (server, result);
    /// {attempts}, joined with "; "
    dns_attempts = "common-dns-attempts" (attempts);
    /// no DNS server to ask: /etc/resolv.conf lists none; pass --dns
    dns_no_server_listed = "common-dns-no-server-listed" ();
    /// no DNS server to ask: the system configuration lists none; pass --dns
    no_dns_server = "common-no-dns-server" ();
    /// empty DNS name
    dns_name_empty = "common-dns-name-empty" ();
    /// invalid DNS name {name}: {error}
    dns_name_invalid = "common-dns-name-invalid" (name, error);

    // ---- srv, srv_audit: the commands that add and remove records ----
    /// {windows}
    ///   (BIND: delete the line '{bind_line}' from the {zone} zone and reload it.) Then on clients: …
    srv_remove_host = "common-srv-remove-host" (windows, bind_line, zone);
    /// Remove the record {record} from zone {zone}
    srv_remove_head = "common-srv-remove-head" (record, zone);
    /// Remove the record {record} from zone {zone} on DNS server {server}
    srv_remove_head_on = "common-srv-remove-head-on" (record, zone, server);
    /// {head}:
    ///   Windows DNS: {windows}
    ///   BIND: delete this line from the zone file of {zone}, … {bind_line} … {nsupdate} …
    srv_remove_record = "common-srv-remove-record" (head, windows, zone, bind_line, nsupdate);
    /// Publish {host} in {zone}:
    ///   Windows DNS: {windows}
    ///   BIND zone file of {zone} (…): {bind_line} …
    srv_add_record = "common-srv-add-record" (host, zone, windows, bind_line);

    // ---- srv_sanity: records that are there but odd ----
    /// {record} has an IP address as its target: RFC 2782 requires the domain name of a host
    /// with address records there, and clients differ in what they do with an address (some
    /// look it up as a name and fail)
    srv_ip_literal_target = "common-srv-ip-literal-target" (record);
    /// Publish an A (or AAAA) record for the host and use its name as the SRV target (…):
    ///   Windows DNS: {windows}
    ///   BIND: {bind_line}
    /// Then replace the record:
    /// {remove}
    /// {add}
    srv_ip_literal_fix = "common-srv-ip-literal-fix" (windows, bind_line, remove, add);
    /// {target}:{port} advertises a port other than {expected}, and the host answers there
    /// ({address}): clients that follow the record connect; clients pointed at the host by name
    /// (slmgr /skms {target}) use {expected}
    srv_port_differs_answers = "common-srv-port-differs-answers" (target, port, expected, address);
    /// {target}:{port} advertises a port other than {expected}, and nothing answers there
    /// ({why}): clients that follow the record fail
    srv_port_differs_silent = "common-srv-port-differs-silent" (target, port, expected, why);
    /// Clients use the port in the SRV record. Either fix the record (port {expected}), or keep
    /// the KMS host listening on the advertised port (…slmgr /sprt {port}…).
    /// {remove}
    /// {add}
    srv_port_fix = "common-srv-port-fix" (expected, port, remove, add);
    /// {target} has no address ({why})
    srv_probe_no_address = "common-srv-probe-no-address" (target, why);
    /// {address}: no answer to {attempts} attempt(s) within {timeout_ms}
    srv_probe_timeout = "common-srv-probe-timeout" (address, attempts, timeout_ms);
    /// {address}: {result}
    srv_probe_failed = "common-srv-probe-failed" (address, result);
    /// {issues}; {then}
    srv_issues_then = "common-srv-issues-then" (issues, then);

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

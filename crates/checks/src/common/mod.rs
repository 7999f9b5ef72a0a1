//! Helpers several kinds share: the addresses and port of a host, SRV records, and the opening
//! of the SRV audits (ask every server, classify each answer). No kind imports another kind.

pub mod address;
pub mod dns;
pub mod evidence_text;
pub mod rpc;
pub mod srv;
pub mod srv_audit;
pub mod srv_sanity;

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
}

# Shared helpers of the DNS kinds (crates/checks/src/common: dns, srv, srv_audit, srv_sanity).
# Multi-line texts: every source line is indented by four spaces; an output line that starts
# with spaces says so with a placeable ({"  "}), because Fluent drops the indentation of a line
# that starts with a placeable and removes the common indentation of the others.

## Joining
common-lines = { LIST($lines, sep: "\u000A") }
common-clauses = { LIST($items, sep: "; ") }
common-list = { $items }
common-value = { $value }
common-undefined-variables = undefined variable(s): { $names }

## DNS answers and failures (the labels the evidence records)
common-dns-records = records
common-dns-nxdomain = NXDOMAIN
common-dns-nodata = NODATA
common-dns-servfail = SERVFAIL
common-dns-refused = REFUSED
common-dns-rcode = rcode { $code } ({ $name })
common-dns-timeout = timeout
common-dns-connection-refused = connection refused ({ $error })
common-dns-unreachable = unreachable ({ $error })
common-dns-malformed = malformed response ({ $error })
common-dns-io-error = I/O error ({ $error })
common-dns-moved-on-unwaited = not waited for (it left an earlier lookup unanswered); a later server answered
common-dns-moved-on = no answer within { DURATION($wait_ms) }; a later server answered
common-dns-no-answer-paren = no answer ({ $why })
common-dns-attempt = { $server }: { $result }
common-dns-attempt-remembered = { $server }: { $result } (earlier in this run; not asked again)
common-dns-attempts = { LIST($attempts, sep: "; ") }
common-dns-no-server-listed = no DNS server to ask: /etc/resolv.conf lists none; pass --dns
common-no-dns-server = no DNS server to ask: the system configuration lists none; pass --dns
common-dns-name-empty = empty DNS name
common-dns-name-invalid = invalid DNS name { $name }: { $error }

## Adding and removing SRV records
common-srv-remove-host =
    { $windows }
    {"  "}(BIND: delete the line '{ $bind_line }' from the { $zone } zone and reload it.) Then on clients: ipconfig /flushdns; slmgr /ckms
common-srv-remove-head = Remove the record { $record } from zone { $zone }
common-srv-remove-head-on = Remove the record { $record } from zone { $zone } on DNS server { $server }
common-srv-remove-record =
    { $head }:
    {"  "}Windows DNS: { $windows }
    {"  "}BIND: delete this line from the zone file of { $zone }, raise the SOA serial, then rndc reload { $zone }:
    {"    "}{ $bind_line }
    {"  "}(dynamic zone: nsupdate, then: { $nsupdate })
    {"  "}If a KMS host keeps re-registering it, turn publishing off on that host first: slmgr /cdns
    Then on clients that cached it: ipconfig /flushdns ; slmgr /ckms
common-srv-add-record =
    Publish { $host } in { $zone }:
    {"  "}Windows DNS: { $windows }
    {"  "}BIND zone file of { $zone } (raise the SOA serial, then rndc reload { $zone }):
    {"    "}{ $bind_line }
    {"  "}Or let the KMS host publish itself (slmgr /sdns); for zones other than its own, list them in DnsDomainPublishList on the host and restart sppsvc.
    Then on clients: ipconfig /flushdns ; slmgr /ckms

## Records that are there but odd (srv.present)
common-srv-ip-literal-target = { $record } has an IP address as its target: RFC 2782 requires the domain name of a host with address records there, and clients differ in what they do with an address (some look it up as a name and fail)
common-srv-ip-literal-fix =
    Publish an A (or AAAA) record for the host and use its name as the SRV target (RFC 2782: the target is "the domain name of the target host", with one or more address records):
    {"  "}Windows DNS: { $windows }
    {"  "}BIND: { $bind_line }
    Then replace the record:
    { $remove }
    { $add }
common-srv-port-differs-answers = { $target }:{ $port } advertises a port other than { $expected }, and the host answers there ({ $address }): clients that follow the record connect; clients pointed at the host by name (slmgr /skms { $target }) use { $expected }
common-srv-port-differs-silent = { $target }:{ $port } advertises a port other than { $expected }, and nothing answers there ({ $why }): clients that follow the record fail
common-srv-port-fix =
    Clients use the port in the SRV record. Either fix the record (port { $expected }), or keep the KMS host listening on the advertised port (on the host: slmgr /sprt { $port }, then restart sppsvc; and allow TCP { $port } in its firewall).
    { $remove }
    { $add }
common-srv-probe-no-address = { $target } has no address ({ $why })
common-srv-probe-timeout = { $address }: no answer to { $attempts } attempt(s) within { DURATION($timeout_ms) }
common-srv-probe-failed = { $address }: { $result }
common-srv-issues-then = { LIST($issues, sep: "; ") }; { $then }

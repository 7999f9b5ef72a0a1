# resolve: the A and AAAA records of each KMS host.
resolve-no-host = resolve needs a host (scope each-host)
resolve-literal = { $host } is an address literal; nothing to resolve
resolve-resolved = { $host } resolves to { $addresses } (from { $server })
resolve-no-answer = no DNS server answered for { $host }: { $why }
resolve-no-answer-fix = Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN).
resolve-nxdomain = { $host } does not exist (NXDOMAIN): clients cannot reach this KMS host by name
resolve-nodata = { $host } exists but has no A or AAAA record (NODATA)
resolve-servfail = DNS server failed to resolve { $host } (SERVFAIL)
resolve-servfail-fix = On the DNS server, check that the host's zone loads and forwarders answer; then ipconfig /flushdns on clients
resolve-refused = DNS server refused to resolve { $host } (REFUSED)
resolve-rcode = DNS server answered { $host } with rcode { $code } ({ $rcode_name })
resolve-register-fix = If { $host } is a live KMS host, register its address: { $command }; then on clients: ipconfig /flushdns
resolve-remove-or-register-fix =
    If { $host } was retired, remove its SRV record (a stale record):
    {"  "}{ LIST($removals, sep: "\u000A  ") }
    If { $host } is a live KMS host, register its address: { $command }; then on clients: ipconfig /flushdns

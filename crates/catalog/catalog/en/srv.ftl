# srv: the _vlmcs._tcp SRV records a client would find in a domain.
srv-published = { $count } KMS host(s) published in { $name }: { $records } (answer from { $server })
srv-published-authoritative = { $count } KMS host(s) published in { $name }: { $records } (answer from { $server }, authoritative)
srv-record = { $target }:{ $port } (priority { $priority }, weight { $weight })
srv-dot-only = { $name } has only target '.' (service explicitly not offered) from { $server }
srv-too-few = { $name } has { $usable } usable record(s), expected at least { $min }: { $records }
srv-nxdomain = { $name } does not exist (NXDOMAIN from { $server }): no KMS host is published in { $zone }
srv-nodata = { $name } exists but has no SRV record (NODATA from { $server })
srv-servfail = DNS server { $server } failed to answer for { $name } (SERVFAIL): the zone may not load, or recursion failed
srv-servfail-fix = On the DNS server, check that zone { $zone } loads (BIND: named-checkzone { $zone } <file>; Windows: Get-DnsServerZone { $zone }) and that forwarders answer; then on clients: ipconfig /flushdns
srv-refused = DNS server { $server } refused the query for { $name } (REFUSED): it does not serve { $zone } and does not recurse for this client
srv-refused-fix = Point clients at DNS servers that serve { $zone } (or forward to them), or allow recursion for this subnet on { $server }
srv-rcode = DNS server { $server } answered { $name } with rcode { $code } ({ $rcode_name })
srv-no-answer = no DNS server answered for { $name }: { $why }
srv-no-answer-fix = Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN), and that the servers run: nslookup -type=srv { $name } <dns-server>
srv-add-record-fix =
    Publish the KMS host in { $zone }. On a Windows DNS server:
    {"  "}{ $windows }
    In a BIND zone file:
    {"  "}{ $bind_line }
    Or let the KMS host publish itself (slmgr /sdns; for other domains set DnsDomainPublishList on the host). If DNS cannot be fixed yet, point clients at the host: slmgr /skms <kms-host>:1688 (Office: cscript ospp.vbs /sethst:<kms-host>).

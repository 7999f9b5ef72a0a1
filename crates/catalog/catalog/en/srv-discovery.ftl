# srv-discovery: KMS discovery over the client's whole DNS suffix list.
srv-discovery-origin-command-line = the command line
srv-discovery-no-suffix = no DNS domain or suffix to search (only --host given): KMS discovery was not simulated
srv-discovery-no-answer = no answer ({ $why })
srv-discovery-dot-only = only target '.' (service not offered)
srv-discovery-line = { $suffix } → { $result }
srv-discovery-line-hosts = { $suffix } → { $hosts }
srv-discovery-found = suffix list ({ $origin }): { LIST($lines, sep: "; ") }; a client with this list finds KMS through { $first } (the first suffix with records)
srv-discovery-no-dns = no DNS server answered for any suffix of the list ({ $origin }: { $suffixes }): { LIST($lines, sep: "; ") }. A Windows client here cannot discover KMS (it logs 0xC004F074) until its DNS servers answer
srv-discovery-no-dns-fix =
    Make the DNS servers this client uses ({ $servers }) answer it: check they run, and that UDP and TCP 53 are open from this subnet (host firewalls, ACLs, VPN split tunnel). From a client:
    {"  "}{ $resolve_command }
    {"  "}{ $nslookup_command }
    Then on clients: ipconfig /flushdns ; slmgr /ckms
srv-discovery-no-record = no suffix in the list ({ $origin }: { $suffixes }) reaches any _vlmcs._tcp record: { LIST($lines, sep: "; ") }. A Windows client with this suffix list cannot discover KMS (it logs { $code }), even if nslookup of the full name works elsewhere
srv-discovery-no-record-fix =
    Make one zone of the client's suffix list ({ $suffixes }) hold the record, or point the client at the zone that does:
    - publish in a suffix zone: Publish <kms-host.fqdn> in { $zone }:
    {"      "}Windows DNS: { $windows }
    {"      "}BIND zone file of { $zone } (raise the SOA serial, then rndc reload { $zone }):
    {"        "}{ $bind_line }
    {"      "}Or let the KMS host publish itself (slmgr /sdns); for zones other than its own, list them in DnsDomainPublishList on the host and restart sppsvc.
    {"    "}Then on clients: ipconfig /flushdns ; slmgr /ckms
    - or on each KMS host, list the zone in DnsDomainPublishList and restart sppsvc:
    {"    "}{ $reg_command }
    {"    "}Restart-Service sppsvc
    - or add the KMS zone to the clients' suffix search list (GPO: Computer Configuration > Administrative Templates > Network > DNS Client > DNS Suffix Search List; or DHCP option 119)
    - or, for clients in a disjoint namespace, pin the zone to search on each client: slmgr /skms-domain <zone-with-the-record>
    Then on clients: ipconfig /flushdns ; slmgr /ckms

# srv-agreement: every DNS server's _vlmcs._tcp answer compared.
-system-resolver = system resolver (hickory from the system configuration, cache off)
srv-agreement-unusable = DNS server { $server } gave no usable answer for { $name }: { $why }; clients using it cannot discover KMS
srv-agreement-unusable-fix = Check DNS server { $server } (service running, zone loaded, UDP and TCP 53 open from clients), or remove it from the clients' DNS server list. Then on clients: ipconfig /flushdns
srv-agreement-one-server = only one DNS server ({ $servers }) to ask: nothing to compare; pass every server clients use, e.g. each domain controller: --dns DC1 --dns DC2
srv-agreement-differs = { $record } is published by { $present_on } but missing from { $missing_from }
srv-agreement-differs-fix =
    The servers disagree: replication lag between domain controllers, a secondary that has not transferred the zone, or split DNS. Compare the zone serials (nslookup -type=soa { $zone } <server>); force replication (repadmin /syncall /AdeP on a domain controller; BIND secondary: rndc retransfer { $zone }).
    If { $target } is a current KMS host, add it where it is missing:
    { $add }
    If { $target } is retired, remove it where it remains:
    { $remove }
srv-agreement-ttl-differs = { $record }: the TTL differs between servers ({ $ttls }); the zone copies are not the same version
srv-agreement-ttl = { $server } { $ttl }s
srv-agreement-ttl-fix = Compare the zone serials (nslookup -type=soa { $zone } <server>) and force replication or a zone transfer.
srv-agreement-agree = { $count } DNS servers agree on { $name }: { $records }
srv-agreement-record = { $target }:{ $port } ({ $priority }/{ $weight })
srv-agreement-no-records = no records
srv-agreement-system-error = through the { -system-resolver }: no answer ({ $error }); nothing to compare
srv-agreement-system = through the { -system-resolver }: { $records } ({ $rcode })
srv-agreement-system-same = through the { -system-resolver }: { $records } ({ $rcode }), same as { $servers }
srv-agreement-system-differs = through the { -system-resolver }: { $records } ({ $rcode }), which matches none of the servers asked directly: split DNS, or the system uses other DNS servers than the ones audited
srv-agreement-system-differs-fix = Audit the DNS servers this machine really uses (see /etc/resolv.conf, or ipconfig /all on Windows) by passing them with --dns, and make every server clients use serve the same _vlmcs._tcp records.

# srv-membership: which hosts every DNS server lists in a domain's _vlmcs._tcp answer.
srv-membership-host-empty = host { $host } is empty after filling in variables
srv-membership-failed = cannot tell which hosts { $server } lists for { $name }: { $error }
srv-membership-rcode = { $server } answered { $rcode } for { $name }: cannot tell which hosts it lists
srv-membership-still-lists-authoritative = still lists { $target }:{ $port } (TTL { $ttl } s, authoritative: the record is in the zone)
srv-membership-still-lists-cached = still lists { $target }:{ $port } (TTL { $ttl } s, not authoritative: a cached or unreplicated copy)
srv-membership-does-not-list = does not list { $hosts }
srv-membership-lists = lists { $hosts }
srv-membership-no-record = no SRV record ({ $rcode })
srv-membership-pass = { LIST($parts, sep: " and ") } for { $name } (answer: { $listed })
srv-membership-fail = { LIST($problems, sep: "; ") } for { $name } (answer: { $listed })

# srv-stale: published _vlmcs._tcp targets that are dead.
srv-stale-no-usable = no DNS server gave a usable SRV answer for { $name }; see srv.present
srv-stale-none-published = no KMS host is published at { $name }: nothing can be stale; see srv.present
srv-stale-nodata = NODATA: no A or AAAA record
srv-stale-unknown = { $host }: cannot tell whether { $records } is stale: resolving it failed ({ $why })
srv-stale-no-address = stale record: { $records } (published on { $servers }) points at { $host }, which no longer resolves ({ $why }); clients that pick it waste an attempt or fail
srv-stale-connect = { $address } { $result }
srv-stale-port-dead = stale record: { $records } (published on { $servers }): port { $port } of { $host } no longer answers: { $connects }; { $why }
srv-stale-all-refused = nothing listens there any more (connection refused)
srv-stale-none-accepted = no address accepted a connection (a firewall may also be in the way; see tcp.port)
srv-stale-port-dead-fix =
    If { $host } still is a KMS host, start it / open TCP { $port } (Get-Service sppsvc; Enable-NetFirewallRule -Name SPPSVC-In-TCP). If it was replaced or retired:
    { LIST($removals, sep: "\u000A") }
srv-stale-live = { $live } of { $total } published target(s) at { $name } resolve and answer on their port
srv-stale-live-resolve = { $live } of { $total } published target(s) at { $name } resolve

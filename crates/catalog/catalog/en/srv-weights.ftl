# srv-weights: what priority and weight of the _vlmcs._tcp records actually do.
srv-weights-not-records = no SRV records to audit at { $name } ({ $rcode } from { $server }); see srv.present
srv-weights-no-answer = no DNS server answered for { $name } ({ $why }); see srv.present
srv-weights-readings = RFC 2782 order (only with KMS host caching off, slmgr /ckhc): { LIST($order, sep: "; then ") } | random choice (caching on; Microsoft also documents that KMS ignores priority/weight): each of { $count } host(s) { NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%
srv-weights-group = { $rank }. priority { $priority }: { $hosts }
srv-weights-share = { $target }:{ $port } { NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%
srv-weights-zero-mixed = priority { $priority } mixes weight-0 record(s) { $records } with weighted ones (total weight { $total }): under RFC 2782 a weight-0 host is almost never tried first; if it should share the load, give it a weight
srv-weights-zero-entry = { $target } ({ NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%)
srv-weights-zero-fix =
    Set explicit weights on every record of priority { $priority } in { $zone } (remove and re-add each with its weight):
    {"  "}{ $windows }
    {"  "}BIND: { $bind_line }
    On a self-publishing KMS host the weight comes from DnsDomainPublishList ("{ $publish_list }"). Weights matter only on clients with host caching off (slmgr /ckhc). Then on clients: ipconfig /flushdns ; slmgr /ckms
srv-weights-duplicate = { $target } is published { $count } times ({ LIST($records, sep: "; ") }): a leftover of a port or priority change, and it weighs twice in the choice
srv-weights-duplicate-fix =
    Keep one record per KMS host. For the extra one(s):
    { LIST($removals, sep: "\u000A") }
srv-weights-dot-only = { $record } has target '.': the service is explicitly not offered in { $zone } (RFC 2782); clients find no KMS host
srv-weights-dot-mixed = { $record } has target '.' (service explicitly not offered) next to real hosts: contradictory, clients may stop at it
srv-weights-port = { $record } advertises port { $port }, expected { $expected }: clients connect to { $port }
srv-weights-port-fix =
    Either make the KMS host listen on { $port } (on the host: slmgr /sprt { $port }, restart sppsvc) or fix the record:
    { $remove }
    { $add }
srv-weights-cname = target { $target } is an alias (CNAME to { $canonical }): RFC 2782 does not allow aliases as SRV targets; some clients refuse it, and the extra lookup can fail on its own
srv-weights-cname-fix =
    Point the record at the canonical name { $canonical }:
    { LIST($fixes, sep: "\u000A") }

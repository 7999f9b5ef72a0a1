# ptr: the reverse (PTR) record of each KMS host address against the SRV target.
ptr-no-host = ptr needs a host (scope each-host)
ptr-literal = { $host } is an address literal: no published name to compare a PTR with
ptr-no-answer = no DNS server answered the PTR query for { $address } ({ $why })
ptr-agrees = PTR of { $address } is { $host }: agrees with the SRV target
ptr-differs = PTR of { $address } is { $ptrs }, not { $host }: the address may belong to another machine (reused after a host replacement?)
ptr-differs-fix =
    Check which machine owns { $address }. If it is { $host }, replace the PTR:
    {"  "}{ $remove }
    {"  "}{ $add }
ptr-add-fix =
    Windows DNS: { $windows }
    BIND zone file of { $zone }: { $bind_line }
    (Only cosmetic for KMS, unless the address now belongs to another machine: then fix the SRV/A records instead.)
ptr-missing = { $address } has no PTR record ({ $rcode }); cannot confirm it is { $host }
ptr-failed = PTR query for { $address } failed ({ $rcode }); nothing to compare

# The sweep: every KMS listener in an address range, compared with what DNS publishes.

sweep-inventory-rule-error = rule { $rule } ({ $file }:{ $line }): { $error }

## What answered on an open port
sweep-kms-host-at = KMS host at { $addr } { $what }
sweep-listener-at = listener at { $addr } { $what }
sweep-published-kms = { $head }; published: { $hosts } ({ $srv_names })
sweep-published-not-kms = published KMS host { $hosts } ({ $srv_names }) does not answer as KMS: { $addr } { $what }; clients that pick it fail
sweep-forbidden-kms = { $head }; this is { $hosts }, which srv.inventory lists in forbidden_hosts: it must not be a KMS host any more
sweep-forbidden-not-kms = { $head }; not KMS (the address is forbidden host { $hosts })
sweep-allowed-kms = { $head }; not published in DNS, but { $hosts } is on the srv.inventory allow-list (expect.hosts)
sweep-rogue = { $head }; not published by { $by } nor on the srv.inventory allow-list: a rogue or forgotten KMS host ({ $ptr })
sweep-by-inventory-lists = the srv.inventory lists
sweep-not-compared-kms = { $head }; not compared with DNS (no --domain, or DNS did not answer)
sweep-unverifiable = { $message }: cannot tell whether it is a KMS host (an IPS dropping RPC, a hung sppsvc, or another service)
sweep-after-fin = { $message } (only once our FIN ended its input: a line-based server such as HTTP, silent to the bind itself)
sweep-ptr-none = no PTR record
sweep-ptr = PTR { $names }
sweep-ptr-not-looked-up = PTR not looked up
sweep-reset-after-handshake = reset the connection right after the handshake
sweep-kms-bind-accepted = accepted the KMS RPC bind ({ $syntax } on context { $context }, secondary address { $secondary })
sweep-py-kms = { $what }; fixed assoc_group_id 0x1063BF3F: py-kms, not Windows
sweep-rpc-foreign = is a DCE/RPC server that does not know the KMS interface (abstract syntax not supported): another RPC service
sweep-rpc-no-ndr32 = is a DCE/RPC server that accepted no KMS context with NDR32
sweep-bind-nak = is an RPC runtime that refused the bind with bind_nak, reason { $reason } ({ $name }): not a KMS host (emulators never send bind_nak)
sweep-fault = is an RPC runtime that answered the bind with a fault, status { $status }
sweep-unexpected-pdu = answered the bind with a { $name } PDU (PTYPE { $ptype }): an RPC runtime, not a KMS host
sweep-malformed = answered a broken DCE/RPC PDU ({ $why })
sweep-not-rpc = speaks another protocol: it answered '{ $received }'
sweep-silent = accepted the connection and said nothing within { DURATION($timeout_ms) }
sweep-closed-silently = accepted the connection and closed it without a byte
sweep-reset-by-bind = reset the connection in answer to the bind
sweep-local-error = could not be probed: local error { $error }

## What to do about an open port
sweep-find-machine = Find the machine ({ $ptr }): the MAC behind { $ip } (Linux: { $linux }; Windows: { $windows }) and the switch port it is on (show mac address-table address <MAC>); on the machine, what owns the port: { $owner }.
sweep-fix-rogue =
    { $find }
    If it is a legitimate KMS host, publish it (or add it to expect.hosts of your srv.inventory rule). If not, on Windows remove the KMS host key and make it a client again: slmgr /upk, slmgr /cpky, slmgr /ipk <the edition's GVLK>, slmgr /cdns; an emulator (vlmcsd, py-kms): stop and remove it. Until then block TCP { $port } to { $ip }.
sweep-fix-forbidden = { $hosts } is being retired: on it, slmgr /cdns (stop publishing), then slmgr /upk and slmgr /cpky (remove the KMS host key), then block TCP { $port } to { $ip } or shut it down. Clients pinned to it: slmgr /ckms (back to DNS discovery).
sweep-fix-published-not-kms =
    On { $hosts }: Get-Service sppsvc (must be Running), slmgr /dlv ('Listening on Port: { $port }'), and what owns port { $port }: { $owner }. If the host is gone and { $ip } now belongs to another machine, remove the record:
    { $remove }

## A port that did not accept
sweep-refused = refused the connection (RST: nothing listens)
sweep-timed-out = did not answer within { DURATION($timeout_ms) } (filtered, or the host is down)
sweep-unreachable = is unreachable (no route, or no answer to ARP / neighbour discovery: the host is down)
sweep-probe-failed = could not be probed (local error)
sweep-published-missing = published KMS host { $hosts } ({ $names }) did not answer in the sweep: { $addr } { $how }; a stale record, or a host that is down or cut off
sweep-fix-published-missing =
    If { $hosts } still serves KMS: start it (Get-Service sppsvc; Restart-Service sppsvc) and open TCP { $port } (Enable-NetFirewallRule -Name SPPSVC-In-TCP). If it is retired, remove its record:
    { $remove }
sweep-port-not-open = { $addr } { $how }

## The summary
sweep-summary = { LIST($parts, sep: "; ") }
sweep-swept = swept { $addresses } { $addresses ->
        [one] address
       *[other] addresses
    } on port { $ports } in { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } s: { $open }, { $closed } closed, { $filtered } filtered, { $unreachable } unreachable
sweep-open = { $count } open
sweep-open-services = { $count } open ({ $services })
sweep-service-count = { $count } { $service }
sweep-compared = KMS listeners: { $published } published, { $rogue } rogue, { $forbidden } forbidden, { $allowed } allowed; published endpoints: { $not_kms } answering as another service, { $missing } not answering
sweep-not-compared = not compared with DNS
sweep-probe-errors = { $count } probe(s) failed locally, first: { $first }
sweep-interrupted = INTERRUPTED (Ctrl-C) after { $probed } of { $probes } probes: the results are partial

## What DNS publishes
sweep-domain-invalid = { $error }
sweep-no-usable-answer = cannot compare with what { $name } publishes: no DNS server gave a usable answer ({ LIST($why, sep: "; ") }); every KMS listener is reported without a verdict on publication
sweep-server-outcome = { $server }: { $outcome }
sweep-publishes-nothing = { $name } publishes no KMS host: every KMS listener found is unpublished (rogue unless on the srv.inventory allow-list)
sweep-publishes-unresolved = { $name } publishes { LIST($records, sep: "; ") }; { $unresolved } does not resolve, so its listener cannot be recognised
sweep-publishes = { $name } publishes { LIST($records, sep: "; ") }
sweep-record-at = { $record } ({ $addresses })
sweep-does-not-resolve = does not resolve
sweep-inventory = inventory from the srv.inventory rule: { LIST($hosts, sep: "; ") }
sweep-inventory-forbidden = forbidden { $host } ({ $addresses })
sweep-inventory-allowed = allowed { $host } ({ $addresses })

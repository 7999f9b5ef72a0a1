# interception (checks/src/interception.rs). Observations are lists of messages, joined with "; ".

interception-closed-port-accepted = TCP port { $port }, which should be closed, accepted a connection in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
interception-handshake-faster = the TCP handshake to port { $port } took { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms but an ICMP echo to the same address { NUMBER($icmp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms: something nearer than the host completes the handshake
interception-port-answer = port { $port } { $result }
interception-rtt-compared = handshake { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms vs ICMP echo { NUMBER($icmp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
interception-no-comparison-no-reply = handshake { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms but no ICMP comparison (no echo reply)
interception-no-comparison = handshake { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms but no ICMP comparison ({ $reason })
interception-no-echo-reply = no ICMP echo reply
interception-suspected = something other than the KMS host may answer for { $ip }: { LIST($signals, sep: "; ") }
interception-undecided = cannot tell whether something answers for { $ip }: { LIST($observations, sep: "; ") }
interception-nothing-observed = cannot tell whether something answers for { $ip }: no observation succeeded
interception-none-seen = no sign of interception at { $ip }: { LIST($observations, sep: "; ") }
interception-wrong-family = skipped { $ip }: source { $source } is of the other address family
interception-fix = A device between this subnet and { $ip } (transparent proxy, SYN proxy, IPS, VPN or SD-WAN appliance, load balancer) completes TCP connections itself. Exempt TCP { $port } to { $ip } from interception/inspection on that device, or send KMS traffic around it (route or split-tunnel exemption). Compare with a capture on the KMS host: the connection should arrive there from the client's own address. Then from a client: { $test }

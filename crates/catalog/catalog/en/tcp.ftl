# tcp (checks/src/tcp.rs). RTTs with two decimals; hold and timeouts as durations (200ms, 1s).

tcp-connected = connected to { $addr } in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
tcp-connected-held = connected to { $addr } in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms and the connection stayed open for { DURATION($hold_ms) }
tcp-reset-within-hold = connected to { $addr } in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms, then the connection was reset (RST) within { DURATION($hold_ms) } without a byte sent
tcp-closed-within-hold = connected to { $addr } in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms, then the peer closed the connection (FIN) within { DURATION($hold_ms) } without a byte sent; a KMS host waits for the client
tcp-peer-spoke-first = connected to { $addr } in { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms, but the peer spoke first ('{ $banner }'): a KMS host never does, so another service listens on { $port }
tcp-fix-middlebox = Something completes the handshake for { $addr } and then drops the connection: an IPS or application-aware firewall, a load balancer without a healthy backend, or a service that refuses this client. Check the firewalls between this subnet and { $ip } for MS-RPC/TCP { $port } policies; on the KMS host: Get-Service sppsvc, Enable-NetFirewallRule -Name SPPSVC-In-TCP. Test-NetConnection reports TcpTestSucceeded: True in this case although clients fail.
tcp-fix-for-source =
    This result is for source { $source } (subnet { $subnet }): allow TCP { $port } from { $subnet } to { $ip } on the firewalls and in the VPN's split-tunnel rules of that subnet; other subnets may differ (see the source × target matrix).
    { $fix }
tcp-accepted-by-any = { $message } ({ $connected } of { $total } addresses of this host connected and the rule accepts any; clients that pick this address first still lose a timeout on it)

## A path that needed retransmissions (also kms-rpc)
tcp-lossy-path = lossy path: { $attempts } attempts; { $message } (a client gets through after retransmitting, but slowly and not always)
tcp-lossy-path-icmp = lossy path: { $attempts } attempts; ICMP loss { NUMBER($icmp_loss_percent, maximumFractionDigits: 0) } %; { $message } (a client gets through after retransmitting, but slowly and not always)
tcp-fix-lossy = The path to { $ip } drops packets or is very slow: { $attempts } connection attempts were needed. Look for loss on the links between this subnet and { $ip } (interface errors, a saturated WAN or VPN link, a duplex mismatch), e.g. { $pathping } from a client; KMS works through it only while the retransmissions get through.

# icmp (checks/src/icmp.rs).

icmp-no-privilege = skipped: { $reason }. This says nothing about the network; KMS itself needs only TCP
icmp-wrong-family = skipped { $ip }: { $reason }
icmp-unavailable = cannot ping { $ip }: { $error }
icmp-no-reply = no echo reply from { $ip } to { $sent } requests within { DURATION($timeout_ms) } each: ICMP is filtered or the host is down (many networks filter ICMP; this alone does not mean KMS fails — see the TCP and RPC checks)
icmp-no-reply-errors = no echo reply from { $ip } to { $sent } requests within { DURATION($timeout_ms) } each ({ LIST($errors, sep: "; ") }): ICMP is filtered or the host is down (many networks filter ICMP; this alone does not mean KMS fails — see the TCP and RPC checks)
icmp-replies = { $received }/{ $sent } echo replies from { $ip }, { NUMBER($loss_percent, maximumFractionDigits: 0) }% loss, rtt min/avg/max { NUMBER($min_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($avg_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($max_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
icmp-replies-errors = { $received }/{ $sent } echo replies from { $ip }, { NUMBER($loss_percent, maximumFractionDigits: 0) }% loss, rtt min/avg/max { NUMBER($min_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($avg_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($max_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms ({ LIST($errors, sep: "; ") })
icmp-fix-no-reply = If the TCP/RPC checks also fail, check routing and firewalls between this subnet and { $ip }. If they pass, ICMP is merely filtered: allow ICMP echo on the path and on the host (Enable-NetFirewallRule -Name FPS-ICMP4-ERQ-In) only if you want ping to work.

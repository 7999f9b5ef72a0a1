# kms-rpc (checks/src/kms_rpc.rs). Commands arrive as arguments; nested remediations as messages.

-kms-rpc-tcp-ok = TCP connected (Test-NetConnection would say TcpTestSucceeded: True, which is not enough)

kms-rpc-accepted = KMS RPC endpoint at { $addr } accepted the bind: { $syntax } on context { $context_id }, max fragment { $max_xmit_frag }/{ $max_recv_frag } bytes, secondary address { $quoted_secondary }, bind answered in { NUMBER($bind_rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
kms-rpc-accepted-other-port = KMS RPC endpoint at { $addr } accepted the bind: { $syntax } on context { $context_id }, max fragment { $max_xmit_frag }/{ $max_recv_frag } bytes, secondary address { $quoted_secondary }, bind answered in { NUMBER($bind_rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms (the host reports port { $secondary } while we connected to { $port }: a NAT or port forward is in the path)
kms-rpc-rejected-foreign = { -kms-rpc-tcp-ok }, and a DCE/RPC server at { $addr } answered, but it rejected the KMS interface (abstract syntax not supported): this is another RPC service, not KMS
kms-rpc-rejected = { -kms-rpc-tcp-ok }, and a DCE/RPC server at { $addr } answered, but it accepted no KMS context ({ $reasons }): an RPC server that does not offer KMS with NDR
kms-rpc-nak = { -kms-rpc-tcp-ok }, but the RPC runtime at { $addr } refused the bind with bind_nak, reason { $reason } ({ $reason_name })
kms-rpc-nak-extended = { -kms-rpc-tcp-ok }, but the RPC runtime at { $addr } refused the bind with bind_nak, reason { $reason } ({ $reason_name }); extended error information follows
kms-rpc-fault = { -kms-rpc-tcp-ok }, but { $addr } answered the bind with a fault, status { $status }
kms-rpc-fault-named = { -kms-rpc-tcp-ok }, but { $addr } answered the bind with a fault, status { $status } ({ $status_name })
kms-rpc-unexpected-pdu = { -kms-rpc-tcp-ok }, but { $addr } answered the bind with a { $pdu } PDU (PTYPE { $ptype }), which does not answer a bind
kms-rpc-malformed = { -kms-rpc-tcp-ok }, but the answer from { $addr } is a broken DCE/RPC PDU: { $why }
kms-rpc-not-rpc = { -kms-rpc-tcp-ok }, but { $addr } does not speak DCE/RPC: it answered '{ $received }'
kms-rpc-closed = { -kms-rpc-tcp-ok }, but { $addr } closed the connection without answering the RPC bind
kms-rpc-closed-before-bind = { -kms-rpc-tcp-ok }, but { $addr } closed the connection without answering the RPC bind (before the bind could be sent)
kms-rpc-reset = { -kms-rpc-tcp-ok }, but the connection to { $addr } was reset (RST) in answer to the RPC bind
kms-rpc-reset-while-sending = { -kms-rpc-tcp-ok }, but the connection to { $addr } was reset (RST) while sending the RPC bind
kms-rpc-silent = { -kms-rpc-tcp-ok }, but { $addr } did not answer the RPC bind within { DURATION($timeout_ms) }: the KMS RPC endpoint is silent
kms-rpc-silent-binds = { -kms-rpc-tcp-ok }, but { $addr } answered none of { $binds } RPC binds (each on its own connection, like a client) within { DURATION($timeout_ms) }: the KMS RPC endpoint is silent
kms-rpc-local-error = RPC bind to { $addr } failed locally: { $error }
kms-rpc-no-reachable-address = skipped: no address of this host accepted a TCP connection

## What to do about it
kms-rpc-fix-host = On the KMS host: Get-Service sppsvc (it must be Running; Restart-Service sppsvc), slmgr /dlv must show 'Listening on Port: { $port }' (if it listens elsewhere, fix the SRV record or run { $sprt }), and the firewall rule must be on: Enable-NetFirewallRule -Name SPPSVC-In-TCP (or { $new_rule }).
kms-rpc-fix-path = On the network firewalls between this subnet and { $ip }: allow TCP { $port } as plain traffic; an application-aware firewall or IPS must permit MS-RPC (DCE/RPC) on { $port }, not just the handshake. Test from this subnet afterwards.
kms-rpc-fix-other-service = Find what listens on { $ip }:{ $port } (on the host: { $find_listener }, then { $find_process }), move it, and make sure clients are pointed at the real KMS host (the _vlmcs._tcp SRV record, or slmgr /skms). Also rule out a NAT or proxy redirecting TCP { $port }.
kms-rpc-fix-other-service-or-host =
    { $other_service }
    { $host_fix }
kms-rpc-fix-nak =
    KMS emulators never send bind_nak; this is a Microsoft RPC runtime refusing the association, or another service. { $host_fix }
    { $other_service }
kms-rpc-fix-path-or-other-service =
    { $path_fix }
    { $other_service }
kms-rpc-fix-closed =
    A firewall/IPS that allows the handshake but blocks RPC, a load balancer without a healthy backend, or a service that is not KMS closes like this.
    { $path_fix }
    { $host_fix }
kms-rpc-fix-reset =
    A reset in answer to RPC data is typical of an IPS or application-aware firewall rejecting MS-RPC.
    { $path_fix }
    { $host_fix }
kms-rpc-fix-silent =
    Typical causes: a firewall or IPS that completes (or proxies) the handshake and then drops the data, or a hung sppsvc.
    { $path_fix }
    { $host_fix }

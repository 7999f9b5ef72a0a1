# Connections, shared by the kinds that connect to a KMS host (checks/src/common/address.rs, rpc.rs).
# Commands arrive as arguments ($new_rule, $sprt, $test); nested remediations as messages ($path_fix, $host_fix).

## Addresses and port of a host
common-lookup-failed = { $error }
common-needs-host = this check needs a host (scope each-host)
common-no-address = skipped: { $host } has no address ({ $dns })
common-no-port = no port: set 'port' or run per host

## A failed connect
common-connect-refused = connection to { $addr } refused (RST): nothing listens on { $port } there, or a firewall rejects it
common-connect-reset = connected to { $addr }, then the connection was reset (RST) at once, before a byte was sent: a middlebox or service completes the handshake and kills the connection
# (26 spaces after the colon, as the text has always had them)
common-connect-no-answer = no answer from { $addr } to { $attempts } connection attempt(s) within { DURATION($timeout_ms) } (host down or filtered):                          nothing else on this path answered in this run, so the two cannot be told apart
common-connect-filtered = no answer from { $addr } to { $attempts } connection attempt(s) within { DURATION($timeout_ms) }, while { $answered } on the same path answered: filtered (a firewall drops the SYN), or the host is down
common-connect-unreachable = { $addr } is unreachable ({ $error }): no route, or a router answered ICMP unreachable
common-connect-prohibited = connection to { $addr } prohibited ({ $error }): a firewall or local policy rejects it
common-connect-source-unusable = cannot probe { $addr }: { $error }
common-connect-wrong-family = skipped { $addr }: { $error }
common-connect-error = connect to { $addr } failed: { $error }

## What to do about it
common-fix-host-service = On the KMS host: check the service runs (Get-Service sppsvc; slmgr /dlv shows 'Listening on Port'), open the port (Enable-NetFirewallRule -Name SPPSVC-In-TCP, or { $new_rule }). If the host listens on another port, fix the SRV record or set it back with { $sprt }. Then from a client: { $test }
common-fix-path = Allow TCP { $port } from this subnet to { $ip } on every firewall between them (and on the host: Enable-NetFirewallRule -Name SPPSVC-In-TCP). Then from a client: { $test }
common-fix-reset-after-connect =
    An IPS or application-aware firewall, a load balancer without a healthy backend, or a service that refuses this client. Test-NetConnection may report TcpTestSucceeded: True here although clients fail. { $path_fix }
    { $host_fix }
common-fix-host-down = Check that { $ip } is up and is the KMS host (a retired host leaves a stale record). If it is up: { $path_fix }
common-fix-unreachable = Check routing from this subnet to { $ip } (VPN split tunnel, default gateway, static routes) and any firewall that rejects with ICMP. { $path_fix }

## A broken DCE/RPC answer
common-rpc-closed-partway = connection closed after { $bytes } bytes of a DCE/RPC PDU: { $prefix }
common-rpc-reset-partway = connection reset after { $bytes } bytes of a DCE/RPC PDU: { $prefix }
common-rpc-silent-partway = nothing more within the timeout after { $bytes } bytes of a DCE/RPC PDU: { $prefix }
common-rpc-result-count = bind_ack has { $answered } results for the { $offered } contexts offered
common-rpc-undecodable = { $error }

# The titles of the built-in rules (rules/*.yaml), for the renderers: a rule whose title is the
# built-in one is shown in the output language; a title a rule file sets is shown as written.

rule-title-kms-activation = KMS host would activate the products (real activation request, opt-in)
rule-title-clock-kms-host = Clock agrees with the KMS host (KMS limit 4 h, Kerberos 5 min)
rule-title-clock-reference = Clock agrees with the reference clock (--ntp)
rule-title-srv-present = KMS SRV record is published
rule-title-resolve-host = KMS host name resolves
rule-title-tcp-port = KMS port accepts TCP connections
rule-title-kms-rpc-bind = KMS RPC endpoint accepts the bind (read-only)
rule-title-icmp-echo = Host answers ICMP echo (informational; KMS needs only TCP)
rule-title-srv-discovery = The client's suffix list reaches a KMS SRV record
rule-title-srv-agreement = Every DNS server publishes the same KMS records
rule-title-srv-weights = SRV priority and weight do what they seem to (RFC 2782)
rule-title-srv-inventory = Published KMS hosts match the inventory
rule-title-srv-stale = No published KMS host is dead (stale SRV record)
rule-title-route-path = Path to the KMS host (interface, VPN or direct)
rule-title-proxy-env = Proxy settings (KMS never uses them)
rule-title-intercept-tcp = Nothing else answers for the KMS host
rule-title-dns-split = DNS servers on every interface agree on KMS records
rule-title-change-old-host-unpublished = Old host is gone from every DNS server's SRV answer
rule-title-change-new-host-published = New host is published by every DNS server
rule-title-change-old-host-silent = Old host no longer answers on the KMS port
rule-title-pre-new-host-unpublished = New host is not published yet (no client uses it before the switch)

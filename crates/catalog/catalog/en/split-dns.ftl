# split-dns: servers reached through different interfaces (VPN, LAN) answering differently.
split-dns-one-server = only { $count } DNS server configured: nothing to compare for { $name } (pass several --dns servers, e.g. the VPN's and the LAN's)
split-dns-same = { $count } DNS servers (via { $interfaces }) give the same answer for { $name }
split-dns-not-split = all { $count } DNS servers are reached via { $interfaces }, so their answers cannot differ by interface from here; they do disagree for { $name }, which srv.agreement reports: { LIST($views, sep: " | ") }
split-dns-split = split DNS: servers reached through different interfaces answer differently for { $name }: { LIST($views, sep: " | ") }
split-dns-split-fix = Make every DNS view clients may use (VPN DNS and LAN DNS, internal and external views) publish the same _vlmcs._tcp records and host addresses for { $name }: compare with nslookup -type=srv { $name } <server> on each. For clients that cannot use DNS discovery over the VPN, set the KMS host explicitly: slmgr /skms <kms-host>:1688 (or slmgr /skms-domain <domain> to pin the zone searched).
split-dns-view = { $server } via { $interface }: { LIST($answers, sep: "; ") }
split-dns-target-addresses = { $target } → { $addresses }
split-dns-interface = { $name } ({ $kind })
split-dns-local = local { $address }
split-dns-no-route = no route
split-dns-invalid-name = invalid name

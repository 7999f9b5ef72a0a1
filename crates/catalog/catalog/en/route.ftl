# route (checks/src/route.rs). Commands arrive as arguments.

route-path = via { $interface } ({ $kind }), { $gateway }, local address { $local }
route-unknown-interface = (unknown interface)
route-kind = { $kind ->
        [vpn] VPN/tunnel
       *[other] { $kind }
    }
route-kind-detail = { $kind }, { $detail }
route-direct = directly connected
route-gateway = gateway { $gateway }
route-enters-vpn = { $path }: KMS traffic enters the VPN/tunnel, so it works only if the KMS host is reachable through it (see tcp.port)
route-kind-unknown = { $path }: cannot tell whether { $interface } is a VPN on this system
route-vpn-not-expected = { $path }: KMS traffic to { $ip } goes into a VPN/tunnel, expected a direct path
route-vpn-expected = { $path }: expected KMS traffic to { $ip } to go through the VPN, but it leaves directly
route-no-route = no route to { $ip }: { $error }
route-no-route-from = no route to { $ip } from { $source }: { $error }
route-wrong-family = skipped { $ip }: { $error }
route-failed = cannot find the route to { $ip }: { $error }

## What to do about it
route-fix-split-tunnel =
    KMS traffic to { $ip } leaves through the VPN/tunnel interface { $interface }. If the KMS host is not reachable through the tunnel (forced tunnelling: Event 8198, 0xC004F074), exempt it from the tunnel:
      - VPN client / gateway: add a split-tunnel exclusion for { $ip }/32 (or the KMS subnet) and TCP { $port }
      - Windows Always On VPN: add { $ip }/32 as an excluded route in the profile ({ $profile_route })
      - or a host route outside the tunnel: { $host_route }  (Linux: { $linux_route })
    If clients cannot use DNS discovery over the VPN, point them at the host: { $skms }
route-fix-enter-vpn = Connect the VPN, or add { $ip }/32 to the VPN's included routes so KMS traffic enters the tunnel; check with: { $route_get } (Windows: { $find_route })
route-fix-no-route = Add a route to { $ip } from this subnet (default gateway, static route, or the VPN's routes), or bring up the interface that should carry it. Check with: { $route_get } (Windows: { $find_route })

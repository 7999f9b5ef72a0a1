# proxy (checks/src/proxy.rs).

proxy-none = no proxy configured (environment variables HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY (both cases)): KMS traffic goes straight to the network
proxy-none-windows = no proxy configured (environment variables HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY (both cases), WinHTTP): KMS traffic goes straight to the network
proxy-configured = proxy configured: { $proxies }. KMS activation is DCE/RPC over TCP { $port } and never goes through an HTTP proxy; it needs a direct TCP path to the KMS host (see the tcp and route results). If this network's only way out is the proxy, activation fails
proxy-variable = { $name }={ $value }
proxy-winhttp = WinHTTP proxy { $proxy }
proxy-fix = Make sure clients reach the KMS host on TCP 1688 without the proxy: allow TCP 1688 from the client subnets to the KMS hosts on the firewalls, and exempt the KMS addresses and port from any VPN tunnel or web-gateway redirection. Proxy exceptions (NO_PROXY, netsh winhttp set proxy ... bypass-list) do not help: KMS never uses the proxy. (A proxy matters only for the KMS host's own online activation with Microsoft: 0x80072EE2 there means use phone activation.)

# net (crates/net/src/text.rs): why a network operation failed, below the checks. An OS or
# decoder error's own text ($os_error, $error) is shown as it was written; timeouts as durations.

net-os-error = { $os_error }
net-io = { $op }: { $os_error }
net-during = { $op }: { $reason }
net-at-address = { $addr }: { $reason }
net-connect-refused = connection refused (RST)
net-reset-after-handshake = connection reset right after the handshake
net-port-unreachable-ntp = ICMP port unreachable: no NTP server listens there
net-bind-interface = cannot bind to interface { $interface }: { $os_error }
net-interface-linux-only = binding to interface { $interface } is supported on Linux only; use a source address
net-wrong-family = source { $source } and destination { $destination } are different address families
net-bind-source = cannot bind to source { $source }: { $os_error }
net-no-tcp-handshake = no TCP handshake within { DURATION($timeout_ms) }
net-no-ntp-reply = no NTP reply within { DURATION($timeout_ms) }
net-no-ntp-reply-ignored = no NTP reply within { DURATION($timeout_ms) } ({ $ignored } reply(s) with a wrong origin ignored)
net-ntp-negative-delay = NTP reply gives a negative round-trip delay (server timestamps inconsistent)
net-ntp-kiss-of-death = { $error }
net-ntp-unsynchronized = { $error }
net-ntp-invalid = { $error }
net-given-up = no reading (given up: a later method had answered) within { DURATION($timeout_ms) }
net-http-send-failed = sending the request failed: { $os_error }
net-read-failed = connection failed while reading: { $os_error }
net-no-http-head = connected, but no complete HTTP response head within { DURATION($timeout_ms) }
net-http-closed = the server closed the connection without an HTTP response
net-http-not-http = not an HTTP response (no HTTP/ status line)
net-http-bad-status-line = malformed HTTP status line { $line }
net-http-no-date = HTTP response has no Date header
net-http-conflicting-dates = HTTP response has several different Date headers
net-http-bad-date = HTTP Date header { $date } is not an HTTP-date
net-smb2-send-failed = sending the NEGOTIATE failed: { $os_error }
net-no-smb2-reply = connected, but no complete SMB2 NEGOTIATE reply within { DURATION($timeout_ms) }
net-smb2-closed = the server closed the connection without an SMB2 reply (SMB1-only or not SMB)
net-smb2-no-system-time = SMB2 NEGOTIATE reply carries no SystemTime (0)
net-smb2-rejected = { $error }
net-route-lookup-failed = route lookup failed: { $error }
net-route-lookup-timeout = route lookup did not finish within { DURATION($timeout_ms) }
net-local-address-failed = local address: { $os_error }
net-not-smb2 = not SMB2: { $error }
net-icmp-no-privilege = this process may not open an ICMP socket ({ $os_error }): it needs CAP_NET_RAW (root, or setcap cap_net_raw+ep on the binary) or net.ipv4.ping_group_range covering one of its groups (sysctl -w net.ipv4.ping_group_range="0 2147483647")
net-icmp-no-privilege-windows = ICMP needs a raw socket on Windows: run as Administrator ({ $os_error })
net-icmp-bind-failed = cannot bind the ICMP socket: { $error }
net-icmp-open-failed = cannot open an ICMP socket: { $error }
net-icmp-send-failed = ICMP send failed: { $os_error }
net-io-error = io error: { $os_error }

## Sources (--source, --interface), refused before any probe.
net-source-flag = { $flag } { $value }: { $reason }
net-source-not-ip = not an IP address (expected ADDR or ADDR%INTERFACE, e.g. 10.1.2.3 or 10.1.2.3%eth1)
net-source-never = { $ip } cannot be a source address
net-source-not-local = { $ip } is not an address of this machine (bind: { $os_error }); list them with: ip -brief address (Windows: ipconfig)
net-source-unusable = cannot use { $ip } as a source (bind: { $os_error })
net-interface-empty = empty interface name
net-interface-not-linux = binding to an interface is supported on Linux only; use --source with the address of { $name }
net-interface-missing = no interface named { $name } on this machine; list them with: ip -brief link
net-interface-needs-privilege = binding to interface { $name } needs root or CAP_NET_RAW ({ $os_error })

## Sweep ranges.
net-range-bad = { $text }: { $why } (expected CIDR like 10.1.2.0/24, a range like 10.1.2.5-10.1.2.50 or 10.1.2.5-50, or one address)
net-range-empty = empty
net-range-not-ip-before = not an IP address before '{ $sep }'
net-range-prefix-length = prefix length must be 0-{ $width }
net-range-host-bits = host bits set: the block is { $block }
net-range-not-ip-after = not an IP address (or IPv4 last octet) after '-'
net-range-families = the two ends are of different address families
net-range-reversed = the range ends before it starts
net-range-not-ip = not an IP address

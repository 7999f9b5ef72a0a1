//! Why a network operation failed, as messages: the net layer builds them, only the report
//! layer renders them (so a Japanese report says it in Japanese). An OS or protocol error's own
//! text is an argument, shown as the OS or decoder wrote it.

pub use kms_preflight_message::Message;

kms_preflight_message::messages! {
    /// {os_error}: the OS error as the OS wrote it
    os_error = "net-os-error" (os_error);
    /// {op}: {os_error} (op: socket, connect, send, receive)
    io = "net-io" (op, os_error);
    /// {addr}: {reason} (the first of several failures, with where it happened)
    at_address = "net-at-address" (addr, reason);
    /// io error: {os_error}
    io_error = "net-io-error" (os_error);
    /// {op}: {reason} (a failure of one step of an exchange; op as for net-io)
    during = "net-during" (op, reason);
    /// connection refused (RST)
    connect_refused = "net-connect-refused" ();
    /// connection reset right after the handshake
    reset_after_handshake = "net-reset-after-handshake" ();
    /// ICMP port unreachable: no NTP server listens there
    port_unreachable_ntp = "net-port-unreachable-ntp" ();
    /// cannot bind to interface {interface}: {os_error}
    bind_interface = "net-bind-interface" (interface, os_error);
    /// binding to interface {interface} is supported on Linux only; use a source address
    interface_linux_only = "net-interface-linux-only" (interface);
    /// source {source} and destination {destination} are different address families
    wrong_family = "net-wrong-family" (source, destination);
    /// cannot bind to source {source}: {os_error}
    bind_source = "net-bind-source" (source, os_error);
    /// no TCP handshake within {timeout_ms}
    no_tcp_handshake = "net-no-tcp-handshake" (timeout_ms);
    /// no NTP reply within {timeout_ms}
    no_ntp_reply = "net-no-ntp-reply" (timeout_ms);
    /// no NTP reply within {timeout_ms} ({ignored} reply(s) with a wrong origin ignored)
    no_ntp_reply_ignored = "net-no-ntp-reply-ignored" (timeout_ms, ignored);
    /// NTP reply gives a negative round-trip delay (server timestamps inconsistent)
    ntp_negative_delay = "net-ntp-negative-delay" ();
    /// a Kiss-o'-Death reply: {error} as the decoder wrote it
    ntp_kiss_of_death = "net-ntp-kiss-of-death" (error);
    /// the server's clock is unsynchronized: {error} as the decoder wrote it
    ntp_unsynchronized = "net-ntp-unsynchronized" (error);
    /// an SNTP reply that does not decode: {error} as the decoder wrote it
    ntp_invalid = "net-ntp-invalid" (error);
    /// no reading (given up: a later method had answered) within {timeout_ms}
    given_up = "net-given-up" (timeout_ms);
    /// sending the request failed: {os_error}
    http_send_failed = "net-http-send-failed" (os_error);
    /// connection failed while reading: {os_error}
    read_failed = "net-read-failed" (os_error);
    /// connected, but no complete HTTP response head within {timeout_ms}
    no_http_head = "net-no-http-head" (timeout_ms);
    /// the server closed the connection without an HTTP response
    http_closed = "net-http-closed" ();
    /// not an HTTP response (no HTTP/ status line)
    http_not_http = "net-http-not-http" ();
    /// malformed HTTP status line {line} (quoted)
    http_bad_status_line = "net-http-bad-status-line" (line);
    /// HTTP response has no Date header
    http_no_date = "net-http-no-date" ();
    /// HTTP response has several different Date headers
    http_conflicting_dates = "net-http-conflicting-dates" ();
    /// HTTP Date header {date} (quoted) is not an HTTP-date
    http_bad_date = "net-http-bad-date" (date);
    /// sending the NEGOTIATE failed: {os_error}
    smb2_send_failed = "net-smb2-send-failed" (os_error);
    /// connected, but no complete SMB2 NEGOTIATE reply within {timeout_ms}
    no_smb2_reply = "net-no-smb2-reply" (timeout_ms);
    /// the server closed the connection without an SMB2 reply (SMB1-only or not SMB)
    smb2_closed = "net-smb2-closed" ();
    /// SMB2 NEGOTIATE reply carries no SystemTime (0)
    smb2_no_system_time = "net-smb2-no-system-time" ();
    /// the server refused the NEGOTIATE: {error} (with its NTSTATUS) as the decoder wrote it
    smb2_rejected = "net-smb2-rejected" (error);
    /// this process may not open an ICMP socket ({os_error}): it needs CAP_NET_RAW (…) or
    /// net.ipv4.ping_group_range covering one of its groups (…)
    icmp_no_privilege = "net-icmp-no-privilege" (os_error);
    /// ICMP needs a raw socket on Windows: run as Administrator ({os_error})
    icmp_no_privilege_windows = "net-icmp-no-privilege-windows" (os_error);
    /// cannot bind the ICMP socket: {error}
    icmp_bind_failed = "net-icmp-bind-failed" (error);
    /// cannot open an ICMP socket: {error}
    icmp_open_failed = "net-icmp-open-failed" (error);
    /// ICMP send failed: {os_error}
    icmp_send_failed = "net-icmp-send-failed" (os_error);
    /// route lookup failed: {error}
    route_lookup_failed = "net-route-lookup-failed" (error);
    /// route lookup did not finish within {timeout_ms}
    route_lookup_timeout = "net-route-lookup-timeout" (timeout_ms);
    /// local address: {os_error}
    local_address_failed = "net-local-address-failed" (os_error);
    /// not SMB2: {error}
    not_smb2 = "net-not-smb2" (error);

    // Sources (--source, --interface): refused before any probe.
    /// {flag} {value}: {reason}
    source_flag = "net-source-flag" (flag, value, reason);
    /// not an IP address (expected ADDR or ADDR%INTERFACE, e.g. 10.1.2.3 or 10.1.2.3%eth1)
    source_not_ip = "net-source-not-ip" ();
    /// {ip} cannot be a source address
    source_never = "net-source-never" (ip);
    /// {ip} is not an address of this machine (bind: {os_error}); list them with: …
    source_not_local = "net-source-not-local" (ip, os_error);
    /// cannot use {ip} as a source (bind: {os_error})
    source_unusable = "net-source-unusable" (ip, os_error);
    /// empty interface name
    interface_empty = "net-interface-empty" ();
    /// binding to an interface is supported on Linux only; use --source with the address of {name}
    interface_not_linux = "net-interface-not-linux" (name);
    /// no interface named {name} on this machine; list them with: ip -brief link
    interface_missing = "net-interface-missing" (name);
    /// binding to interface {name} needs root or CAP_NET_RAW ({os_error})
    interface_needs_privilege = "net-interface-needs-privilege" (name, os_error);

    // Sweep ranges.
    /// {text}: {why} (expected CIDR like 10.1.2.0/24, a range like …, or one address)
    range_bad = "net-range-bad" (text, why);
    /// empty
    range_empty = "net-range-empty" ();
    /// not an IP address before '{sep}'
    range_not_ip_before = "net-range-not-ip-before" (sep);
    /// prefix length must be 0-{width}
    range_prefix_length = "net-range-prefix-length" (width);
    /// host bits set: the block is {block}
    range_host_bits = "net-range-host-bits" (block);
    /// not an IP address (or IPv4 last octet) after '-'
    range_not_ip_after = "net-range-not-ip-after" ();
    /// the two ends are of different address families
    range_families = "net-range-families" ();
    /// the range ends before it starts
    range_reversed = "net-range-reversed" ();
    /// not an IP address
    range_not_ip = "net-range-not-ip" ();
}

/// The id of [`no_tcp_handshake`], to recognise that failure.
pub const NO_TCP_HANDSHAKE: &str = "net-no-tcp-handshake";

/// A duration as the `timeout_ms` argument: milliseconds, fractions kept (DURATION in the
/// catalogs writes it as humantime does: `2s`, `1s 500ms`).
pub fn ms_arg(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

//! The usage errors the binary prints (exit 2): its command-line values, `--config`, and the
//! options that do not go together. Declared here, below the binary, so the catalog tests see
//! them; the binary builds them (`kms_preflight::cli_values`, `src/commands`).

kms_preflight_engine::messages! {
    /// {flag}: {error} (a value's error, e.g. a duration's, after the option's name)
    flag_value = "usage-flag-value" (flag, error);
    /// --interval {value}: must be at least 1s
    interval_too_short = "usage-interval-too-short" (value);
    /// {value}: not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)
    cmid = "usage-cmid" (value);
    /// {value}: {why} (expected NAME, NAME:PORT or [IPv6]:PORT)
    host = "usage-host" (value, why);
    /// why: empty
    host_empty = "usage-host-empty" ();
    /// why: invalid port
    host_invalid_port = "usage-host-invalid-port" ();
    /// why: missing ']'
    host_missing_bracket = "usage-host-missing-bracket" ();
    /// why: unexpected text after ']'
    host_after_bracket = "usage-host-after-bracket" ();
    /// why: not an IPv6 address inside [ ]
    host_not_ipv6 = "usage-host-not-ipv6" ();
    /// why: empty host name
    host_empty_name = "usage-host-empty-name" ();
    /// why: {char} cannot be part of a host name (letters, digits, '-', '_' and '.')
    host_bad_char = "usage-host-bad-char" (char);
    /// {value}: a host name without a port
    host_with_port = "usage-host-with-port" (value);
    /// {value}: expected an IP address, IP:PORT or [IPv6]:PORT (…)
    dns_server = "usage-dns-server" (value);
    /// {value}: expected KEY=VALUE
    key_value = "usage-key-value" (value);
    /// --concurrency must be at least 1
    concurrency_zero = "usage-concurrency-zero" ();
    /// {value}: {detail} (a number that does not parse; detail is Rust's reason)
    not_a_number = "usage-not-a-number" (value, detail);
    /// A sweep range that does not parse: {detail} is the range parser's reason (a message).
    range = "usage-range" (detail);
    /// {value}: not a TCP port number (1-65535)
    port = "usage-port" (value);
    /// {value}: new connections per second, 1-{max} (e.g. 200 or 200/s)
    rate = "usage-rate" (value, max);
    /// {value}: a number of addresses, at least 1
    max_addresses = "usage-max-addresses" (value);
    /// {value}: connects in flight, 1-{max}
    sweep_concurrency = "usage-sweep-concurrency" (value, max);
    /// {value}: expected ADDR:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9688 or 0.0.0.0:9688
    listen = "usage-listen" (value);
    /// {value}: expected KEY=VALUE, e.g. site=osaka
    label_form = "usage-label-form" (value);
    /// label name {name} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)
    label_name = "usage-label-name" (name);
    /// label name {name} starts with "__", which Prometheus reserves for internal use
    label_internal = "usage-label-internal" (name);
    /// label name {name} is reserved: the exporter or Prometheus sets it ({reserved})
    label_reserved = "usage-label-reserved" (name, reserved);
    /// label {label}: empty value (Prometheus treats an empty label as absent)
    label_empty = "usage-label-empty" (label);
    /// label {label}: value longer than {max} characters
    label_too_long = "usage-label-too-long" (label, max);
    /// label {label}: control character in the value
    label_control = "usage-label-control" (label);
    /// --label {label}: given more than once
    label_twice = "usage-label-twice" (label);
    /// {flag} {value}: {detail} (a DNS name refused, and why)
    domain = "usage-domain" (flag, value, detail);
    /// A source address or interface refused: {detail} names the flag, the value and why.
    sources = "usage-sources" (detail);
    /// no DNS domain to search: …; pass --domain DOMAIN (or --host NAME …)
    no_domain = "usage-no-domain" ();
    /// no DNS server: the system resolver configuration lists none; pass --dns IP
    no_dns_server = "usage-no-dns-server" ();
    /// sweep: the same, "(or --no-dns)"
    no_dns_server_sweep = "usage-no-dns-server-sweep" ();
    /// refusing to sweep {addresses} addresses ({ranges}): more than {max}; …
    sweep_too_many = "usage-sweep-too-many" (addresses, ranges, max);
    /// --activation-probe: {detail} (the CMID file's problem, one of the `cmid_*` messages)
    activation_cmid = "usage-activation-cmid" (detail);
    /// --activation-probe: {detail}; pass --cmid UUID (no state directory)
    activation_no_state = "usage-activation-no-state" (detail);
    /// no state directory: none of STATE_DIRECTORY, XDG_STATE_HOME or HOME is set to an absolute path
    cmid_no_state_dir = "usage-cmid-no-state-dir" ();
    /// no randomness for a new CMID: {error}
    cmid_no_randomness = "usage-cmid-no-randomness" (error);
    /// cannot read the CMID file {file}: {error}
    cmid_unreadable = "usage-cmid-unreadable" (file, error);
    /// the CMID file {file} does not hold a UUID ({text}); fix or delete it (…) or pass --cmid UUID
    cmid_not_uuid = "usage-cmid-not-uuid" (file, text);
    /// cannot create the state directory {dir} for this machine's CMID: {error}; {hint}
    cmid_mkdir = "usage-cmid-mkdir" (dir, error);
    /// cannot write the CMID file in {dir}: {error}; {hint}
    cmid_write = "usage-cmid-write" (dir, error);
    /// cannot create the CMID file {file}: {error}; {hint}
    cmid_link = "usage-cmid-link" (file, error);
    /// --config: only version 1 exists
    config_version = "usage-config-version" ();
    /// clap's own line for a value our parser refused, rendered by us in the chosen language:
    /// error: invalid value '{value}' for '{arg}': {reason}
    invalid_value = "usage-invalid-value" (value, arg, reason);
    /// For more information, try '--help'.
    try_help = "usage-try-help" ();
}

# Usage errors the binary prints (exit 2): command-line values, --config, options that do not
# go together (crates/report/src/usage.rs).

## Command-line values
usage-flag-value = { $flag }: { $error }
usage-interval-too-short = --interval { $value }: must be at least 1s
usage-cmid = { $value }: not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)
usage-host = { $value }: { $why } (expected NAME, NAME:PORT or [IPv6]:PORT)
usage-host-empty = empty
usage-host-invalid-port = invalid port
usage-host-missing-bracket = missing ']'
usage-host-after-bracket = unexpected text after ']'
usage-host-not-ipv6 = not an IPv6 address inside [ ]
usage-host-empty-name = empty host name
usage-host-bad-char = { $char } cannot be part of a host name (letters, digits, '-', '_' and '.')
usage-host-with-port = { $value }: a host name without a port
usage-dns-server = { $value }: expected an IP address, IP:PORT or [IPv6]:PORT (DNS servers are given by address)
usage-key-value = { $value }: expected KEY=VALUE
usage-concurrency-zero = --concurrency must be at least 1
usage-not-a-number = { $value }: { $detail }
usage-range = { $detail }
usage-port = { $value }: not a TCP port number (1-65535)
usage-rate = { $value }: new connections per second, 1-{ $max } (e.g. 200 or 200/s)
usage-max-addresses = { $value }: a number of addresses, at least 1
usage-sweep-concurrency = { $value }: connects in flight, 1-{ $max }
usage-listen = { $value }: expected ADDR:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9688 or 0.0.0.0:9688
usage-label-form = { $value }: expected KEY=VALUE, e.g. site=osaka
usage-label-name = label name { $name } is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)
usage-label-internal = label name { $name } starts with "__", which Prometheus reserves for internal use
usage-label-reserved = label name { $name } is reserved: the exporter or Prometheus sets it ({ LIST($reserved, sep: ", ") })
usage-label-empty = label { $label }: empty value (Prometheus treats an empty label as absent)
usage-label-too-long = label { $label }: value longer than { $max } characters
usage-label-control = label { $label }: control character in the value
usage-label-twice = --label { $label }: given more than once
usage-domain = { $flag } { $value }: { $detail }
usage-sources = { $detail }

## What the run cannot do without
usage-no-domain = no DNS domain to search: the system resolver configuration has no domain or search list; pass --domain DOMAIN (or --host NAME to check a host directly)
usage-no-dns-server = no DNS server: the system resolver configuration lists none; pass --dns IP
usage-no-dns-server-sweep = no DNS server: the system resolver configuration lists none; pass --dns IP (or --no-dns)
usage-sweep-too-many = refusing to sweep { $addresses } addresses ({ LIST($ranges, sep: ", ") }): more than { $max }; split the range, or raise the limit with --max-addresses { $addresses } if this is intended

## --activation-probe (the CMID file)
usage-activation-cmid = --activation-probe: { $detail }
usage-activation-no-state = --activation-probe: { $detail }; pass --cmid UUID
usage-cmid-no-state-dir = no state directory: none of STATE_DIRECTORY, XDG_STATE_HOME or HOME is set to an absolute path
usage-cmid-no-randomness = no randomness for a new CMID: { $error }
usage-cmid-unreadable = cannot read the CMID file { $file }: { $error }
usage-cmid-not-uuid = the CMID file { $file } does not hold a UUID ({ $text }); fix or delete it (a new CMID is counted by the host as a new client) or pass --cmid UUID
-cmid-hint = set STATE_DIRECTORY or XDG_STATE_HOME to a writable directory, or pass --cmid UUID
usage-cmid-mkdir = cannot create the state directory { $dir } for this machine's CMID: { $error }; { -cmid-hint }
usage-cmid-write = cannot write the CMID file in { $dir }: { $error }; { -cmid-hint }
usage-cmid-link = cannot create the CMID file { $file }: { $error }; { -cmid-hint }

## --config FILE
usage-config-version = only version 1 exists

## The command-line parser's line for a refused value (as clap writes it)
usage-invalid-value = error: invalid value '{ $value }' for '{ $arg }': { $reason }
usage-try-help = For more information, try '--help'.

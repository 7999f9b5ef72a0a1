# sweep's table and Markdown (crates/report/src/sweep.rs). Service and publication tokens
# (kms, rogue, …), addresses and commands stay as they are.

## Table
sweep-report-title = { $version } sweep — { $ranges } — domains: { $domains } — DNS: { $dns }
sweep-report-none = (none)
sweep-report-status = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] SKIP
       *[error] ERROR
    }
sweep-report-col-address = ADDRESS:PORT
sweep-report-col-service = SERVICE
sweep-report-col-published = PUBLISHED
sweep-report-col-rtt = RTT
sweep-report-col-ptr = PTR
sweep-report-col-detail = DETAIL
# The detail column of a listener: its address is in its own column.
sweep-report-kms-host = KMS host { $what }
sweep-report-listener = listener { $what }
sweep-report-no-open-port = (no open port)
sweep-report-what-to-do = What to do
sweep-report-compared-with = Compared with
sweep-report-summary = { $total } results: { $pass } pass, { $warn } warn, { $fail } fail, { $error } error — { $verdict }
sweep-report-verdict = { $verdict ->
        [not-clean] NOT CLEAN
        [check] CHECK the warnings
       *[clean] CLEAN
    }

## Markdown
sweep-report-md-title = KMS listener sweep: { $ranges }
sweep-report-md-headline = **{ $verdict ->
        [action] Action required
        [review] Review required
       *[none] No finding
    }** — { $kms } KMS host(s) found: { $published } published, { $rogue } rogue, { $forbidden } forbidden, { $allowed } allowed; { $missing } published endpoint(s) not answering as KMS.
sweep-report-md-status = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] skip
       *[error] ERROR
    }
sweep-report-md-ranges = Ranges
sweep-report-md-ports = Ports
sweep-report-md-addresses = Addresses
sweep-report-md-addresses-value = { $addresses } ({ $probed } of { $probes } probes done)
sweep-report-md-probing = Probing
sweep-report-md-probing-value = TCP connect, then on open ports one read-only DCE/RPC bind (no activation request); { $rate } new connections/s at most, { $concurrency } in flight, { $timeout_ms } ms timeout
sweep-report-md-interrupted = Interrupted
sweep-report-md-interrupted-value = the sweep was stopped (Ctrl-C): results are partial
sweep-report-md-started = Started
sweep-report-md-duration = Duration
sweep-report-md-duration-value = { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } s
sweep-report-md-compared-with = Compared with
sweep-report-md-compared-value = { $names } via { $dns }
sweep-report-md-no-domain = (no domain)
sweep-report-md-no-dns = (no DNS)
sweep-report-md-tool = Tool
sweep-report-md-none = None.
sweep-report-md-col-status = Status
sweep-report-md-col-address = Address:port
sweep-report-md-col-service = Service
sweep-report-md-col-published = Published
sweep-report-md-col-ptr = PTR
sweep-report-md-col-finding = Finding
sweep-report-md-kms-found = KMS hosts found
sweep-report-md-missing = Published endpoints that do not answer as KMS
sweep-report-md-others = Other listeners on the KMS port
sweep-report-md-counts = Counts
sweep-report-md-dns-publishes = What DNS publishes
sweep-report-md-actions = Actions

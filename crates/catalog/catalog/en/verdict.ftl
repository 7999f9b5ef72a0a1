# The verdict (report/src/verdict.rs, verdict_model.rs, verdict_block.rs): would a client activate from here, and
# what to fix first. Shares arrive as text ("33 %"); a clause is the first clause of a result's message.

## Answers
verdict-label-works = WORKS
verdict-label-works-with-risk = WORKS WITH RISK
verdict-label-fails = FAILS
verdict-label-unknown = UNKNOWN

## Why one attempt at a host ends as it does, in a few words (follows "whose" in a risk)
verdict-clause = { CLAUSE($message) }
verdict-not-probed = not probed: this run tried no connection to it
verdict-stale-no-address = stale record: no longer resolves
verdict-stale-port-dead = stale record: port { $port } dead
verdict-undecided = { $check } could not be decided
verdict-clock-off = clock is { NUMBER($value, maximumFractionDigits: 1) } { $unit ->
        [h] h
        [min] min
       *[s] s
    } { $direction ->
        [ahead] ahead
       *[behind] behind
    }
verdict-activation-count = client count is { $count } of the { $threshold } that { $product } needs
verdict-activation-refused = answer to { $product } is a refusal
verdict-the-product = the product
verdict-note = { $check } { $status }: { $message }

## How the client finds its hosts
verdict-discovery-no-dns = no DNS server answers the client's SRV queries
verdict-discovery-no-record = no suffix of the client's list finds a KMS SRV record
verdict-discovery-fails = { $what } ({ $suffixes })
verdict-discovery-srv = SRV _vlmcs._tcp.{ $domain }
verdict-discovery-by-hand = hosts given on the command line (as if set with slmgr /skms)
verdict-discovery-none-found = no KMS SRV record found
verdict-discovery-nothing = none
verdict-nothing-to-judge = no KMS host to judge: no SRV record was found and no --host given
verdict-with-code = { $reason } → { $code }
verdict-from-source = from { $source }: { $reason }

## Fixes (titles)
verdict-fix-stale = remove the stale SRV record of { $host }
verdict-fix-clock = set the clock of { $host } right
verdict-fix-clock-now = set the clock of { $host } right (now { NUMBER($value, maximumFractionDigits: 1) } { $unit ->
        [h] h
        [min] min
       *[s] s
    } { $direction ->
        [ahead] ahead
       *[behind] behind
    })
verdict-fix-resolve = make { $host } resolve{ $or_remove ->
        [true] , or remove its SRV record
       *[false] {""}
    }
verdict-fix-tcp = open TCP { $port } to { $host }{ $or_remove ->
        [true] , or remove its SRV record
       *[false] {""}
    }
verdict-fix-rpc = make { $host } answer as a KMS host{ $or_remove ->
        [true] , or remove its SRV record
       *[false] {""}
    }
verdict-fix-dns = make the client's DNS servers answer it (UDP and TCP 53)
verdict-fix-publish = publish _vlmcs._tcp where the client's suffix list looks
verdict-fix-publish-in = publish _vlmcs._tcp in { $domain }
verdict-fix-publish-in-client-domain = publish _vlmcs._tcp in the client's domain
verdict-fix-activate-because = make { $host } activate (its { $because })
verdict-fix-activate = make { $host } activate the product
verdict-fix-other = fix { $check } for { $host }
verdict-fixes-stale = remove the { $count } stale SRV records ({ $hosts })
verdict-fixes-clock = set the clocks of { $count } hosts right ({ $hosts })
verdict-fixes-resolve = make { $count } hosts resolve{ $or_remove ->
        [true] , or remove their SRV records
       *[false] {""}
    } ({ $hosts })
verdict-fixes-tcp = open TCP { $port } to { $count } hosts{ $or_remove ->
        [true] , or remove their SRV records
       *[false] {""}
    } ({ $hosts })
verdict-fixes-rpc = make { $count } hosts answer as KMS hosts{ $or_remove ->
        [true] , or remove their SRV records
       *[false] {""}
    } ({ $hosts })
verdict-fixes-other = fix { $check } for { $count } hosts ({ $hosts })

## The answer's reason and risks
verdict-cannot-tell = cannot tell: no host's attempt could be decided — { $because }
verdict-all-reject = every host that answers rejects the request: { $hosts }
verdict-host-because = { $host } ({ $because })
verdict-host-because-code = { $host } ({ $because } → { $code })
verdict-none-answers = no KMS host answers: { $hosts } → { $code }
verdict-all-activate = every host a client can pick activates it ({ $count } host(s))
verdict-all-activate-via = every host a client can pick activates it ({ $count } host(s) via { $domain })
verdict-share-both = { $off } (caching off) / { $on } (caching on)
verdict-risk-rejects = { $share } of first attempts reach { $host }, whose { $because } → { $code }
verdict-risk-rejects-error = { $share } of first attempts reach { $host }, whose { $because } → an error
verdict-risk-dead-one = { $share } of first attempts reach { $host }, which does not answer ({ $because }); clients fail over to another host
verdict-risk-dead-many = { $share } of first attempts reach one of { $count } hosts that do not answer ({ $hosts }); clients fail over to another host
verdict-risk-unknown = { $host }: { $because }
verdict-risk-some-dead = some attempts reach hosts that do not answer

## The verdict block (table; the Markdown report shares its lines)
verdict-attempt-works = activates
verdict-attempt-works-notes = activates ({ $count } note(s): { $note })
verdict-attempt-rejected = rejected: { $because }
verdict-attempt-rejected-code = rejected: { $because } → { $code }
verdict-attempt-no-answer = no answer ({ $because }) → next host
verdict-attempt-unknown = unknown: { $because }
verdict-block-group = { $share } each   { $count } hosts ({ $hosts })
verdict-activates-same = activates: { $share } of clients (either caching setting)
verdict-activates-both = activates: { $off } of clients with caching off, { $on } with caching on
verdict-others-log = { $line }; the others log { $code }
verdict-find-through = clients find KMS through { $domain }
verdict-find-through-how = clients find KMS through: { $how }
verdict-find-list = { $line } (suffix list: { $suffixes })
verdict-find-list-from = { $line } (suffix list from { $origin }: { $suffixes })
verdict-origin-system = system resolver search list
verdict-benefit-unblocks = unblocks { $share } of clients
verdict-benefit-spares = spares { $share } of first attempts a failover
verdict-benefit-none = unblocks no client by itself
verdict-block-answer = { $label } — { $reason }
verdict-block-client = from { $source }: { $label } — { $reason }
verdict-block-os-choice = (OS choice)
verdict-block-hosts-head = first try, caching off | on   host and what an attempt there does
verdict-block-hosts-head-prio = first try, caching off | on   host (priority/weight) and what an attempt there does
verdict-block-fixes = fixes, by clients unblocked:
verdict-block-fix = { $rank }. { $title } [{ $check }] — { $benefit }

# The kms-activation kind (opt-in: check --activation-probe): a real activation request to the KMS host.
activation-no-bind-accepted = skipped: no address of this host accepted the RPC bind

activation-not-opted-in = not run: the activation probe is opt-in (--activation-probe); no activation request was sent
activation-cmid-invalid = CMID { $cmid } is not a UUID
activation-unknown-product = unknown product '{ $product }' (see kms-preflight check --help)
activation-who = { $product } at { $addr }

## How one probe ended
activation-count-below = { $who }: the host answered but will not activate yet: it counts { $count } client(s) for { $group } and activates from { $threshold } (0xC004F038): { $more } more client(s) needed; { $facts }
activation-this-product-group = this product group
activation-emulator-signs = { $who }: the host would activate (count { $count }, threshold { $threshold }), but it shows emulator signs: { LIST($signs, sep: "; ") }; { $facts }
activation-would-activate = { $who }: the host would activate (count { $count }, threshold { $threshold }): { $facts }; no emulator sign seen
activation-response-rejected = { $who }: the host's answer fails a client check, so a Windows/Office client would not accept it: { $error }
activation-fault = { $who }: the RPC runtime answered the activation request with a fault, status { $status }
activation-fault-named = { $who }: the RPC runtime answered the activation request with a fault, status { $status } ({ $name })
activation-bind-failed = { $who }: the bind on the probe's own connection failed: { $why }
activation-no-answer = { $who }: no answer to the activation request: { $why }
activation-local-error = { $who }: the probe could not run: { $why }
activation-product-refused = { $who }: the host refused the product ({ $code }): its host key does not cover { $group }; { $need }
activation-product-refused-installed = { $who }: the host refused the product ({ $code }): its host key does not cover { $group } (its ePID for another product names { $installed }); { $need }
activation-needs-key = to activate it, the host needs host key { $key }
activation-needs-key-or = to activate it, the host needs host key { $key } (or one of: { $others })
activation-no-key-activates = no host key in the catalog activates it
activation-timestamp-rejected = { $who }: the host rejected the request's timestamp ({ $code }): it judges this machine's clock to differ from its own by more than 4 hours
activation-refused = { $who }: the host refused the request with { $code }: { $title }. { $text }

## The facts of a validated response
activation-fact-host = host { $os } (build { $build })
activation-unknown-os = unknown OS
activation-fact-language = language { $tag } (LCID { $lcid })
activation-fact-lcid = language LCID { $lcid }
activation-fact-host-key = host key { $key }
activation-fact-host-key-unknown = host key unknown (group { $group }, key id { $key_id })
activation-fact-key-activated = key activated { $date }
activation-fact-epid-undecodable = ePID { $epid } (not decodable)
activation-fact-intervals = intervals { $activation } / { $renewal } min (activation / renewal)

## Emulator signs (also kept as evidence, in English)
activation-sign-known-hwid = HwId { $hwid } is { $emulator }'s default
activation-sign-count-twice = current count { $count } is exactly 2 x N (N = { $threshold }); emulators report this at once
activation-sign-count-above-cap = current count { $count } exceeds the 2 x N cap { $cap } a genuine host applies
activation-sign-platform-mismatch = ePID platform { $platform } does not match build { $build } (expected { $expected })
activation-sign-invalid-day = ePID activation day { $day } of { $year } is not a real date
activation-sign-date-in-future = ePID activation date (day { $day } of { $year }) is after the request time
activation-sign-epid-changed = ePID changed between calls: { $previous } then { $current }
activation-sign-iv-reused = v6 response reuses the request IV (v5 behaviour)
activation-sign-no-ndr64 = NDR64 refused although the ePID claims build { $build } (>= 9200)
activation-sign-py-kms-assoc-group = bind_ack assoc_group_id 0x1063BF3F is py-kms's constant
activation-sign-conc-mpx = bind_ack flags { $flags } set PFC_CONC_MPX the bind did not ask for
activation-sign-first-contact = { $sign } on first contact from this machine's new CMID
activation-sign-key-cannot-activate = the ePID names host key { $name } ({ $key }), which cannot activate { $product }, yet the host activated it
activation-sign-unknown-key = the ePID's key id { $key_id } in group { $group } belongs to no known host key (CSVLK)
activation-sign-channel = the ePID's license channel is { $channel }, not 03 (volume)
activation-sign-epid-shape = the ePID { $epid } does not have the PPPPP-GGGGG-KKK-KKKKKK-03-LLLL-BBBBB.0000-DDDYYYY shape
activation-version-fell-back = { $version } answered 0x8007000D

## The exchange around the request
activation-the-bind = bind
activation-the-request = activation request
activation-end-complete = { $what }: complete
activation-end-not-rpc = { $what }: the reply is not DCE/RPC
activation-end-closed = the host closed the connection instead of answering the { $what }
activation-end-reset = the connection was reset (RST) in answer to the { $what }
activation-end-timeout = no answer to the { $what } within { DURATION($timeout_ms) }
activation-end-error = { $what }: socket error: { $error }
activation-not-bind-ack = the answer to the bind is not a bind_ack
activation-no-ndr32-context = the host accepted no KMS context with NDR32
activation-not-rpc-response = the reply is not an RPC response: { $error }
activation-no-randomness = no randomness for the IV: { $error }

## Remediation
activation-fix-count = Normal for a new host: it activates clients once { $threshold } distinct machines have asked it within 30 days. Check the count on the host with slmgr /dlv; if it stays low, look for cloned machines sharing a CMID (sysprep /generalize), or several KMS hosts splitting the clients between them (srv.inventory).
activation-fix-emulator = A KMS emulator is a license compliance problem, not a connectivity one: find out who runs this host (its HwId, ePID and address are in the evidence) and compare with the KMS hosts you own (slmgr /dlv on each).
activation-fix-rejected = Something between this machine and the host changes the RPC data (an IPS or proxy rewriting TCP 1688), or the listener is not a working KMS host. Probe from the host's own subnet to tell them apart.
activation-fix-no-answer = The bind was accepted, so the path carries RPC; a listener that drops the call after the bind is a non-multitasked emulator, a broken host (Get-Service sppsvc; the KMS event log) or an RPC filter that allows binds only.
activation-fix-host-key = Install and activate the right host key (CSVLK) on the KMS host: slmgr /ipk <CSVLK>, slmgr /ato (for Office: the Office KMS host license pack, then the Office CSVLK). Or point these clients at a host that has it: slmgr /skms <kms-host>:<port>. Needed: { $needed }.
activation-unknown = unknown
activation-fix-timestamp = Compare the clocks: clock.kms-host measures the host's clock from here (w32tm /stripchart /computer:<kms-host> on Windows). Fix whichever side is wrong: w32tm /query /status, w32tm /resync.
activation-fix-catalog = { LIST($fixes, sep: "\u000A") }
activation-catalog-fix = { $what } ({ LIST($commands, sep: "; ") })

## The cross-reference with the clock check of the same host
activation-clock-said = { $message }; { $clock } from here says: { LIST($said, sep: " | ") }
activation-clock-result = { $status }: { $message }
activation-clock-not-run = { $message }; { $clock } did not run in this report, so this machine's offset to the host was not measured (kms-preflight diagnose 0xC004F06C measures it)

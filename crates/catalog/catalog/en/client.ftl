# client: what a Windows client's own output (--client-state) says it would do.
client-input-unreadable = --client-state { $file }: cannot read it: { $error }
client-input-empty = --client-state { $file }: empty input; expected the output of slmgr /dli, /dlv or /xpr, cscript ospp.vbs /dstatus, reg query of a SoftwareProtectionPlatform key, or ipconfig /all
client-input-too-large = --client-state { $file }: { $bytes } bytes is over the { $limit_mib } MiB limit for a client's output (refused unread)
client-input-binary = --client-state { $file }: binary data, not a client's text output: { $detail } (first bytes: { $first_bytes })
client-input-too-many = --client-state { $file }: more than { $limit } { $what }; no Windows client prints that many, so this is not one client's output
client-input-unrecognized = --client-state { $file }: not a Windows client output this tool reads ({ $encoding } text; first line: "{ $first_line }"); expected the output of slmgr /dli, /dlv or /xpr, cscript ospp.vbs /dstatus, reg query of a SoftwareProtectionPlatform key, or ipconfig /all
client-heading = (client state read from { $inputs }: each product is judged by the client's own route to KMS)
client-input-missing = { $file } is partial: not found: { $fields }
client-override = the command line overrides the clients' discovery: this run searched { $run_domains } instead of { $client_domains }
client-product-pinned = { $product }: pinned to { $target } ({ $origin ->
        [slmgr] slmgr /skms
        [ospp] registry override, ospp.vbs /sethst
        [registry-sku] registry, SKU-specific
        [registry-app] registry, application-specific
        [registry] registry
       *[other] { $origin }
    }) → { $outcome }; DNS discovery is bypassed
client-product-discovery = { $product }: finds KMS through { $via } → { $outcome }
client-product-not-kms = { $product }: channel { $channel }, not a KMS client; the KMS checks don't apply to it
client-product-not-kms-code = { $product }: channel { $channel }, not a KMS client; the KMS checks don't apply to it (its notification reason { $code }: see kms-preflight explain { $code })
client-via-lookup-domain = its lookup domain _vlmcs._tcp.{ $domain } only (slmgr /skms-domain; the suffix list is not used)
client-via-suffixes = _vlmcs._tcp.{ $domain } (its suffix list: { $suffixes })
client-via-nothing = its suffix list ({ $suffixes })
client-outcome-activates = activates
client-outcome-no-answer = { $because } → it logs { $code }
client-outcome-rejected = rejected: { $because } → it logs { $code }
client-outcome-unknown = cannot tell: { $because }
client-outcome-fails = fails: { $reason }
client-outcome-risk = works with risk: { $reason }
client-discovery-would-find = DNS discovery would find { $hosts }, which works
client-fix-windows-pinned = Fix: slmgr /ckms (back to DNS discovery) then slmgr /ato, or slmgr /skms { $host } then slmgr /ato
client-fix-office-pinned = Fix: cscript ospp.vbs /remhst (back to DNS discovery) then cscript ospp.vbs /act, or cscript ospp.vbs /sethst:{ $host } /setprt:{ $port } then cscript ospp.vbs /act
client-fix-windows-dns = Fix: publish _vlmcs._tcp where this client looks (see the fixes below), or pin it: slmgr /skms <kms-host>:1688 then slmgr /ato
client-fix-office-dns = Fix: publish _vlmcs._tcp where this client looks (see the fixes below), or pin it: cscript ospp.vbs /sethst:<kms-host> then cscript ospp.vbs /act
client-status-grace = in { $status ->
        [initial] initial grace
        [additional] additional grace
        [non-genuine] non-genuine grace
        [extended] extended grace
       *[other] grace
    } with { $minutes } minutes left: the grace period ends about { $ends } (counted from this run's start)
client-status-notification = in Notification mode: it is not activated
client-last-code-matches = its last code { $code } matches what this audit sees
client-last-code-differs = its last code { $code } differs from what this audit predicts ({ $seen })
client-last-code-cleared = its last code { $code } is not what this audit sees: from here it activates; retry the activation
client-note-pin-unknown = slmgr withheld its KMS block (not licensed) and no reg query was given: a pinned host would not show; add reg query HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform
client-note-pin-differs = the registry pins { $registry } but slmgr/ospp printed { $printed }; the client reads the registry
client-note-lookup-domain-ignored = its lookup domain { $domain } is ignored: a pinned host overrides it
client-note-suffixes-unknown = no ipconfig /all given: this run's domains ({ $domains }) stand in for the client's suffix list
client-note-no-suffix = ipconfig /all shows no DNS suffix at all: the client has no domain to search for _vlmcs._tcp (such clients log 0x8007007B)
client-note-channel-unknown = its channel is not in the input (only slmgr /xpr): taken as a KMS client
client-note-sku-override-unmatched = the registry has SKU-specific KMS values ({ $skus }) the input cannot match to this product (slmgr /dli prints no Activation ID; use /dlv)
client-note-kms-excluded = its activation type ({ $activation_type }) excludes KMS
client-cmid-shared = { $count } different machines share the client machine ID (CMID) { $cmid } ({ $machines }): the KMS host counts them as one client, so they log 0xC004F038 whatever the network does
client-cmid-shared-unsure = the client machine ID (CMID) { $cmid } appears in { $machines }; an input without a host name may be another output of the same machine, but if these are different machines they log 0xC004F038
client-cmid-unique = the { $count } machines' client machine IDs (CMIDs) are distinct
client-cmid-fix =
    Give every copy its own CMID (Microsoft, "Windows activation - duplicate Client Machine ID": https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/windows-activation-duplicate-client-machine-id):
      before capturing an image: %WINDIR%\System32\Sysprep\sysprep.exe /generalize /oobe /shutdown (with SkipRearm left at 0)
      on machines already cloned (elevated command prompt): slmgr /rearm, restart, check that slmgr /dlv shows a new CMID, then slmgr /ato
      Office (its own CMID, cscript ospp.vbs /dcmid): cscript ospp.vbs /rearm, restart, then cscript ospp.vbs /act (Microsoft, "Tools to manage volume activation of Office": https://learn.microsoft.com/en-us/deployoffice/vlactivation/tools-to-manage-volume-activation-of-office)
client-no-code = diagnose: no CODE given and no --client-state input shows an error code (Notification Reason, ERROR CODE); give the CODE
client-product-no-suffix = { $product }: finds KMS through DNS, but no suffix of the client is known: cannot tell (give its ipconfig /all, or --suffix)
client-product-of = { $machine }: { $product }
client-product-name = { $product }
client-cmid-shared-product = but its client machine ID (CMID) { $cmid } is also that of { $machines }: the KMS host counts them as one client → it logs 0xC004F038 whatever the network does
client-summary-fails = the given client cannot activate { $product } ({ $code })

# The clock kind: this machine's clock against a KMS host or a reference clock.

clock-no-reference = skipped: no reference clock given ({ $template } is empty); pass --ntp HOST with an NTP server you trust (a domain controller, or your NTP source)
clock-no-address = cannot read the clock of { $name }: it has no address ({ $why })
clock-no-server = no clock to read: set 'server' or run this check per host (scope each-host)

## Whose clock
clock-subject-kms-host = KMS host { $host }
clock-subject-reference = reference { $name }
clock-subject-at = { $subject } at { $addr }
clock-who-kms-host = the clock of KMS host { $host }
clock-who-reference = the reference clock { $name }

## No reading
clock-no-reading = skipped: no clock reading from { $subject }: { LIST($tried, sep: "; ") }
clock-method-failed = { $method }/{ $transport }/{ $port }: { $class } — { $detail }
clock-method-failed-repeated = { $method }/{ $transport }/{ $port }: { $class } (×{ $times }) — { $detail }
clock-method-no-result = { $method }/{ $port }: no result
clock-failure = { $class }: { $detail }

## A reading
clock-note-ntp = NTP, stratum { $stratum }
clock-note-smb2 = SMB2 NEGOTIATE SystemTime, { $dialect }
clock-note-http = HTTP Date header, 1 s resolution
clock-note-at = { $addr }, { $note }
clock-span-ms = { NUMBER($ms, minimumFractionDigits: 3, maximumFractionDigits: 3) } ms
clock-span-s = { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) } s
clock-span-m = { $m }m { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) }s
clock-span-h = { $h }h { $m }m { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) }s
clock-measured = { $who } ({ $source }) is { $offset } { $direction ->
        [ahead] ahead of
       *[behind] behind
    } this machine (±{ $uncertainty }): { $verdict }
clock-verdict-fail = more than { DURATION($fail_ms) }, so a KMS host rejects the activation request (0xC004F06C, often shown as 0xC004F074)
clock-verdict-warn = more than { DURATION($warn_ms) }, so Kerberos and AD authentication fail (KMS itself accepts up to { DURATION($fail_ms) })
clock-verdict-pass = within { DURATION($warn_ms) }
clock-time-zone-hint = { $reading }; that is within a minute of { $hours } whole hour(s): a time zone set wrongly (a clock set in local time instead of UTC) is the likely cause

## Remediation
clock-fix-intro-reference = This machine's clock is off against the reference { $host }. Set it right:
clock-fix-intro-kms-host = Find which clock is wrong (compare both with a trusted source: { $compare }) and set it right:
clock-fix =
    { $intro }
    {"  "}Domain members (Type=NT5DS under HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters): w32tm /config /syncfromflags:domhier /update, then w32tm /resync
    {"  "}Workgroup machines: enable the NTP client (HKLM\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\NtpClient Enabled=1), w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update, then w32tm /resync
    {"  "}Check with: w32tm /query /status /verbose
    {"  "}Confirm from the client: { $stripchart }
    {"  "}Linux jump host: chronyc tracking (chronyc makestep to step now), or timedatectl set-ntp true and timedatectl status
clock-fix-time-zone =
    The skew is { $hours } whole hour(s): look first for a time zone set wrongly, on this machine or on { $host } (Windows: tzutil /g, set it with tzutil /s "<zone>"; a machine that also boots Linux may keep the hardware clock in local time — RealTimeIsUniversal; Linux: timedatectl, timedatectl set-timezone <zone>, timedatectl set-local-rtc 0). Clocks are compared in UTC: the zone must be right, not the same.
    { $fix }
clock-fix-retry-activation =
    { $fix }
    {"  "}After fixing the KMS host's clock, retry activation on the client: slmgr /ato (Office: cscript ospp.vbs /act); the host's Key Management Service log shows the rejected requests as event 12290 with 0xC004F06C (the client's Application log as event 12288)

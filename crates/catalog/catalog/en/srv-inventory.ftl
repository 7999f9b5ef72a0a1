# srv-inventory: the published KMS hosts against the list that should be published.
srv-inventory-none-configured = no inventory configured for { $name }: give --expect-host NAME (and --forbid-host NAME), or expect_hosts (and forbid_hosts) in a --config site file, to catch unknown, missing and retired KMS hosts
srv-inventory-no-usable = cannot audit the inventory of { $name }: no DNS server gave a usable answer ({ LIST($answers, sep: "; ") })
srv-inventory-forbidden = { $host } is still published ({ LIST($records, sep: "; ") }; on { $servers }) but is listed in forbidden_hosts: clients may keep activating against the retired host, or fail once it is gone
srv-inventory-forbidden-fix =
    On { $host } stop publishing first: slmgr /cdns (then retire it). Then:
    { LIST($removals, sep: "\u000A") }
srv-inventory-unknown = unknown KMS host { $host } is published ({ LIST($records, sep: "; ") }; on { $servers }): not in the expected hosts — possibly rogue (an unlicensed KMS emulator that registered itself) or forgotten
srv-inventory-unknown-fix =
    Find out what { $host } is (who owns it, slmgr /dlv on it if it is Windows). If it is legitimate, add it to expect.hosts. If not, remove its record and stop it from re-registering: restrict dynamic updates on the zone (Windows: Set-DnsServerPrimaryZone -Name { $zone } -DynamicUpdate Secure; BIND: allow-update/update-policy) and grant update rights on _vlmcs only to a KMS host group.
    { LIST($removals, sep: "\u000A") }
srv-inventory-missing = expected KMS host { $host } is not published at { $name } by any of { $servers }
srv-inventory-matches = published KMS hosts at { $name } match the inventory: { $published }
srv-inventory-matches-none-forbidden = published KMS hosts at { $name } match the inventory: { $published }; none of the forbidden hosts ({ $forbidden }) is published
srv-inventory-none-published = (none)

# retired-host: a host that was replaced must no longer answer as KMS.
retired-host-empty = the retired host is empty after filling in variables
retired-host-no-port = no port: set 'port'
retired-host-nxdomain = { $host } no longer resolves (NXDOMAIN): retired
retired-host-nodata = { $host } has no address record any more (NODATA): retired
retired-host-unknown = cannot tell whether { $host } is gone: { $why }
retired-host-connected = retired host { $host } still accepts connections on { $address } ({ NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms): clients pinned to it keep using it, and a KMS host that still runs can re-publish its SRV record
retired-host-probe-error = cannot probe { $address }: { $error }
retired-host-gone = retired host { $host } no longer answers on { $address } ({ $result }); clients still pinned to it now fail with 0xC004F074 and must be repointed

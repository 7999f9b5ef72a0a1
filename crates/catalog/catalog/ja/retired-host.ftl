# retired-host: 置き換えたホストが KMS として応答しなくなったこと。
retired-host-empty = 変数を埋めた後の廃止ホストが空です
retired-host-no-port = ポートがありません: 'port' を設定してください
retired-host-nxdomain = { $host } はもう名前解決できません (NXDOMAIN): 廃止済みです
retired-host-nodata = { $host } にはもうアドレス レコードがありません (NODATA): 廃止済みです
retired-host-unknown = { $host } がなくなったかどうか判断できません: { $why }
retired-host-connected = 廃止したホスト { $host } は { $address } でまだ接続を受け付けます ({ NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms): このホストを指定したクライアントは使い続け、まだ動作している KMS ホストは SRV リソース レコードを再発行することがあります
retired-host-probe-error = { $address } を調べられません: { $error }
retired-host-gone = 廃止したホスト { $host } は { $address } でもう応答しません ({ $result })。このホストを指定したままのクライアントは 0xC004F074 で失敗するため、指定し直す必要があります

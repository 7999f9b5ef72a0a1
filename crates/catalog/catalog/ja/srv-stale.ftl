# srv-stale: 発行されているが使えなくなった _vlmcs._tcp のターゲット。
srv-stale-no-usable = { $name } について、どの DNS サーバーからも使える SRV の応答がありませんでした。srv.present を参照してください
srv-stale-none-published = { $name } には KMS ホストが発行されていないため、古いレコードもありません。srv.present を参照してください
srv-stale-nodata = NODATA: A レコードも AAAA レコードもありません
srv-stale-unknown = { $host }: { $records } が古いかどうか判断できません: 名前解決に失敗しました ({ $why })
srv-stale-no-address = 古いレコード: { $records } ({ $servers } で発行) は { $host } を指していますが、もう名前解決できません ({ $why })。このレコードを選んだクライアントは試行を無駄にするか、失敗します
srv-stale-connect = { $address } { $result }
srv-stale-port-dead = 古いレコード: { $records } ({ $servers } で発行): { $host } のポート { $port } がもう応答しません: { $connects }。{ $why }
srv-stale-all-refused = もう何も待ち受けていません (接続拒否)
srv-stale-none-accepted = どのアドレスも接続を受け付けませんでした (ファイアウォールが妨げている可能性もあります。tcp.port を参照してください)
srv-stale-port-dead-fix =
    { $host } がまだ KMS ホストなら、起動するか TCP { $port } を開いてください (Get-Service sppsvc; Enable-NetFirewallRule -Name SPPSVC-In-TCP)。置き換えたか廃止したのなら:
    { LIST($removals, sep: "\u000A") }
srv-stale-live = { $name } に発行されている { $total } 件のターゲットのうち { $live } 件が名前解決でき、ポートで応答します
srv-stale-live-resolve = { $name } に発行されている { $total } 件のターゲットのうち { $live } 件が名前解決できます

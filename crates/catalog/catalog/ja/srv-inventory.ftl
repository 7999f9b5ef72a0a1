# srv-inventory: 発行されている KMS ホストと、発行されるべきホストの一覧の比較。
srv-inventory-none-configured = { $name } のインベントリが構成されていません: 不明な KMS ホスト、欠けている KMS ホスト、廃止した KMS ホストを検出するには、--expect-host NAME (と --forbid-host NAME) を指定するか、--config のサイト構成ファイルに expect_hosts (と forbid_hosts) を記述してください
srv-inventory-no-usable = { $name } のインベントリを監査できません: どの DNS サーバーからも使える応答がありませんでした ({ LIST($answers, sep: "; ") })
srv-inventory-forbidden = { $host } はまだ発行されていますが ({ LIST($records, sep: "; ") }、発行元 { $servers })、forbidden_hosts に含まれています: クライアントが廃止するホストでライセンス認証を続けるか、ホストがなくなった時点で失敗します
srv-inventory-forbidden-fix =
    まず { $host } で DNS 発行を止めてください: slmgr /cdns (その後でホストを廃止します)。次に:
    { LIST($removals, sep: "\u000A") }
srv-inventory-unknown = 不明な KMS ホスト { $host } が発行されています ({ LIST($records, sep: "; ") }、発行元 { $servers }): 想定するホストに含まれていません。承認されていない KMS ホスト (自身を登録したライセンスのない KMS エミュレーター) か、忘れられたホストの可能性があります
srv-inventory-unknown-fix =
    { $host } が何かを調べてください (所有者、Windows ならそのホストで slmgr /dlv)。正当なホストなら expect.hosts に追加します。そうでなければレコードを削除し、再登録を防ぎます: ゾーンの動的更新を制限し (Windows: Set-DnsServerPrimaryZone -Name { $zone } -DynamicUpdate Secure、BIND: allow-update/update-policy)、_vlmcs の更新権限を KMS ホストのグループだけに付与します。
    { LIST($removals, sep: "\u000A") }
srv-inventory-missing = 想定する KMS ホスト { $host } は、{ $servers } のどのサーバーでも { $name } に発行されていません
srv-inventory-matches = { $name } に発行されている KMS ホストはインベントリと一致します: { $published }
srv-inventory-matches-none-forbidden = { $name } に発行されている KMS ホストはインベントリと一致します: { $published }。禁止したホスト ({ $forbidden }) はどれも発行されていません
srv-inventory-none-published = (なし)

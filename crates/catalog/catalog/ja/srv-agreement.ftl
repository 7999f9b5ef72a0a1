# srv-agreement: 各 DNS サーバーの _vlmcs._tcp の応答の比較。
-system-resolver = システムのリゾルバー (システムの構成から作った hickory、キャッシュなし)
srv-agreement-unusable = DNS サーバー { $server } から { $name } について使える応答がありませんでした: { $why }。このサーバーを使うクライアントは KMS を検出できません
srv-agreement-unusable-fix = DNS サーバー { $server } を確認するか (サービスが動作していること、ゾーンが読み込まれていること、クライアントから UDP と TCP の 53 が開いていること)、クライアントの DNS サーバー一覧から外してください。その後、クライアントで: ipconfig /flushdns
srv-agreement-one-server = 問い合わせる DNS サーバーが 1 つ ({ $servers }) だけなので、比較できません。クライアントが使うサーバーをすべて指定してください (例: 各ドメイン コントローラー: --dns DC1 --dns DC2)
srv-agreement-differs = { $record } は { $present_on } では発行されていますが、{ $missing_from } にはありません
srv-agreement-differs-fix =
    サーバー間で応答が一致しません: ドメイン コントローラー間のレプリケーションの遅延、ゾーンを転送していないセカンダリ、またはスプリット DNS です。ゾーンのシリアル番号を比較し (nslookup -type=soa { $zone } <server>)、レプリケーションを強制してください (ドメイン コントローラーで repadmin /syncall /AdeP、BIND のセカンダリでは rndc retransfer { $zone })。
    { $target } が現在の KMS ホストなら、欠けているサーバーに追加します:
    { $add }
    { $target } を廃止したのなら、残っているサーバーから削除します:
    { $remove }
srv-agreement-ttl-differs = { $record }: サーバー間で TTL が異なります ({ $ttls })。ゾーンのコピーのバージョンが一致していません
srv-agreement-ttl = { $server } { $ttl } 秒
srv-agreement-ttl-fix = ゾーンのシリアル番号を比較し (nslookup -type=soa { $zone } <server>)、レプリケーションまたはゾーン転送を強制してください。
srv-agreement-agree = { $count } 台の DNS サーバーの { $name } の応答は一致しています: { $records }
srv-agreement-record = { $target }:{ $port } ({ $priority }/{ $weight })
srv-agreement-no-records = レコードなし
srv-agreement-system-error = { -system-resolver } 経由: 応答なし ({ $error })。比較するものがありません
srv-agreement-system = { -system-resolver } 経由: { $records } ({ $rcode })
srv-agreement-system-same = { -system-resolver } 経由: { $records } ({ $rcode })。{ $servers } と同じです
srv-agreement-system-differs = { -system-resolver } 経由: { $records } ({ $rcode })。直接問い合わせたどのサーバーとも一致しません: スプリット DNS か、システムが監査対象とは別の DNS サーバーを使っています
srv-agreement-system-differs-fix = このコンピューターが実際に使う DNS サーバー (/etc/resolv.conf、Windows では ipconfig /all を参照) を --dns で指定して監査し、クライアントが使うすべてのサーバーが同じ _vlmcs._tcp のレコードを返すようにしてください。

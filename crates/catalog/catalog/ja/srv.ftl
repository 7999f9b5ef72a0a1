# srv: クライアントがドメインで見つける _vlmcs._tcp の SRV リソース レコード。
srv-published = { $name } に KMS ホストが { $count } 台発行されています: { $records } ({ $server } の応答)
srv-published-authoritative = { $name } に KMS ホストが { $count } 台発行されています: { $records } ({ $server } の権威のある応答)
srv-record = { $target }:{ $port } (優先度 { $priority }、重み { $weight })
srv-dot-only = { $server } の応答では、{ $name } のターゲットは '.' だけです (サービスを提供しないことの明示)
srv-too-few = { $name } の有効なレコードは { $usable } 件で、{ $min } 件以上が必要です: { $records }
srv-nxdomain = { $name } は存在しません ({ $server } から NXDOMAIN): { $zone } に KMS ホストは発行されていません
srv-nodata = { $name } は存在しますが、SRV リソース レコードがありません ({ $server } から NODATA)
srv-servfail = DNS サーバー { $server } は { $name } に応答できませんでした (SERVFAIL): ゾーンが読み込まれていないか、再帰問い合わせが失敗しています
srv-servfail-fix = DNS サーバーでゾーン { $zone } が読み込まれていること (BIND: named-checkzone { $zone } <file>、Windows: Get-DnsServerZone { $zone }) と、フォワーダーが応答することを確認してください。その後、クライアントで: ipconfig /flushdns
srv-refused = DNS サーバー { $server } は { $name } の問い合わせを拒否しました (REFUSED): { $zone } を提供しておらず、このクライアントの再帰問い合わせも受け付けません
srv-refused-fix = クライアントが { $zone } を提供する (またはそこへフォワードする) DNS サーバーを使うようにするか、{ $server } でこのサブネットからの再帰問い合わせを許可してください
srv-rcode = DNS サーバー { $server } は { $name } に rcode { $code } ({ $rcode_name }) で応答しました
srv-no-answer = { $name } にどの DNS サーバーも応答しませんでした: { $why }
srv-no-answer-fix = このコンピューターから DNS サーバーに UDP と TCP の 53 で届くこと (ファイアウォール、VPN) と、DNS サーバーが動作していることを確認してください: nslookup -type=srv { $name } <dns-server>
srv-add-record-fix =
    KMS ホストを { $zone } に発行してください。Windows の DNS サーバーでは:
    {"  "}{ $windows }
    BIND のゾーン ファイルでは:
    {"  "}{ $bind_line }
    または KMS ホスト自身に発行させます (slmgr /sdns。ほかのドメインにはホストで DnsDomainPublishList を設定します)。DNS をすぐに修正できない場合は、クライアントに KMS ホストを指定します: slmgr /skms <kms-host>:1688 (Office: cscript ospp.vbs /sethst:<kms-host>)。

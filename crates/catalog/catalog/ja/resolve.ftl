# resolve: 各 KMS ホストの A / AAAA レコード。
resolve-no-host = resolve にはホストが必要です (scope each-host)
resolve-literal = { $host } はアドレスそのものです。名前解決は不要です
resolve-resolved = { $host } は { $addresses } に解決されます ({ $server } の応答)
resolve-no-answer = { $host } にどの DNS サーバーも応答しませんでした: { $why }
resolve-no-answer-fix = このコンピューターから DNS サーバーに UDP と TCP の 53 で届くこと (ファイアウォール、VPN) を確認してください。
resolve-nxdomain = { $host } は存在しません (NXDOMAIN): クライアントはこの KMS ホストに名前で到達できません
resolve-nodata = { $host } は存在しますが、A レコードも AAAA レコードもありません (NODATA)
resolve-servfail = DNS サーバーは { $host } を解決できませんでした (SERVFAIL)
resolve-servfail-fix = DNS サーバーで、ホストのゾーンが読み込まれていることとフォワーダーが応答することを確認してください。その後、クライアントで ipconfig /flushdns を実行します
resolve-refused = DNS サーバーは { $host } の名前解決を拒否しました (REFUSED)
resolve-rcode = DNS サーバーは { $host } に rcode { $code } ({ $rcode_name }) で応答しました
resolve-register-fix = { $host } が現役の KMS ホストなら、そのアドレスを登録してください: { $command }。その後、クライアントで: ipconfig /flushdns
resolve-remove-or-register-fix =
    { $host } を廃止したのなら、その SRV リソース レコード (古いレコード) を削除してください:
    {"  "}{ LIST($removals, sep: "\u000A  ") }
    { $host } が現役の KMS ホストなら、そのアドレスを登録してください: { $command }。その後、クライアントで: ipconfig /flushdns

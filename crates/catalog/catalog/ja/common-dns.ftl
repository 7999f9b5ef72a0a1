# DNS を使う種類の共通ヘルパー (crates/checks/src/common: dns, srv, srv_audit, srv_sanity)。
# 複数行のテキスト: ソースの各行は 4 文字字下げし、先頭に空白が要る出力行はプレース
# ホルダー ({"  "}) で書く (Fluent はプレースホルダーで始まる行の字下げを取り除くため)。
# 証拠 (evidence) に残る値 (NXDOMAIN などのラベル) は英語のまま。

## 結合
common-lines = { LIST($lines, sep: "\u000A") }
common-clauses = { LIST($items, sep: "; ") }
common-list = { $items }
common-value = { $value }
common-undefined-variables = 未定義の変数: { $names }

## DNS の応答と失敗
common-dns-records = レコードあり
common-dns-nxdomain = NXDOMAIN
common-dns-nodata = NODATA
common-dns-servfail = SERVFAIL
common-dns-refused = REFUSED
common-dns-rcode = rcode { $code } ({ $name })
common-dns-timeout = タイムアウト
common-dns-connection-refused = 接続拒否 ({ $error })
common-dns-unreachable = 到達不能 ({ $error })
common-dns-malformed = 不正な応答 ({ $error })
common-dns-io-error = I/O エラー ({ $error })
common-dns-moved-on-unwaited = 待たずに次へ進みました (前の照会に応答しなかったサーバー)。後のサーバーが応答しました
common-dns-moved-on = { DURATION($wait_ms) } 以内に応答がなく、後のサーバーが応答しました
common-dns-no-answer-paren = 応答なし ({ $why })
common-dns-attempt = { $server }: { $result }
common-dns-attempt-remembered = { $server }: { $result } (この実行で先に応答がなかったため、再度の問い合わせなし)
common-dns-attempts = { LIST($attempts, sep: "; ") }
common-dns-no-server-listed = 問い合わせる DNS サーバーがありません: /etc/resolv.conf に 1 つも記載されていません。--dns を指定してください
common-no-dns-server = 問い合わせる DNS サーバーがありません: システムの構成に 1 つも記載されていません。--dns を指定してください
common-dns-name-empty = DNS 名が空です
common-dns-name-invalid = DNS 名 { $name } は無効です: { $error }

## SRV リソース レコードの追加と削除
common-srv-remove-host =
    { $windows }
    {"  "}(BIND: ゾーン { $zone } から行 '{ $bind_line }' を削除し、ゾーンを再読み込みします。) その後、クライアントで: ipconfig /flushdns; slmgr /ckms
common-srv-remove-head = レコード { $record } をゾーン { $zone } から削除します
common-srv-remove-head-on = レコード { $record } を DNS サーバー { $server } のゾーン { $zone } から削除します
common-srv-remove-record =
    { $head }:
    {"  "}Windows DNS: { $windows }
    {"  "}BIND: { $zone } のゾーン ファイルからこの行を削除し、SOA のシリアル番号を上げてから rndc reload { $zone } を実行します:
    {"    "}{ $bind_line }
    {"  "}(動的ゾーンの場合は nsupdate で次を実行: { $nsupdate })
    {"  "}KMS ホストがこのレコードを再登録し続ける場合は、先にそのホストで DNS 発行を無効にします: slmgr /cdns
    その後、このレコードをキャッシュしたクライアントで: ipconfig /flushdns ; slmgr /ckms
common-srv-add-record =
    { $host } を { $zone } に発行します:
    {"  "}Windows DNS: { $windows }
    {"  "}BIND ({ $zone } のゾーン ファイル。SOA のシリアル番号を上げてから rndc reload { $zone }):
    {"    "}{ $bind_line }
    {"  "}または KMS ホスト自身に発行させます (slmgr /sdns)。自身のゾーン以外に発行するには、ホストの DnsDomainPublishList にゾーンを列挙して sppsvc を再起動します。
    その後、クライアントで: ipconfig /flushdns ; slmgr /ckms

## 存在するが不自然なレコード (srv.present)
common-srv-ip-literal-target = { $record } のターゲットが IP アドレスです: RFC 2782 では、ここにはアドレス レコードを持つホストのドメイン名が必要です。アドレスの扱いはクライアントによって異なります (名前として検索して失敗するものもあります)
common-srv-ip-literal-fix =
    ホストの A (または AAAA) レコードを発行し、その名前を SRV のターゲットにします (RFC 2782: ターゲットは "the domain name of the target host" で、1 つ以上のアドレス レコードを持ちます):
    {"  "}Windows DNS: { $windows }
    {"  "}BIND: { $bind_line }
    その後、レコードを置き換えます:
    { $remove }
    { $add }
common-srv-port-differs-answers = { $target }:{ $port } は { $expected } 以外のポートを通知しており、ホストはそのポートで応答します ({ $address }): レコードに従うクライアントは接続できますが、名前でホストを指定されたクライアント (slmgr /skms { $target }) は { $expected } を使います
common-srv-port-differs-silent = { $target }:{ $port } は { $expected } 以外のポートを通知しており、そのポートでは何も応答しません ({ $why }): レコードに従うクライアントは失敗します
common-srv-port-fix =
    クライアントは SRV リソース レコードのポートを使います。レコードを修正する (ポート { $expected }) か、KMS ホストが通知されたポートで待ち受けるようにします (ホストで slmgr /sprt { $port } を実行して sppsvc を再起動し、ファイアウォールで TCP { $port } を許可します)。
    { $remove }
    { $add }
common-srv-probe-no-address = { $target } にアドレスがありません ({ $why })
common-srv-probe-timeout = { $address }: { DURATION($timeout_ms) } 以内の { $attempts } 回の試行に応答なし
common-srv-probe-failed = { $address }: { $result }
common-srv-issues-then = { LIST($issues, sep: "; ") }; { $then }

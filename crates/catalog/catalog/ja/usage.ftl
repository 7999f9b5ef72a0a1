# バイナリが表示する使い方のエラー (終了コード 2): コマンド ラインの値、--config、組み合わせられない
# オプション (crates/report/src/usage.rs)。オプション名、値、KEY=VALUE などの書式は翻訳しない。
# $detail はネットワーク層などの英語の説明 (そのまま)。

## コマンド ラインの値
usage-flag-value = { $flag }: { $error }
usage-interval-too-short = --interval { $value }: 1 秒以上にしてください
usage-cmid = { $value }: UUID ではありません (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx の形式で指定してください)
usage-host = { $value }: { $why } (NAME、NAME:PORT、[IPv6]:PORT のいずれかで指定してください)
usage-host-empty = 空です
usage-host-invalid-port = ポートが正しくありません
usage-host-missing-bracket = ']' がありません
usage-host-after-bracket = ']' の後に余分な文字があります
usage-host-not-ipv6 = [ ] の中が IPv6 アドレスではありません
usage-host-empty-name = ホスト名が空です
usage-host-bad-char = { $char } はホスト名に使えません (使えるのは英字、数字、'-'、'_'、'.')
usage-host-with-port = { $value }: ポートを付けずにホスト名を指定してください
usage-dns-server = { $value }: IP アドレス、IP:PORT、[IPv6]:PORT のいずれかで指定してください (DNS サーバーはアドレスで指定します)
usage-key-value = { $value }: KEY=VALUE の形式で指定してください
usage-concurrency-zero = --concurrency は 1 以上にしてください
usage-not-a-number = { $value }: 数値として読めません ({ $detail })
usage-range = アドレス範囲が正しくありません: { $detail }
usage-port = { $value }: TCP のポート番号 (1-65535) ではありません
usage-rate = { $value }: 1 秒あたりの新しい接続数を 1-{ $max } で指定してください (例: 200 または 200/s)
usage-max-addresses = { $value }: アドレスの数を 1 以上で指定してください
usage-sweep-concurrency = { $value }: 同時に試みる接続の数を 1-{ $max } で指定してください
usage-listen = { $value }: ADDR:PORT または [IPv6]:PORT の形式で指定してください (例: 127.0.0.1:9688、0.0.0.0:9688)
usage-label-form = { $value }: KEY=VALUE の形式で指定してください (例: site=osaka)
usage-label-name = ラベル名 { $name } は Prometheus のラベル名 ([a-zA-Z_][a-zA-Z0-9_]*) ではありません
usage-label-internal = ラベル名 { $name } は "__" で始まっています。"__" で始まる名前は Prometheus が内部で使うために予約しています
usage-label-reserved = ラベル名 { $name } は予約されています: エクスポーターまたは Prometheus が設定します ({ LIST($reserved, sep: ", ") })
usage-label-empty = ラベル { $label }: 値が空です (Prometheus は空のラベルをないものとして扱います)
usage-label-too-long = ラベル { $label }: 値が { $max } 文字を超えています
usage-label-control = ラベル { $label }: 値に制御文字があります
usage-label-twice = --label { $label }: 2 回以上指定されています
usage-domain = { $flag } { $value }: { $detail }
usage-sources = 送信元が正しくありません: { $detail }

## 実行に必要なもの
usage-no-domain = 検索する DNS ドメインがありません: システムのリゾルバー構成にドメインも検索一覧もありません。--domain DOMAIN を指定してください (ホストを直接チェックするには --host NAME)
usage-no-dns-server = DNS サーバーがありません: システムのリゾルバー構成に DNS サーバーがありません。--dns IP を指定してください
usage-no-dns-server-sweep = DNS サーバーがありません: システムのリゾルバー構成に DNS サーバーがありません。--dns IP (または --no-dns) を指定してください
usage-sweep-too-many = { $addresses } 個のアドレス ({ LIST($ranges, sep: ", ") }) のスイープは行いません: 上限の { $max } を超えています。範囲を分けるか、意図したものであれば --max-addresses { $addresses } で上限を上げてください

## --activation-probe (CMID ファイル)
usage-activation-cmid = --activation-probe: { $detail }
usage-activation-no-state = --activation-probe: { $detail }。--cmid UUID を指定してください
usage-cmid-no-state-dir = 状態ディレクトリがありません: STATE_DIRECTORY、XDG_STATE_HOME、HOME のどれにも絶対パスが設定されていません
usage-cmid-no-randomness = 新しい CMID のための乱数を得られません: { $error }
usage-cmid-unreadable = CMID ファイル { $file } を読み取れません: { $error }
usage-cmid-not-uuid = CMID ファイル { $file } の内容は UUID ではありません ({ $text })。修正するか削除してください (新しい CMID は KMS ホストに新しい KMS クライアントとして数えられます)。または --cmid UUID を指定してください
-cmid-hint = STATE_DIRECTORY か XDG_STATE_HOME に書き込めるディレクトリを設定するか、--cmid UUID を指定してください
usage-cmid-mkdir = このコンピューターの CMID を置く状態ディレクトリ { $dir } を作成できません: { $error }。{ -cmid-hint }
usage-cmid-write = { $dir } に CMID ファイルを書き込めません: { $error }。{ -cmid-hint }
usage-cmid-link = CMID ファイル { $file } を作成できません: { $error }。{ -cmid-hint }

## --config FILE
usage-config-version = バージョン 1 しかありません

## コマンド ラインのパーサーが値を拒否したときの行
usage-invalid-value = エラー: '{ $arg }' の値 '{ $value }' が正しくありません: { $reason }
usage-try-help = 詳しくは '--help' を参照してください。

# バイナリが自分で出力する文 (crates/report/src/cli.rs): serve の /healthz の本文、サイト構成
# (--config)、--fail-on。

## serve: GET /healthz (プレーン テキスト、1 行)
cli-health-ok = ok: 最後に成功した監査は { NUMBER($age_s, minimumFractionDigits: 1, maximumFractionDigits: 1) } 秒前に終了しました
cli-health-stale = unhealthy: 最後に成功した監査は { NUMBER($age_s, minimumFractionDigits: 1, maximumFractionDigits: 1) } 秒前に終了しました。--interval の 2 倍 ({ NUMBER($limit_s, maximumFractionDigits: 1) } 秒) を超えています
cli-health-none = unhealthy: 成功した監査はまだありません

## rules validate
cli-rules-valid = ok: { $files } 個のファイルの { $checks } 個のチェックは有効です (うち { $profiles } 個のファイルはプロファイル)

## serve
cli-serve-activation-flag = serve: --activation-probe を指定すると、--interval ごとの監査のたびに、すべての KMS ホストへ実際のライセンス認証要求が送信されます。それを行う場合は、代わりに --activation-probe-every-interval を指定してください (その影響は docs/activation.md を参照)

## man
cli-man-unknown = man: コマンド '{ $name }' はありません (ページ: { $pages })

## --config FILE (サイト構成)
cli-config-unreadable = { $file }: 読み取れません: { $error }
cli-config-value = { $file }:{ $line }:{ $column }: { $key }: { $error }

# diff BEFORE.json AFTER.json (crates/report/src/diff.rs): 変更で直ったものと壊れたもの。

## 比較できないレポート ファイル
diff-cannot-read = { $file }: 読み取れません: { $error }
diff-not-json = { $file }: JSON ドキュメントではありません: { $error }
diff-not-a-report = { $file }: kms-preflight のレポートではありません ("schema": "{ $schema }" がありません)。`kms-preflight check --format json > { $file }` で作成してください
diff-other-schema = { $file }: レポートのスキーマ { $schema } はサポートされていません。この kms-preflight が読むのは { $supported } です
# $status は引用符付き ("great")。
diff-unknown-status = { $file }: 結果 { $id } の状態 { $status } は不明です
diff-malformed = { $file }: { $error }

## 結果とその側
diff-key-general = 全般
diff-key-from = { $key } (送信元 { $source })
diff-no-result = (なし)
diff-no-profile = 既定

## テキスト
diff-text-heading = kms-preflight diff: { $before } ({ $before_started }) → { $after } ({ $after_started })
diff-profiles-differ = 注: 2 つの実行は異なるプロファイルを使っています ({ $before } → { $after })。一方のプロファイルだけがチェックする結果は、新規または削除として表示されます
diff-text-regressed = 悪化
diff-text-fixed = 改善
diff-text-changed = 変化
diff-text-new = 新規
diff-text-removed = 削除
diff-text-hosts = ホスト
diff-text-evidence = 証拠
diff-text-summary = 悪化 { $regressed }、改善 { $fixed }、変化 { $changed }、新規 { $new }、削除 { $removed }、追加されたホスト { $hosts_added }、削除されたホスト { $hosts_removed }、証拠の変化 { $evidence } — { $outcome }
diff-text-no-regression = 悪化なし

## Markdown
diff-md-title = KMS プリフライト: 変更前/変更後
diff-md-no-regression = 悪化なし
diff-md-regressed = 悪化あり
diff-md-counts = 悪化 { $regressed }、改善 { $fixed }、変化 { $changed }。ホスト +{ $hosts_added } −{ $hosts_removed }
diff-md-before = 変更前
diff-md-after = 変更後
diff-md-report = レポート
diff-md-started = 開始
diff-md-result = 結果
diff-md-now = 現在
diff-md-regressions = 悪化した結果
diff-md-fixes = 改善した結果
diff-md-changed = 変化した結果
diff-md-new = 新しい結果
diff-md-removed = 削除された結果
diff-md-hosts = ホスト
diff-md-host-added = 追加 `{ $host }`
diff-md-host-removed = 削除 `{ $host }`
diff-md-evidence = 証拠
diff-md-field = フィールド
diff-md-change = 変化

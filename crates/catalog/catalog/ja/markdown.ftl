# --format markdown (crates/report/src/markdown.rs): 見出し、ラベル、概要の行。
# チェック ID、ホスト名、アドレス、コマンドは翻訳しない。

markdown-title = KMS 事前確認レポート
# 判定の答え (判定と同じことば) と、結果が加えること (状態ページと共通)。
markdown-verdict-fix = { $answer } (修正が必要な失敗またはエラーの結果があります)
markdown-verdict-warnings = { $answer } (警告あり)
markdown-verdict-nothing = { $answer } (何も確認されませんでした)
markdown-client-state = クライアントの状態
markdown-verdict-line = **判定: { $verdict }** — 結果 { $total } 件: 合格 { $pass }、警告 { $warn }、失敗 { $fail }、スキップ { $skip }、エラー { $error }
markdown-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
markdown-none = (なし)
markdown-general = 全般
markdown-run = 実行
markdown-run-value = { $started } · { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } 秒 · kms-preflight { $version }
markdown-profile = プロファイル
markdown-domains = ドメイン
markdown-dns-servers = DNS サーバー
markdown-sources = 送信元
markdown-sources-default = 既定 (OS が選択)
markdown-kms-hosts = KMS ホスト
markdown-matrix = マトリックス
markdown-target = 対象
markdown-matrix-count = { $status } (合格 { $good }/{ $total })
markdown-sources-heading = 送信元
markdown-findings = 検出事項
markdown-no-findings = 失敗、エラー、警告はありません。
markdown-from = 送信元 { $source }
markdown-predicts = 予想される Windows のエラー コード: { $codes }
markdown-remediation = 対処:
markdown-all-results = すべての結果
markdown-col-status = 状態
markdown-col-check = チェック
markdown-col-target = 対象
markdown-col-address = アドレス
markdown-col-source = 送信元
markdown-col-message = メッセージ

## 判定ブロック
markdown-would-activate = クライアントはライセンス認証できるか: { $answer }
markdown-from-source = 送信元 { $source }: { $answer }
markdown-os-choice = (OS が選択)
markdown-col-first-off = 最初の試行 (キャッシュ無効)
markdown-col-first-on = 最初の試行 (キャッシュ有効)
markdown-col-host = ホスト
markdown-col-priority = 優先度
markdown-col-weight = 重み
markdown-col-attempt = そこでの試行
markdown-fixes = 対処 (ライセンス認証できるようになるクライアントの多い順)

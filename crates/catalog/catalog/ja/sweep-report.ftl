# sweep のテーブルと Markdown (crates/report/src/sweep.rs)。サービスと公開状態のトークン
# (kms、rogue など)、アドレス、コマンドは翻訳しない。

## テーブル
sweep-report-title = { $version } スイープ — { $ranges } — ドメイン: { $domains } — DNS: { $dns }
sweep-report-none = (なし)
sweep-report-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
sweep-report-col-address = アドレス:ポート
sweep-report-col-service = サービス
sweep-report-col-published = 公開状態
sweep-report-col-rtt = RTT
sweep-report-col-ptr = PTR
sweep-report-col-detail = 詳細
sweep-report-kms-host = KMS ホスト: { $what }
sweep-report-listener = リスナー: { $what }
sweep-report-no-open-port = (開いているポートはありません)
sweep-report-what-to-do = 対処
sweep-report-compared-with = 比較対象
sweep-report-summary = 結果 { $total } 件: 合格 { $pass }、警告 { $warn }、失敗 { $fail }、エラー { $error } — { $verdict }
sweep-report-verdict = { $verdict ->
        [not-clean] 問題あり
        [check] 警告を確認してください
       *[clean] 問題なし
    }

## Markdown
sweep-report-md-title = KMS リスナーのスイープ: { $ranges }
sweep-report-md-headline = **{ $verdict ->
        [action] 対処が必要
        [review] 確認が必要
       *[none] 検出事項なし
    }** — 見つかった KMS ホスト { $kms } 台: 公開済み { $published }、承認されていない KMS ホスト { $rogue }、禁止 { $forbidden }、許可 { $allowed }。KMS として応答しない公開エンドポイント { $missing } 件。
sweep-report-md-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
sweep-report-md-ranges = 範囲
sweep-report-md-ports = ポート
sweep-report-md-addresses = アドレス
sweep-report-md-addresses-value = { $addresses } (プローブ { $probes } 件中 { $probed } 件完了)
sweep-report-md-probing = プローブ方法
sweep-report-md-probing-value = TCP 接続後、開いているポートに読み取り専用の DCE/RPC バインドを 1 回 (ライセンス認証要求は送信しません)。新しい接続は最大 { $rate } 件/秒、同時実行 { $concurrency } 件、タイムアウト { $timeout_ms } ミリ秒
sweep-report-md-interrupted = 中断
sweep-report-md-interrupted-value = スイープは停止されました (Ctrl-C): 結果は一部のみです
sweep-report-md-started = 開始
sweep-report-md-duration = 所要時間
sweep-report-md-duration-value = { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } 秒
sweep-report-md-compared-with = 比較対象
sweep-report-md-compared-value = { $names } (DNS サーバー { $dns })
sweep-report-md-no-domain = (ドメインなし)
sweep-report-md-no-dns = (DNS なし)
sweep-report-md-tool = ツール
sweep-report-md-none = ありません。
sweep-report-md-col-status = 状態
sweep-report-md-col-address = アドレス:ポート
sweep-report-md-col-service = サービス
sweep-report-md-col-published = 公開状態
sweep-report-md-col-ptr = PTR
sweep-report-md-col-finding = 検出内容
sweep-report-md-kms-found = 見つかった KMS ホスト
sweep-report-md-missing = KMS として応答しない公開エンドポイント
sweep-report-md-others = KMS ポートのその他のリスナー
sweep-report-md-counts = 件数
sweep-report-md-dns-publishes = DNS が公開している内容
sweep-report-md-actions = 対処

# `serve` の状態ページ (crates/report/src/html.rs)。チェック ID、ホスト、コマンドは翻訳しない。

page-not-checked = 未確認
page-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
page-no-audit-yet = 監査はまだ完了していません
page-audit-finished = <time>{ $time }</time> に完了した監査のレポートです。
page-audit-running = 完了した監査はまだありません: 最初の監査を実行中です。
page-audit-failed = 前回の監査は { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } 秒後に失敗しました。このページには 1 つ前のレポートを表示しています。
page-verdict-line = <strong>判定: { $verdict }</strong> &mdash; 結果 { $total } 件: 合格 { $pass }、警告 { $warn }、失敗 { $fail }、スキップ { $skip }、エラー { $error }。
page-none = (なし)
page-domains-line = ドメイン: { $domains } &mdash; DNS サーバー: { $dns }
page-sources = &mdash; 送信元: { $sources }
page-hosts = KMS ホスト
page-no-host = KMS ホストは見つからず、指定もされていません。
page-col-host = ホスト
page-col-verdict = 判定
page-col-addresses = アドレス
page-col-problems = 問題
page-col-found-through = 検出元
page-domains = ドメイン
page-col-domain = ドメイン
page-problems = 問題と対処
page-no-problems = ありません。
page-for = 対象 { $target }
page-at = アドレス { $address }
page-from = 送信元 { $source }
page-error-codes = エラー コード: { $codes }
page-fix = 対処:
page-footer-profile-default = 既定
page-footer = kms-preflight { $version } &mdash; スキーマ { $schema } &mdash; プロファイル { $profile }

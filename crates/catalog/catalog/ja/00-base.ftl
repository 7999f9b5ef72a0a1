# メッセージ クレートとエンジンのメッセージ。用語は Microsoft の日本語ドキュメントに合わせる (ライセンス認証、KMS ホスト、…)。

## そのままのテキスト
recorded = { $text }
user-text = { $text }

## エンジン
engine-param-unfilled = { $template } を埋められません: { $error }
engine-port-not-a-number = ポート { $template } の値 { $value } は TCP ポート番号 (1-65535) ではありません
engine-budget-exceeded = チェックが持ち時間 { DURATION($budget_ms) } (操作ごとのタイムアウト { DURATION($timeout_ms) }) 内に終わらなかったため、停止しました
engine-flaky = 不安定: { $failed } 回失敗した後 ({ $first })、{ $max_attempts } 回中 { $attempt } 回目の試行で合格しました。現在: { $now }
engine-flaky-fix = 経路が断続的に失敗しています。クライアントも断続的に失敗します。{ $fix }
engine-flaky-fix-generic = 経路が断続的に失敗しています。クライアントも断続的に失敗します。パケット損失、過負荷のホスト、一部の接続を破棄するファイアウォールやロード バランサーがないか調べてください。
engine-unfinished-at-deadline = 実行期限 ({ DURATION($deadline_ms) }) までに終わりませんでした。--deadline を延ばすか、タイムアウトを短くしてください
engine-stopped-unexpectedly = 内部エラー: チェックが予期せず停止しました
engine-no-result = 内部エラー: チェックが結果を返しませんでした
engine-no-result-short = 結果なし
engine-prerequisite-failed = スキップ: 前提条件 '{ $prerequisite }' が合格しませんでした ({ LIST($reasons, sep: "; ") })
engine-prerequisite-not-run = スキップ: 前提条件 '{ $prerequisite }' が合格しませんでした (実行されませんでした)
engine-prerequisite-reason = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }: { $message }

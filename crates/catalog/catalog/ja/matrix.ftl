# テーブル レポートの送信元 × 対象のマトリックス (crates/report/src/matrix.rs)。

matrix-heading = 送信元 × 対象 (送信元ごとの最も悪い結果。経由 = 送信インターフェイス)
matrix-target = 対象
matrix-from = 送信元 { $source }
matrix-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
matrix-via = 経由 { $via }

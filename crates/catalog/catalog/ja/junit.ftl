# JUnit の失敗メッセージと詳細 (crates/report/src/junit.rs)。テスト ケース名は識別子なので翻訳しない。

junit-status = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }
junit-predicts = 予想されるエラー コード: { $codes }
junit-fix = 対処:
junit-evidence = 証拠: { $evidence }
junit-attempt = 試行 { $attempt }: { $message }

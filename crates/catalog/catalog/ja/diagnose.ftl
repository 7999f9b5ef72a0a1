# diagnose CODE (crates/report/src/diagnose.rs): 1 つのエラー コードの観点で読んだ実行結果。

## 1 つの結果: 状態、チェック (ID、対象、アドレス)、送信元、メッセージ
diagnose-result = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    } { $check }: { $message }
diagnose-result-from = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    } { $check } (送信元 { $source }): { $message }

## 判定 (JSON ではトークン explained、other-problems、… のまま)
diagnose-verdict = { $verdict ->
        [explained] 原因を特定
        [other-problems] 別の問題あり
        [undecided] 判定できず
        [not-reproduced] 再現せず
       *[not-network] ネットワーク外
    }
diagnose-summary-not-network = { $code } はネットワークではなく、クライアントまたはライセンスによって決まります。`kms-preflight explain { $code }` を参照してください
diagnose-summary-explained = このコンピューターからの { $count } 件の結果で { $code } ({ $title }) を説明できます
diagnose-summary-other-problems = 問題が見つかりましたが、どれも { $code } を直接予測するものではありません
diagnose-summary-undecided = ここからは { $code } を判定できませんでした: { $errors } 件のチェック結果がエラーで終わりました
diagnose-summary-undecided-none-passed = ここからは { $code } を判定できませんでした: { $errors } 件のチェック結果がエラーで終わり、合格したものはありません
diagnose-summary-not-reproduced = 実行した判定用のチェックはこのコンピューターからすべて合格しました{ $caveats }: { $code } の原因は、ここから見えるネットワーク経路にはありません{ $asked }
diagnose-caveats = {" "}({ $items })
diagnose-caveat-skipped = { $n } 件スキップ
diagnose-caveat-not-available = { $n } 件利用不可
diagnose-caveat-opt-in = { $n } 件のオプトインが無効
diagnose-probed = 。KMS ホスト自体がライセンス認証を行う ({ $probes }) ため、これらの製品については、カウントがしきい値未満であること、対象外の製品であること、KMS ホストの時刻チェックは原因から除外されます
diagnose-probe = { $target } { $product }: カウント { $count } / しきい値 { $threshold }

## テキスト
diagnose-text-heading = { $code } ({ $title }) の診断:
diagnose-text-explained-by = 原因となる結果
diagnose-text-other-problems = その他の問題
diagnose-text-not-concluded = 結論が出ていない結果 (スキップまたはエラー)
diagnose-text-unavailable = このビルドでは利用できません (これらの原因はチェックしていません): { $checks }
diagnose-text-opt-in = 有効になっていません (オプトイン。これらの原因はチェックしていません): { $checks }
diagnose-text-opt-in-note = ライセンス認証プローブは KMS ホスト自体に問い合わせます。実際のライセンス認証要求であり、KMS ホストのカウントにこのコンピューターが 30 日間加わります
diagnose-text-causes-remain = 残っている原因
diagnose-text-fix = 修正コマンド: kms-preflight explain { $code }

## Markdown
diagnose-md-heading = `{ $code }` の診断 — { $title }
diagnose-md-explained-by = 原因となる結果
diagnose-md-other-problems = その他の問題
diagnose-md-not-concluded = 結論が出ていない結果 (スキップまたはエラー)
diagnose-md-unavailable = このビルドでは利用できません (これらの原因は**チェックしていません**): { $checks }
diagnose-md-opt-in = 有効になっていません (オプトイン。これらの原因は**チェックしていません**): { $checks }
diagnose-md-causes-remain = 残っている原因
diagnose-md-fix = 修正コマンド: `kms-preflight explain { $code }`

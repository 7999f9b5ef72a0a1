# explain CODE (crates/report/src/explain.rs): エラー コード カタログ (knowledge/codes.ja.yaml) の
# 本文を囲む見出し。コマンドは翻訳しない。

## テキスト
explain-symbol = シンボル
explain-layer = 層
# codes.yaml と JSON の層トークン (dns、network、…) の日本語名。
explain-layer-name = { $layer ->
        [dns] DNS
        [network] ネットワーク
        [time] 時刻
        [host] KMS ホスト
        [licensing] ライセンス
        [state] ライセンス認証の状態
       *[local] クライアント コンピューター
    }
explain-informational = (情報: 失敗ではなく状態を示します)
explain-meaning = 意味:
explain-shown-by = 表示される場所:
explain-causes = 考えられる原因:
explain-no-checks = これらの原因を判別できる kms-preflight のチェックはありません: ネットワークからは見えない原因です。
explain-checks = 原因を判別するチェック (`kms-preflight diagnose { $code }` がこれらを実行します):
explain-opt-in = [オプトイン: { $flag }]
explain-not-available = (このビルドでは利用できません)
explain-fix = 対処:
explain-in-commands = コマンド内の表記:
explain-ospp = `cscript ospp.vbs` は、インストールされている Office の ospp.vbs を指します (そのフォルダーで実行してください):
explain-sources = 出典:

## Markdown
explain-md-symbol = シンボル
explain-md-layer = 層
explain-md-shown-by = 表示される場所
explain-md-causes = 考えられる原因
explain-md-checks = 原因を判別するチェック
explain-md-no-checks = なし: ネットワークからは見えません。
explain-md-not-available = このビルドでは利用できません
explain-md-fix = 対処

## カタログにないコード
explain-known-codes = 既知のコード: { $codes }
explain-diagnose-known-codes = diagnose がどのチェックで判別するかを知っているコード: { $codes }

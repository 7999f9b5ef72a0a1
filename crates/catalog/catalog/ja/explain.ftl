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
explain-unknown = { $code } は kms-preflight のカタログにありません。HRESULT のフィールド: { LIST($fields, sep: "、") }。意味はここではわかりません。
explain-severity = 重大度: { $failure ->
        [true] 失敗 (ビット 31 がオン)
       *[false] 成功または情報 (ビット 31 がオフ)
    }
explain-customer = 顧客定義のコード (ビット 29 がオン)
explain-nt-mapped = NTSTATUS から変換されたコード (ビット 28 がオン)
explain-facility-win32 = ファシリティ 7 (FACILITY_WIN32): Win32 エラー { $word } (0x{ $word_hex })
explain-facility-itf-sl = ファシリティ 4 (FACILITY_ITF)、ソフトウェア ライセンス (SL) の範囲。コード ワード 0x{ $word_hex }
explain-facility-itf = ファシリティ 4 (FACILITY_ITF)。コード ワード 0x{ $word_hex }
explain-facility = ファシリティ { $facility }。コード ワード 0x{ $word_hex } ({ $word })

## エラー コードではない引数
explain-code-empty = エラー コードが空です。{ explain-code-expected }
explain-code-invalid = `{ $input }` はエラー コードではありません: { $reason ->
        [dash-not-decimal] `-` の後には 10 進数の数字しか使えません
        [nothing-after-prefix] `0x` の後に何もありません
       *[not-digits] 10 進数でも 16 進数でもない文字が含まれています
    }。{ explain-code-expected }
explain-code-out-of-range = `{ $input }` は 32 ビットに収まりません。{ explain-code-expected }
explain-code-expected = 32 ビットのコードを 16 進数 (0xC004F074 または C004F074)、10 進数 (3221549172)、または負の 10 進数 (-1073418124) で指定してください

# 誤ったルール ファイル (crates/engine/src/rules、crates/checks/src/common/validation.rs、
# crates/checks/src/pack/validate.rs)。"ファイル:行:列: " の後に表示する。キー名、チェック ID、
# 種類名、YAML パーサーの英語の説明 ($detail、$unexpected、$expected) は翻訳しない。

## ファイル
rules-empty-file = ルール ファイルが空です: 'version: 1' と 'checks:' が必要です
rules-unsupported-version = ルールのバージョン { $version } には対応していません。この kms-preflight が読むのはバージョン 1 です
rules-missing-version = ルール ファイルの先頭に 'version: 1' がありません
rules-cannot-read = 読み取れません: { $error }
rules-cannot-list = 一覧を取得できません: { $error }
rules-dir-empty = ディレクトリに .yaml または .yml のルール ファイルがありません

## YAML (パーサーの語はそのまま)
rules-yaml-unknown-field = 不明なキー `{ $field }` です。使えるキー: { LIST($expected, sep: ", ") }
rules-yaml-missing-field = キー `{ $field }` がありません
rules-yaml-invalid-type = 型が違います: { $unexpected } ではなく { $expected } が必要です
rules-yaml-invalid-value = 値が正しくありません: { $unexpected } ではなく { $expected } が必要です
rules-yaml-unknown-variant = 不明な値 `{ $variant }` です。使える値: { LIST($expected, sep: ", ") }
rules-yaml-duplicate-key = キー { $key } が重複しています
rules-yaml-invalid-scalar = { $ty } として読めない値です
rules-yaml-eof = 入力が途中で終わっています
rules-yaml-other = YAML の構文エラー: { $detail }

## 変数
rules-bad-var-name = 変数名 '{ $name }' に使えるのは英字、数字、'_'、'-' だけです
rules-runtime-var = 変数 '{ $name }' はジョブごとに kms-preflight が設定するため、ルール ファイルでは定義できません
rules-malformed-placeholder = { $text } のプレースホルダーの書式が正しくありません
rules-undefined-var = 変数 '{ "{{" }{ $name }{ "}}" }' は定義されていません。定義済みの変数: { LIST($defined, sep: ", ") }

## チェックの共通キー
rules-no-kind = チェックに 'kind' がありません。次のいずれかを指定してください: { LIST($kinds, sep: ", ") }
rules-unknown-kind = 不明なチェックの種類 '{ $kind }' です。次のいずれかを指定してください: { LIST($kinds, sep: ", ") }
rules-duplicate-id-in-file = チェック ID '{ $id }' が重複しています ({ $line } 行目で定義済み)
rules-duplicate-id = チェック ID '{ $id }' が重複しています ({ $file }:{ $line } で定義済み)
rules-bad-id = チェック ID は空白を含まない空でない語にしてください
rules-unknown-scope = 不明なスコープ '{ $scope }' です。次のいずれかを指定してください: { LIST($scopes, sep: ", ") }
rules-unknown-severity = 不明な重大度 '{ $severity }' です。'fail' または 'warn' を指定してください
rules-too-many-retries = retries { $retries } は多すぎます。最大 { $max } です
rules-retry-delay-too-long = retry_delay '{ $value }' は 60 秒を超えています
rules-not-an-error-code = '{ $code }' はエラー コードではありません。0x に続けて 16 進数 8 桁で書いてください (例: 0xC004F074)
rules-requires-unknown = requires に不明なチェック ID '{ $id }' があります
rules-requires-itself = チェックは自分自身を requires に指定できません
rules-scope-order = チェック '{ $id }' (スコープ { $scope }) は '{ $dep }' (スコープ { $dep_scope }) を requires に指定できません: requires に指定できるのは、同じスコープかより広いスコープのチェックだけです
rules-cycle = requires が循環しています: { LIST($cycle, sep: " -> ") }

## 期間 (ルール ファイルとコマンド ライン)
rules-duration-invalid = 期間 '{ $value }' が正しくありません: { $detail } (例: 500ms、3s、1m)
rules-duration-bad-char = { $offset } バイト目に使えない文字があります
rules-duration-number-expected = { $offset } バイト目に数値が必要です
rules-duration-unit-needed = 時間の単位が必要です (例: { $value }sec、{ $value }ms)
rules-duration-unknown-unit = 不明な時間の単位 { $unit } です。使える単位: ns、us/µs、ms、sec、min、hours、days、weeks、months、years (と一部の別の書き方)
rules-duration-overflow = 数値が大きすぎるか、精度を落とさずに表せません (1ns 未満には対応していません)
rules-duration-empty = 値が空です
rules-duration-zero = 期間 '{ $value }' が正しくありません: 0 より大きくしてください
rules-duration-too-long = 期間 '{ $value }' が正しくありません: 24 時間を超えています

## 種類ごとのキー (Check::validate)
engine-port-invalid = ポート '{ $value }' は { $proto } のポート番号 (1-65535) ではありません
engine-choice-invalid = { $key } '{ $value }' は { LIST($allowed, sep: "、") } のいずれかにしてください
validate-clock-methods-empty = 'methods' が空です。次の 1 つ以上を指定してください: { LIST($methods, sep: ", ") }
validate-clock-method-unknown = 不明な時刻の取得方法 '{ $method }' です。次のいずれかを指定してください: { LIST($methods, sep: ", ") }
validate-clock-method-twice = 時刻の取得方法 '{ $method }' が 2 回指定されています
validate-clock-samples = samples は 1 から { $max } までにしてください ({ $samples } が指定されています)
validate-clock-warn-above-fail = warn_above ({ DURATION($warn_ms) }) が fail_above ({ DURATION($fail_ms) }) より大きくなっています。警告は失敗より先に出るようにしてください
validate-icmp-count = count { $count } は 1 から { $max } までにしてください
validate-icmp-interval = interval: { $error }
validate-interception-samples = samples { $samples } は 1 から 10 までにしてください
validate-route-via = via '{ $via }' は direct、vpn、any のいずれかにしてください
validate-tcp-hold-invalid = hold '{ $value }' が正しくありません: { $detail } (例: 200ms。無効にするには 0)
validate-tcp-hold-too-long = hold '{ $value }' は 10 秒を超えています
validate-srv-membership-needs-list = srv-membership には 'present' または 'absent' (ホスト名の一覧) が必要です

## rules validate
pack-nested-too-deep = ディレクトリの階層が { $max } を超えています
pack-profile-need-unknown = profile.needs: 不明なオプション '{ $need }' です。new-host または old-host を指定してください

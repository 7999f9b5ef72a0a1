# 表 (report/src/table.rs、concise.rs): 見出し、状態の語、集計行、簡潔な一覧とその修正の節。色を付ける語は引数で渡る
# ($program、$word)。

table-header = { $program } { $version } — ドメイン: { $domains } — DNS: { $dns }
table-header-sources = { $program } { $version } — ドメイン: { $domains } — DNS: { $dns } — 送信元: { $sources }
table-none = (なし)
table-general = 全般
table-from = 送信元 { $source }
table-predicts = 予測されるエラー:
table-fix = 修正:

## 状態の語 (言語ごとに同じ幅にそろえる)
table-status-pass = 合格
table-status-warn = 警告
table-status-fail = 失敗
table-status-skip = スキップ
table-status-error = エラー

## 集計行
table-summary = 結果 { $total } 件: 合格 { $pass }、警告 { $warn }、失敗 { $fail }、スキップ { $skip }、エラー { $error } ({ NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } 秒) — { $word }
table-readiness-cannot-activate = { $word } (判定を参照)
table-readiness-client = { $word } — { $what }
table-readiness-cannot-activate-code = { $word } — クライアントは { $code } を記録します
table-readiness-fix-results = { $word } — 上の失敗とエラーの結果を修正してください
table-readiness-risk = { $word } (判定を参照)
table-readiness-warnings = { $word } — 警告あり
table-readiness-nothing = { $word } — 何も確認されませんでした

## 簡潔な一覧
table-not-passed = 合格しなかった結果
table-hosts = ホスト { $count } 台 ({ $hosts })
table-results-hosts = 結果 { $count } 件、ホスト { $hosts_count } 台 ({ $hosts })
table-checks = チェック { $count } 件
table-skipped = スキップ: { $roots } が合格しませんでした ({ $ids })
table-a-prerequisite = 前提条件
table-passed = 合格 { $count } 件: { LIST($targets, sep: "、") }
table-pass-target = { $target } { $count }
table-pass-targets = ターゲット { $count } 個 ({ $names }) 各 { $passes }
table-fixes = 修正
table-fixes-hint = (コマンド全体: --verbose または --format markdown)
table-fix-rank = 修正 { $rank }
table-fix-also = その他
table-fix-lines = ({ $total } 行中 { $shown } 行)

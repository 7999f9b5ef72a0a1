# 判定 (report/src/verdict.rs、verdict_model.rs、verdict_block.rs): ここからクライアントがライセンス認証できるか、何を先に
# 修正するか。割合はテキスト ("33 %") で渡る。clause は結果のメッセージの最初の節。

## 答え
verdict-label-works = ライセンス認証できる
verdict-label-works-with-risk = ライセンス認証できるがリスクあり
verdict-label-fails = ライセンス認証できない
verdict-label-unknown = 不明

## ホストでの 1 回の試行がそうなる理由 (短く)
verdict-clause = { CLAUSE($message) }
verdict-not-probed = 未確認: この実行ではこのホストへの接続を試していません
verdict-stale-no-address = 古いレコード: 名前が解決できなくなっています
verdict-stale-port-dead = 古いレコード: ポート { $port } が応答しません
verdict-undecided = { $check } を判定できませんでした
verdict-clock-off = 時刻が { NUMBER($value, maximumFractionDigits: 1) } { $unit ->
        [h] 時間
        [min] 分
       *[s] 秒
    }{ $direction ->
        [ahead] 進んでいます
       *[behind] 遅れています
    }
verdict-activation-count = カウントが { $count } で、{ $product } に必要なしきい値 { $threshold } に達していません
verdict-activation-refused = { $product } のライセンス認証が拒否されます
verdict-the-product = その製品
verdict-note = { $check } { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }: { $message }

## クライアントがホストを見つける方法
verdict-discovery-no-dns = クライアントの SRV 問い合わせにどの DNS サーバーも応答しません
verdict-discovery-no-record = クライアントのサフィックス検索一覧のどれにも KMS の SRV リソース レコードがありません
verdict-discovery-fails = { $what } ({ $suffixes })
verdict-discovery-srv = SRV リソース レコード _vlmcs._tcp.{ $domain }
verdict-discovery-by-hand = コマンド ラインで指定したホスト (slmgr /skms で設定した場合と同じ)
verdict-discovery-none-found = KMS の SRV リソース レコードが見つかりません
verdict-discovery-nothing = なし
verdict-nothing-to-judge = 判定する KMS ホストがありません: SRV リソース レコードが見つからず、--host も指定されていません
verdict-with-code = { $reason } → { $code }
verdict-from-source = 送信元 { $source }: { $reason }

## 修正 (見出し)
verdict-fix-stale = { $host } の古い SRV リソース レコードを削除する
verdict-fix-clock = { $host } の時刻を正しく設定する
verdict-fix-clock-now = { $host } の時刻を正しく設定する (現在 { NUMBER($value, maximumFractionDigits: 1) } { $unit ->
        [h] 時間
        [min] 分
       *[s] 秒
    }{ $direction ->
        [ahead] 進み
       *[behind] 遅れ
    })
verdict-fix-resolve = { $host } の名前が解決できるようにする{ $or_remove ->
        [true] か、その SRV リソース レコードを削除する
       *[false] {""}
    }
verdict-fix-tcp = { $host } への TCP { $port } を開く{ $or_remove ->
        [true] か、その SRV リソース レコードを削除する
       *[false] {""}
    }
verdict-fix-rpc = { $host } が KMS ホストとして応答するようにする{ $or_remove ->
        [true] か、その SRV リソース レコードを削除する
       *[false] {""}
    }
verdict-fix-dns = クライアントの DNS サーバーが応答するようにする (UDP と TCP の 53)
verdict-fix-publish = クライアントのサフィックス検索一覧が探すドメインに _vlmcs._tcp を発行する
verdict-fix-publish-in = { $domain } に _vlmcs._tcp を発行する
verdict-fix-publish-in-client-domain = クライアントのドメインに _vlmcs._tcp を発行する
verdict-fix-activate-because = { $host } でライセンス認証できるようにする ({ $because })
verdict-fix-activate = { $host } で製品のライセンス認証ができるようにする
verdict-fix-other = { $host } の { $check } を修正する
verdict-fixes-stale = 古い SRV リソース レコード { $count } 件を削除する ({ $hosts })
verdict-fixes-clock = ホスト { $count } 台の時刻を正しく設定する ({ $hosts })
verdict-fixes-resolve = ホスト { $count } 台の名前が解決できるようにする{ $or_remove ->
        [true] か、それらの SRV リソース レコードを削除する
       *[false] {""}
    } ({ $hosts })
verdict-fixes-tcp = ホスト { $count } 台への TCP { $port } を開く{ $or_remove ->
        [true] か、それらの SRV リソース レコードを削除する
       *[false] {""}
    } ({ $hosts })
verdict-fixes-rpc = ホスト { $count } 台が KMS ホストとして応答するようにする{ $or_remove ->
        [true] か、それらの SRV リソース レコードを削除する
       *[false] {""}
    } ({ $hosts })
verdict-fixes-other = ホスト { $count } 台の { $check } を修正する ({ $hosts })

## 答えの理由とリスク
verdict-cannot-tell = 判定できません: どのホストの試行も判定できませんでした — { $because }
verdict-all-reject = 応答するすべてのホストが要求を拒否します: { $hosts }
verdict-host-because = { $host } ({ $because })
verdict-host-because-code = { $host } ({ $because } → { $code })
verdict-none-answers = どの KMS ホストも応答しません: { $hosts } → { $code }
verdict-all-activate = クライアントが選ぶどのホストでもライセンス認証できます (ホスト { $count } 台)
verdict-all-activate-via = クライアントが選ぶどのホストでもライセンス認証できます (ホスト { $count } 台、{ $domain } 経由)
verdict-share-both = { $off } (キャッシュ無効) / { $on } (キャッシュ有効)
verdict-risk-rejects = 最初の試行の { $share } が { $host } に届きますが、{ $because } → { $code }
verdict-risk-rejects-error = 最初の試行の { $share } が { $host } に届きますが、{ $because } → エラー
verdict-risk-dead-one = 最初の試行の { $share } が応答しない { $host } に届きます ({ $because })。クライアントは別のホストにフェールオーバーします
verdict-risk-dead-many = 最初の試行の { $share } が応答しないホスト { $count } 台のいずれかに届きます ({ $hosts })。クライアントは別のホストにフェールオーバーします
verdict-risk-unknown = { $host }: { $because }
verdict-risk-some-dead = 一部の試行が応答しないホストに届きます

## 判定ブロック (表。Markdown のレポートも同じ行を使う)
verdict-attempt-works = ライセンス認証できる
verdict-attempt-works-notes = ライセンス認証できる (注意 { $count } 件: { $note })
verdict-attempt-rejected = 拒否: { $because }
verdict-attempt-rejected-code = 拒否: { $because } → { $code }
verdict-attempt-no-answer = 応答なし ({ $because }) → 次のホスト
verdict-attempt-unknown = 不明: { $because }
verdict-block-group = 各 { $share }   ホスト { $count } 台 ({ $hosts })
verdict-activates-same = ライセンス認証できるクライアント: { $share } (キャッシュの設定によらず)
verdict-activates-both = ライセンス認証できるクライアント: キャッシュ無効で { $off }、キャッシュ有効で { $on }
verdict-others-log = { $line }。ほかのクライアントは { $code } を記録します
verdict-find-through = クライアントは { $domain } で KMS ホストを見つけます
verdict-find-through-how = クライアントが KMS ホストを見つける方法: { $how }
verdict-find-list = { $line } (サフィックス検索一覧: { $suffixes })
verdict-find-list-from = { $line } (サフィックス検索一覧: { $suffixes }、出所: { $origin })
verdict-origin-system = システムのリゾルバーの検索一覧
verdict-benefit-unblocks = クライアントの { $share } がライセンス認証できるようになる
verdict-benefit-spares = 最初の試行の { $share } でフェールオーバーが不要になる
verdict-benefit-none = これだけではライセンス認証できるクライアントは増えない
verdict-block-answer = { $label } — { $reason }
verdict-block-client = 送信元 { $source }: { $label } — { $reason }
verdict-block-os-choice = (OS の選択)
verdict-block-hosts-head = 最初の試行 キャッシュ無効 | 有効   ホストとそこでの試行の結果
verdict-block-hosts-head-prio = 最初の試行 キャッシュ無効 | 有効   ホスト (優先度/重み) とそこでの試行の結果
verdict-block-fixes = 修正 (ライセンス認証できるようになるクライアントの多い順):
verdict-block-fix = { $rank }. { $title } [{ $check }] — { $benefit }

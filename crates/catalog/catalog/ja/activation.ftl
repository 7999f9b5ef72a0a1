# kms-activation (オプトイン: check --activation-probe): KMS ホストへの実際のライセンス認証要求。
activation-no-bind-accepted = スキップ: このホストのどのアドレスも RPC バインドを受け付けませんでした

activation-not-opted-in = 実行していません: ライセンス認証プローブはオプトインです (--activation-probe)。ライセンス認証要求は送信していません
activation-cmid-invalid = CMID { $cmid } は UUID ではありません
activation-unknown-product = 不明な製品 '{ $product }' です (kms-preflight check --help を参照してください)
activation-who = { $product } ({ $addr })

## プローブの結果
activation-count-below = { $who }: KMS ホストは応答しましたが、まだライセンス認証を行いません: { $group } のカウントは { $count } で、ライセンス認証のしきい値は { $threshold } です (0xC004F038)。あと { $more } 台のクライアントが必要です。{ $facts }
activation-this-product-group = この製品グループ
activation-emulator-signs = { $who }: KMS ホストはライセンス認証を行います (カウント { $count }、しきい値 { $threshold }) が、エミュレーターの兆候があります: { LIST($signs, sep: "; ") }。{ $facts }
activation-would-activate = { $who }: KMS ホストはライセンス認証を行います (カウント { $count }、しきい値 { $threshold }): { $facts }。エミュレーターの兆候はありません
activation-response-rejected = { $who }: KMS ホストの応答はクライアント側の検査に合格しないため、Windows/Office クライアントは受け入れません: { $error }
activation-fault = { $who }: RPC ランタイムがライセンス認証要求にフォールトで応答しました。状態 { $status }
activation-fault-named = { $who }: RPC ランタイムがライセンス認証要求にフォールトで応答しました。状態 { $status } ({ $name })
activation-bind-failed = { $who }: プローブ自身の接続でのバインドに失敗しました: { $why }
activation-no-answer = { $who }: ライセンス認証要求に応答がありません: { $why }
activation-local-error = { $who }: プローブを実行できませんでした: { $why }
activation-product-refused = { $who }: KMS ホストが製品を拒否しました ({ $code }): KMS ホスト キーが { $group } を対象としていません。{ $need }
activation-product-refused-installed = { $who }: KMS ホストが製品を拒否しました ({ $code }): KMS ホスト キーが { $group } を対象としていません (別の製品への応答の ePID は { $installed } を示しています)。{ $need }
activation-needs-key = ライセンス認証するには、KMS ホストに KMS ホスト キー { $key } が必要です
activation-needs-key-or = ライセンス認証するには、KMS ホストに KMS ホスト キー { $key } (または { $others } のいずれか) が必要です
activation-no-key-activates = カタログ内にこの製品をライセンス認証できる KMS ホスト キーはありません
activation-timestamp-rejected = { $who }: KMS ホストが要求のタイムスタンプを拒否しました ({ $code }): このコンピューターの時刻が KMS ホストの時刻と 4 時間を超えてずれていると判断されています
activation-refused = { $who }: KMS ホストが要求を { $code } で拒否しました: { $title }。{ $text }

## 検証済みの応答からわかること
activation-fact-host = KMS ホスト { $os } (ビルド { $build })
activation-unknown-os = 不明な OS
activation-fact-language = 言語 { $tag } (LCID { $lcid })
activation-fact-lcid = 言語 LCID { $lcid }
activation-fact-host-key = KMS ホスト キー { $key }
activation-fact-host-key-unknown = KMS ホスト キーは不明 (グループ { $group }、キー ID { $key_id })
activation-fact-key-activated = キーのライセンス認証日 { $date }
activation-fact-epid-undecodable = ePID { $epid } (解読できません)
activation-fact-intervals = 間隔 { $activation } / { $renewal } 分 (ライセンス認証 / 更新)

## エミュレーターの兆候 (証跡には英語で記録します)
activation-sign-known-hwid = HwId { $hwid } は { $emulator } の既定値です
activation-sign-count-twice = 現在のカウント { $count } がちょうど 2 x N (N = { $threshold }) です。エミュレーターは最初からこの値を返します
activation-sign-count-above-cap = 現在のカウント { $count } が、正規の KMS ホストが適用する 2 x N の上限 { $cap } を超えています
activation-sign-platform-mismatch = ePID のプラットフォーム { $platform } がビルド { $build } と一致しません (期待値 { $expected })
activation-sign-invalid-day = ePID のライセンス認証日 ({ $year } 年の { $day } 日目) は実在しない日付です
activation-sign-date-in-future = ePID のライセンス認証日 ({ $year } 年の { $day } 日目) が要求の時刻より後です
activation-sign-epid-changed = 呼び出しの間で ePID が変わりました: { $previous } から { $current }
activation-sign-iv-reused = v6 の応答が要求の IV を再利用しています (v5 の動作)
activation-sign-no-ndr64 = ePID はビルド { $build } (9200 以上) を示しているのに、NDR64 が拒否されました
activation-sign-py-kms-assoc-group = bind_ack の assoc_group_id 0x1063BF3F は py-kms の固定値です
activation-sign-conc-mpx = bind_ack のフラグ { $flags } が、バインドで要求していない PFC_CONC_MPX を設定しています
activation-sign-first-contact = このコンピューターの新しい CMID での最初の接続で: { $sign }
activation-sign-key-cannot-activate = ePID が示す KMS ホスト キー { $name } ({ $key }) は { $product } をライセンス認証できないのに、KMS ホストはライセンス認証しました
activation-sign-unknown-key = ePID のキー ID { $key_id } (グループ { $group }) は、既知のどの KMS ホスト キー (CSVLK) にも該当しません
activation-sign-channel = ePID のライセンス チャネルが 03 (ボリューム) ではなく { $channel } です
activation-sign-epid-shape = ePID { $epid } が PPPPP-GGGGG-KKK-KKKKKK-03-LLLL-BBBBB.0000-DDDYYYY の形式ではありません
activation-version-fell-back = { $version } は 0x8007000D を返しました

## 要求の前後のやり取り
activation-the-bind = バインド
activation-the-request = ライセンス認証要求
activation-end-complete = { $what }: 完了
activation-end-not-rpc = { $what }: 応答が DCE/RPC ではありません
activation-end-closed = KMS ホストは{ $what }に応答せずに接続を閉じました
activation-end-reset = { $what }に対して接続がリセットされました (RST)
activation-end-timeout = { DURATION($timeout_ms) }以内に{ $what }への応答がありません
activation-end-error = { $what }: ソケット エラー: { $error }
activation-not-bind-ack = バインドへの応答が bind_ack ではありません
activation-no-ndr32-context = KMS ホストは NDR32 の KMS コンテキストを受け入れませんでした
activation-not-rpc-response = 応答が RPC 応答ではありません: { $error }
activation-no-randomness = IV 用の乱数を取得できません: { $error }

## 修正方法
activation-fix-count = 新しい KMS ホストでは正常です: 30 日以内に { $threshold } 台の異なるコンピューターから要求を受けると、クライアントのライセンス認証を始めます。KMS ホストで slmgr /dlv を実行してカウントを確認してください。カウントが増えない場合は、CMID が重複している複製されたコンピューター (sysprep /generalize) や、複数の KMS ホストがクライアントを分け合っていないか (srv.inventory) を確認してください。
activation-fix-emulator = KMS エミュレーターは接続の問題ではなく、ライセンス コンプライアンスの問題です: この KMS ホストをだれが運用しているかを調べ (HwId、ePID、アドレスは証跡にあります)、組織が所有する KMS ホストと比較してください (各ホストで slmgr /dlv)。
activation-fix-rejected = このコンピューターと KMS ホストの間の何か (TCP 1688 を書き換える IPS やプロキシ) が RPC のデータを変更しているか、待ち受けているのが正常な KMS ホストではありません。KMS ホストと同じサブネットからプローブして切り分けてください。
activation-fix-no-answer = バインドは受け入れられたので、経路は RPC を通します。バインドの後で呼び出しを破棄するのは、マルチタスクに対応していないエミュレーター、異常な KMS ホスト (Get-Service sppsvc、KMS のイベント ログ)、またはバインドだけを許可する RPC フィルターです。
activation-fix-host-key = KMS ホストに正しい KMS ホスト キー (CSVLK) をインストールしてライセンス認証してください: slmgr /ipk <CSVLK>、slmgr /ato (Office の場合: Office の KMS ホスト ライセンス パック、次に Office の CSVLK)。または、そのキーを持つ KMS ホストをクライアントに指定してください: slmgr /skms <kms-host>:<port>。必要なキー: { $needed }。
activation-unknown = 不明
activation-fix-timestamp = 時刻を比較してください: clock.kms-host がこのコンピューターから KMS ホストの時刻を測定します (Windows では w32tm /stripchart /computer:<kms-host>)。誤っている側を修正してください: w32tm /query /status、w32tm /resync。
activation-fix-catalog = { LIST($fixes, sep: "\u000A") }
activation-catalog-fix = { $what } ({ LIST($commands, sep: "; ") })

## 同じホストの時刻チェックとの照合
activation-clock-said = { $message }。このコンピューターからの { $clock } の結果: { LIST($said, sep: " | ") }
activation-clock-result = { $status ->
        [pass] 合格
        [warn] 警告
        [fail] 失敗
        [skip] スキップ
       *[error] エラー
    }: { $message }
activation-clock-not-run = { $message }。このレポートでは { $clock } が実行されていないため、このコンピューターと KMS ホストの時刻差は測定されていません (kms-preflight diagnose 0xC004F06C で測定できます)

# clock: このコンピューターの時刻と、KMS ホストまたは参照用の時刻サーバーの時刻との差。

clock-no-reference = スキップ: 参照用の時刻サーバーが指定されていません ({ $template } が空です)。信頼できる NTP サーバー (ドメイン コントローラー、または組織の NTP ソース) を --ntp HOST で指定してください
clock-no-address = { $name } の時刻を読み取れません: アドレスがありません ({ $why })
clock-no-server = 読み取る時刻がありません: 'server' を設定するか、このチェックをホストごとに実行してください (scope each-host)

## だれの時刻か
clock-subject-kms-host = KMS ホスト { $host }
clock-subject-reference = 参照用の時刻サーバー { $name }
clock-subject-at = { $subject } ({ $addr })
clock-who-kms-host = KMS ホスト { $host } の時刻
clock-who-reference = 参照用の時刻サーバー { $name } の時刻

## 読み取れなかったとき
clock-no-reading = スキップ: { $subject } から時刻を読み取れませんでした: { LIST($tried, sep: "; ") }
clock-method-failed = { $method }/{ $transport }/{ $port }: { $class ->
    [refused] 拒否
    [timeout] タイムアウト
    [unreachable] 到達不能
    [prohibited] 禁止
    [source-unusable] 送信元を使用不可
    [wrong-family] アドレス ファミリ不一致
    [reset] リセット
    [closed] 切断
    [invalid] 不正な応答
    [no-date] 時刻なし
    [rejected] 拒絶
    [kiss-of-death] Kiss-o'-Death
    [unsynchronized] 未同期
    [error] エラー
   *[other] { $class }
} — { $detail }
clock-method-failed-repeated = { $method }/{ $transport }/{ $port }: { $class ->
    [refused] 拒否
    [timeout] タイムアウト
    [unreachable] 到達不能
    [prohibited] 禁止
    [source-unusable] 送信元を使用不可
    [wrong-family] アドレス ファミリ不一致
    [reset] リセット
    [closed] 切断
    [invalid] 不正な応答
    [no-date] 時刻なし
    [rejected] 拒絶
    [kiss-of-death] Kiss-o'-Death
    [unsynchronized] 未同期
    [error] エラー
   *[other] { $class }
} ({ $times } 回) — { $detail }
clock-method-no-result = { $method }/{ $port }: 結果なし
clock-failure = { $class ->
    [refused] 拒否
    [timeout] タイムアウト
    [unreachable] 到達不能
    [prohibited] 禁止
    [source-unusable] 送信元を使用不可
    [wrong-family] アドレス ファミリ不一致
    [reset] リセット
    [closed] 切断
    [invalid] 不正な応答
    [no-date] 時刻なし
    [rejected] 拒絶
    [kiss-of-death] Kiss-o'-Death
    [unsynchronized] 未同期
    [error] エラー
   *[other] { $class }
}: { $detail }

## 読み取れたとき
clock-note-ntp = NTP、階層 { $stratum }
clock-note-smb2 = SMB2 NEGOTIATE の SystemTime、{ $dialect }
clock-note-http = HTTP の Date ヘッダー、1 秒単位
clock-note-at = { $addr }、{ $note }
clock-span-ms = { NUMBER($ms, minimumFractionDigits: 3, maximumFractionDigits: 3) } ミリ秒
clock-span-s = { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) } 秒
clock-span-m = { $m } 分 { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) } 秒
clock-span-h = { $h } 時間 { $m } 分 { NUMBER($s, minimumFractionDigits: 3, maximumFractionDigits: 3) } 秒
clock-measured = { $who } ({ $source }) は、このコンピューターより { $offset }{ $direction ->
        [ahead] 進んでいます
       *[behind] 遅れています
    } (±{ $uncertainty }): { $verdict }
clock-verdict-fail = { DURATION($fail_ms) }を超えているため、KMS ホストはライセンス認証要求を拒否します (0xC004F06C、多くの場合 0xC004F074 と表示されます)
clock-verdict-warn = { DURATION($warn_ms) }を超えているため、Kerberos と AD の認証が失敗します (KMS 自体は { DURATION($fail_ms) }まで受け付けます)
clock-verdict-pass = { DURATION($warn_ms) }以内です
clock-time-zone-hint = { $reading }。このずれはちょうど { $hours } 時間から 1 分以内です: タイム ゾーンの設定の誤り (時刻を UTC ではなくローカル時刻で設定している) が原因と考えられます

## 修正方法
clock-fix-intro-reference = このコンピューターの時刻が参照用の時刻サーバー { $host } とずれています。次の方法で正しく設定してください:
clock-fix-intro-kms-host = どちらの時刻が誤っているかを確かめ (信頼できる時刻源と両方を比較します: { $compare })、正しく設定してください:
clock-fix =
    { $intro }
    {"  "}ドメイン メンバー (HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters の Type=NT5DS): w32tm /config /syncfromflags:domhier /update の後、w32tm /resync
    {"  "}ワークグループのコンピューター: NTP クライアントを有効にし (HKLM\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\NtpClient の Enabled=1)、w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update の後、w32tm /resync
    {"  "}確認: w32tm /query /status /verbose
    {"  "}クライアントから確認: { $stripchart }
    {"  "}Linux の踏み台ホスト: chronyc tracking (すぐに合わせるには chronyc makestep)、または timedatectl set-ntp true と timedatectl status
clock-fix-time-zone =
    ずれはちょうど { $hours } 時間です: まず、このコンピューターまたは { $host } のタイム ゾーンの設定の誤りを確認してください (Windows: tzutil /g で確認し、tzutil /s "<zone>" で設定します。Linux とデュアル ブートするコンピューターは、ハードウェア クロックをローカル時刻で保持している場合があります — RealTimeIsUniversal。Linux: timedatectl、timedatectl set-timezone <zone>、timedatectl set-local-rtc 0)。時刻は UTC で比較されます: タイム ゾーンは同じでなくてもよく、正しく設定されている必要があります。
    { $fix }
clock-fix-retry-activation =
    { $fix }
    {"  "}KMS ホストの時刻を修正したら、クライアントでライセンス認証を再試行してください: slmgr /ato (Office: cscript ospp.vbs /act)。KMS ホストのキー管理サービスのログには、拒否された要求がイベント 12290 (0xC004F06C) として記録されています (クライアントのアプリケーション ログではイベント 12288)

# client: Windows クライアント自身の出力 (--client-state) から、そのクライアントが何をするか。
client-input-unreadable = --client-state { $file }: 読み取れません: { $error }
client-input-empty = --client-state { $file }: 入力が空です。slmgr /dli、/dlv、/xpr、cscript ospp.vbs /dstatus、SoftwareProtectionPlatform キーの reg query、または ipconfig /all の出力を指定してください
client-input-too-large = --client-state { $file }: { $bytes } バイトはクライアントの出力の上限 { $limit_mib } MiB を超えています (読まずに拒否しました)
client-input-binary = --client-state { $file }: クライアントのテキスト出力ではなくバイナリ データです: { $detail } (先頭のバイト: { $first_bytes })
client-input-too-many = --client-state { $file }: { $what } が { $limit } を超えています。Windows クライアントがこれほど出力することはないため、1 台のクライアントの出力ではありません
client-input-unrecognized = --client-state { $file }: このツールが読める Windows クライアントの出力ではありません ({ $encoding } のテキスト、先頭行: "{ $first_line }")。slmgr /dli、/dlv、/xpr、cscript ospp.vbs /dstatus、SoftwareProtectionPlatform キーの reg query、または ipconfig /all の出力を指定してください
client-heading = (クライアントの状態を { $inputs } から読み取りました: 各製品はクライアント自身の KMS への経路で判定しています)
client-input-missing = { $file } は一部のみです: 見つからない項目: { $fields }
client-override = コマンド ラインがクライアントの検出を上書きしています: この実行は { $client_domains } の代わりに { $run_domains } を検索しました
client-product-pinned = { $product }: { $target } に固定 ({ $origin ->
        [slmgr] slmgr /skms
        [ospp] レジストリの上書き、ospp.vbs /sethst
        [registry-sku] レジストリ、SKU 固有
        [registry-app] レジストリ、アプリケーション固有
        [registry] レジストリ
       *[other] { $origin }
    }) → { $outcome }。DNS による検出は使われません
client-product-discovery = { $product }: { $via } で KMS を見つけます → { $outcome }
client-product-not-kms = { $product }: チャネル { $channel } で、KMS クライアントではありません。KMS のチェックは適用されません
client-product-not-kms-code = { $product }: チャネル { $channel } で、KMS クライアントではありません。KMS のチェックは適用されません (通知の理由 { $code }: kms-preflight explain { $code } を参照)
client-via-lookup-domain = 検索ドメイン _vlmcs._tcp.{ $domain } のみ (slmgr /skms-domain。サフィックス一覧は使われません)
client-via-suffixes = _vlmcs._tcp.{ $domain } (サフィックス一覧: { $suffixes })
client-via-nothing = サフィックス一覧 ({ $suffixes })
client-outcome-activates = ライセンス認証できます
client-outcome-no-answer = { $because } → { $code } を記録します
client-outcome-rejected = 拒否: { $because } → { $code } を記録します
client-outcome-unknown = 判定できません: { $because }
client-outcome-fails = ライセンス認証できません: { $reason }
client-outcome-risk = ライセンス認証できるがリスクあり: { $reason }
client-discovery-would-find = DNS による検出なら { $hosts } が見つかり、そこではライセンス認証できます
client-fix-windows-pinned = 修正: slmgr /ckms (DNS による検出に戻す) の後 slmgr /ato、または slmgr /skms { $host } の後 slmgr /ato
client-fix-office-pinned = 修正: cscript ospp.vbs /remhst (DNS による検出に戻す) の後 cscript ospp.vbs /act、または cscript ospp.vbs /sethst:{ $host } /setprt:{ $port } の後 cscript ospp.vbs /act
client-fix-windows-dns = 修正: このクライアントが検索する場所に _vlmcs._tcp を発行する (下の修正を参照)、または固定する: slmgr /skms <kms-host>:1688 の後 slmgr /ato
client-fix-office-dns = 修正: このクライアントが検索する場所に _vlmcs._tcp を発行する (下の修正を参照)、または固定する: cscript ospp.vbs /sethst:<kms-host> の後 cscript ospp.vbs /act
client-status-grace = { $status ->
        [initial] 初期猶予期間
        [additional] 追加の猶予期間
        [non-genuine] 非正規猶予期間
        [extended] 延長猶予期間
       *[other] 猶予期間
    } 中で残り { $minutes } 分: 猶予期間はおよそ { $ends } に終わります (この実行の開始時刻から計算)
client-status-notification = 通知モードです: ライセンス認証されていません
client-last-code-matches = 最後のコード { $code } は、この監査で見えるものと一致します
client-last-code-differs = 最後のコード { $code } は、この監査が予測するもの ({ $seen }) と異なります
client-last-code-cleared = 最後のコード { $code } は、この監査で見えるものではありません: ここからならライセンス認証できます。ライセンス認証をやり直してください
client-note-pin-unknown = slmgr は KMS の情報を表示していません (ライセンス認証されていない) し、reg query もありません: 固定された KMS ホストがあっても見えません。reg query HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform を追加してください
client-note-pin-differs = レジストリは { $registry } に固定していますが、slmgr/ospp は { $printed } を表示しました。クライアントが読むのはレジストリです
client-note-lookup-domain-ignored = 検索ドメイン { $domain } は使われません: 固定された KMS ホストが優先されます
client-note-suffixes-unknown = ipconfig /all がありません: この実行のドメイン ({ $domains }) をクライアントのサフィックス一覧の代わりにしています
client-note-no-suffix = ipconfig /all に DNS サフィックスがまったくありません: クライアントには _vlmcs._tcp を検索するドメインがありません (このようなクライアントは 0x8007007B を記録します)
client-note-channel-unknown = 入力にチャネルがありません (slmgr /xpr のみ): KMS クライアントとして扱います
client-note-sku-override-unmatched = レジストリに SKU 固有の KMS の値 ({ $skus }) がありますが、この製品と対応付けられません (slmgr /dli はライセンス認証 ID を表示しません。/dlv を使ってください)
client-note-kms-excluded = ライセンス認証の種類 ({ $activation_type }) が KMS を除外しています
client-cmid-shared = { $count } 台の異なるコンピューターがクライアント コンピューター ID (CMID) { $cmid } を共有しています ({ $machines }): KMS ホストはこれらを 1 台のクライアントとして数えるため、ネットワークに関係なく 0xC004F038 を記録します
client-cmid-shared-unsure = クライアント コンピューター ID (CMID) { $cmid } が { $machines } にあります。ホスト名のない入力は同じコンピューターの別の出力かもしれませんが、異なるコンピューターなら 0xC004F038 を記録します
client-cmid-unique = { $count } 台のコンピューターのクライアント コンピューター ID (CMID) はすべて異なります
client-cmid-fix =
    コピーごとに固有の CMID を持たせてください (Microsoft「Windows activation - duplicate Client Machine ID」: https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/windows-activation-duplicate-client-machine-id):
      イメージをキャプチャする前に: %WINDIR%\System32\Sysprep\sysprep.exe /generalize /oobe /shutdown (SkipRearm は 0 のまま)
      すでに複製したコンピューターでは (管理者特権のコマンド プロンプト): slmgr /rearm、再起動、slmgr /dlv で CMID が変わったことを確認してから slmgr /ato
      Office (独自の CMID、cscript ospp.vbs /dcmid): cscript ospp.vbs /rearm、再起動、その後 cscript ospp.vbs /act (Microsoft「Tools to manage volume activation of Office」: https://learn.microsoft.com/en-us/deployoffice/vlactivation/tools-to-manage-volume-activation-of-office)
client-no-code = diagnose: CODE が指定されておらず、--client-state のどの入力にもエラー コード (通知の理由、ERROR CODE) がありません。CODE を指定してください
client-product-no-suffix = { $product }: DNS で KMS を検出しますが、クライアントのサフィックスがわかりません: 判定できません (その ipconfig /all か --suffix を指定してください)
client-product-of = { $machine }: { $product }
client-product-name = { $product }
client-cmid-shared-product = ただし、クライアント コンピューター ID (CMID) { $cmid } が { $machines } と同じです: KMS ホストはこれらを 1 台のクライアントとして数えるため、ネットワークに関係なく 0xC004F038 を記録します
client-summary-fails = 指定されたクライアントは { $product } のライセンス認証ができません ({ $code })

# スイープ: アドレス範囲内のすべての KMS リスナーを探し、DNS が公開している内容と比較します。

sweep-inventory-rule-error = ルール { $rule } ({ $file }:{ $line }): { $error }

## 開いているポートで応答したもの
sweep-kms-host-at = { $addr } の KMS ホスト: { $what }
sweep-listener-at = { $addr } のリスナー: { $what }
sweep-published-kms = { $head }。公開済み: { $hosts } ({ $srv_names })
sweep-published-not-kms = 公開されている KMS ホスト { $hosts } ({ $srv_names }) が KMS として応答しません。{ $addr }: { $what }。この KMS ホストを選んだクライアントは失敗します
sweep-forbidden-kms = { $head }。これは srv.inventory の forbidden_hosts にある { $hosts } です: もう KMS ホストであってはいけません
sweep-forbidden-not-kms = { $head }。KMS ではありません (このアドレスは禁止されたホスト { $hosts } のものです)
sweep-allowed-kms = { $head }。DNS では公開されていませんが、{ $hosts } は srv.inventory の許可リスト (expect.hosts) にあります
sweep-rogue = { $head }。{ $by } で公開されておらず、srv.inventory の許可リストにもありません: 承認されていない KMS ホスト、または忘れられた KMS ホストです ({ $ptr })
sweep-by-inventory-lists = srv.inventory のリスト
sweep-not-compared-kms = { $head }。DNS とは比較していません (--domain の指定がないか、DNS が応答しませんでした)
sweep-unverifiable = { $message }: KMS ホストかどうかを判断できません (RPC を破棄する IPS、応答しなくなった sppsvc、または別のサービス)
sweep-after-fin = { $message } (こちらの FIN で入力が終わってから応答しました: HTTP のような行単位のサーバーで、バインド自体には応答しません)
sweep-ptr-none = PTR レコードなし
sweep-ptr = PTR { $names }
sweep-ptr-not-looked-up = PTR は未確認
sweep-reset-after-handshake = ハンドシェイクの直後に接続をリセットしました
sweep-kms-bind-accepted = KMS の RPC バインドを受け入れました ({ $syntax }、コンテキスト { $context }、セカンダリ アドレス { $secondary })
sweep-py-kms = { $what }。assoc_group_id が固定値 0x1063BF3F です: Windows ではなく py-kms です
sweep-rpc-foreign = KMS インターフェイスを知らない DCE/RPC サーバーです (abstract syntax not supported): 別の RPC サービスです
sweep-rpc-no-ndr32 = NDR32 の KMS コンテキストを受け入れなかった DCE/RPC サーバーです
sweep-bind-nak = bind_nak でバインドを拒否した RPC ランタイムです。理由 { $reason } ({ $name }): KMS ホストではありません (エミュレーターは bind_nak を送りません)
sweep-fault = バインドにフォールトで応答した RPC ランタイムです。状態 { $status }
sweep-unexpected-pdu = バインドに { $name } PDU (PTYPE { $ptype }) で応答しました: KMS ホストではなく RPC ランタイムです
sweep-malformed = 壊れた DCE/RPC PDU で応答しました ({ $why })
sweep-not-rpc = 別のプロトコルを話します: 応答は '{ $received }' でした
sweep-silent = 接続を受け入れましたが、{ DURATION($timeout_ms) }以内に何も送りませんでした
sweep-closed-silently = 接続を受け入れ、1 バイトも送らずに閉じました
sweep-reset-by-bind = バインドに対して接続をリセットしました
sweep-local-error = プローブできませんでした: ローカル エラー { $error }

## 開いているポートへの対処
sweep-find-machine = コンピューターを特定してください ({ $ptr }): { $ip } の MAC アドレス (Linux: { $linux }、Windows: { $windows }) と、接続されているスイッチのポート (show mac address-table address <MAC>)。そのコンピューターでポートを所有しているもの: { $owner }。
sweep-fix-rogue =
    { $find }
    正規の KMS ホストであれば、DNS に公開してください (または srv.inventory ルールの expect.hosts に追加してください)。そうでなければ、Windows では KMS ホスト キーを削除して KMS クライアントに戻してください: slmgr /upk、slmgr /cpky、slmgr /ipk <エディションの GVLK>、slmgr /cdns。エミュレーター (vlmcsd、py-kms) の場合は停止して削除してください。それまでは { $ip } への TCP { $port } をブロックしてください。
sweep-fix-forbidden = { $hosts } は廃止予定です: そのホストで slmgr /cdns (公開を停止)、次に slmgr /upk と slmgr /cpky (KMS ホスト キーを削除) を実行し、{ $ip } への TCP { $port } をブロックするか、シャットダウンしてください。このホストを固定で指定しているクライアント: slmgr /ckms (DNS による検出に戻します)。
sweep-fix-published-not-kms =
    { $hosts } で: Get-Service sppsvc (Running であること)、slmgr /dlv ('Listening on Port: { $port }')、ポート { $port } を所有しているもの: { $owner }。ホストがなくなり { $ip } が別のコンピューターのものになっている場合は、レコードを削除してください:
    { $remove }

## 接続を受け付けなかったポート
sweep-refused = 接続を拒否しました (RST: 何も待ち受けていません)
sweep-timed-out = { DURATION($timeout_ms) }以内に応答がありません (フィルターされているか、ホストが停止しています)
sweep-unreachable = 到達できません (ルートがないか、ARP / 近隣探索に応答がありません: ホストが停止しています)
sweep-probe-failed = プローブできませんでした (ローカル エラー)
sweep-published-missing = 公開されている KMS ホスト { $hosts } ({ $names }) がスイープで応答しませんでした。{ $addr }: { $how }。古いレコードか、停止または切り離されたホストです
sweep-fix-published-missing =
    { $hosts } がまだ KMS を提供している場合: サービスを開始し (Get-Service sppsvc、Restart-Service sppsvc)、TCP { $port } を開いてください (Enable-NetFirewallRule -Name SPPSVC-In-TCP)。廃止済みの場合は、そのレコードを削除してください:
    { $remove }
sweep-port-not-open = { $addr }: { $how }

## 集計
sweep-summary = { LIST($parts, sep: "; ") }
sweep-swept = { $addresses } 個のアドレスのポート { $ports } を { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } 秒でスイープしました: { $open }、閉じている { $closed }、フィルター { $filtered }、到達不能 { $unreachable }
sweep-open = 開いている { $count }
sweep-open-services = 開いている { $count } ({ $services })
sweep-service-count = { $service } { $count }
sweep-compared = KMS リスナー: 公開済み { $published }、承認されていない { $rogue }、禁止 { $forbidden }、許可 { $allowed }。公開されているエンドポイント: 別のサービスが応答 { $not_kms }、応答なし { $missing }
sweep-not-compared = DNS とは比較していません
sweep-probe-errors = { $count } 件のプローブがローカルで失敗しました。最初のエラー: { $first }
sweep-interrupted = 中断されました (Ctrl-C): { $probes } 件中 { $probed } 件のプローブの後。結果は一部だけです

## DNS が公開している内容
sweep-domain-invalid = { $error }
sweep-no-usable-answer = { $name } が公開している内容と比較できません: 使える応答を返した DNS サーバーがありません ({ LIST($why, sep: "; ") })。すべての KMS リスナーを公開状況の判定なしで報告します
sweep-server-outcome = { $server }: { $outcome }
sweep-publishes-nothing = { $name } は KMS ホストを公開していません: 見つかったすべての KMS リスナーは未公開です (srv.inventory の許可リストになければ承認されていない KMS ホストです)
sweep-publishes-unresolved = { $name } は { LIST($records, sep: "; ") } を公開しています。{ $unresolved } は名前解決できないため、そのリスナーを識別できません
sweep-publishes = { $name } は { LIST($records, sep: "; ") } を公開しています
sweep-record-at = { $record } ({ $addresses })
sweep-does-not-resolve = 名前解決できません
sweep-inventory = srv.inventory ルールのインベントリ: { LIST($hosts, sep: "; ") }
sweep-inventory-forbidden = 禁止 { $host } ({ $addresses })
sweep-inventory-allowed = 許可 { $host } ({ $addresses })

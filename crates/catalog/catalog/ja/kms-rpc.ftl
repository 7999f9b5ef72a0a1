# kms-rpc (checks/src/kms_rpc.rs)。コマンドは引数で、入れ子の対処方法はメッセージで渡される。
# 「TCP 接続は成功しました」と失敗の内容は 1 文にする: 判定と簡潔な表は最初の「。」までを示すため。

-kms-rpc-tcp-ok = TCP 接続は成功しました (Test-NetConnection なら TcpTestSucceeded: True ですが、それだけでは不十分です)

kms-rpc-accepted = { $addr } の KMS RPC エンドポイントがバインドを受け入れました: コンテキスト { $context_id } で { $syntax }、最大フラグメント { $max_xmit_frag }/{ $max_recv_frag } バイト、セカンダリ アドレス { $quoted_secondary }、バインドの応答時間 { NUMBER($bind_rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
kms-rpc-accepted-other-port = { $addr } の KMS RPC エンドポイントがバインドを受け入れました: コンテキスト { $context_id } で { $syntax }、最大フラグメント { $max_xmit_frag }/{ $max_recv_frag } バイト、セカンダリ アドレス { $quoted_secondary }、バインドの応答時間 { NUMBER($bind_rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms (ホストはポート { $secondary } を報告していますが、接続先はポート { $port } です: 経路に NAT またはポート フォワードがあります)
kms-rpc-rejected-foreign = { -kms-rpc-tcp-ok } が、{ $addr } の DCE/RPC サーバーは KMS インターフェイスを拒否しました (abstract syntax not supported): これは KMS ではなく、別の RPC サービスです
kms-rpc-rejected = { -kms-rpc-tcp-ok } が、{ $addr } の DCE/RPC サーバーは KMS のコンテキストを 1 つも受け入れませんでした ({ $reasons }): NDR で KMS を提供していない RPC サーバーです
kms-rpc-nak = { -kms-rpc-tcp-ok } が、{ $addr } の RPC ランタイムは bind_nak でバインドを拒否しました。理由 { $reason } ({ $reason_name })
kms-rpc-nak-extended = { -kms-rpc-tcp-ok } が、{ $addr } の RPC ランタイムは bind_nak でバインドを拒否しました。理由 { $reason } ({ $reason_name })。拡張エラー情報が続きます
kms-rpc-fault = { -kms-rpc-tcp-ok } が、{ $addr } はバインドに fault で応答しました。状態 { $status }
kms-rpc-fault-named = { -kms-rpc-tcp-ok } が、{ $addr } はバインドに fault で応答しました。状態 { $status } ({ $status_name })
kms-rpc-unexpected-pdu = { -kms-rpc-tcp-ok } が、{ $addr } はバインドに { $pdu } PDU (PTYPE { $ptype }) で応答しました。これはバインドへの応答ではありません
kms-rpc-malformed = { -kms-rpc-tcp-ok } が、{ $addr } からの応答は壊れた DCE/RPC PDU です: { $why }
kms-rpc-not-rpc = { -kms-rpc-tcp-ok } が、{ $addr } は DCE/RPC を使用していません。応答: '{ $received }'
kms-rpc-closed = { -kms-rpc-tcp-ok } が、{ $addr } は RPC バインドに応答せずに接続を閉じました
kms-rpc-closed-before-bind = { -kms-rpc-tcp-ok } が、{ $addr } は RPC バインドに応答せずに接続を閉じました (バインドを送信する前に)
kms-rpc-reset = { -kms-rpc-tcp-ok } が、RPC バインドへの応答として { $addr } への接続がリセットされました (RST)
kms-rpc-reset-while-sending = { -kms-rpc-tcp-ok } が、RPC バインドの送信中に { $addr } への接続がリセットされました (RST)
kms-rpc-silent = { -kms-rpc-tcp-ok } が、{ $addr } は { DURATION($timeout_ms) }以内に RPC バインドに応答しませんでした: KMS RPC エンドポイントが応答していません
kms-rpc-silent-binds = { -kms-rpc-tcp-ok } が、{ $addr } は { DURATION($timeout_ms) }以内に { $binds } 回の RPC バインド (クライアントと同じく毎回別の接続) のどれにも応答しませんでした: KMS RPC エンドポイントが応答していません
kms-rpc-local-error = { $addr } への RPC バインドがローカルで失敗しました: { $error }
kms-rpc-no-reachable-address = スキップ: このホストのどのアドレスも TCP 接続を受け付けませんでした

## 対処方法
kms-rpc-fix-host = KMS ホストで: Get-Service sppsvc (実行中である必要があります。Restart-Service sppsvc)、slmgr /dlv でポート { $port } で待ち受けていることを確認し (別のポートの場合は SRV リソース レコードを修正するか { $sprt } を実行)、ファイアウォール規則を有効にしてください: Enable-NetFirewallRule -Name SPPSVC-In-TCP (または { $new_rule })。
kms-rpc-fix-path = このサブネットと { $ip } の間のネットワーク ファイアウォールで、TCP { $port } を通常の通信として許可してください。アプリケーション層のファイアウォールや IPS では、ハンドシェイクだけでなく { $port } 上の MS-RPC (DCE/RPC) を許可する必要があります。その後、このサブネットから確認してください。
kms-rpc-fix-other-service = { $ip }:{ $port } で待ち受けているものを特定し (ホストで { $find_listener }、次に { $find_process })、それを移動して、クライアントが本物の KMS ホスト (_vlmcs._tcp SRV リソース レコード、または slmgr /skms) を指すようにしてください。TCP { $port } をリダイレクトする NAT やプロキシがないことも確認してください。
kms-rpc-fix-other-service-or-host =
    { $other_service }
    { $host_fix }
kms-rpc-fix-nak =
    KMS エミュレーターは bind_nak を送信しません。これは関連付けを拒否している Microsoft の RPC ランタイムか、別のサービスです。{ $host_fix }
    { $other_service }
kms-rpc-fix-path-or-other-service =
    { $path_fix }
    { $other_service }
kms-rpc-fix-closed =
    ハンドシェイクは通すが RPC をブロックするファイアウォール/IPS、正常なバックエンドのないロード バランサー、または KMS ではないサービスは、このように接続を閉じます。
    { $path_fix }
    { $host_fix }
kms-rpc-fix-reset =
    RPC のデータへの応答としてのリセットは、MS-RPC を拒否する IPS やアプリケーション層のファイアウォールに典型的です。
    { $path_fix }
    { $host_fix }
kms-rpc-fix-silent =
    典型的な原因: ハンドシェイクを完了させて (またはプロキシして) からデータを破棄するファイアウォールや IPS、または応答しなくなった sppsvc。
    { $path_fix }
    { $host_fix }

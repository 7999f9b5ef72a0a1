# 接続 (KMS ホストに接続するチェックの共通部分: checks/src/common/address.rs、rpc.rs)。
# コマンドは引数 ($new_rule、$sprt、$test) で、入れ子の対処方法はメッセージ ($path_fix、$host_fix) で渡される。

## ホストのアドレスとポート
common-lookup-failed = アドレスを解決できません: { $error }
common-needs-host = このチェックにはホストが必要です (スコープ each-host)
common-no-address = スキップ: { $host } にはアドレスがありません ({ $dns })
common-no-port = ポートがありません: 'port' を指定するか、ホストごとに実行してください

## 失敗した接続
common-connect-refused = { $addr } への接続が拒否されました (RST): そこではポート { $port } で何も待ち受けていないか、ファイアウォールが拒否しています
common-connect-reset = { $addr } に接続しましたが、1 バイトも送信しないうちに接続がリセットされました (RST): 中継装置またはサービスがハンドシェイクを完了させてから接続を切断しています
common-connect-no-answer = { $addr } は { $attempts } 回の接続試行に { DURATION($timeout_ms) }以内に応答しませんでした (ホストの停止またはフィルター): この実行では同じ経路のほかのホストも応答していないため、どちらなのかは区別できません
common-connect-filtered = { $addr } は { $attempts } 回の接続試行に { DURATION($timeout_ms) }以内に応答しませんでしたが、同じ経路の { $answered } は応答しました: フィルターされている (ファイアウォールが SYN を破棄している) か、ホストが停止しています
common-connect-unreachable = { $addr } に到達できません ({ $error }): ルートがないか、ルーターが ICMP 到達不能を返しました
common-connect-prohibited = { $addr } への接続が禁止されました ({ $error }): ファイアウォールまたはローカル ポリシーが拒否しています
common-connect-source-unusable = { $addr } を調べられません: { $error }
common-connect-wrong-family = スキップ: { $addr }: { $error }
common-connect-error = { $addr } への接続に失敗しました: { $error }

## 対処方法
common-fix-host-service = KMS ホストで、サービスが実行されていること (Get-Service sppsvc。待ち受けポートは slmgr /dlv で確認できます) を確認し、ポートを開いてください (Enable-NetFirewallRule -Name SPPSVC-In-TCP、または { $new_rule })。ホストが別のポートで待ち受けている場合は、SRV リソース レコードを修正するか、{ $sprt } で元に戻してください。その後、クライアントから確認します: { $test }
common-fix-path = このサブネットから { $ip } への TCP { $port } を、間にあるすべてのファイアウォールで許可してください (ホストでも Enable-NetFirewallRule -Name SPPSVC-In-TCP)。その後、クライアントから確認します: { $test }
common-fix-reset-after-connect =
    IPS、アプリケーション層のファイアウォール、正常なバックエンドのないロード バランサー、またはこのクライアントを拒否するサービスが考えられます。この場合 Test-NetConnection は TcpTestSucceeded: True を返すことがありますが、クライアントは失敗します。{ $path_fix }
    { $host_fix }
common-fix-host-down = { $ip } が起動していて KMS ホストであることを確認してください (廃止したホストは古いレコードを残します)。起動している場合: { $path_fix }
common-fix-unreachable = このサブネットから { $ip } へのルーティング (VPN のスプリット トンネル、既定のゲートウェイ、静的ルート) と、ICMP で拒否するファイアウォールを確認してください。{ $path_fix }

## 壊れた DCE/RPC の応答
common-rpc-closed-partway = DCE/RPC PDU を { $bytes } バイト受信した後に接続が閉じられました: { $prefix }
common-rpc-reset-partway = DCE/RPC PDU を { $bytes } バイト受信した後に接続がリセットされました: { $prefix }
common-rpc-silent-partway = DCE/RPC PDU を { $bytes } バイト受信した後、タイムアウトまでに続きが届きませんでした: { $prefix }
common-rpc-result-count = bind_ack の結果は { $answered } 個ですが、提示したコンテキストは { $offered } 個です
common-rpc-undecodable = PDU を解析できません: { $error }

# tcp (checks/src/tcp.rs)。RTT は小数点以下 2 桁、保持時間とタイムアウトは期間 (200 ミリ秒、1 秒)。

tcp-connected = { $addr } に { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続しました
tcp-connected-held = { $addr } に { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続し、接続は { DURATION($hold_ms) }の間開いたままでした
tcp-reset-within-hold = { $addr } に { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続しましたが、1 バイトも送信しないうちに { DURATION($hold_ms) }以内に接続がリセットされました (RST)
tcp-closed-within-hold = { $addr } に { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続しましたが、1 バイトも送信しないうちに { DURATION($hold_ms) }以内に相手が接続を閉じました (FIN)。KMS ホストはクライアントからの送信を待ちます
tcp-peer-spoke-first = { $addr } に { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続しましたが、相手が先に送信してきました ('{ $banner }')。KMS ホストが先に送信することはないため、ポート { $port } では別のサービスが待ち受けています
tcp-fix-middlebox = { $addr } へのハンドシェイクを何かが完了させ、その後接続を切断しています: IPS、アプリケーション層のファイアウォール、正常なバックエンドのないロード バランサー、またはこのクライアントを拒否するサービスが考えられます。このサブネットと { $ip } の間のファイアウォールで MS-RPC/TCP { $port } のポリシーを確認し、KMS ホストで Get-Service sppsvc と Enable-NetFirewallRule -Name SPPSVC-In-TCP を実行してください。この場合 Test-NetConnection は TcpTestSucceeded: True を返しますが、クライアントは失敗します。
tcp-fix-for-source =
    この結果は送信元 { $source } (サブネット { $subnet }) のものです: そのサブネットのファイアウォールと VPN のスプリット トンネル規則で、{ $subnet } から { $ip } への TCP { $port } を許可してください。ほかのサブネットでは結果が異なる場合があります (送信元 × ターゲットの表を参照)。
    { $fix }
tcp-accepted-by-any = { $message } (このホストの { $total } 個のアドレスのうち { $connected } 個に接続でき、規則はいずれか 1 つで可としています。このアドレスを先に選んだクライアントは、ここでタイムアウトまで待たされます)

## 再送が必要だった経路 (kms-rpc も使用)
tcp-lossy-path = 損失のある経路: { $attempts } 回の試行。{ $message } (クライアントは再送の後に接続できますが、時間がかかり、常に成功するとは限りません)
tcp-lossy-path-icmp = 損失のある経路: { $attempts } 回の試行、ICMP の損失 { NUMBER($icmp_loss_percent, maximumFractionDigits: 0) } %。{ $message } (クライアントは再送の後に接続できますが、時間がかかり、常に成功するとは限りません)
tcp-fix-lossy = { $ip } への経路でパケットが失われているか、非常に遅くなっています: 接続に { $attempts } 回の試行が必要でした。このサブネットと { $ip } の間のリンクで損失がないか (インターフェイスのエラー、飽和した WAN または VPN リンク、デュプレックスの不一致)、たとえばクライアントから { $pathping } で調べてください。KMS がこの経路で動作するのは、再送が届く間だけです。

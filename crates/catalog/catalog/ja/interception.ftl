# interception (checks/src/interception.rs)。観測はメッセージのリストで、"; " で区切る。

interception-closed-port-accepted = 閉じているはずの TCP ポート { $port } が { NUMBER($rtt_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms で接続を受け付けました
interception-handshake-faster = ポート { $port } への TCP ハンドシェイクは { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms でしたが、同じアドレスへの ICMP エコーは { NUMBER($icmp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms でした: ホストより手前の何かがハンドシェイクを完了させています
interception-port-answer = ポート { $port }: { $result ->
        [refused] 拒否
        [unreachable] 到達不能
        [prohibited] 禁止
        [timeout] タイムアウト
        [reset-after-connect] 接続後にリセット
       *[other] { $result }
    }
interception-rtt-compared = ハンドシェイク { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms、ICMP エコー { NUMBER($icmp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
interception-no-comparison-no-reply = ハンドシェイク { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms、ICMP との比較なし (エコー応答なし)
interception-no-comparison = ハンドシェイク { NUMBER($tcp_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms、ICMP との比較なし ({ $reason })
interception-no-echo-reply = ICMP エコー応答なし
interception-suspected = { $ip } には KMS ホスト以外のものが応答している可能性があります: { LIST($signals, sep: "; ") }
interception-undecided = { $ip } に別のものが応答しているかどうか判断できません: { LIST($observations, sep: "; ") }
interception-nothing-observed = { $ip } に別のものが応答しているかどうか判断できません: 成功した観測がありません
interception-none-seen = { $ip } で傍受の兆候はありません: { LIST($observations, sep: "; ") }
interception-wrong-family = スキップ: { $ip }: 送信元 { $source } はアドレス ファミリが異なります
interception-fix = このサブネットと { $ip } の間の装置 (透過プロキシ、SYN プロキシ、IPS、VPN または SD-WAN アプライアンス、ロード バランサー) が TCP 接続を自ら完了させています。その装置で { $ip } への TCP { $port } を傍受/検査の対象から除外するか、KMS の通信がその装置を通らないようにしてください (ルートまたはスプリット トンネルの除外)。KMS ホストでのキャプチャと比較してください: 接続はクライアント自身のアドレスから届くはずです。その後、クライアントから確認します: { $test }

# net (crates/net/src/text.rs): チェックより下の層でネットワーク操作が失敗した理由。OS やデコーダーの
# エラー文 ($os_error、$error) は書かれたまま表示します。タイムアウトは期間で表します。

net-os-error = { $os_error }
net-io = { $op ->
    [socket] ソケットの作成
    [connect] 接続
    [send] 送信
    [receive] 受信
   *[other] { $op }
}に失敗しました: { $os_error }
net-during = { $op ->
    [socket] ソケットの作成
    [connect] 接続
    [send] 送信
    [receive] 受信
   *[other] { $op }
}中に失敗しました: { $reason }
net-at-address = { $addr }: { $reason }
net-connect-refused = 接続が拒否されました (RST)
net-reset-after-handshake = ハンドシェイクの直後に接続がリセットされました
net-port-unreachable-ntp = ICMP ポート到達不能: そこでは NTP サーバーが待ち受けていません
net-bind-interface = インターフェイス { $interface } にバインドできません: { $os_error }
net-interface-linux-only = インターフェイス { $interface } へのバインドは Linux でのみサポートされます。送信元アドレスを指定してください
net-wrong-family = 送信元 { $source } と宛先 { $destination } はアドレス ファミリが異なります
net-bind-source = 送信元 { $source } にバインドできません: { $os_error }
net-no-tcp-handshake = { DURATION($timeout_ms) }以内に TCP ハンドシェイクが完了しませんでした
net-no-ntp-reply = { DURATION($timeout_ms) }以内に NTP 応答がありませんでした
net-no-ntp-reply-ignored = { DURATION($timeout_ms) }以内に NTP 応答がありませんでした (発信元が一致しない応答 { $ignored } 件は無視しました)
net-ntp-negative-delay = NTP 応答の往復遅延が負になります (サーバーのタイムスタンプが矛盾しています)
net-ntp-kiss-of-death = NTP サーバーが Kiss-o'-Death を返しました ({ $error })
net-ntp-unsynchronized = NTP サーバーの時刻が同期されていません ({ $error })
net-ntp-invalid = NTP 応答が不正です ({ $error })
net-given-up = { DURATION($timeout_ms) }以内に読み取れませんでした (後の方法が応答したため打ち切りました)
net-http-send-failed = 要求を送信できませんでした: { $os_error }
net-read-failed = 読み取り中に接続が失敗しました: { $os_error }
net-no-http-head = 接続しましたが、{ DURATION($timeout_ms) }以内に HTTP 応答ヘッダーが揃いませんでした
net-http-closed = サーバーは HTTP 応答を返さずに接続を閉じました
net-http-not-http = HTTP 応答ではありません (HTTP/ のステータス行がありません)
net-http-bad-status-line = HTTP のステータス行 { $line } が不正です
net-http-no-date = HTTP 応答に Date ヘッダーがありません
net-http-conflicting-dates = HTTP 応答に異なる Date ヘッダーが複数あります
net-http-bad-date = HTTP の Date ヘッダー { $date } は HTTP の日付形式ではありません
net-smb2-send-failed = NEGOTIATE を送信できませんでした: { $os_error }
net-no-smb2-reply = 接続しましたが、{ DURATION($timeout_ms) }以内に SMB2 NEGOTIATE の応答が揃いませんでした
net-smb2-closed = サーバーは SMB2 の応答を返さずに接続を閉じました (SMB1 のみのサーバーか、SMB ではありません)
net-smb2-no-system-time = SMB2 NEGOTIATE の応答に SystemTime がありません (0)
net-smb2-rejected = サーバーが NEGOTIATE を拒否しました ({ $error })
net-route-lookup-failed = ルートを検索できませんでした: { $error }
net-route-lookup-timeout = { DURATION($timeout_ms) }以内にルートの検索が終わりませんでした
net-local-address-failed = ローカル アドレスを取得できませんでした: { $os_error }
net-not-smb2 = SMB2 ではありません: { $error }
net-icmp-no-privilege = このプロセスは ICMP ソケットを開けません ({ $os_error }): CAP_NET_RAW (root、またはバイナリに setcap cap_net_raw+ep) か、このプロセスのグループを含む net.ipv4.ping_group_range (sysctl -w net.ipv4.ping_group_range="0 2147483647") が必要です
net-icmp-no-privilege-windows = Windows では ICMP に raw ソケットが必要です: 管理者として実行してください ({ $os_error })
net-icmp-bind-failed = ICMP ソケットをバインドできません: { $error }
net-icmp-open-failed = ICMP ソケットを開けません: { $error }
net-icmp-send-failed = ICMP を送信できませんでした: { $os_error }
net-io-error = 入出力エラー: { $os_error }

## 送信元 (--source、--interface): プローブの前に拒否します。
net-source-flag = { $flag } { $value }: { $reason }
net-source-not-ip = IP アドレスではありません (ADDR または ADDR%INTERFACE の形式で指定してください。例: 10.1.2.3、10.1.2.3%eth1)
net-source-never = { $ip } は送信元アドレスにできません
net-source-not-local = { $ip } はこのコンピューターのアドレスではありません (bind: { $os_error })。一覧の表示: ip -brief address (Windows: ipconfig)
net-source-unusable = { $ip } を送信元として使えません (bind: { $os_error })
net-interface-empty = インターフェイス名が空です
net-interface-not-linux = インターフェイスへのバインドは Linux でだけ使えます。{ $name } のアドレスを --source で指定してください
net-interface-missing = このコンピューターに { $name } という名前のインターフェイスはありません。一覧の表示: ip -brief link
net-interface-needs-privilege = インターフェイス { $name } へのバインドには root 権限または CAP_NET_RAW が必要です ({ $os_error })

## スイープのアドレス範囲。
net-range-bad = { $text }: { $why } (10.1.2.0/24 のような CIDR、10.1.2.5-10.1.2.50 や 10.1.2.5-50 のような範囲、または 1 つのアドレスを指定してください)
net-range-empty = 空です
net-range-not-ip-before = '{ $sep }' の前が IP アドレスではありません
net-range-prefix-length = プレフィックス長は 0 から { $width } の範囲で指定してください
net-range-host-bits = ホスト部のビットが設定されています: ブロックは { $block } です
net-range-not-ip-after = '-' の後が IP アドレス (または IPv4 の最後のオクテット) ではありません
net-range-families = 両端のアドレス ファミリが異なります
net-range-reversed = 範囲の終わりが始まりより前です
net-range-not-ip = IP アドレスではありません

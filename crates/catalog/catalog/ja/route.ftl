# route (checks/src/route.rs)。コマンドは引数で渡される。

route-path = { $interface } ({ $kind }) 経由、{ $gateway }、ローカル アドレス { $local }
route-unknown-interface = (不明なインターフェイス)
route-kind = { $kind ->
        [vpn] VPN/トンネル
        [physical] 物理
        [virtual] 仮想
        [loopback] ループバック
        [unknown] 不明
       *[other] { $kind }
    }
route-kind-detail = { $kind }、{ $detail }
route-direct = 直接接続
route-gateway = ゲートウェイ { $gateway }
route-enters-vpn = { $path }: KMS の通信は VPN/トンネルに入るため、KMS ホストにトンネル経由で到達できる場合にのみ動作します (tcp.port を参照)
route-kind-unknown = { $path }: このシステムでは { $interface } が VPN かどうか判断できません
route-vpn-not-expected = { $path }: { $ip } への KMS の通信が VPN/トンネルに入っていますが、直接の経路が想定されています
route-vpn-expected = { $path }: { $ip } への KMS の通信は VPN を通ることが想定されていますが、直接出ています
route-no-route = { $ip } へのルートがありません: { $error }
route-no-route-from = { $source } から { $ip } へのルートがありません: { $error }
route-wrong-family = スキップ: { $ip }: { $error }
route-failed = { $ip } へのルートを調べられません: { $error }

## 対処方法
route-fix-split-tunnel =
    { $ip } への KMS の通信は VPN/トンネルのインターフェイス { $interface } から出ています。KMS ホストにトンネル経由で到達できない場合は (強制トンネリング: イベント 8198、0xC004F074)、トンネルから除外してください:
      - VPN クライアント/ゲートウェイ: { $ip }/32 (または KMS のサブネット) と TCP { $port } をスプリット トンネルの除外に追加します
      - Windows Always On VPN: プロファイルで { $ip }/32 を除外ルートとして追加します ({ $profile_route })
      - またはトンネル外のホスト ルート: { $host_route }  (Linux: { $linux_route })
    VPN 経由で DNS による自動検出が使えない場合は、クライアントにホストを指定します: { $skms }
route-fix-enter-vpn = VPN に接続するか、{ $ip }/32 を VPN の包含ルートに追加して、KMS の通信がトンネルに入るようにしてください。確認: { $route_get } (Windows: { $find_route })
route-fix-no-route = このサブネットから { $ip } へのルート (既定のゲートウェイ、静的ルート、または VPN のルート) を追加するか、その通信を運ぶインターフェイスを有効にしてください。確認: { $route_get } (Windows: { $find_route })

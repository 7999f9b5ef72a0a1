# proxy (checks/src/proxy.rs)。

proxy-none = プロキシは構成されていません (環境変数 HTTP_PROXY、HTTPS_PROXY、ALL_PROXY、NO_PROXY (大文字と小文字の両方)): KMS の通信はそのままネットワークに出ます
proxy-none-windows = プロキシは構成されていません (環境変数 HTTP_PROXY、HTTPS_PROXY、ALL_PROXY、NO_PROXY (大文字と小文字の両方)、WinHTTP): KMS の通信はそのままネットワークに出ます
proxy-configured = プロキシが構成されています: { $proxies }。KMS のライセンス認証は TCP { $port } 上の DCE/RPC で、HTTP プロキシを経由することはありません。KMS ホストへの直接の TCP 経路が必要です (tcp と route の結果を参照)。このネットワークの出口がプロキシだけの場合、ライセンス認証は失敗します
proxy-variable = { $name }={ $value }
proxy-winhttp = WinHTTP プロキシ { $proxy }
proxy-fix = クライアントがプロキシを使わずに TCP 1688 で KMS ホストに到達できるようにしてください: ファイアウォールでクライアントのサブネットから KMS ホストへの TCP 1688 を許可し、KMS のアドレスとポートを VPN トンネルや Web ゲートウェイのリダイレクトから除外します。プロキシの例外 (NO_PROXY、netsh winhttp set proxy ... bypass-list) は役に立ちません: KMS はプロキシを使用しません。(プロキシが関係するのは KMS ホスト自身の Microsoft とのオンライン ライセンス認証だけです: そこで 0x80072EE2 になる場合は、電話によるライセンス認証を使用してください。)

# 組み込みルール (rules/*.yaml) のタイトル。組み込みのタイトルのままのルールは出力の言語で表示し、
# ルール ファイルが設定したタイトルはそのまま表示する。

rule-title-kms-activation = KMS ホストが製品のライセンス認証を行う (実際のライセンス認証要求、オプトイン)
rule-title-clock-kms-host = 時刻が KMS ホストと一致している (KMS の上限 4 時間、Kerberos 5 分)
rule-title-clock-reference = 時刻が参照用の時刻サーバーと一致している (--ntp)
rule-title-srv-present = KMS の SRV リソース レコードが公開されている
rule-title-resolve-host = KMS ホストの名前を解決できる
rule-title-tcp-port = KMS のポートが TCP 接続を受け付ける
rule-title-kms-rpc-bind = KMS の RPC エンドポイントがバインドを受け入れる (読み取り専用)
rule-title-icmp-echo = ホストが ICMP エコーに応答する (情報: KMS に必要なのは TCP のみ)
rule-title-srv-discovery = クライアントのサフィックス一覧で KMS の SRV リソース レコードが見つかる
rule-title-srv-agreement = すべての DNS サーバーが同じ KMS のレコードを公開している
rule-title-srv-weights = SRV の優先度と重みが見たとおりに働く (RFC 2782)
rule-title-srv-inventory = 公開されている KMS ホストがインベントリと一致している
rule-title-srv-stale = 公開されている KMS ホストに停止したものがない (古い SRV リソース レコード)
rule-title-route-path = KMS ホストへの経路 (インターフェイス、VPN または直接)
rule-title-proxy-env = プロキシの設定 (KMS は使用しません)
rule-title-intercept-tcp = KMS ホストの代わりに応答するものがない
rule-title-dns-split = すべてのインターフェイスの DNS サーバーで KMS のレコードが一致している
rule-title-change-old-host-unpublished = 旧 KMS ホストがすべての DNS サーバーの SRV の応答からなくなっている
rule-title-change-new-host-published = 新しい KMS ホストがすべての DNS サーバーで公開されている
rule-title-change-old-host-silent = 旧 KMS ホストが KMS のポートで応答しなくなっている
rule-title-pre-new-host-unpublished = 新しい KMS ホストはまだ公開されていない (切り替え前に使うクライアントはない)

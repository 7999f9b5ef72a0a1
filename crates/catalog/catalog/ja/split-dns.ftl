# split-dns: 異なるインターフェイス (VPN、LAN) 経由の DNS サーバーが異なる応答を返すこと。
split-dns-one-server = 構成されている DNS サーバーが { $count } つだけなので、{ $name } を比較できません (VPN と LAN のものなど、--dns でサーバーを複数指定してください)
split-dns-same = { $count } 台の DNS サーバー ({ $interfaces } 経由) は { $name } に同じ応答を返します
split-dns-not-split = { $count } 台の DNS サーバーはすべて { $interfaces } 経由なので、ここからはインターフェイスによって応答が変わることはありません。ただし { $name } の応答は一致しておらず、srv.agreement が報告します: { LIST($views, sep: " | ") }
split-dns-split = スプリット DNS: 異なるインターフェイス経由のサーバーが { $name } に異なる応答を返します: { LIST($views, sep: " | ") }
split-dns-split-fix = クライアントが使う可能性のあるすべての DNS のビュー (VPN の DNS と LAN の DNS、内部と外部のビュー) が、{ $name } について同じ _vlmcs._tcp のレコードとホストのアドレスを返すようにしてください: 各サーバーで nslookup -type=srv { $name } <server> を実行して比較します。VPN 経由で DNS による検出を使えないクライアントには、KMS ホストを明示的に指定します: slmgr /skms <kms-host>:1688 (または slmgr /skms-domain <domain> で検索するゾーンを固定します)。
split-dns-view = { $server } ({ $interface } 経由): { LIST($answers, sep: "; ") }
split-dns-target-addresses = { $target } → { $addresses }
split-dns-interface = { $name } ({ $kind })
split-dns-local = ローカル { $address }
split-dns-no-route = 経路なし
split-dns-invalid-name = 無効な名前

# srv-discovery: クライアントの DNS サフィックス一覧全体での KMS の検出。
srv-discovery-origin-command-line = コマンド ライン
srv-discovery-no-suffix = 検索する DNS ドメインもサフィックスもありません (--host のみ指定): KMS の検出はシミュレートしていません
srv-discovery-no-answer = 応答なし ({ $why })
srv-discovery-dot-only = ターゲットが '.' のみ (サービスを提供しない)
srv-discovery-line = { $suffix } → { $result }
srv-discovery-line-hosts = { $suffix } → { $hosts }
srv-discovery-found = サフィックス一覧 ({ $origin }): { LIST($lines, sep: "; ") }。この一覧を持つクライアントは { $first } (レコードのある最初のサフィックス) で KMS を見つけます
srv-discovery-no-dns = 一覧 ({ $origin }: { $suffixes }) のどのサフィックスにも DNS サーバーが応答しませんでした: { LIST($lines, sep: "; ") }。ここの Windows クライアントは、DNS サーバーが応答するまで KMS を検出できません (0xC004F074 を記録します)
srv-discovery-no-dns-fix =
    このクライアントが使う DNS サーバー ({ $servers }) が応答するようにしてください: サーバーが動作していること、このサブネットから UDP と TCP の 53 が開いていること (ホストのファイアウォール、ACL、VPN のスプリット トンネル) を確認します。クライアントから:
    {"  "}{ $resolve_command }
    {"  "}{ $nslookup_command }
    その後、クライアントで: ipconfig /flushdns ; slmgr /ckms
srv-discovery-no-record = 一覧 ({ $origin }: { $suffixes }) のどのサフィックスでも _vlmcs._tcp のレコードが見つかりません: { LIST($lines, sep: "; ") }。このサフィックス一覧を持つ Windows クライアントは、ほかの場所で完全な名前の nslookup が成功しても、KMS を検出できません ({ $code } を記録します)
srv-discovery-no-record-fix =
    クライアントのサフィックス一覧 ({ $suffixes }) のいずれかのゾーンにレコードを置くか、レコードのあるゾーンをクライアントに指定してください:
    - サフィックスのゾーンに発行する: <kms-host.fqdn> を { $zone } に発行します:
    {"      "}Windows DNS: { $windows }
    {"      "}BIND ({ $zone } のゾーン ファイル。SOA のシリアル番号を上げてから rndc reload { $zone }):
    {"        "}{ $bind_line }
    {"      "}または KMS ホスト自身に発行させます (slmgr /sdns)。自身のゾーン以外に発行するには、ホストの DnsDomainPublishList にゾーンを列挙して sppsvc を再起動します。
    {"    "}その後、クライアントで: ipconfig /flushdns ; slmgr /ckms
    - または各 KMS ホストで DnsDomainPublishList にゾーンを列挙し、sppsvc を再起動する:
    {"    "}{ $reg_command }
    {"    "}Restart-Service sppsvc
    - またはクライアントの DNS サフィックスの検索一覧に KMS のゾーンを追加する (GPO: [コンピューターの構成] > [管理用テンプレート] > [ネットワーク] > [DNS クライアント] > [DNS サフィックス検索一覧]、または DHCP オプション 119)
    - または、非連続の名前空間にあるクライアントでは、検索するゾーンを各クライアントで固定する: slmgr /skms-domain <zone-with-the-record>
    その後、クライアントで: ipconfig /flushdns ; slmgr /ckms

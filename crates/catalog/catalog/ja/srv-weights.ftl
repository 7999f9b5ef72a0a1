# srv-weights: _vlmcs._tcp のレコードの優先度と重みが実際に何をするか。
srv-weights-not-records = { $name } には監査する SRV リソース レコードがありません ({ $server } から { $rcode })。srv.present を参照してください
srv-weights-no-answer = { $name } にどの DNS サーバーも応答しませんでした ({ $why })。srv.present を参照してください
srv-weights-readings = RFC 2782 の順序 (KMS ホストのキャッシュが無効な場合のみ、slmgr /ckhc): { LIST($order, sep: "; 次に ") } | ランダムな選択 (キャッシュが有効な場合。KMS は優先度と重みを使わないとも Microsoft は記載しています): { $count } 台のホストそれぞれ { NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%
srv-weights-group = { $rank }. 優先度 { $priority }: { $hosts }
srv-weights-share = { $target }:{ $port } { NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%
srv-weights-zero-mixed = 優先度 { $priority } に、重み 0 のレコード { $records } と重み付きのレコードが混在しています (重みの合計 { $total }): RFC 2782 では重み 0 のホストが最初に試されることはほとんどありません。負荷を分担させるなら重みを付けてください
srv-weights-zero-entry = { $target } ({ NUMBER($percent, minimumFractionDigits: 1, maximumFractionDigits: 1) }%)
srv-weights-zero-fix =
    { $zone } の優先度 { $priority } のすべてのレコードに明示的な重みを設定してください (各レコードを削除し、重みを付けて追加し直します):
    {"  "}{ $windows }
    {"  "}BIND: { $bind_line }
    自身で発行する KMS ホストでは、重みは DnsDomainPublishList ("{ $publish_list }") で決まります。重みが意味を持つのは、KMS ホストのキャッシュが無効なクライアント (slmgr /ckhc) だけです。その後、クライアントで: ipconfig /flushdns ; slmgr /ckms
srv-weights-duplicate = { $target } は { $count } 回発行されています ({ LIST($records, sep: "; ") }): ポートまたは優先度の変更の残りで、選択で 2 倍の重みを持ちます
srv-weights-duplicate-fix =
    KMS ホストごとにレコードを 1 つにしてください。余分なレコードについて:
    { LIST($removals, sep: "\u000A") }
srv-weights-dot-only = { $record } のターゲットは '.' です: { $zone } ではサービスを提供しないことが明示されています (RFC 2782)。クライアントは KMS ホストを見つけられません
srv-weights-dot-mixed = { $record } のターゲットは '.' (サービスを提供しないことの明示) で、実際のホストと並んでいます: 矛盾しており、クライアントがそこで止まることがあります
srv-weights-port = { $record } はポート { $port } を通知していますが、想定は { $expected } です: クライアントは { $port } に接続します
srv-weights-port-fix =
    KMS ホストが { $port } で待ち受けるようにする (ホストで slmgr /sprt { $port } を実行し、sppsvc を再起動) か、レコードを修正してください:
    { $remove }
    { $add }
srv-weights-cname = ターゲット { $target } は別名です ({ $canonical } への CNAME): RFC 2782 では SRV のターゲットに別名は使えません。受け付けないクライアントもあり、追加の名前解決が単独で失敗することもあります
srv-weights-cname-fix =
    レコードを正規名 { $canonical } に向けてください:
    { LIST($fixes, sep: "\u000A") }

# srv-membership: 各 DNS サーバーがドメインの _vlmcs._tcp の応答に含めるホスト。
srv-membership-host-empty = 変数を埋めた後のホスト { $host } が空です
srv-membership-failed = { $server } が { $name } にどのホストを含めるか判断できません: { $error }
srv-membership-rcode = { $server } は { $name } に { $rcode } で応答しました: どのホストを含めるか判断できません
srv-membership-still-lists-authoritative = まだ { $target }:{ $port } を含めています (TTL { $ttl } 秒、権威のある応答: レコードはゾーンにあります)
srv-membership-still-lists-cached = まだ { $target }:{ $port } を含めています (TTL { $ttl } 秒、権威のない応答: キャッシュされたか、レプリケートされていないコピーです)
srv-membership-does-not-list = { $hosts } を含めていません
srv-membership-lists = { $hosts } を含めています
srv-membership-no-record = SRV リソース レコードなし ({ $rcode })
srv-membership-pass = { $name }: { LIST($parts, sep: "、") } (応答: { $listed })
srv-membership-fail = { $name }: { LIST($problems, sep: "; ") } (応答: { $listed })

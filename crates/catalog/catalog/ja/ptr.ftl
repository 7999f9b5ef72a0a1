# ptr: 各 KMS ホストのアドレスの逆引き (PTR) レコードと SRV のターゲットの比較。
ptr-no-host = ptr にはホストが必要です (scope each-host)
ptr-literal = { $host } はアドレスそのものです: PTR と比較する発行済みの名前がありません
ptr-no-answer = { $address } の PTR の問い合わせにどの DNS サーバーも応答しませんでした ({ $why })
ptr-agrees = { $address } の PTR は { $host } です: SRV のターゲットと一致します
ptr-differs = { $address } の PTR は { $ptrs } で、{ $host } ではありません: このアドレスは別のコンピューターのものかもしれません (ホストの置き換え後に再利用された可能性)
ptr-differs-fix =
    { $address } を所有するコンピューターを確認してください。{ $host } であれば、PTR を置き換えます:
    {"  "}{ $remove }
    {"  "}{ $add }
ptr-add-fix =
    Windows DNS: { $windows }
    BIND ({ $zone } のゾーン ファイル): { $bind_line }
    (KMS にとっては見た目だけの問題です。ただし、アドレスが今は別のコンピューターのものであれば、代わりに SRV / A レコードを修正してください。)
ptr-missing = { $address } には PTR レコードがありません ({ $rcode }): { $host } であることを確認できません
ptr-failed = { $address } の PTR の問い合わせが失敗しました ({ $rcode }): 比較するものがありません

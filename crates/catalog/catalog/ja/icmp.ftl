# icmp (checks/src/icmp.rs)。

icmp-no-privilege = スキップ: { $reason }。これはネットワークについて何も示しません。KMS 自体に必要なのは TCP だけです
icmp-wrong-family = スキップ: { $ip }: { $reason }
icmp-unavailable = { $ip } に ping できません: { $error }
icmp-no-reply = { $ip } は { $sent } 回の要求のどれにも { DURATION($timeout_ms) }以内にエコー応答を返しませんでした: ICMP がフィルターされているか、ホストが停止しています (ICMP をフィルターするネットワークは多く、これだけで KMS が失敗するわけではありません。TCP と RPC のチェックを参照してください)
icmp-no-reply-errors = { $ip } は { $sent } 回の要求のどれにも { DURATION($timeout_ms) }以内にエコー応答を返しませんでした ({ LIST($errors, sep: "; ") }): ICMP がフィルターされているか、ホストが停止しています (ICMP をフィルターするネットワークは多く、これだけで KMS が失敗するわけではありません。TCP と RPC のチェックを参照してください)
icmp-replies = { $ip } からのエコー応答 { $received }/{ $sent }、損失 { NUMBER($loss_percent, maximumFractionDigits: 0) }%、RTT 最小/平均/最大 { NUMBER($min_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($avg_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($max_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms
icmp-replies-errors = { $ip } からのエコー応答 { $received }/{ $sent }、損失 { NUMBER($loss_percent, maximumFractionDigits: 0) }%、RTT 最小/平均/最大 { NUMBER($min_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($avg_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) }/{ NUMBER($max_ms, minimumFractionDigits: 2, maximumFractionDigits: 2) } ms ({ LIST($errors, sep: "; ") })
icmp-fix-no-reply = TCP/RPC のチェックも失敗する場合は、このサブネットと { $ip } の間のルーティングとファイアウォールを確認してください。合格している場合は ICMP がフィルターされているだけです: ping を使いたい場合に限り、経路とホストで ICMP エコーを許可してください (Enable-NetFirewallRule -Name FPS-ICMP4-ERQ-In)。

# verdict (report/src/verdict.rs): すべてのホストがクライアントの状態で固定されたもの (slmgr /skms、
# ospp.vbs /sethst) で、コマンド ラインの指定ではない場合の、クライアントが KMS ホストを見つける方法。
verdict-discovery-pinned = クライアントの状態で固定されたホスト (slmgr /skms またはレジストリの設定)、DNS による検出は使われません

# page (report/src/html.rs): ステータス ページのクライアントの状態 (serve --client-state)。
page-client-heading = クライアントの状態

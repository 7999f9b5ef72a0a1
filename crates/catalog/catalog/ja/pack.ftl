# コマンドが求めるルール セット (crates/checks/src/pack): オプションのエラーと、求められたが実行しなかったチェックの結果。

## 組み合わせられないオプション
pack-unknown-profile = 不明なプロファイル '{ $profile }' です
pack-profile-needs = --profile { $profile } には --{ $need } NAME が必要です ({ $summary })
pack-old-host-unused = --old-host を使うのは --profile post-change です。--profile { $profile } では使いません
pack-no-builtin-with-profile = --no-builtin は --profile { $profile } と組み合わせられません: このプロファイルは組み込みです
pack-no-rules = ルールがありません: --no-builtin が指定されましたが、--rules がありません

## 求められたが実行しなかったチェック (kind "unavailable")
pack-unavailable-opt-in = チェックしていません: '{ $id }' はオプトインで、有効になっていません。KMS ホスト自体に問い合わせるには { $flag } を追加してください (実際のライセンス認証要求です: KMS ホストはこのコンピューターを 30 日間カウントします)
pack-unavailable-not-loaded = チェックしていません: ID '{ $id }' のルールは読み込まれていません (そのチェックの種類がこのビルドに含まれていないか、ルール セットから除かれています)
pack-skip-unknown = --skip { $id }: この実行のチェックにその ID はありません (チェック: { $ids })

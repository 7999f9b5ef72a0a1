#!/usr/bin/env bash
# Builds the Debian package target/debian/kms-preflight_<version>-1_<arch>.deb with cargo-deb.
#
#   scripts/package-deb.sh            then: sudo dpkg -i target/debian/kms-preflight_*.deb
#
# 1. installs cargo-deb (pinned below) with `cargo install --locked` when it is missing or
#    another version;
# 2. builds the release binary (`[profile.release]`: LTO, one codegen unit, stripped);
# 3. generates the man pages (one per command, gzipped) and the bash/zsh/fish completions
#    FROM THAT BINARY into target/package-deb/ (never committed, never written by hand);
# 4. runs cargo-deb, whose `[package.metadata.deb]` in Cargo.toml takes the staged files,
#    the systemd unit and /etc/default file from deploy/systemd/ and the docs.
# Prints the path of the .deb on its last line. What lands where: docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

CARGO_DEB_VERSION=3.8.0

if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  echo "package-deb.sh: installing cargo-deb $CARGO_DEB_VERSION" >&2
  cargo install --locked cargo-deb --version "$CARGO_DEB_VERSION"
fi

cargo build --release --locked --bin kms-preflight
bin="${CARGO_TARGET_DIR:-$repo/target}/release/kms-preflight"

# The staging directory is named in Cargo.toml's assets relative to the repository, so it is
# target/package-deb here whatever CARGO_TARGET_DIR says.
stage="$repo/target/package-deb"
rm -rf "$stage"
mkdir -p "$stage/man" "$stage/completions"
"$bin" man --out-dir "$stage/man" >/dev/null
# -n: no name or time stamp in the header, so the same page gives the same bytes.
gzip -9 -n "$stage"/man/*.1
"$bin" completions bash > "$stage/completions/kms-preflight"
"$bin" completions zsh > "$stage/completions/_kms-preflight"
"$bin" completions fish > "$stage/completions/kms-preflight.fish"

# File times in the .deb: the last commit's, so two builds of one commit are the same.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
mkdir -p "$repo/target/debian"
deb=$(cargo deb --no-build --output "$repo/target/debian/" | tail -n 1)
echo "$deb"

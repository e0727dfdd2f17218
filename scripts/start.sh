#!/usr/bin/env bash
# npm start: build the extension and open it in a local VS Code (code-server) that a browser can
# reach. Prints the URL; runs until Ctrl-C. Flightdeck there uses this machine's ~/.codex and
# ~/.claude, and its default data dir (the extension's global storage) unless FLIGHTDECK_DATA_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
node esbuild.mjs
bash scripts/vscode-host.sh setup
exec bash scripts/vscode-host.sh serve .

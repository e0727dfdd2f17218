#!/usr/bin/env bash
# Screenshots of the extension in a real VS Code, against a data dir seeded with demo sessions.
# Writes sidebar.png and vscode-{approval,diff}-{dark,light}.png into $FLIGHTDECK_SCREENSHOT_DIR
# (default test-results/screenshots, git-ignored; the driver's other shots go to the dir given,
# default a temp dir), running the UI checks of test/host/shots.cjs. Fails when the tree shows no
# sessions or a UI check fails.
#   --publish (npm run screenshots): also takes the session panel and web client pictures (their
#   Chromium suites) and copies every picture the README shows into docs/screenshots/. Tests never
#   write into tracked files; only this does, on request.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
publish=0
if [ "${1:-}" = --publish ]; then publish=1; shift; fi
shots="${FLIGHTDECK_SCREENSHOT_DIR:-$root/test-results/screenshots}"
export FLIGHTDECK_SCREENSHOT_DIR="$shots"
if [ -z "${FLIGHTDECK_SKIP_BUILD:-}" ]; then npx tsc -p .; node esbuild.mjs; fi
bash scripts/vscode-host.sh setup >/dev/null

tmp="$(mktemp -d "${TMPDIR:-/tmp}/flightdeck-shots.XXXXXX")"
out="${1:-$tmp/shots}"
node scripts/seed-demo.mjs "$tmp/data"
# Empty provider homes: only the seeded sessions appear, never the sessions of this machine.
mkdir -p "$tmp/codex-home" "$tmp/claude-home" "$shots"
cat > "$tmp/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.colorTheme": "Default Dark Modern",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "flightdeck.codex.home": "$tmp/codex-home",
  "flightdeck.claude.home": "$tmp/claude-home"
}
JSON

# The UI checks' recording provider (test only, registered by the test entry shotsEntry.js inside the
# extension host) and where the checks report (scripts/test-host.sh reads it).
VSCODE_HOST_TESTS_PATH="$root/out/test/host/shotsEntry.js" FLIGHTDECK_TEST_DECISIONS="$tmp/decisions.jsonl" \
FLIGHTDECK_UI_RESULTS="${FLIGHTDECK_UI_RESULTS:-$tmp/ui-results.json}" \
FLIGHTDECK_DATA_DIR="$tmp/data" FLIGHTDECK_LEADER_DIR="$tmp/run" FLIGHTDECK_SHOT_FILE="$shots/sidebar.png" \
VSCODE_HOST_SETTINGS="$tmp/settings.json" VSCODE_HOST_VIEW_TITLE=Flightdeck VSCODE_HOST_SHOT_SCRIPT=test/host/shots.cjs \
  bash scripts/vscode-host.sh screenshot . "$out"
echo "screenshots: $shots/sidebar.png and $out"
if [ "$publish" = 1 ]; then
  npx mocha --no-config --timeout 120000 out/test/integration/webview-ui.test.js out/test/integration/hub-web.test.js out/test/integration/web-remotes.test.js
  for f in docs/screenshots/*.png; do
    [ -f "$shots/$(basename "$f")" ] || { echo "no new $(basename "$f") in $shots" >&2; exit 1; }
    cp "$shots/$(basename "$f")" "$f"
  done
  echo "copied into docs/screenshots: $(cd docs/screenshots && echo *.png)"
fi

#!/usr/bin/env bash
# Host tests: the extension inside a real VS Code (code-server + headless Chromium).
# Four runs: the main suite; the "broken store" suite with a data dir whose database cannot be
# opened; the "newer-host" suite in code-server 4.139.1 (VS Code 1.139, extension host on Node 24,
# where the bundled better-sqlite3 cannot load: the engine must run on node:sqlite); the screenshot
# (test-results/screenshots/sidebar.png, fails when the tree shows no sessions), counted as one test.
# Prints HOST-SUMMARY passed=N failed=M over all and exits non-zero when any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p .
node esbuild.mjs
bash scripts/vscode-host.sh setup >/dev/null
# Once per cache: ~150 s and ~600 MB (code-server 4.139.1 + Node 24 from npm); then < 1 s.
NEWER_CS=4.139.1
VSCODE_HOST_CS_VERSION=$NEWER_CS bash scripts/vscode-host.sh setup >/dev/null

tmp="$(mktemp -d "${TMPDIR:-/tmp}/flightdeck-host.XXXXXX")"
passed=0 failed=0 rc=0
run_suite() { # run_suite <name> [VAR=value ...]
  local name="$1" out="$tmp/$1.log" code=0; shift
  # Flightdeck activates when the window starts: its homes must be private before the host starts.
  mkdir -p "$tmp/$name/codex-home" "$tmp/$name/claude-home"
  set -- CODEX_HOME="$tmp/$name/codex-home" CLAUDE_CONFIG_DIR="$tmp/$name/claude-home" "$@"
  # on screen the per-run summary is renamed: the total at the end is the only HOST-SUMMARY line
  env "$@" FLIGHTDECK_HOST_SUITE="$name" bash scripts/vscode-host.sh test . out/test/host/index.js 2>&1 | tee "$out" |
    sed -u "s/^HOST-SUMMARY /host suite $name: /" || code=$?
  [ "$code" = 0 ] || rc=1
  local line; line="$(grep -o 'HOST-SUMMARY passed=[0-9]* failed=[0-9]*' "$out" | tail -1 || true)"
  if [ -z "$line" ]; then echo "host suite $name printed no summary (exit $code)" >&2; failed=$((failed + 1)); return; fi
  passed=$((passed + $(sed 's/.*passed=\([0-9]*\).*/\1/' <<<"$line")))
  failed=$((failed + $(sed 's/.*failed=\([0-9]*\)/\1/' <<<"$line")))
}

run_suite main FLIGHTDECK_LEADER_DIR="$tmp/main/run" FLIGHTDECK_DATA_DIR="$tmp/main/data"
mkdir -p "$tmp/broken/data/flightdeck.db"   # a folder where the database file should be
run_suite broken-store FLIGHTDECK_LEADER_DIR="$tmp/broken/run" FLIGHTDECK_DATA_DIR="$tmp/broken/data"
run_suite newer-host VSCODE_HOST_CS_VERSION=$NEWER_CS FLIGHTDECK_LEADER_DIR="$tmp/newer/run" FLIGHTDECK_DATA_DIR="$tmp/newer/data"

# The screenshot run also runs the workbench UI checks (test/host/shots.cjs): each counts as a test,
# and so does the screenshot itself.
touch "$tmp/before-shot"
ui="$tmp/ui-results.json"
shots="$tmp/screenshots"
if FLIGHTDECK_SKIP_BUILD=1 FLIGHTDECK_UI_RESULTS="$ui" FLIGHTDECK_SCREENSHOT_DIR="$shots" bash scripts/screenshots.sh "$tmp/shots" &&
   [ "$shots/sidebar.png" -nt "$tmp/before-shot" ]; then
  mkdir -p test-results/screenshots && cp "$shots"/*.png test-results/screenshots/
  passed=$((passed + 1))
else
  echo "screenshot of the sessions tree FAILED" >&2; failed=$((failed + 1)); rc=1
fi
if [ -f "$ui" ]; then
  passed=$((passed + $(node -p "require('$ui').passed")))
  ui_failed=$(node -p "require('$ui').failed")
  [ "$ui_failed" = 0 ] || { failed=$((failed + ui_failed)); rc=1; }
else
  echo "the workbench UI checks reported nothing" >&2; failed=$((failed + 1)); rc=1
fi

echo "HOST-SUMMARY passed=$passed failed=$failed"
exit "$rc"
